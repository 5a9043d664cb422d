"""Google Benchmark JSON: validate a document and turn its raw repetitions into samples.

Accepts the 1.7.1 schema (what Debian ships and what the Go twin emits) and newer ones
(`family_index`, `per_family_instance_index`, `skipped`/`skip_message`, any `time_unit`).
Times are normalised to nanoseconds. Aggregate rows (mean/median/stddev/cv) are ignored: the
statistics are computed from the iteration rows, never from Google Benchmark's own summaries.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

NS_PER_UNIT: dict[str, float] = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Fields of a benchmark row that are not user counters.
STANDARD_FIELDS = frozenset({
    "name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
    "real_time", "cpu_time", "time_unit", "family_index", "per_family_instance_index",
    "aggregate_name", "aggregate_unit", "error_occurred", "error_message", "skipped",
    "skip_message", "label", "big_o", "rms", "complexity_n",
})
# Name segments Google Benchmark appends by itself (UseRealTime, MinTime, Repetitions, ...).
_GENERATED_SEGMENT = re.compile(
    r"^(real_time|manual_time|process_time|(min_time|min_warmup_time|repeats|iterations|threads):.*)$")
# The naming scheme, known here only: `<workload>[/<param>...]/<backend>/workers:N`, where the
# backend starts with its family — goro/<policy>, thread, fiber/<algorithm>, go. Families in
# report order (goro first: the summary compares the others with it), with display names.
FAMILIES = ("goro", "thread", "fiber", "go")
FAMILY_TITLES = {"goro": "goro", "thread": "std::thread", "fiber": "Boost.Fiber", "go": "Go"}
# A channel of your own run in goro's runtime (<goro/bench/backend_channel.hpp>, `--extra-binary`)
# is the backend goro/chan:<name>: one more goro column next to the policies, never goro's own.
CHANNEL_PREFIX = "chan:"


class FormatError(ValueError):
    """FormatError means a file is not Google Benchmark JSON we can use."""


@dataclass
class Name:
    """Name is a benchmark name split per the contract `<workload>/<backend>/workers:N`."""
    full: str
    workload: str
    backend: str
    workers: int | None

    @property
    def family(self) -> str:
        """family is the backend's head: goro, thread, fiber or go."""
        return self.backend.split("/")[0]

    @property
    def policy(self) -> str | None:
        """policy is goro's scheduler policy (or Boost.Fiber's algorithm), else None."""
        parts = self.backend.split("/")
        return parts[1] if len(parts) > 1 else None


def canonical(name: str) -> str:
    """canonical() drops the segments Google Benchmark generates (`/real_time`, `/repeats:3`)."""
    return "/".join(s for s in name.split("/") if not _GENERATED_SEGMENT.match(s))


def parse_name(name: str) -> Name:
    """parse_name() splits a canonical name; names outside the contract keep workload = name."""
    segments = canonical(name).split("/")
    workers: int | None = None
    rest: list[str] = []
    for segment in segments:
        match = re.fullmatch(r"workers:(\d+)", segment)
        if match:
            workers = int(match.group(1))
        else:
            rest.append(segment)
    for index, segment in enumerate(rest):
        if segment in FAMILIES and index > 0:
            width = 2 if segment in ("goro", "fiber") and index + 1 < len(rest) else 1
            backend = "/".join(rest[index:index + width])
            return Name(canonical(name), "/".join(rest[:index]), backend, workers)
    return Name(canonical(name), "/".join(rest), "", workers)


