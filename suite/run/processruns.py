"""Separate process runs: measuring the multi-worker benchmarks in more than one process.

A benchmark that lands in one of two modes per process (where its workers settle at start-up)
looks stable in the repetitions of one process and is not; only several processes show it
(suite/analysis/stability.py judges the spread). So a run plan can measure its multi-worker
benchmarks `runs` times: the whole plan once, with the set's repetitions, then runs − 1 further
passes over the multi-worker benchmarks alone, EXTRA_REPETITIONS each, in plan order, so the
processes of one benchmark are spread over the run's time instead of back to back.

The quick set does this by default (QUICK_RUNS) for its workers ≥ 2 rows; the full set and
--filter runs measure each benchmark in one process unless --process-runs says otherwise.
"""
from __future__ import annotations

from typing import Sequence

from ..results.gbjson import parse_name
from . import runner

QUICK_RUNS = 3
EXTRA_REPETITIONS = 1


def runs_for(args) -> int:
    """runs_for() is how many separate processes measure each multi-worker benchmark: the
    --process-runs option, else QUICK_RUNS for the quick set and 1 for --full, --filter and
    --smoke."""
    explicit = getattr(args, "process_runs", None)
    if explicit:
        return explicit
    chosen = args.filter or args.full or getattr(args, "smoke", False)
    return 1 if chosen else QUICK_RUNS


def describe(args) -> str:
    """describe() is the plan's words for the extra passes ('' when there are none)."""
    runs = runs_for(args)
    return (f"; the multi-worker benchmarks in {runs} separate processes (--process-runs)"
            if runs > 1 else "")


def multi_worker(name: str) -> bool:
    """multi_worker() is true for a benchmark running on two or more workers."""
    workers = parse_name(name).workers
    return workers is not None and workers >= 2


def extra_passes(plan: Sequence[tuple[runner.Binary, str]], runs: int) -> list[tuple[runner.Binary, str]]:
    """extra_passes() is the plan of the runs − 1 passes after the first: the multi-worker
    benchmarks of `plan`, in its order, once per pass."""
    again = [(b, n) for b, n in plan if multi_worker(n)]
    return [entry for _ in range(max(0, runs - 1)) for entry in again]


def run_with_passes(plan: Sequence[tuple[runner.Binary, str]], repetitions: int, min_time: float,
                    runs: int, problems: Sequence[str] = ()) -> runner.RunResult:
    """run_with_passes() runs `plan` once with `repetitions`, then its extra passes with
    EXTRA_REPETITIONS, and returns one result: every process's document, every problem, and
    the first pass's listing (each benchmark once)."""
    result = runner.run_plan(plan, repetitions, min_time, problems=problems)
    again = extra_passes(plan, runs)
    if again:
        print(f"bench: {runs - 1} more separate process runs of the {len(again) // (runs - 1)} "
              "multi-worker benchmarks (run-to-run stability)", flush=True)
        more = runner.run_plan(again, EXTRA_REPETITIONS, min_time)
        result.documents += more.documents
        result.problems += more.problems
    return result
