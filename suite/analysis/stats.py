"""Statistics for benchmark samples — scipy does the tests, this module only wires them.

- median_ci(): the median with a distribution-free confidence interval from order statistics:
  the interval [x_(l), x_(n+1-l)] covers the population median with probability
  1 - 2·P(Bin(n, ½) ≤ l-1); we take the largest l whose coverage is still ≥ the level.
- ratio_ci(): a seeded percentile bootstrap (scipy.stats.bootstrap) of r = median(B)/median(A).
- one_sided_p(): Mann–Whitney U (scipy.stats.mannwhitneyu), alternative 'greater' = B worse.
- geomean_ratio_ci(): the geometric mean of several benchmarks' ratios with a percentile
  bootstrap interval (each benchmark's A and B resampled independently, one shared seed).
- holm(): Holm's step-down adjustment (statsmodels is not in Debian's python3 set; the
  procedure is three lines of numpy: sort, multiply by (m - rank), running maximum, clip at 1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats as scipy_stats

BOOTSTRAP_SEED = 20240611
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class MedianCI:
    """MedianCI is a median and its distribution-free interval (coverage actually achieved)."""
    median: float
    low: float
    high: float
    coverage: float
    n: int


def median_ci(values: Sequence[float], level: float = 0.95) -> MedianCI:
    """median_ci() is the sample median with an order-statistic interval; with too few values
    for the level (n < 6 at 95%) the interval is the full range and coverage says how much."""
    data = np.sort(np.asarray(values, dtype=float))
    n = len(data)
    if n == 0:
        return MedianCI(math.nan, math.nan, math.nan, 0.0, 0)
    median = float(np.median(data))
    best_l = 1
    for l in range(1, n // 2 + 1):
        coverage = 1.0 - 2.0 * float(scipy_stats.binom.cdf(l - 1, n, 0.5))
        if coverage >= level:
            best_l = l
        else:
            break
    coverage = 1.0 - 2.0 * float(scipy_stats.binom.cdf(best_l - 1, n, 0.5))
    return MedianCI(median, float(data[best_l - 1]), float(data[n - best_l]), coverage, n)


def _oriented_ratio(a: np.ndarray, b: np.ndarray, higher_is_better: bool, axis: int = -1) -> np.ndarray:
    ma = np.median(a, axis=axis)
    mb = np.median(b, axis=axis)
    return ma / mb if higher_is_better else mb / ma


def ratio(a: Sequence[float], b: Sequence[float], higher_is_better: bool = False) -> float:
    """ratio() is r = median(B)/median(A), inverted for higher-is-better metrics: r > 1 is worse."""
    return float(_oriented_ratio(np.asarray(a, float), np.asarray(b, float), higher_is_better))


def ratio_ci(a: Sequence[float], b: Sequence[float], higher_is_better: bool = False,
             level: float = 0.95, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """ratio_ci() is a percentile bootstrap interval of the oriented ratio, resampling A and B
    independently with a fixed seed (the same inputs always give the same interval)."""
    xa = np.asarray(a, float)
    xb = np.asarray(b, float)
    if len(xa) < 2 or len(xb) < 2:
        return (math.nan, math.nan)
    if np.ptp(xa) == 0 and np.ptp(xb) == 0:  # bootstrap of constants is degenerate
        r = ratio(xa, xb, higher_is_better)
        return (r, r)
    result = scipy_stats.bootstrap(
        (xa, xb), lambda x, y, axis=-1: _oriented_ratio(x, y, higher_is_better, axis),
        vectorized=True, paired=False, confidence_level=level, n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile", random_state=np.random.default_rng(seed))
    return (float(result.confidence_interval.low), float(result.confidence_interval.high))


def geomean_ratio_ci(pairs: Sequence[tuple[Sequence[float], Sequence[float]]],
                     higher_is_better: bool = False, level: float = 0.95,
                     seed: int = BOOTSTRAP_SEED) -> tuple[float, float, float]:
    """geomean_ratio_ci() is (geomean, low, high) of the oriented ratios of (A, B) pairs; the
    interval resamples every benchmark's A and B with replacement BOOTSTRAP_RESAMPLES times and
    takes percentiles of the geomean of the resampled median ratios (NaNs with no pair)."""
    if not pairs:
        return (math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    logs = np.zeros(BOOTSTRAP_RESAMPLES)
    point = 0.0
    for a, b in pairs:
        xa, xb = np.asarray(a, float), np.asarray(b, float)
        point += math.log(ratio(xa, xb, higher_is_better))
        ra = xa[rng.integers(0, len(xa), size=(BOOTSTRAP_RESAMPLES, len(xa)))]
        rb = xb[rng.integers(0, len(xb), size=(BOOTSTRAP_RESAMPLES, len(xb)))]
        logs += np.log(_oriented_ratio(ra, rb, higher_is_better, axis=1))
    logs /= len(pairs)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(logs, [tail, 1.0 - tail])
    return (math.exp(point / len(pairs)), math.exp(float(low)), math.exp(float(high)))


def one_sided_p(a: Sequence[float], b: Sequence[float], higher_is_better: bool = False,
                worse: bool = True) -> float:
    """one_sided_p() is the Mann–Whitney U p-value that B is worse than A (worse=True) or
    better (worse=False), in the metric's own direction."""
    if len(a) == 0 or len(b) == 0:
        return math.nan
    b_larger = worse != higher_is_better  # worse time = larger; worse items/s = smaller
    alternative = "greater" if b_larger else "less"
    return float(scipy_stats.mannwhitneyu(b, a, alternative=alternative).pvalue)


def smallest_possible_p(n_a: int, n_b: int) -> float:
    """smallest_possible_p() is the most extreme one-sided Mann–Whitney p for these sample sizes
    (1 / C(n_a + n_b, n_a)): with 3 vs 3 it is 0.05, so no such comparison can reach p < 0.01."""
    if n_a == 0 or n_b == 0:
        return 1.0
    return 1.0 / math.comb(n_a + n_b, n_a)


def holm(p_values: Sequence[float]) -> list[float]:
    """holm() returns Holm-adjusted p-values in the input order (NaNs stay NaN, not counted)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    if m == 0:
        return adjusted.tolist()
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = p[order] * (m - np.arange(m))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted.tolist()


def robust_cv(values: Sequence[float]) -> float:
    """robust_cv() is the normal-consistent MAD over the median: spread that ignores outliers."""
    data = np.asarray(values, float)
    if len(data) < 2 or np.median(data) == 0:
        return math.nan
    return float(scipy_stats.median_abs_deviation(data, scale="normal") / abs(np.median(data)))
