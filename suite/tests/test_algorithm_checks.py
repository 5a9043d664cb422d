"""The verification page shows what `scripts/suite test` ran, and the verification kit's checks of
an out-of-tree algorithm (examples/retry_chan) as a section of its own: scenarios clean, each
planted bug found as its expected kind (by which scenario, at which execution). A planted bug the
kit did not report as its kind, a check that wrote nothing, a step that failed or was skipped:
each reads as FAILED. The kit's checks are run by the real run_algorithm_checks() from a real
ctest listing, with small Python programs standing in for the Relacy model executables."""
from __future__ import annotations

import html
import json
import re
import sys
import time
from pathlib import Path

from suite.render import verification as page
from suite.results.verification import load
from suite.run.build import run_algorithm_checks
from suite.run.testplan import Ran, Step, save_run

# A stand-in for a kit model executable: writes model-runs JSON (the driver's --json format) for
# `--json FILE`; `--expect K` makes it a planted bug, found as FOUND (or not found when FOUND is
# "none"), exiting as the driver does (0 iff found as K).
FAKE_MODEL = r'''
import json, sys
args = sys.argv[1:]
found = {found!r}
out = args[args.index("--json") + 1]
expect = args[args.index("--expect") + 1] if "--expect" in args else None
def run(scenario, kind, ok):
    return {{"scenario": scenario, "what": "a property", "variant": "planted" if expect else "",
            "scheduler": "random", "iterations": 37 if kind != "none" else 1000, "failed": kind != "none",
            "result": "ok" if kind == "none" else kind.upper(), "kind": kind, "expected": expect or "none",
            "ok": ok, "seconds": 0.01}}
if expect:
    runs = [run("order_cap1", "none", False)] + ([run("close_wakes_cap2", found, found == expect)] if found != "none" else [])
    status = 0 if found == expect else 1
else:
    runs = [run("order_cap1", "none", True), run("order_cap2", "none", True)]
    status = 0
json.dump({{"kind": "model-runs", "model": "toy_chan", "tier": "quick", "exit_status": status, "runs": runs}}, open(out, "w"))
sys.exit(status)
'''


def kit_build(tmp_path: Path, planted: dict[str, tuple[str, str]]) -> Path:
    """kit_build() is a build tree as goro_add_algorithm_checks/_mutant leave it, for ctest: the
    model, and one test per planted bug (name → (expected kind, kind the fake reports))."""
    build = tmp_path / "build"
    build.mkdir()
    lines = []
    for name, found in [("model", "none"), *[(bug, f) for bug, (_, f) in planted.items()]]:
        program = build / f"toy_chan_{name}.py"
        program.write_text(FAKE_MODEL.format(found=found), encoding="utf-8")
        test = "toy_chan.model" if name == "model" else f"toy_chan.finds.{name}"
        expect = "" if name == "model" else f' "--expect" "{planted[name][0]}"'
        lines.append(f'add_test({test} "{sys.executable}" "{program}"{expect})')
    (build / "CTestTestfile.cmake").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build


def rendered(directory: Path, out: Path) -> str:
    page.write(load(directory), out, command="scripts/suite report")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", (out / page.PAGE).read_text(encoding="utf-8"))).split())


def test_the_kit_section_shows_scenarios_and_each_planted_bug_found_as_its_kind(tmp_path):
    build = kit_build(tmp_path, {"close_wakes_one": ("deadlock", "deadlock")})
    output = tmp_path / "results" / "algorithm-checks.json"
    assert run_algorithm_checks("toy_chan", build, output) == 0
    v = load(output.parent)
    assert not v.failures
    [algorithm] = v.algorithms
    assert algorithm.algorithm == "toy_chan" and len(algorithm.scenarios) == 2
    [bug] = algorithm.planted
    assert (bug["bug"], bug["expected"], bug["kind"], bug["scenario"], bug["iterations"], bug["ok"]) == \
        ("close_wakes_one", "deadlock", "deadlock", "close_wakes_cap2", 37, True)
    text = rendered(output.parent, tmp_path / "report")
    assert "toy_chan: 2 of 2 scenario runs clean, 1 of 1 planted bugs found as their kind" in text
    assert "close_wakes_one deadlock deadlock (DEADLOCK) close_wakes_cap2 37" in text
    assert "found as expected" in text and "NOT found" not in text and "did not pass" not in text


def test_a_planted_bug_reported_not_found_is_failed(tmp_path):
    """The planted case: the kit's driver says the bug was not found (exit 1)."""
    build = kit_build(tmp_path, {"close_wakes_one": ("deadlock", "none")})
    output = tmp_path / "results" / "algorithm-checks.json"
    assert run_algorithm_checks("toy_chan", build, output) == 1
    v = load(output.parent)
    assert [(f.title, f.tier, f.reason) for f in v.failures] == [("toy_chan: toy_chan.finds.close_wakes_one", "algorithms", "exit 1")]
    assert not v.algorithms[0].planted[0]["ok"]
    text = rendered(output.parent, tmp_path / "report")
    assert "FAILED: 1 tier did not pass" in text
    assert "0 of 1 planted bugs found as their kind — FAILED" in text
    assert "close_wakes_one deadlock none (not found)" in text and "NOT found as expected" in text


