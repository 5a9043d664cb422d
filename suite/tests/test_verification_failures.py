"""The verification page never hides a failure: a tier whose command exited non-zero, was killed
by a signal, timed out, or left its JSON missing or partial heads the page's summary as FAILED,
with its reason and the command that reproduces it — whatever the tier, and however clean the
files it did write look. Each case is planted as a real command run by verify's Recorder, and
the page is rendered through the real templates."""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

from suite.render import verification as page
from suite.results.verification import command_failure, load
from suite.run.verify import Recorder, _write_record
from suite.tests.conftest import REPO_ROOT, suite

# A stress run whose file looks clean: four scenarios written, all passed.
CLEAN_STRESS = {"kind": "stress-run", "build": "release", "seed": 7, "seconds_per_scenario": 2,
                "policy": "rotating", "workers": "rotating", "scenarios": [
                    {"name": f"s{i}", "checks": "c", "seconds": 2.0, "rounds": 4, "operations": 100,
                     "passed": True, "failure": ""} for i in range(4)]}


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def write_then(path: Path, text: str, then: str) -> list[str]:
    return python(f"import os, signal, sys; open({str(path)!r}, 'w').write({text!r}); {then}")


def summary_of(out: Path) -> str:
    text = (out / page.PAGE).read_text(encoding="utf-8")
    start, end = text.index('<h2 id="summary">'), text.index('<h2 id="models">')
    return html.unescape(re.sub(r"<[^>]+>", " ", text[start:end]))


def run_tiers(results: Path, steps: list[tuple[str, str, list[str], Path, float | None]]) -> Path:
    """run_tiers() runs each (title, tier, argv, output, timeout) through verify's Recorder, writes
    verify.json as `scripts/suite verify` does, renders the page; returns the report directory."""
    results.mkdir(parents=True, exist_ok=True)
    recorder = Recorder(results)
    for title, tier, argv, output, timeout in steps:
        recorder.step(title, argv, tier=tier, outputs=(output,), timeout=timeout)
    _write_record(results, recorder, "abc123", False, "now")
    out = results.parent / "report"
    page.write(load(results), out)
    return out


def test_a_tier_that_exits_3_with_clean_looking_partial_json_is_failed(tmp_path):
    """The issue's case: goro-stress hung in its 5th scenario (exit 3) after writing 4 clean ones."""
    results = tmp_path / "results"
    stress = results / "stress.json"
    out = run_tiers(results, [("stress: every scenario, 2 s each", "stress",
                               write_then(stress, json.dumps(CLEAN_STRESS), "sys.exit(3)"), stress, None)])
    summary = summary_of(out)
    assert "FAILED: 1 tier did not pass" in summary
    assert "stress: every scenario, 2 s each FAILED: exit 3" in " ".join(summary.split())
    assert re.search(r"stress \( below \) 4 scenario runs, 8.0 s, 0 failed — FAILED", " ".join(summary.split()))
    assert "reproduce:" in summary and "sys.exit(3)" in summary


def test_a_tier_that_writes_truncated_json_is_failed_as_partial(tmp_path):
    results = tmp_path / "results"
    output = results / "ordermutants.json"
    out = run_tiers(results, [("memory-order mutants: a sample of 6", "order",
                               write_then(output, '{"kind": "memory-order-mut', "sys.exit(3)"), output, None)])
    summary = " ".join(summary_of(out).split())
    assert "FAILED: exit 3; ordermutants.json partial (not readable JSON)" in summary
    assert "memory-order mutants ( below ) not run — FAILED" in summary


def test_a_tier_that_writes_nothing_is_failed_even_when_it_exits_0(tmp_path):
    results = tmp_path / "results"
    output = results / "differential.json"
    output.parent.mkdir(parents=True)
    output.write_text(json.dumps({"testsuites": []}))  # an earlier run's file must not stand in
    out = run_tiers(results, [("differential tests against Go", "differential", python("pass"), output, None)])
    summary = " ".join(summary_of(out).split())
    assert "FAILED: differential.json missing" in summary
    assert "differential programs against Go ( below ) not run — FAILED" in summary


