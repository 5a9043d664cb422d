"""Run-to-run stability: how far a benchmark's result moves between separate process runs.

Repetitions inside one process share its start-up: where the scheduler's threads land, what the
first steals and sleeps decide, the allocator's layout. A benchmark that settles into one of two
modes per process shows a tight spread inside every process and a wide one across processes, so
the repetitions alone cannot reveal it. Every process invocation keeps its own document in a
record (`Record.gbench_runs`), so the per-process medians are still there to compare.

Rules:
- a run is one document (one process); its value for a benchmark is the median of its
  repetitions there;
- spread = max / min of the run medians − 1 (the distance between the best and worst process);
- `unstable`: spread ≥ SPREAD_LIMIT (the issue-24 bar: run-to-run spread under 20 %);
- `bimodal`: unstable, at least MIN_RUNS_FOR_MODES runs, and the run medians fall into two
  separated groups: the widest gap between neighbouring sorted run medians is at least
  MODE_GAP_SHARE of the whole range and wider than every process's own spread (its repetitions'
  max / min), so the gap is between runs, not noise inside them;
- with one run per benchmark nothing is said (`runs` = 1, no flag).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

from ..results import gbjson

SPREAD_LIMIT = 0.20
MIN_RUNS_FOR_MODES = 3
MODE_GAP_SHARE = 0.5

STABLE, UNSTABLE, BIMODAL = "stable", "unstable", "bimodal"


@dataclass(frozen=True)
class Spread:
    """Spread is one benchmark's per-process medians (ns/op, in run order) and its verdict."""
    name: str
    run_medians: tuple[float, ...]
    within: float  # the largest max/min − 1 of one process's repetitions
    spread: float  # max/min − 1 of the run medians (0 with one run)
    verdict: str   # STABLE, UNSTABLE or BIMODAL; STABLE with a single run

    @property
    def runs(self) -> int:
        """runs is the number of separate processes that measured the benchmark."""
        return len(self.run_medians)

    @property
    def ratio(self) -> float:
        """ratio is the slowest process's median over the fastest's (1.0 with one run)."""
        return 1.0 + self.spread


def judge(run_values: Iterable[Iterable[float]], name: str = "") -> Spread:
    """judge() is the Spread of one benchmark from each process's repetitions (time, ns/op)."""
    runs = [np.asarray(list(v), float) for v in run_values]
    runs = [r for r in runs if len(r) and np.all(r > 0)]
    medians = tuple(float(np.median(r)) for r in runs)
    within = max((float(r.max() / r.min() - 1.0) for r in runs), default=0.0)
    if len(medians) < 2:
        return Spread(name, medians, within, 0.0, STABLE)
    ordered = np.sort(np.asarray(medians))
    spread = float(ordered[-1] / ordered[0] - 1.0)
    if spread < SPREAD_LIMIT:
        return Spread(name, medians, within, spread, STABLE)
    # gaps in log space: a 2x step reads the same at 100 ns and at 1 ms
    logs = np.log(ordered)
    gaps = np.diff(logs)
    widest = float(gaps.max())
    bimodal = (len(medians) >= MIN_RUNS_FOR_MODES
               and widest >= MODE_GAP_SHARE * float(logs[-1] - logs[0])
               and widest > float(np.log1p(within)))
    return Spread(name, medians, within, spread, BIMODAL if bimodal else UNSTABLE)


def per_process(documents: Iterable[Mapping[str, Any]], metric: str = "real_time") -> dict[str, list[list[float]]]:
    """per_process() is, per canonical benchmark name, one list of values per document that
    measured it (documents with only errors for it are left out)."""
    table: dict[str, list[list[float]]] = {}
    for document in documents:
        for name, sample in gbjson.samples([dict(document)]).items():
            values = sample.metric(metric)
            if values:
                table.setdefault(name, []).append(list(values))
    return table


def spreads(documents: Iterable[Mapping[str, Any]]) -> dict[str, Spread]:
    """spreads() judges every benchmark of a record's documents (Record.gbench_runs)."""
    return {name: judge(runs, name) for name, runs in sorted(per_process(documents).items())}
