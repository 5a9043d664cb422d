"""The verification page: generated from the tools' JSON only, every figure traceable to a file,
and a page Chromium renders."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from suite.results.verification import load
from suite.base.paths import REPO_ROOT
from suite.tests.conftest import suite
from suite.tests.test_html import CHROMIUM, _Links, chromium_screenshot

MODEL_BUILD = REPO_ROOT / "build" / "release" / "models"


def write(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


def model_run(scenario: str, iterations: int, ok: bool = True, **extra) -> dict:
    return {"scenario": scenario, "what": f"{scenario}: what it checks", "variant": "faithful",
            "scheduler": "random", "iterations": iterations, "failed": False, "result": "SUCCESS",
            "kind": "none", "expected": "none", "ok": ok, "seconds": 0.25, **extra}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """results is a results directory with one file of each kind, in the tools' own formats."""
    root = tmp_path / "results"
    write(root / "models" / "park.quick.json", {"kind": "model-runs", "model": "park", "tier": "quick",
                                                "exit_status": 0, "runs": [model_run("wake_races_park", 123457)]})
    write(root / "models" / "park.planted.json", {"kind": "model-runs", "model": "park", "tier": "quick",
                                                  "exit_status": 0, "runs": [
        model_run("planted", 28, variant="unlock_before_commit", failed=True, kind="assertion",
                  expected="assertion", result="USER ASSERT FAILED")]})
    write(root / "ordermutants.json", {
        "kind": "memory-order-mutants", "mode": "runtime", "generated": 127, "run": 3, "sampled": True,
        "seed": 99, "killed": 1, "equivalent": 1, "unobservable": 0, "survived": 0, "not_reached": 1,
        "untested": 0, "errors": 0, "not_run": 0, "stale_equivalents": [], "seconds": 12.0,
        "mutants": [
            {"key": "k1", "where": "chan.hpp:65 load acquire -> relaxed", "spec": "s", "status": "killed",
             "detail": "model_chan_buffered: close_races_blocked data_race at iteration 4242", "applied": 9, "seconds": 1},
            {"key": "k2", "where": "waitgroup.hpp:77 compare_exchange_weak acq_rel -> acquire", "spec": "s",
             "status": "equivalent", "detail": "listed equivalent: a reason", "applied": 3, "seconds": 1},
            {"key": "k3", "where": "idle.hpp:10 load acquire -> relaxed", "spec": "s", "status": "not reached",
             "detail": "no model executes this order", "applied": 0, "seconds": 1}]})
    write(root / "semantic-mutants.json", {"kind": "semantic-mutants", "seconds": 600, "killed": 1, "total": 1,
                                           "mutants": [{"name": "chan-forgets-close-wakeup", "file": "x.hpp",
                                                        "description": "d", "status": "killed",
                                                        "detail": "chan_test", "seconds": 60}]})
    write(root / "differential.json", {"tests": 2, "testsuites": [
        {"name": "DifferentialGoConcurrent", "testsuite": [
            {"name": "GoroMatchesGoOnConcurrentChannelPrograms", "time": "4.5s", "programs_completed": "271",
             "programs_deadlocked": "20", "programs_panicked": "9", "agreed_with_go": "yes"}]},
        {"name": "DifferentialGo", "testsuite": [
            {"name": "GoroMatchesGoOnRandomChannelPrograms", "time": "2s", "programs_run": 300,
             "agreed_with_go": "yes"}]}]})
    write(root / "stress.json", {"kind": "stress-run", "build": "release", "seed": 7777, "seconds_per_scenario": 2,
                                 "policy": "rotating", "workers": "rotating", "scenarios": [
        {"name": "mpmc", "checks": "conservation", "seconds": 2.01, "rounds": 4, "operations": 31337,
         "passed": True, "failure": ""}]})
    (root / "explore").mkdir()
    write(root / "explore" / "explore.json", {"kind": "explore-run", "complete": True, "planted": True, "problems": [],
                                              "results": [
        {"scenario": "lost_wakeup", "strategy": "random", "depth": 3, "runs": 100, "failures": 6, "hit_rate": 0.06,
         "first_failure": 10, "replays_ok": 10, "replays": 10, "decisions_before": 317, "decisions_after": 32,
         "pct_bound": None},
        {"scenario": "lost_wakeup", "strategy": "pct", "depth": 2, "runs": 400, "failures": 0, "hit_rate": 0.0,
         "first_failure": None, "replays_ok": 0, "replays": 0, "decisions_before": None, "decisions_after": None,
         "pct_bound": 0.00023}]})
    write(root / "verify.json", {"kind": "verify-run", "commit": "abc123", "dirty": False, "started": "now",
                                 "seconds": 40, "commands": [{"title": "t", "command": "model_park --json x",
                                                              "status": 0, "ok": True, "seconds": 1}]})
    return root