def test_a_tier_killed_by_a_signal_is_failed_naming_the_signal(tmp_path):
    results = tmp_path / "results"
    output = results / "models" / "park.quick.json"
    output.parent.mkdir(parents=True)
    out = run_tiers(results, [("model park: quick tier", "models",
                               python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"), output, None)])
    summary = " ".join(summary_of(out).split())
    assert "FAILED: killed by SIGKILL; models/park.quick.json missing" in summary
    assert "Relacy models ( below ) 0 models" in summary and "explored — FAILED" in summary


def test_a_tier_past_its_time_limit_is_failed_as_timed_out(tmp_path):
    results = tmp_path / "results"
    output = results / "stress.json"
    out = run_tiers(results, [("stress", "stress", python("import time; time.sleep(30)"), output, 0.5)])
    assert "FAILED: timed out after 0 s; stress.json missing" in " ".join(summary_of(out).split())


def test_a_file_its_tool_marks_partial_is_failed_without_a_verify_record(tmp_path):
    """`verify --from DIR` of a saved long run: no verify.json, the tool's own file says so."""
    results = tmp_path / "results"
    results.mkdir()
    (results / "stress.json").write_text(json.dumps({**CLEAN_STRESS, "complete": False, "reproduce": "goro-stress x"}))
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "report"))
    assert done.returncode == 4, done.stderr
    summary = " ".join(summary_of(tmp_path / "report").split())
    assert "FAILED: stress.json is partial: the tool stopped before it finished reproduce: goro-stress x" in summary


def test_verify_from_a_run_whose_every_tier_wrote_nothing_writes_the_page_and_exits_4(tmp_path):
    results = tmp_path / "results"
    run_tiers(results, [("stress", "stress", python("import sys; sys.exit(3)"), results / "stress.json", None)])
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "again"))
    assert done.returncode == 4, done.stderr
    assert "FAILED tier (exit 3; stress.json missing): stress" in done.stderr
    assert "FAILED: 1 tier did not pass" in summary_of(tmp_path / "again")


@pytest.mark.parametrize("status, allowed, expected", [
    (0, [0], None), (1, [0, 1], None), (3, [0], "exit 3"), (-11, [0], "killed by SIGSEGV"),
    (127, [0], "could not be started (exit 127)"), ("x", [0], "no exit status recorded")])
def test_the_rule_every_tier_is_judged_by(tmp_path, status, allowed, expected):
    assert command_failure({"status": status, "allowed": allowed}, tmp_path) == expected


STRESS = REPO_ROOT / "build" / "release" / "stress" / "goro-stress"


@pytest.mark.skipif(not STRESS.is_file(), reason="goro-stress is not built")
def test_a_real_hang_is_in_the_drivers_json_and_heads_the_summary(tmp_path):
    """goro-stress's planted lost wake-up: the driver writes the hung scenario before it exits 3."""
    results = tmp_path / "results"
    stress = results / "stress.json"
    out = run_tiers(results, [("stress: planted lost wake-up", "stress",
                               [str(STRESS), "planted-lost-wakeup", "--seconds", "0.2", "--seed", "1",
                                "--stall-seconds", "1", "--json", str(stress)], stress, 60)])
    document = json.loads(stress.read_text())
    (scenario,) = document["scenarios"]
    assert document["complete"] is False and scenario["hung"] and not scenario["passed"]
    summary = " ".join(summary_of(out).split())
    assert "FAILED: exit 3; stress.json partial (the tool stopped before it finished)" in summary
    assert "1 failed (1 hung) — FAILED" in summary
    text = (out / page.PAGE).read_text()
    assert "HUNG:" in text and "no goroutine completed an operation for 1." in text


@pytest.mark.skipif(not STRESS.is_file(), reason="goro-stress is not built")
def test_a_real_slow_round_is_slow_on_the_page_not_failed(tmp_path):
    results = tmp_path / "results"
    stress = results / "stress.json"
    out = run_tiers(results, [("stress: planted slowdown", "stress",
                               [str(STRESS), "planted-slowdown", "--seconds", "0.2", "--seed", "1",
                                "--stall-seconds", "1", "--json", str(stress)], stress, 60)])
    summary = " ".join(summary_of(out).split())
    assert "FAILED" not in summary
    assert "0 failed, 1 slow round (slow, not stuck)" in summary
    assert re.search(r"1 slow round \(slowest 2\.\d s at \d+ operations/s", (out / page.PAGE).read_text())
