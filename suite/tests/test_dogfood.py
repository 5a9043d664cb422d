"""The test command's dogfood gate (suite/run/testplan.py): report-only, fails only when it cannot judge."""
from __future__ import annotations

import pytest

from suite.run import testplan


def test_the_dogfood_gate_runs_after_the_release_build():
    plan = [s.name for s in testplan.steps()]
    step = next(s for s in testplan.steps() if s.name == "dogfood-gate")
    assert plan.index("build-release") < plan.index("dogfood-gate") and step.needs == "build-release"


@pytest.mark.parametrize("gate_exit, step_exit", [(0, 0), (1, 0), (2, 2)])
def test_a_verdict_never_fails_the_step_but_a_gate_that_cannot_judge_does(monkeypatch, capsys,
                                                                         gate_exit, step_exit):
    calls = []
    monkeypatch.setattr(testplan, "capture", lambda argv, cwd=None: "a" * 40)
    monkeypatch.setattr(testplan, "run", lambda argv, cwd=None: calls.append(argv) or gate_exit)
    assert testplan._dogfood_gate() == step_exit
    (argv,) = calls
    assert argv[3:6] == ["gate", "--base", "HEAD~1"] and "--markdown" in argv
    if gate_exit == 1:
        assert "report-only" in capsys.readouterr().out


def test_a_shallow_clone_skips_the_dogfood_gate(monkeypatch, capsys):
    monkeypatch.setattr(testplan, "capture", lambda argv, cwd=None: None)
    monkeypatch.setattr(testplan, "run", lambda argv, cwd=None: pytest.fail("must not run"))
    assert testplan._dogfood_gate() == 0
    assert "skipped" in capsys.readouterr().out
