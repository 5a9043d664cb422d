"""suite/analysis/stats.py against brute force and first principles (no scipy on the checking side)."""
from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest

from suite.analysis import stats


def _coverage(n: int, l: int) -> float:
    """Exact coverage of [x_(l), x_(n+1-l)] for the median: 1 - 2·P(Bin(n, ½) ≤ l-1)."""
    return 1.0 - 2.0 * sum(math.comb(n, k) for k in range(l)) / 2 ** n


@pytest.mark.parametrize("n", [6, 7, 10, 15, 20, 31, 50])
def test_median_ci_takes_the_tightest_order_statistics_with_95_percent_coverage(n):
    data = np.random.default_rng(n).lognormal(size=n)
    ci = stats.median_ci(data)
    l = max(l for l in range(1, n // 2 + 1) if _coverage(n, l) >= 0.95)
    ordered = sorted(data)
    assert ci.low == ordered[l - 1] and ci.high == ordered[n - l]
    assert ci.coverage == pytest.approx(_coverage(n, l)) and ci.coverage >= 0.95
    assert ci.median == pytest.approx(float(np.median(data))) and ci.n == n


def test_median_ci_of_ten_is_second_to_ninth():
    """n = 10: l = 2 covers 97.9%, l = 3 only 89.1% — the interval is [x(2), x(9)]."""
    ci = stats.median_ci(list(range(1, 11)))
    assert (ci.low, ci.high) == (2, 9)
    assert ci.coverage == pytest.approx(1 - 2 * 11 / 1024)


def test_median_ci_with_too_few_values_is_the_full_range_and_says_so():
    ci = stats.median_ci([5.0, 1.0, 3.0, 4.0, 2.0])
    assert (ci.low, ci.high, ci.median) == (1.0, 5.0, 3.0)
    assert ci.coverage == pytest.approx(1 - 2 / 32) and ci.coverage < 0.95
    assert math.isnan(stats.median_ci([]).median)


def _holm_brute_force(p: list[float]) -> list[float]:
    """Holm by definition: sort ascending; adjusted p_(i) = max over j ≤ i of min(1, (m-j+1)·p_(j))."""
    valid = [i for i, v in enumerate(p) if not math.isnan(v)]
    order = sorted(valid, key=lambda i: p[i])
    m = len(order)
    out = [math.nan] * len(p)
    for rank, index in enumerate(order):
        out[index] = max(min(1.0, (m - j) * p[order[j]]) for j in range(rank + 1))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_holm_matches_the_definition(seed):
    rng = np.random.default_rng(seed)
    p = list(rng.uniform(0, 0.2, size=9))
    p[seed] = math.nan
    got, want = stats.holm(p), _holm_brute_force(p)
    for g, w in zip(got, want):
        assert (math.isnan(g) and math.isnan(w)) or g == pytest.approx(w)


def test_holm_multiplies_the_smallest_p_by_the_number_of_tests():
    assert stats.holm([0.004, 0.004, 0.004]) == pytest.approx([0.012, 0.012, 0.012])
    assert stats.holm([0.001, 0.5]) == pytest.approx([0.002, 0.5])


def test_ratio_is_oriented_so_above_one_is_worse():
    a, b = [100.0, 101.0, 99.0], [120.0, 121.0, 119.0]
    assert stats.ratio(a, b) == pytest.approx(1.2)
    assert stats.ratio(a, b, higher_is_better=True) == pytest.approx(100 / 120)


def test_ratio_ci_is_reproducible_and_covers_the_true_ratio():
    rng = np.random.default_rng(7)
    a = 100 * (1 + 0.02 * rng.standard_normal(20))
    b = 130 * (1 + 0.02 * rng.standard_normal(20))
    low, high = stats.ratio_ci(a, b)
    assert (low, high) == stats.ratio_ci(a, b)
    assert low < 1.3 < high and high - low < 0.05
    assert all(math.isnan(x) for x in stats.ratio_ci([1.0], [2.0, 3.0]))
    assert stats.ratio_ci([2.0, 2.0], [3.0, 3.0]) == (1.5, 1.5)


def _mann_whitney_exact_greater(a: list[float], b: list[float]) -> float:
    """P(U ≥ u_observed) for U = #(b_i > a_j), by enumerating every split of the pooled sample."""
    pooled = a + b
    def u(bs: tuple[int, ...]) -> int:
        rest = [pooled[i] for i in range(len(pooled)) if i not in bs]
        return sum(pooled[i] > x for i in bs for x in rest)
    observed = sum(x > y for x in b for y in a)
    splits = list(combinations(range(len(pooled)), len(b)))
    return sum(u(s) >= observed for s in splits) / len(splits)


def test_one_sided_p_is_exact_mann_whitney_in_the_metric_direction():
    a = [10.0, 12.0, 11.0, 13.0, 9.5]
    b = [12.5, 14.0, 13.5, 15.0, 11.5]
    assert stats.one_sided_p(a, b, worse=True) == pytest.approx(_mann_whitney_exact_greater(a, b))
    assert stats.one_sided_p(a, b, worse=False) > 0.9
    # for a rate, larger B is better
    assert stats.one_sided_p(a, b, higher_is_better=True, worse=False) == pytest.approx(
        _mann_whitney_exact_greater(a, b))
    separated = stats.one_sided_p([1.0, 2, 3, 4, 5], [6.0, 7, 8, 9, 10])
    assert separated == pytest.approx(stats.smallest_possible_p(5, 5)) == pytest.approx(1 / 252)


def test_smallest_possible_p():
    assert stats.smallest_possible_p(3, 3) == pytest.approx(0.05)
    assert stats.smallest_possible_p(0, 4) == 1.0


def test_robust_cv_is_the_normal_consistent_mad_over_the_median():
    data = [10.0, 11.0, 9.0, 10.5, 9.5, 30.0]
    median = float(np.median(data))
    mad = float(np.median([abs(x - median) for x in data]))
    assert stats.robust_cv(data) == pytest.approx(1.482602218505602 * mad / median)
    assert math.isnan(stats.robust_cv([1.0]))


def test_geomean_ratio_ci_is_the_geometric_mean_with_a_covering_interval():
    rng = np.random.default_rng(3)
    pairs = [(100 * (1 + 0.01 * rng.standard_normal(10)), 100 * s * (1 + 0.01 * rng.standard_normal(10)))
             for s in (1.1, 1.2, 0.9)]
    r, low, high = stats.geomean_ratio_ci(pairs)
    exact = math.prod(stats.ratio(a, b) for a, b in pairs) ** (1 / 3)
    assert r == pytest.approx(exact)
    assert low < (1.1 * 1.2 * 0.9) ** (1 / 3) < high and high - low < 0.03
    assert stats.geomean_ratio_ci(pairs) == (r, low, high)
    assert all(math.isnan(x) for x in stats.geomean_ratio_ci([]))


def test_geomean_of_rates_is_oriented_like_every_ratio():
    """items/s: fewer is worse, so half the rate is a geomean ratio of 2."""
    pairs = [([100.0, 101.0, 99.0], [50.0, 50.5, 49.5])] * 2
    assert stats.geomean_ratio_ci(pairs, higher_is_better=True)[0] == pytest.approx(2.0)
