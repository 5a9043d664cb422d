"""The gate's calibration and confirmation phases, in-process, with noise we control.

Calibration is checked on constructed ABBA documents (a run-to-run offset the within-run spread
does not show); confirmation with the fake benchmark binary whose slowdown disappears after the
first pass (FAKE_BENCH_RUN_FACTORS), so only the confirmation rerun can tell it was a fluke.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from suite import gatecmd
from suite.run import gate as gaterun
from suite.analysis import verdicts
from suite.cli import parser
from suite.tests import synth
from suite.tests.test_gate import _binary

NAME = "chan_pingpong/goro/go/workers:1"
POLICY = verdicts.Policy()


def _runs(a1: float, a2: float, b1: float, b2: float, seed: int = 0) -> dict[str, list[dict]]:
    """_runs() is one ABBA round whose four runs sit at the given levels (0.2% noise inside)."""
    levels = {"A1": a1, "A2": a2, "B1": b1, "B2": b2}
    base = synth.BASE_NS[NAME]
    return {key: [synth.document(names=[NAME], repetitions=8, noise=0.002, seed=seed + i,
                                 scale={NAME: level / base})]
            for i, (key, level) in enumerate(levels.items())}


def test_a_a_pairs_set_the_band_from_run_to_run_noise():
    """Runs of the base differ by 10% between processes: the band must absorb that, so a head
    7-18% above the base runs is not a proven regression — while the 5% floor the within-run
    spread (0.2%) suggests would call it one."""
    runs = _runs(100.0, 110.0, 118.0, 118.0)
    outcome, bands = gaterun.judge(runs, POLICY, None)
    assert 0.09 < bands[NAME] < 0.12
    row = outcome.rows[0]
    assert row.band == bands[NAME]
    assert row.verdict != verdicts.REGRESSION and outcome.exit_code() == 0
    uncalibrated = verdicts.compare(*[verdicts_samples(runs, side) for side in "AB"], POLICY)
    assert uncalibrated.rows[0].verdict == verdicts.REGRESSION


def verdicts_samples(runs: dict[str, list[dict]], side: str) -> dict:
    from suite.results import gbjson
    return gbjson.samples(runs[f"{side}1"] + runs[f"{side}2"])


def test_quiet_a_a_pairs_keep_the_floor_and_a_real_slowdown_is_flagged():
    outcome, bands = gaterun.judge(_runs(100.0, 100.0, 130.0, 130.0), POLICY, None)
    assert bands[NAME] == POLICY.band_floor
    assert [r.name for r in outcome.regressions] == [NAME]


def test_confirmation_reuses_the_first_pass_bands():
    runs = _runs(100.0, 100.0, 108.0, 108.0)
    assert gaterun.judge(runs, POLICY, None)[0].regressions
    outcome, bands = gaterun.judge(runs, POLICY, {NAME: 0.12})
    assert bands == {NAME: 0.12} and not outcome.regressions


def _gate(tmp_path: Path, capsys, head_env: dict[str, str],
          base_env: dict[str, str] | None = None) -> tuple[int, str]:
    base, head = _binary(tmp_path, "base", base_env), _binary(tmp_path, "head", head_env)
    args = parser().parse_args(["gate", "--base-binary", str(base), "--head-binary", str(head),
                                "--filter", "chan_pingpong/thread", "--repetitions", "6"])
    code = gatecmd.main(args)
    return code, capsys.readouterr().out


def _factors(tmp_path: Path, side: str, factors: str) -> dict[str, str]:
    return {"FAKE_BENCH_RUN_FACTORS": f"{factors}:{tmp_path / (side + '.count')}"}


def test_a_slowdown_the_confirmation_rerun_does_not_see_is_not_confirmed(tmp_path, capsys):
    """The first pass (2 ABBA rounds = 4 head runs) sees a 30% slowdown; the reruns do not."""
    code, out = _gate(tmp_path, capsys, _factors(tmp_path, "head", "1.3,1.3,1.3,1.3,1.0"))
    assert "gate: confirm 1 flagged benchmark(s)" in out
    assert "chan_pingpong/thread/workers:1: not confirmed" in out
    assert code == 0, out


def test_the_confirmation_judges_against_the_first_pass_bands(tmp_path, capsys):
    """The base's first-pass runs alternate 1.0/1.12 (a 12% band); the head is 30% slower in
    the first pass, 8% in the reruns: inside the calibrated band, so not confirmed — against the
    5% floor it would be."""
    code, out = _gate(tmp_path, capsys, _factors(tmp_path, "head", "1.3,1.3,1.3,1.3,1.08"),
                      _factors(tmp_path, "base", "1.0,1.12,1.0,1.12,1.0"))
    assert "gate: confirm 1 flagged benchmark(s)" in out
    assert "chan_pingpong/thread/workers:1: not confirmed" in out
    assert code == 0, out


def test_a_lasting_slowdown_is_confirmed_in_process(tmp_path, capsys):
    code, out = _gate(tmp_path, capsys, {"FAKE_BENCH_SLOWDOWN": "chan_pingpong/thread=1.3"})
    assert "chan_pingpong/thread/workers:1: CONFIRMED regression" in out
    assert code == 1, out


@pytest.mark.parametrize("rounds", ["0", "-1"])
def test_non_positive_rounds_cannot_judge(tmp_path, capsys, rounds):
    base = _binary(tmp_path, "base")
    args = parser().parse_args(["gate", "--base-binary", str(base), "--head-binary", str(base),
                                "--rounds", rounds])
    assert gatecmd.main(args) == 2
