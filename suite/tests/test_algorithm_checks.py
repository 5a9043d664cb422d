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


# A stand-in for the kit's checks on the real runtime (goro/verify/channel_properties.hpp and
# channel_stress.hpp): writes property-runs or stress-runs JSON; `--expect K` makes it a planted
# bug found as FOUND; without --expect it is the faithful channel, clean unless FOUND says otherwise.
FAKE_RUNTIME_CHECK = r'''
import json, sys
args = sys.argv[1:]
kind, flavour, found = {kind!r}, {flavour!r}, {found!r}
out = args[args.index("--json") + 1]
expect = args[args.index("--expect") + 1] if "--expect" in args else None
failed = found != "none"
ok = (failed and found == expect) if expect else not failed
run = {{"scenario": "linearizability" if kind == "property-runs" else "stress/" + flavour,
        "what": "a check", "variant": "planted" if expect else "", "failed": failed, "kind": found,
        "expected": expect or "none", "result": (found + ": P0 recv() never returned") if failed else "ok",
        "iterations": 12 if failed else 40, "operations": 5000, "seconds": 0.5, "ok": ok,
        "counterexample": "Scenario: capacity 1: P0: recv" if failed else ""}}
document = {{"kind": kind, "algorithm": "toy_chan", "complete": True, "exit_status": 0 if ok else 1, "runs": [run]}}
if flavour:
    document["flavour"] = flavour
json.dump(document, open(out, "w"))
sys.exit(0 if ok else 1)
'''


def runtime_checks(build: Path, checks: dict[str, tuple[str, str, str, str | None]]) -> None:
    """runtime_checks() adds kit checks on the real runtime to a kit_build() tree: test name →
    (runs kind, flavour, kind the fake reports, expected kind or None)."""
    lines = []
    for test, (kind, flavour, found, expect) in checks.items():
        program = build / f"{test}.py"
        program.write_text(FAKE_RUNTIME_CHECK.format(kind=kind, flavour=flavour, found=found), encoding="utf-8")
        lines.append(f'add_test({test} "{sys.executable}" "{program}"' + (f' "--expect" "{expect}")' if expect else ")"))
    with (build / "CTestTestfile.cmake").open("a", encoding="utf-8") as listing:
        listing.write("\n".join(lines) + "\n")


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
    assert "close_wakes_one model deadlock deadlock (DEADLOCK) close_wakes_cap2 37" in text
    assert "found as expected" in text and "NOT found" not in text and "did not pass" not in text


def test_properties_and_stress_runs_get_tables_and_their_planted_bugs_a_check_column(tmp_path):
    build = kit_build(tmp_path, {})
    runtime_checks(build, {
        "toy_chan.properties": ("property-runs", "", "none", None),
        "toy_chan.stress": ("stress-runs", "chaos", "none", None),
        "toy_chan.stress_tsan": ("stress-runs", "tsan", "none", None),
        "toy_chan.properties.finds.close_wakes_one": ("property-runs", "", "deadlock", "deadlock"),
        "toy_chan.stress.finds.close_drops_buffer": ("stress-runs", "chaos", "lost", "lost"),
    })
    output = tmp_path / "results" / "algorithm-checks.json"
    assert run_algorithm_checks("toy_chan", build, output) == 0
    v = load(output.parent)
    assert not v.failures
    [algorithm] = v.algorithms
    assert [(run["scenario"], run["ok"]) for run in algorithm.properties] == [("linearizability", True)]
    assert [run["check"] for run in algorithm.stress] == ["stress (chaos)", "stress (tsan)"]
    assert [(b["bug"], b["check"], b["kind"], b["iterations"], b["ok"]) for b in algorithm.planted] == \
        [("close_wakes_one", "properties", "deadlock", 12, True), ("close_drops_buffer", "stress (chaos)", "lost", 12, True)]
    text = rendered(output.parent, tmp_path / "report")
    assert "toy_chan: 2 of 2 scenario runs clean, 1 of 1 properties held, 2 of 2 stress runs clean, " \
        "2 of 2 planted bugs found as their kind" in text
    assert "stress (tsan) — a check 40 5,000 0.50 ok" in text
    assert "close_drops_buffer stress (chaos) lost lost (lost: P0 recv() never returned)" in text


def test_a_property_that_failed_on_the_faithful_channel_is_failed_with_its_counterexample(tmp_path):
    """The planted case for the page: the faithful channel's property check reports a failure."""
    build = kit_build(tmp_path, {})
    runtime_checks(build, {"toy_chan.properties": ("property-runs", "", "wrong_result", None)})
    output = tmp_path / "results" / "algorithm-checks.json"
    assert run_algorithm_checks("toy_chan", build, output) == 1
    v = load(output.parent)
    assert [(f.title, f.reason) for f in v.failures] == [("toy_chan: toy_chan.properties", "exit 1")]
    text = rendered(output.parent, tmp_path / "report")
    assert "0 of 1 properties held" in text and "Scenario: capacity 1: P0: recv" in text


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
    assert "close_wakes_one model deadlock none (not found)" in text and "NOT found as expected" in text


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
    assert reasons == ["algorithm-checks.json is partial: the tool stopped before it finished", "wrote no JSON"]


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