def test_a_planted_bug_found_as_another_kind_is_failed_even_when_it_exits_0(tmp_path):
    build = kit_build(tmp_path, {"relaxed_close": ("assertion", "data_race")})
    output = tmp_path / "results" / "algorithm-checks.json"
    run_algorithm_checks("toy_chan", build, output)
    document = json.loads(output.read_text())
    document["checks"][1]["status"] = 0   # a driver that lied about its verdict
    output.write_text(json.dumps(document))
    [failure] = load(output.parent).failures
    assert failure.reason == "planted bug reported as data_race, not assertion"


def test_a_kit_run_that_stopped_reads_as_partial(tmp_path):
    output = tmp_path / "results" / "algorithm-checks.json"
    output.parent.mkdir()
    output.write_text(json.dumps({"kind": "algorithm-checks", "algorithm": "toy_chan", "complete": False,
                                  "checks": [{"test": "toy_chan.model", "command": "x", "status": 0, "runs": None}]}))
    reasons = sorted(f.reason for f in load(output.parent).failures)
    assert reasons == ["algorithm-checks.json is partial: the tool stopped before it finished", "wrote no model JSON"]


def test_a_build_tree_without_kit_checks_fails(tmp_path):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "CTestTestfile.cmake").write_text("")
    assert run_algorithm_checks("toy_chan", tmp_path / "build", tmp_path / "out.json") == 1


def step(name: str, saves: Path | None = None) -> Step:
    return Step(name, f"the {name} step", lambda: 0, saves=saves)


def test_the_page_shows_what_the_test_command_ran(tmp_path):
    """After `scripts/suite test`, `report` reads results/verify/test/: each step and its verdict,
    and the kit's file the retry-chan step wrote during the run."""
    build = kit_build(tmp_path, {"close_wakes_one": ("deadlock", "deadlock")})
    kit = tmp_path / "algorithm-checks.json"
    started = time.time() - 1
    run_algorithm_checks("toy_chan", build, kit)
    saved = tmp_path / "verify" / "test"
    save_run([Ran(step("build-release"), 0, started, 12.0),
              Ran(step("retry-chan", saves=kit), 0, started, 8.0),
              Ran(step("ctest-tsan"), 8, started, 3.0),
              Ran(step("bench-smoke"), None, started, 0.0, skipped="build-release")],
             "abc123", False, 23.0, saved)
    v = load(saved.parent)
    assert not v.empty and v.algorithms[0].algorithm == "toy_chan"
    assert sorted((f.tier, f.reason) for f in v.failures) == [("bench-smoke", "skipped: build-release failed"),
                                                              ("ctest-tsan", "exit 8")]
    text = rendered(saved.parent, tmp_path / "report")
    assert "No verification results yet" not in text
    assert "FAILED: 2 tiers did not pass" in text
    assert "the ctest-tsan step FAILED: exit 8 reproduce: scripts/suite test --only ctest-tsan" in text
    assert "scripts/suite test at commit abc123" in text
    assert "toy_chan: 2 of 2 scenario runs clean, 1 of 1 planted bugs found as their kind" in text


def test_a_results_file_older_than_its_step_is_not_saved(tmp_path):
    stale = tmp_path / "algorithm-checks.json"
    stale.write_text(json.dumps({"kind": "algorithm-checks", "algorithm": "old", "complete": True, "checks": []}))
    saved = tmp_path / "test"
    save_run([Ran(step("retry-chan", saves=stale), 1, time.time() + 60, 1.0)], "abc123", False, 1.0, saved)
    assert sorted(p.name for p in saved.iterdir()) == ["test.json"]
    [failure] = load(saved).failures
    assert (failure.tier, failure.reason) == ("retry-chan", "exit 1")


def test_the_test_command_saves_each_step_it_ran(tmp_path, monkeypatch, capsys):
    """testcmd.main() hands every step, run or skipped, to save_run()."""
    import argparse
    import functools

    from suite import testcmd
    plan = [Step("build-release", "build", lambda: 2), Step("ctest-release", "ctest", lambda: 0, needs="build-release"),
            Step("pytest", "pytest", lambda: 0)]
    monkeypatch.setattr(testcmd, "steps", lambda: plan)
    monkeypatch.setattr(testcmd, "save_run", functools.partial(save_run, directory=tmp_path / "test"))
    assert testcmd.main(argparse.Namespace(no_sanitizers=False, only=None, dry_run=False)) == 4
    assert "saved for the verification page" in capsys.readouterr().out
    record = json.loads((tmp_path / "test" / "test.json").read_text())
    assert record["by"] == "scripts/suite test"
    assert [(c["tier"], c["status"], c.get("skipped")) for c in record["commands"]] == \
        [("build-release", 2, None), ("ctest-release", None, "build-release"), ("pytest", 0, None)]
    assert sorted(f.tier for f in load(tmp_path).failures) == ["build-release", "ctest-release"]
