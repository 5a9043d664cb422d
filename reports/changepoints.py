"""Change points in a benchmark's history (annotations for the report, never a gate).

Binary segmentation with Mann–Whitney: for a run of records (each a set of repetitions), try
every split leaving at least `min_size` records on each side, and take the split whose pooled
left/right samples differ most (smallest two-sided Mann–Whitney p). Accept it when that p is
below alpha divided by the number of splits tried (Bonferroni over the scan) and the medians
differ by more than `min_shift`; then recurse on both halves. Simple, distribution-free, and
conservative — enough to annotate "this got 12% slower at commit X".
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
    best: tuple[float, int] | None = None
    for split in splits:
        left = np.concatenate([np.asarray(s, float) for s in series[low:split]])
        right = np.concatenate([np.asarray(s, float) for s in series[split:high]])
        if len(left) == 0 or len(right) == 0 or np.ptp(np.concatenate([left, right])) == 0:
            continue
        p = float(scipy_stats.mannwhitneyu(left, right, alternative="two-sided").pvalue)
        shift = abs(np.median(right) / np.median(left) - 1.0)
        if shift > min_shift and (best is None or p < best[0]):
            best = (p, split)
    if best is None or best[0] >= alpha / len(splits):
        return
    found.append(best[1])
    _segment(series, low, best[1], alpha, min_shift, min_size, found)
    _segment(series, best[1], high, alpha, min_shift, min_size, found)
