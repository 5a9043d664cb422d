"""Running the benchmark binaries: list, filter, run one benchmark per process, show progress.

Each benchmark runs as its own process (`--benchmark_filter=^name$`) so we can print which one
runs, how many are left and the elapsed time, and so one crash costs one benchmark, not the set.
Raw repetitions are always kept (`--benchmark_report_aggregates_only=false` for the C++ binary;
the Go twin emits raw repetitions only).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..results import gbjson
from ..base.paths import GO_SOURCES, QUICK_FILTER, cpp_bench_binary, go_bench_binary
from ..base.procs import Stopwatch, format_seconds

QUICK_MIN_TIME = 0.05
QUICK_REPETITIONS = 3
PER_BENCHMARK_TIMEOUT = 600.0


@dataclass
class Binary:
    """Binary is one benchmark executable and whether it is the C++ or the Go suite."""
    path: Path
    kind: str  # "cpp" | "go"


@dataclass
class RunResult:
    """RunResult collects the documents of a run plus everything that went wrong."""
    documents: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)


def quick_filter(path: Path = QUICK_FILTER) -> str:
    """quick_filter() ORs the regexes of benches/quick.filter (blank lines and #-comments
    skipped), with `{nproc}` replaced by this machine's core count."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise gbjson.FormatError(f"{path}: missing (the benches define the quick set there)") from None
    nproc = str(os.cpu_count() or 1)
    patterns = [l.strip().replace("{nproc}", nproc) for l in lines
                if l.strip() and not l.strip().startswith("#")]
    if not patterns:
        raise gbjson.FormatError(f"{path}: no patterns")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise gbjson.FormatError(f"{path}: bad regex {pattern!r}: {error}") from None
    return "|".join(f"(?:{p})" for p in patterns)


def build_go(root: Path, out: Path) -> int:
    """build_go() builds the Go twin offline (no module downloads) into `out`."""
    sources = root / GO_SOURCES.relative_to(GO_SOURCES.parents[1])
    if not (sources / "go.mod").exists():
        print(f"bench: no Go twin at {sources} (no go.mod); skipping Go", flush=True)
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    # A build-tree GOCACHE unless one is set: CI may run without $HOME, where go refuses to build.
    cache = [] if os.environ.get("GOCACHE") else [f"GOCACHE={out.parent / 'go-cache'}"]
    env_argv = ["env", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GO111MODULE=on", *cache,
                "go", "build", "-o", str(out), "."]
    print(f"$ (cd {sources} && {' '.join(env_argv[1:])})", flush=True)
    return subprocess.run(env_argv, cwd=sources).returncode


def binaries(root: Path) -> list[Binary]:
    """binaries() lists the benchmark executables that exist under a checkout's release build."""
    found = [Binary(cpp_bench_binary(root), "cpp"), Binary(go_bench_binary(root), "go")]
    return [b for b in found if b.path.is_file()]


def list_tests(binary: Binary, regex: str) -> list[str]:
    """list_tests() asks a binary which benchmarks match a filter."""
    completed = subprocess.run([str(binary.path), f"--benchmark_filter={regex}",
                                "--benchmark_list_tests=true"],
                               capture_output=True, text=True, timeout=120)
    if completed.returncode != 0:
        raise RuntimeError(f"{binary.path} --benchmark_list_tests failed "
                           f"(exit {completed.returncode}): {completed.stderr.strip()[:500]}")
    return [line.strip() for line in completed.stdout.splitlines() if line.strip()]


def run_args(binary: Binary, regex: str, repetitions: int, min_time: float, out: Path,
             interleave: bool = True) -> list[str]:
    """run_args() is the command line for one invocation writing JSON to `out`."""
    argv = [str(binary.path), f"--benchmark_filter={regex}",
            f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}",
            f"--benchmark_out={out}", "--benchmark_out_format=json",
            "--benchmark_format=console"]
    if interleave:
        argv.append("--benchmark_enable_random_interleaving=true")
    if binary.kind == "cpp":
        argv.append("--benchmark_report_aggregates_only=false")
    return argv


def run_one(binary: Binary, regex: str, repetitions: int, min_time: float,
            interleave: bool = True, quiet: bool = True,
            timeout: float = PER_BENCHMARK_TIMEOUT) -> tuple[dict[str, Any] | None, str | None]:
    """run_one() runs one invocation and returns (document, problem)."""
    with tempfile.TemporaryDirectory(prefix="goro-bench-") as tmp:
        out = Path(tmp) / "out.json"
        argv = run_args(binary, regex, repetitions, min_time, out, interleave)
        try:
            completed = subprocess.run(argv, capture_output=quiet, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout:.0f} s: {regex}"
        if completed.returncode != 0:
            tail = (completed.stderr or "").strip()[-400:] if quiet else ""
            return _maybe(out), f"exit {completed.returncode} for {regex} {tail}".strip()
        try:
            return gbjson.load(out), None
        except gbjson.FormatError as error:
            return None, str(error)


