"""Change points (suite/analysis/changepoints.py) on synthetic histories with known steps."""
from __future__ import annotations

import numpy as np
import pytest

from suite.analysis.changepoints import change_points


def _history(levels: list[tuple[int, float]], noise: float = 0.01, repetitions: int = 5,
             seed: int = 0) -> list[list[float]]:
    """_history() is one record per entry: (count, level) runs of records around each level."""
    rng = np.random.default_rng(seed)
    return [list(level * (1 + noise * rng.standard_normal(repetitions)))
            for count, level in levels for _ in range(count)]


@pytest.mark.parametrize("at", [2, 7, 12])
def test_one_step_is_found_where_it_starts(at):
    assert change_points(_history([(at, 100.0), (15 - at, 120.0)])) == [at]


def test_two_steps_are_both_found():
    """Binary segmentation recurses into both halves of the first split."""
    assert change_points(_history([(6, 100.0), (6, 130.0), (6, 100.0)])) == [6, 12]
    assert change_points(_history([(5, 100.0), (5, 125.0), (5, 160.0)])) == [5, 10]


def test_a_shift_below_min_shift_is_not_a_change_even_when_significant():
    history = _history([(8, 100.0), (8, 103.0)], noise=0.001)
    assert change_points(history) == []
    assert change_points(history, min_shift=0.02) == [8]


def test_flat_noisy_histories_have_no_change_points():
    """30 records of pure 10% noise, 30 seeds: the scan over every split tries ~27 splits, so
    without the Bonferroni factor a few of these seeds report a spurious change."""
    for seed in range(30):
        assert change_points(_history([(30, 100.0)], noise=0.1, repetitions=3, seed=seed)) == [], seed


def test_too_short_or_constant_histories_have_no_change_points():
    assert change_points(_history([(3, 100.0)])) == []
    assert change_points([[1.0, 1.0]] * 10) == []
