"""Designs compared beyond the mean: load–latency curves of the open-loop workload, each design's
highest load under the SLO, and its wake-up latency and CPU/wall, from one record's samples.

Every figure is the median over the repetitions; a load point counts as reached only when the
median repetition reached it (counter `reached`, benches/openloop.hpp), and an unreached point is
shown as "not reached", never as a number.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..results.gbjson import Samples, parse_name

_OPENLOOP = re.compile(r"^openloop/(?P<form>[a-z]+/[a-z]+)/load:(?P<load>\d+)$")
# The closed-loop rows the design table reads (benches/designs.filter runs them).
THROUGHPUT_WORKLOAD = "chan_mpmc/cap:128"
WAKE_WORKLOAD = "chan_pingpong"
# workload -> (DesignRow field, counter): the number that shows each pathology.
PATHOLOGIES = {"fairness/runnext_wait": ("runnext_wait", "victim_wait_ns"),
               "fairness/cpu_hog": ("hog_delay", "peer_delay_ns"),
               "fairness/mutex/tasks:64": ("mutex_max_acquire", "max_acquire_ns"),
               "fairness/pool_jain": ("pool_jain", "jain_index")}


def design_title(backend: str) -> str:
    """design_title() names a design: goro's policies by their policy name, the peers by theirs."""
    family, _, rest = backend.partition("/")
    if family == "goro":
        return rest
    return {"go": "Go", "thread": "std::thread"}.get(family, f"Boost.Fiber {rest}" if family == "fiber" else backend)


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan


@dataclass
class Point:
    """Point is one load point of one design: offered load (percent per worker), median p50/p99/
    p99.9 in ns, whether the median repetition reached it, and the SLO in ns."""
    load: int
    p50: float
    p99: float
    p999: float
    reached: bool
    slo: float


@dataclass
class Curve:
    """Curve is one design's points for one workload form (spawn/exp, ...) at one worker count."""
    backend: str
    form: str
    workers: int
    points: list[Point] = field(default_factory=list)

    def max_load_under_slo(self) -> int | None:
        """max_load_under_slo() is the highest load such that it and every lower point measured
        were reached with p99 <= SLO; None when even the lowest point misses."""
        best = None
        for point in sorted(self.points, key=lambda p: p.load):
            if not point.reached or not point.p99 <= point.slo:
                break
            best = point.load
        return best


def curves(samples: dict[str, Samples]) -> list[Curve]:
    """curves() groups the open-loop benchmarks into one Curve per (form, workers, backend)."""
    by_key: dict[tuple[str, int, str], Curve] = {}
    for name, sample in samples.items():
        parsed = parse_name(name)
        match = _OPENLOOP.match(parsed.workload)
        if not match or parsed.workers is None or not sample.counters.get("p99_ns"):
            continue
        key = (match.group("form"), parsed.workers, parsed.backend)
        curve = by_key.setdefault(key, Curve(parsed.backend, key[0], parsed.workers))
        reached = _median(sample.counters.get("reached", [0.0])) >= 0.5
        curve.points.append(Point(int(match.group("load")), _median(sample.counters["p50_ns"]),
                                  _median(sample.counters["p99_ns"]),
                                  _median(sample.counters.get("p999_ns", [])), reached,
                                  _median(sample.counters.get("slo_ns", [])) or math.inf))
    for curve in by_key.values():
        curve.points.sort(key=lambda p: p.load)
    return sorted(by_key.values(), key=lambda c: (c.form, c.workers, c.backend))


@dataclass
class DesignRow:
    """DesignRow is one design at one worker count: the table of the Designs section."""
    backend: str
    workers: int
    max_load: int | None = None          # spawn/exp: highest load under the SLO (percent)
    measured_load: bool = False          # the design ran the spawn/exp curve at all
    throughput: float = math.nan         # chan_mpmc items per second
    cpu_per_item: float = math.nan       # chan_mpmc CPU ns per message (every thread)
    cpu_wall: float = math.nan           # chan_mpmc CPU time / wall time
    wake_p99: float = math.nan           # chan_pingpong p99 wake-up latency, ns
    # the pathologies (benches/fairness.hpp), each the counter that shows it
    runnext_wait: float = math.nan       # fairness/runnext_wait victim_wait_ns
    hog_delay: float = math.nan          # fairness/cpu_hog peer_delay_ns
    mutex_max_acquire: float = math.nan  # fairness/mutex/tasks:64 max_acquire_ns
    pool_jain: float = math.nan          # fairness/pool_jain jain_index


def design_rows(samples: dict[str, Samples]) -> list[DesignRow]:
    """design_rows() is one row per (workers, design) that ran any of the designs workloads."""
    rows: dict[tuple[int, str], DesignRow] = {}

    def row(backend: str, workers: int) -> DesignRow:
        return rows.setdefault((workers, backend), DesignRow(backend, workers))

    for curve in curves(samples):
        if curve.form == "spawn/exp":
            r = row(curve.backend, curve.workers)
            r.max_load, r.measured_load = curve.max_load_under_slo(), True
    for name, sample in samples.items():
        parsed = parse_name(name)
        if parsed.workers is None or not sample.real_time_ns:
            continue
        if parsed.workload == THROUGHPUT_WORKLOAD:
            r = row(parsed.backend, parsed.workers)
            r.throughput = _median(sample.counters.get("items_per_second", []))
            r.cpu_wall = _median(sample.counters.get("cpu_wall", []))
            # cpu_time is per op = 4,000 items: per item is what compares across designs
            r.cpu_per_item = _median(sample.cpu_time_ns) / 4000
        elif parsed.workload == WAKE_WORKLOAD:
            row(parsed.backend, parsed.workers).wake_p99 = _median(sample.counters.get("wake_p99_ns", []))
        elif parsed.workload in PATHOLOGIES:
            field_name, counter = PATHOLOGIES[parsed.workload]
            setattr(row(parsed.backend, parsed.workers), field_name, _median(sample.counters.get(counter, [])))
    return sorted(rows.values(), key=lambda r: (r.workers, r.backend.split("/")[0] != "goro", r.backend))


def format_load(row: DesignRow) -> str:
    """format_load() prints a max load under the SLO: '80 %', 'none' or '–' (not measured)."""
    if not row.measured_load:
        return "–"
    return "none" if row.max_load is None else f"{row.max_load} %"