def _maybe(out: Path) -> dict[str, Any] | None:
    try:
        return gbjson.load(out)
    except gbjson.FormatError:
        return None


def run_set(bins: Sequence[Binary], regex: str, repetitions: int, min_time: float,
            interleave: bool = True) -> RunResult:
    """run_set() runs every benchmark matching `regex` in every binary, one process each,
    printing `[i/N elapsed] name: median` as it goes."""
    plan, problems = list_set(bins, regex)
    return run_plan(plan, repetitions, min_time, interleave, problems)


def list_set(bins: Sequence[Binary], regex: str) -> tuple[list[tuple[Binary, str]], list[str]]:
    """list_set() is the plan of a run, (binary, benchmark) in binary order, and the problems of
    listing (a binary that failed to list is left out)."""
    plan: list[tuple[Binary, str]] = []
    problems: list[str] = []
    for binary in bins:
        try:
            names = list_tests(binary, regex)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            problems.append(str(error))
            continue
        plan += [(binary, n) for n in names]
    return plan, problems


def by_workload(plan: Sequence[tuple[Binary, str]]) -> list[tuple[Binary, str]]:
    """by_workload() orders a plan workload by workload: every backend's benchmark of one
    workload and worker count back to back (goro's policies, std::thread, Boost.Fiber, then the
    Go twin), in the order each workload first appears, the binaries' own order kept within one.
    A binary lists backend by backend, so without it the Go twin would run minutes after goro's
    run of the same workload, and a drift of the machine's speed in between (a build starting
    beside the run) would read as a difference between them."""
    first: dict[tuple[str, int | None], int] = {}
    for _, name in plan:
        parsed = gbjson.parse_name(name)
        first.setdefault((parsed.workload, parsed.workers), len(first))
    def key(entry: tuple[Binary, str]) -> int:
        parsed = gbjson.parse_name(entry[1])
        return first[(parsed.workload, parsed.workers)]
    return sorted(plan, key=key)  # stable: each binary's order within a workload is kept


def run_plan(plan: Sequence[tuple[Binary, str]], repetitions: int, min_time: float,
             interleave: bool = True, problems: Sequence[str] = ()) -> RunResult:
    """run_plan() runs a plan in its order, one process per benchmark, printing
    `[i/N elapsed] name: median` as it goes; `problems` are carried into the result."""
    result = RunResult(problems=list(problems))
    result.listed = [n for _, n in plan]
    clock = Stopwatch()
    for index, (binary, name) in enumerate(plan, start=1):
        prefix = f"[{index}/{len(plan)} {format_seconds(clock.elapsed())}]"
        print(f"{prefix} {name} ...", end="", flush=True)
        document, problem = run_one(binary, f"^{re.escape(name)}$", repetitions, min_time,
                                    interleave)
        if document is not None:
            result.documents.append(document)
        if problem:
            result.problems.append(problem)
        print(" " + _summary(document, problem), flush=True)
    print(f"bench: {len(plan)} benchmarks in {format_seconds(clock.elapsed())}", flush=True)
    return result


def _summary(document: dict[str, Any] | None, problem: str | None) -> str:
    if document is None:
        return f"FAILED ({problem})"
    pooled = gbjson.samples([document])
    parts = []
    for samples in pooled.values():
        if samples.errors:
            parts.append(f"error: {samples.errors[0]}")
        elif samples.real_time_ns:
            import numpy as np  # after the packages step (bench is not a light command)
            parts.append(f"median {float(np.median(samples.real_time_ns)):.1f} ns/op "
                         f"(n={len(samples.real_time_ns)})")
    return "; ".join(parts) or "no result"


def smoke_problems(result: RunResult) -> list[str]:
    """smoke_problems() lists why a smoke run fails: process problems, benchmark errors other
    than 'unsupported: …', and listed benchmarks without any result."""
    problems = list(result.problems)
    pooled = gbjson.samples(result.documents)
    for name, samples in sorted(pooled.items()):
        for message in samples.errors:
            if not message.startswith("unsupported:"):
                problems.append(f"{name}: error: {message}")
    for name in result.listed:
        key = gbjson.canonical(name)
        if key not in pooled or (not pooled[key].real_time_ns and not pooled[key].errors):
            problems.append(f"{name}: listed but produced no result")
    return problems


def dump(document: dict[str, Any], path: Path) -> None:
    """dump() writes a document as JSON."""
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")


def eprint(message: str) -> None:
    """eprint() prints to stderr."""
    print(message, file=sys.stderr, flush=True)
