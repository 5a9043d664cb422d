"""The verdict table on a terminal: what `compare` and `gate` print, one row per benchmark.

Standard library only (cli.py loads the commands that import this before numpy is installed);
times in human units (units.py), then what could not be compared, the geomeans and a summary.
"""
from __future__ import annotations

import math

from ..analysis import verdicts
from . import units


def print_outcome(outcome: verdicts.Outcome, metric: str) -> None:
    """print_outcome() prints the verdict table and what could not be compared."""
    unit = "ns/op" if metric in ("real_time", "cpu_time") else metric
    print(f"{'benchmark':<52} {'nA':>3} {'nB':>3} {'A (median)':>12} {'B (median)':>12} "
          f"{'r':>6} {'95% CI of r':>15} {'p(Holm)':>8} {'band':>5}  verdict")
    for row in outcome.rows:
        p = min(row.p_worse_holm, row.p_better_holm)
        ci = "n/a" if math.isnan(row.ci_low) else f"[{row.ci_low:.3f},{row.ci_high:.3f}]"
        flag = " (unstable: not gated)" if row.unstable else ""
        print(f"{row.name:<52} {row.n_a:>3} {row.n_b:>3} {units.value(row.median_a, unit):>12} "
              f"{units.value(row.median_b, unit):>12} "
              f"{row.ratio:>6.3f} {ci:>15} {p:>8.2g} {row.band:>5.0%}  {row.verdict}{flag}"
              f"  — {row.reason}")
    for name in outcome.only_in_a:
        print(f"{name:<52} missing in B")
    for name in outcome.only_in_b:
        print(f"{name:<52} missing in A")
    for name in outcome.failed:
        print(f"{name:<52} failed or empty on a side")
    counts: dict[str, int] = {}
    for row in outcome.rows:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing compared"
    for g in outcome.geomeans:
        ci = "n/a" if math.isnan(g.ci_low) else f"[{g.ci_low:.3f},{g.ci_high:.3f}]"
        print(f"geomean of r, {g.group} ({g.count} benchmarks): {g.ratio:.3f} {ci}")
    print(f"compare: {summary}; {len(outcome.regressions)} gated regression(s); "
          f"exit {outcome.exit_code()}")