def test_every_file_kind_is_read(results):
    v = load(results)
    assert [m.model for m in v.models] == ["park"] and len(v.planted_bugs()) == 1
    assert {d.suite: d.programs for d in v.differential} == {"DifferentialGoConcurrent": 300, "DifferentialGo": 300}
    assert len(v.order_mutants) == len(v.semantic_mutants) == len(v.stress) == len(v.runs) == len(v.explore) == 1
    assert not v.problems and len(v.sources) == 8


def test_the_page_shows_the_files_figures_and_every_link_resolves(results, tmp_path):
    out = tmp_path / "report"
    done = suite("verify", "--from", str(results), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    page = out / "verification.html"
    assert Path(done.stdout.strip().splitlines()[-1]) == page.resolve()
    text = page.read_text(encoding="utf-8")
    for figure in ("123,457", "unlock_before_commit", "at iteration 4242", "not reached", "271 completed",
                   "20 deadlocked", "9 panicked", "31,337", "seed 7777", "chan-forgets-close-wakeup",
                   "1 of 1 reported as the expected kind", "3 run of 127 generated", "sample, seed 99",
                   "model_park --json x", "abc123", "500 seeded schedules explored", "317 → 32", "0.00023"):
        assert figure in text, figure
    parser = _Links()
    parser.feed(text)
    for target in parser.targets:
        path = target.split("#")[0]
        assert not path or (out / path).is_file(), f"broken link {target}"  # only this page exists in out


def test_an_exploration_that_missed_a_planted_bug_fails_the_page(results, tmp_path):
    path = results / "explore" / "explore.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["problems"] = ["planted bug abba not found in 100 runs of random, pct"]
    path.write_text(json.dumps(document), encoding="utf-8")
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "report"))
    assert done.returncode == 4
    assert "planted bug abba not found" in (tmp_path / "report" / "verification.html").read_text(encoding="utf-8")


def explore_mutants(complete: bool = True, found: bool = True) -> dict:
    """explore_mutants() is an `explore --mutants` sweep's file: two listed mutants."""
    hit = {"scenario": "waitgroup_waiters", "strategy": "random", "depth": 3, "runs": 50, "failures": 50,
           "hit_rate": 1.0, "first_failure": 1 if found else None, "exit_code": 1 if found else None,
           "replays_ok": 10 if found else 0, "replays": 10 if found else 0,
           "decisions_before": 332 if found else None, "decisions_after": 0 if found else None}
    return {"kind": "explore-mutants", "complete": complete, "reproduce": "scripts/suite explore --mutants",
            "listed": ["waitgroup-release-wakes-one", "timer-fires-never"], "problems": [] if found else
            ["mutant waitgroup-release-wakes-one not found by waitgroup_waiters in 50 runs of random"],
            "mutants": [{"name": "waitgroup-release-wakes-one", "scenario": "waitgroup_waiters", "error": "",
                         "seconds": 60, "results": [hit]}]
            + ([{"name": "timer-fires-never", "scenario": "timers", "error": "", "seconds": 60,
                 "results": [{**hit, "scenario": "timers", "decisions_before": 77}]}] if complete else [])}


