"""The verdict rule (suite/analysis/verdicts.py) read as a specification, on samples we control."""
from __future__ import annotations

import numpy as np
import pytest

from suite.analysis import verdicts
from suite.results.gbjson import Samples

POLICY = verdicts.Policy()


def _samples(centre: float, n: int = 20, noise: float = 0.001, seed: int = 0,
             name: str = "x") -> Samples:
    """_samples() is n repetitions around centre with relative Gaussian noise."""
    values = centre * (1 + noise * np.random.default_rng(seed).standard_normal(n))
    return Samples(name, real_time_ns=[float(v) for v in values])


def _one(scale: float, noise: float = 0.001, n: int = 20, bands: dict[str, float] | None = None,
         policy: verdicts.Policy = POLICY) -> verdicts.Comparison:
    outcome = verdicts.compare({"x": _samples(100.0, n, noise, 1)},
                               {"x": _samples(100.0 * scale, n, noise, 2)}, policy, bands)
    return outcome.rows[0]


@pytest.mark.parametrize("scale, verdict", [
    (1.00, verdicts.SAME), (1.03, verdicts.SAME), (0.97, verdicts.SAME),
    (1.08, verdicts.REGRESSION), (0.90, verdicts.IMPROVEMENT)])
def test_a_significant_change_counts_only_beyond_the_noise_band(scale, verdict):
    """With 0.1% noise a 3% shift is highly significant, yet inside the 5% band: not a change."""
    row = _one(scale)
    assert row.verdict == verdict, row.reason
    assert min(row.p_worse_holm, row.p_better_holm) < 1e-4 or scale == 1.0


def test_holm_correction_stops_three_borderline_regressions():
    """5 vs 5 fully separated gives p = 1/252 ≈ 0.004 < 0.01 alone; three of them are each
    corrected to 0.012 — not significant, so UNKNOWN, never REGRESSION."""
    a = {n: _samples(100.0, 5, 0.01, i, n) for i, n in enumerate("xyz")}
    b = {n: _samples(130.0, 5, 0.01, 10 + i, n) for i, n in enumerate("xyz")}
    alone = verdicts.compare({"x": a["x"]}, {"x": b["x"]}, POLICY)
    assert alone.rows[0].verdict == verdicts.REGRESSION
    together = verdicts.compare(a, b, POLICY)
    assert [r.verdict for r in together.rows] == [verdicts.UNKNOWN] * 3
    assert all(r.p_worse_holm == pytest.approx(3 / 252) for r in together.rows)
    assert together.exit_code() == 0


def test_too_few_samples_is_unknown_whatever_the_shift():
    row = _one(1.5, n=3)
    assert row.verdict == verdicts.UNKNOWN and "too few samples" in row.reason
    assert _one(1.0, n=3).verdict == verdicts.UNKNOWN


def test_a_calibrated_band_replaces_the_floor():
    """An 8% shift is a regression against the 5% floor but noise against a 12% A/A band."""
    assert _one(1.08).verdict == verdicts.REGRESSION
    row = _one(1.08, bands={"x": 0.12})
    assert row.band == 0.12 and row.verdict == verdicts.SAME


def test_a_wide_band_marks_the_benchmark_unstable_and_ungated():
    row = _one(1.5, bands={"x": 0.30})
    assert row.unstable
    outcome = verdicts.compare({"x": _samples(100.0)}, {"x": _samples(200.0, seed=3)}, POLICY,
                               {"x": 0.30})
    assert outcome.rows[0].verdict == verdicts.REGRESSION and outcome.rows[0].unstable
    assert outcome.regressions == [] and outcome.exit_code() == 0


def test_without_a_calibration_a_large_within_run_spread_is_unstable():
    noisy = verdicts.compare({"x": _samples(100.0, noise=0.5, seed=1)},
                             {"x": _samples(300.0, noise=0.5, seed=2)}, POLICY)
    assert noisy.rows[0].unstable and noisy.regressions == [] and noisy.exit_code() == 0
    assert not _one(1.0).unstable


def test_noise_bands_take_the_far_edge_of_the_a_a_ratio_ci_never_below_the_floor():
    quiet = verdicts.noise_bands({"x": _samples(100.0, seed=1)}, {"x": _samples(100.0, seed=2)},
                                 POLICY)
    assert quiet == {"x": POLICY.band_floor}
    shifted = verdicts.noise_bands({"x": _samples(100.0, seed=1)}, {"x": _samples(112.0, seed=2)},
                                   POLICY)
    assert 0.11 < shifted["x"] < 0.13


@pytest.mark.parametrize("a, b, code", [
    ({}, {}, 2),                                            # nothing compared
    ({"x": _samples(100.0)}, {}, 2),                        # missing in B
    ({"x": _samples(100.0)}, {"x": Samples("x", errors=["boom"])}, 2),  # failed
    ({"x": _samples(100.0)}, {"x": _samples(100.0, seed=5)}, 0),
    ({"x": _samples(100.0)}, {"x": _samples(150.0, seed=5)}, 1)])
def test_exit_codes(a, b, code):
    assert verdicts.compare(a, b, POLICY).exit_code() == code


def test_every_comparison_carries_geomeans_overall_and_per_family():
    names = ["w/goro/go/workers:1", "w/goro/fifo/workers:1", "w/thread/workers:1"]
    a = {n: _samples(100.0, seed=i, name=n) for i, n in enumerate(names)}
    b = {n: _samples(100.0 * s, seed=9 + i, name=n) for i, (n, s) in enumerate(zip(names, (1.2, 1.2, 1.0)))}
    means = {g.group: g for g in verdicts.compare(a, b, POLICY).geomeans}
    assert list(means) == ["all", "goro", "thread"]  # FAMILIES order
    assert means["goro"].ratio == pytest.approx(1.2, rel=0.01) and means["goro"].count == 2
    assert means["all"].ratio == pytest.approx(1.44 ** (1 / 3), rel=0.01)
    assert means["thread"].ci_low < 1.0 < means["thread"].ci_high
