"""Change points in a benchmark's history (annotations for the report, never a gate).

Binary segmentation: for a run of records (each a set of repetitions), try every split leaving
at least `min_size` records on each side and take the one that best explains the data as two
levels — the smallest L1 cost, Σ|x − median of its side| (robust to outliers). Accept it when
the pooled left/right samples differ by a two-sided Mann–Whitney p below alpha divided by the
number of splits tried (Bonferroni over the scan) and the medians differ by more than
`min_shift`; then recurse on both halves. Simple, distribution-free, and conservative — enough
to annotate "this got 12% slower at commit X".

Rejected: choosing the split by the smallest Mann–Whitney p. The test's power grows with the
smaller side, so it prefers balanced splits and puts a step two records from the end one record
late (tests/test_changepoints.py plants exactly that).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import stats as scipy_stats


def change_points(series: Sequence[Sequence[float]], alpha: float = 0.01, min_shift: float = 0.05,
                  min_size: int = 2) -> list[int]:
    """change_points() returns the indices i where a new regime starts at series[i]."""
    found: list[int] = []
    _segment(series, 0, len(series), alpha, min_shift, min_size, found)
    return sorted(found)


def _segment(series: Sequence[Sequence[float]], low: int, high: int, alpha: float,
             min_shift: float, min_size: int, found: list[int]) -> None:
    splits = range(low + min_size, high - min_size + 1)
    if len(splits) == 0:
        return
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    for split in splits:
        left = np.concatenate([np.asarray(s, float) for s in series[low:split]])
        right = np.concatenate([np.asarray(s, float) for s in series[split:high]])
        if len(left) == 0 or len(right) == 0 or np.ptp(np.concatenate([left, right])) == 0:
            continue
        cost = float(np.abs(left - np.median(left)).sum() + np.abs(right - np.median(right)).sum())
        if best is None or cost < best[0]:
            best = (cost, split, left, right)
    if best is None:
        return
    _, split, left, right = best
    p = float(scipy_stats.mannwhitneyu(left, right, alternative="two-sided").pvalue)
    shift = abs(np.median(right) / np.median(left) - 1.0)
    if p >= alpha / len(splits) or shift <= min_shift:
        return
    found.append(split)
    _segment(series, low, split, alpha, min_shift, min_size, found)
    _segment(series, split, high, alpha, min_shift, min_size, found)