def test_the_mutant_sweep_shows_its_table(results, tmp_path):
    write(results / "explore" / "explore-mutants.json", explore_mutants())
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "report" / "verification.html").read_text(encoding="utf-8")
    for figure in ("2 of 2 found and replayed 10/10", "waitgroup-release-wakes-one", "332 → 0", "77 → 0"):
        assert figure in text, figure


def test_a_missing_mutant_sweep_reads_as_not_run(results, tmp_path):
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "report" / "verification.html").read_text(encoding="utf-8")
    assert "semantic mutants in the deterministic world" in text and "not run (flagged" in text


@pytest.mark.parametrize("document, reason", [
    (explore_mutants(complete=False), "is partial"),
    (explore_mutants(found=False), "not found by waitgroup_waiters")])
def test_a_partial_or_missed_mutant_sweep_fails_the_page(results, tmp_path, document, reason):
    write(results / "explore" / "explore-mutants.json", document)
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "report"))
    assert done.returncode == 4
    text = (tmp_path / "report" / "verification.html").read_text(encoding="utf-8")
    assert reason in text and "FAILED" in text


def test_an_unreadable_file_is_named_and_fails_the_command(results, tmp_path):
    (results / "models" / "broken.json").write_text("{not json")
    (results / "other.json").write_text('{"kind": "something-else"}')
    done = suite("verify", "--from", str(results), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "models/broken.json: not readable JSON" in done.stderr and "other.json: JSON of no known kind" in done.stderr
    assert "Unreadable results" in (tmp_path / "out" / "verification.html").read_text()


def test_usage_errors_exit_2_without_a_traceback(tmp_path):
    for args in (("--from", str(tmp_path / "missing")), ("--from", str(tmp_path)), ("--mutants", "-1")):
        done = suite("verify", *args, "--out", str(tmp_path / "out"))
        assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr)


@pytest.mark.skipif(not (MODEL_BUILD / "model_park").is_file(), reason="model_park is not built")
def test_a_real_model_writes_json_the_page_reads(tmp_path):
    quick, planted = tmp_path / "models" / "park.quick.json", tmp_path / "models" / "park.planted.json"
    quick.parent.mkdir()
    program = str(MODEL_BUILD / "model_park")
    assert subprocess.run([program, "--iterations", "200", "--json", str(quick)], capture_output=True).returncode == 0
    assert subprocess.run([program, "--planted", "--json", str(planted)], capture_output=True).returncode == 0
    v = load(tmp_path)
    assert not v.problems
    (park,) = v.models
    assert park.ok and len(park.scenarios) >= 3 and all(run["iterations"] == 200 for run in park.scenarios)
    assert {run["variant"] for run in park.planted} >= {"unlock_before_commit", "drop_wakeup"}
    assert all(run["failed"] and run["kind"] == run["expected"] for run in park.planted)


@pytest.mark.skipif(not (MODEL_BUILD / "model_park").is_file(), reason="model_park is not built")
def test_a_model_under_a_mutant_it_never_executes_says_so(tmp_path):
    out = tmp_path / "m.json"
    done = subprocess.run([str(MODEL_BUILD / "model_park"), "--iterations", "50", "--json", str(out)],
                          env={"GORO_ORDER_MUTANT": "goro/algo/no_such.hpp:1:0:1:relaxed"},
                          capture_output=True, text=True)
    assert done.returncode == 0 and "applied 0 times" in done.stdout
    assert json.loads(out.read_text())["applied"] == 0
    bad = subprocess.run([str(MODEL_BUILD / "model_park")], env={"GORO_ORDER_MUTANT": "nonsense"},
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "GORO_ORDER_MUTANT=nonsense" in bad.stderr


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_chromium_renders_the_verification_page(results, tmp_path):
    out = tmp_path / "report"
    assert suite("verify", "--from", str(results), "--out", str(out)).returncode == 0
    chromium_screenshot(out / "verification.html", tmp_path / "shot.png", tmp_path / "profile")
