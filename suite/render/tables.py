"""Tables the report and the `designs` command derive from one record's samples."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from ..analysis import stats, verdicts
from ..results.gbjson import CHANNEL_PREFIX, FAMILIES, Samples, parse_name

COUNTERS = ("context_switches_per_op", "steals_per_op", "parks_per_op")
# Workloads whose result is not a time: the counter the summary compares, and its unit
# (lower is better for both). Every other workload is compared on real time, in ns/op.
PRIMARY_METRIC = {"parked_memory": ("rss_bytes_per_task", "B/task")}


def primary_metric(workload: str) -> tuple[str, str]:
    """primary_metric() is (metric, unit) the summary compares for a workload."""
    return PRIMARY_METRIC.get(workload, ("real_time", "ns/op"))


@dataclass
class Cell:
    """Cell is one benchmark's median (ns/op) with its distribution-free CI."""
    name: str
    backend: str
    median: float
    low: float
    high: float
    n: int
    values: list[float] = field(default_factory=list)
    error: str | None = None
    unit: str = "ns/op"


def cells(samples: Mapping[str, Samples]) -> dict[tuple[str, str, int | None], Cell]:
    """cells() indexes every benchmark by (workload, backend, workers), on the workload's
    primary metric (real time, or e.g. RSS per task for parked_memory)."""
    table: dict[tuple[str, str, int | None], Cell] = {}
    for name, sample in samples.items():
        parsed = parse_name(name)
        metric, unit = primary_metric(parsed.workload)
        values = sample.metric(metric)
        if sample.errors or not values:
            table[(parsed.workload, parsed.backend, parsed.workers)] = Cell(
                name, parsed.backend, math.nan, math.nan, math.nan, 0,
                error=sample.errors[0] if sample.errors else "no result", unit=unit)
            continue
        ci = stats.median_ci(values)
        table[(parsed.workload, parsed.backend, parsed.workers)] = Cell(
            name, parsed.backend, ci.median, ci.low, ci.high, ci.n, list(values), unit=unit)
    return table


def best_of_family(table: Mapping[tuple[str, str, int | None], Cell], workload: str,
                   workers: int | None, family: str) -> Cell | None:
    """best_of_family() is the fastest backend of a family (goro's best policy, Boost.Fiber's
    best algorithm) for one workload and worker count; a channel of your own (goro/chan:<name>)
    is never goro's best."""
    candidates = [c for (w, b, n), c in table.items() if w == workload and n == workers
                  and b.split("/")[0] == family and not b.startswith(f"goro/{CHANNEL_PREFIX}")
                  and not math.isnan(c.median)]
    return min(candidates, key=lambda c: c.median, default=None)


@dataclass
class SummaryRow:
    """SummaryRow compares goro's best policy with each other family for one workload/workers."""
    workload: str
    workers: int | None
    goro: Cell | None
    others: dict[str, tuple[Cell, float, float, float, str]]  # family → cell, r, lo, hi, verdict


def summary(samples: Mapping[str, Samples], band: float = 0.05) -> list[SummaryRow]:
    """summary() is the ratio table: r = median(other)/median(goro best), so r > 1 means goro
    is faster; the verdict needs the whole bootstrap CI of r beyond the band."""
    table = cells(samples)
    keys = sorted({(w, n) for (w, _, n) in table}, key=lambda k: (k[0], k[1] or 0))
    rows = []
    for workload, workers in keys:
        goro = best_of_family(table, workload, workers, "goro")
        others: dict[str, tuple[Cell, float, float, float, str]] = {}
        for family in FAMILIES[1:]:
            cell = best_of_family(table, workload, workers, family)
            if cell is None:
                continue
            if goro is None:
                others[family] = (cell, math.nan, math.nan, math.nan, "")
                continue
            r = stats.ratio(goro.values, cell.values)
            low, high = stats.ratio_ci(goro.values, cell.values)
            # r = other/goro: ABOVE the band means the other is slower, i.e. goro faster.
            verdict = {verdicts.ABOVE: "goro faster", verdicts.BELOW: "goro slower",
                       verdicts.NO_CI: "n too small"}.get(verdicts.band_position(low, high, band), "~")
            others[family] = (cell, r, low, high, verdict)
        rows.append(SummaryRow(workload, workers, goro, others))
    return rows


@dataclass
class Heatmap:
    """Heatmap is workload × goro policy at one worker count: median ns/op and counters."""
    workers: int | None
    workloads: list[str]
    policies: list[str]
    medians: list[list[float]]
    counters: dict[str, list[list[float]]]


def heatmaps(samples: Mapping[str, Samples]) -> list[Heatmap]:
    """heatmaps() builds one policy heat map per worker count found among goro benchmarks."""
    entries: dict[tuple[str, str, int | None], Samples] = {}
    for name, sample in samples.items():
        parsed = parse_name(name)
        if parsed.family == "goro" and parsed.policy and sample.real_time_ns:
            entries[(parsed.workload, parsed.policy, parsed.workers)] = sample
    maps = []
    for workers in sorted({k[2] for k in entries}, key=lambda w: w or 0):
        workloads = sorted({k[0] for k in entries if k[2] == workers})
        policies = sorted({k[1] for k in entries if k[2] == workers})
        medians = [[stats.median_ci(entries[(w, p, workers)].real_time_ns).median
                    if (w, p, workers) in entries else math.nan for p in policies] for w in workloads]
        counters = {c: [[_median(entries[(w, p, workers)].counters.get(c, []))
                         if (w, p, workers) in entries else math.nan for p in policies]
                        for w in workloads] for c in COUNTERS}
        maps.append(Heatmap(workers, workloads, policies, medians, counters))
    return maps


def _median(values: list[float]) -> float:
    return stats.median_ci(values).median if values else math.nan