@dataclass
class Samples:
    """Samples holds one benchmark's raw repetitions (per-iteration values, time in ns)."""
    name: str
    real_time_ns: list[float] = field(default_factory=list)
    cpu_time_ns: list[float] = field(default_factory=list)
    iterations: list[int] = field(default_factory=list)
    counters: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def metric(self, metric: str) -> list[float]:
        """metric() returns the values of `real_time`, `cpu_time` or a user counter."""
        if metric == "real_time":
            return self.real_time_ns
        if metric == "cpu_time":
            return self.cpu_time_ns
        return self.counters.get(metric, [])

    def extend(self, other: "Samples") -> None:
        """extend() pools another set of repetitions of the same benchmark into this one."""
        self.real_time_ns += other.real_time_ns
        self.cpu_time_ns += other.cpu_time_ns
        self.iterations += other.iterations
        for key, values in other.counters.items():
            self.counters.setdefault(key, []).extend(values)
        self.errors += other.errors


def load_text(text: str, origin: str = "<text>") -> dict[str, Any]:
    """load_text() parses and validates one Google Benchmark JSON document."""
    if not text.strip():
        raise FormatError(f"{origin}: empty file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"{origin}: not JSON ({error})") from None
    validate(document, origin)
    return document


def load(path: Path) -> dict[str, Any]:
    """load() reads a Google Benchmark JSON file (FormatError when missing, empty or invalid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FormatError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise FormatError(f"{path}: not UTF-8 text") from None
    return load_text(text, str(path))


def validate(document: Any, origin: str) -> None:
    """validate() checks the shape we rely on: `benchmarks` rows with name/time/unit."""
    if not isinstance(document, dict) or not isinstance(document.get("benchmarks"), list):
        raise FormatError(f"{origin}: not Google Benchmark JSON (no 'benchmarks' list)")
    for index, row in enumerate(document["benchmarks"]):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise FormatError(f"{origin}: benchmarks[{index}] has no name")
        if _is_error(row):
            continue
        unit = row.get("time_unit", "ns")
        if unit not in NS_PER_UNIT:
            raise FormatError(f"{origin}: {row['name']}: unknown time_unit {unit!r}")
        for key in ("real_time", "cpu_time"):
            value = row.get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise FormatError(f"{origin}: {row['name']}: '{key}' missing or not a number")
            # A repetition's time is a measured duration: NaN, infinite, zero or negative is a
            # broken input, never a speed-up (aggregate rows such as stddev may be zero).
            if row.get("run_type", "iteration") == "iteration" and not 0 < value < math.inf:
                raise FormatError(f"{origin}: {row['name']}: '{key}' is {value!r}; a measured "
                                  "time must be a positive finite number")


def _is_error(row: dict[str, Any]) -> bool:
    return bool(row.get("error_occurred")) or bool(row.get("skipped"))


def error_message(row: dict[str, Any]) -> str:
    """error_message() is a failed row's message, in either schema."""
    return str(row.get("error_message") or row.get("skip_message") or "error")


def samples(documents: Iterable[dict[str, Any]]) -> dict[str, Samples]:
    """samples() pools the iteration rows of several documents by canonical benchmark name."""
    pooled: dict[str, Samples] = {}
    for document in documents:
        for row in document["benchmarks"]:
            if row.get("run_type", "iteration") != "iteration":
                continue
            name = canonical(str(row.get("run_name") or row["name"]))
            entry = pooled.setdefault(name, Samples(name))
            if _is_error(row):
                entry.errors.append(error_message(row))
                continue
            scale = NS_PER_UNIT[row.get("time_unit", "ns")]
            entry.real_time_ns.append(float(row["real_time"]) * scale)
            entry.cpu_time_ns.append(float(row["cpu_time"]) * scale)
            entry.iterations.append(int(row.get("iterations", 0)))
            for key, value in row.items():
                if key not in STANDARD_FIELDS and isinstance(value, (int, float)) \
                        and not isinstance(value, bool):
                    entry.counters.setdefault(key, []).append(float(value))
    return pooled


def merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """merge() concatenates several runs into one document (the first run's context)."""
    if not documents:
        return {"context": {}, "benchmarks": []}
    return {"context": documents[0].get("context", {}),
            "benchmarks": [row for d in documents for row in d["benchmarks"]]}
