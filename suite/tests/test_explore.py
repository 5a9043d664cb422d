"""`scripts/suite explore` (issue 26) as a specification: the exploration loop, the one-line
replay and the shrinker on a fake program that speaks the deterministic scheduler's environment
interface (GORO_DET_*; runtime/include/goro/sync/deterministic.hpp), the command's exit codes,
and — with a built goro_explore_programs — the planted-bug check on the real runtime."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from suite.run import explore as ex
from suite.tests.conftest import suite

# A stand-in for a program linked against goro::deterministic: seed S "fails" (exit 1) when
# S % 7 == 3; a replayed schedule fails when it still holds the decision "40 1" (the one that
# matters); recording writes 30 decisions. Exit 2 for the scenario "bad". The report carries a
# hash of what ran, so a replay is comparable.
FAKE = r'''
import json, os, sys, zlib
if sys.argv[1:] == ["bad"]:
    sys.exit(2)
env = os.environ
replay = env.get("GORO_DET_REPLAY")
if replay:
    lines = [l for l in open(replay).read().splitlines() if l and not l.startswith("#")]
    failed = "40 1" in lines
    switches = len(lines)
    key = "replay" + str(failed)
else:
    seed = int(env.get("GORO_DET_SEED", "1"))
    failed = env.get("GORO_DET_STRATEGY") != "none" and seed % 7 == 3
    switches = 30
    key = str(seed) + env.get("GORO_DET_STRATEGY", "")
    if env.get("GORO_DET_RECORD"):
        with open(env["GORO_DET_RECORD"], "w") as f:
            f.write("# schedule\n" + "".join(f"{10 * i} {int(i == 4)}\n" for i in range(30)))
report = env.get("GORO_DET_REPORT")
if report:
    with open(report, "w") as f:
        json.dump({"steps": 500, "threads": 3, "switches": switches, "hash": str(zlib.crc32(key.encode()))}, f)
sys.exit(1 if failed else 0)
'''


@pytest.fixture
def fake(tmp_path: Path) -> list[str]:
    script = tmp_path / "fake_program.py"
    script.write_text(FAKE, encoding="utf-8")
    return [sys.executable, str(script)]


def test_explore_finds_the_first_failing_seed_replays_it_and_shrinks_its_schedule(fake):
    result = ex.explore(fake + ["ok"], "fake", "random", 3, 20, progress=lambda _: None)
    assert result.runs == 20 and result.first_failure == 3
    assert result.failures == len([s for s in range(1, 21) if s % 7 == 3])
    assert "GORO_DET_SEED=3" in result.line and "GORO_DET_STRATEGY=random" in result.line
    assert (result.replays_ok, result.replays) == (10, 10)
    assert result.decisions_before == 30
    assert result.decisions_after == 1 and result.shrunk_schedule == "40 1\n"


def test_pct_reports_its_bound_from_the_calibration_run(fake):
    result = ex.explore(fake + ["ok"], "fake", "pct", 3, 5, progress=lambda _: None)
    assert result.pct_bound == pytest.approx(1 / (3 * 500 ** 2))
    assert "GORO_DET_PCT_DEPTH=3" in result.line and "GORO_DET_PCT_STEPS=500" in result.line


def test_portfolio_cycles_random_then_pct_at_each_depth():
    assert ex.portfolio(3) == [("random", 3), ("pct", 1), ("pct", 2), ("pct", 3)]


def test_a_program_that_refuses_its_input_is_the_users_error(fake):
    with pytest.raises(ex.ExploreError, match="exits 2"):
        ex.explore(fake + ["bad"], "bad", "random", 3, 5, progress=lambda _: None)


def test_the_table_names_runs_to_find_replays_and_shrunk_length(fake):
    found = ex.explore(fake + ["ok"], "fake", "random", 3, 10, progress=lambda _: None)
    text = ex.table([found])
    assert "found at run" in text and "3" in text and "10/10" in text and "30→1" in text


def test_command_exit_codes(tmp_path: Path, fake):
    assert suite("explore", "--help").returncode == 0
    missing = suite("explore", "--no-build", "--binary", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no program" in missing.stderr
    not_linked = suite("explore", "x", "--no-build", "--binary", "/bin/true")
    assert not_linked.returncode == 2 and "goro::deterministic" in not_linked.stderr
    assert suite("explore", "--strategy", "bogus").returncode == 2


def test_the_planted_bugs_are_found_on_the_real_runtime(tmp_path: Path):
    from suite.explorecmd import DEFAULT_BINARY
    if not DEFAULT_BINARY.is_file():
        pytest.skip("goro_explore_programs is not built (build/release)")
    done = suite("explore", "--no-build", "--runs", "60", "--shrink-budget", "40", "--save", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((tmp_path / "explore.json").read_text(encoding="utf-8"))
    assert document["kind"] == "explore-run" and document["planted"] and not document["problems"]
    results = document["results"]
    found = {r["scenario"] for r in results if r["first_failure"]}
    assert {"lost_update", "abba", "lost_wakeup", "edge_wakeup", "parking_steal",
            "steal-policy-thief-drops-goroutine"} <= found
    assert all(r["replays_ok"] == r["replays"] for r in results)
    assert not any(r["first_failure"] for r in results if r["scenario"] in ("pingpong", "spawn_storm_steal"))


def test_a_failure_that_does_not_replay_is_counted_as_such(tmp_path: Path):
    # The same fake, but its report hash differs on every process (Python's randomised hash()):
    # a nondeterministic program, whose replays must not count as reproductions.
    script = tmp_path / "flaky.py"
    script.write_text(FAKE.replace("zlib.crc32(key.encode())", "hash(key)"), encoding="utf-8")
    result = ex.explore([sys.executable, str(script), "ok"], "flaky", "random", 3, 5, progress=lambda _: None)
    assert result.first_failure == 3 and result.replays_ok < result.replays


def test_a_printed_line_splits_into_its_settings_and_its_program():
    env, command = ex.parse_line("GLIBC_TUNABLES=x GORO_DET_SEED=6 GORO_DET_STRATEGY=random GORO_WORKERS=3 "
                                 "/p/prog 'lost update'")
    assert env == {"GORO_DET_SEED": "6", "GORO_DET_STRATEGY": "random", "GORO_WORKERS": "3"}
    assert command == ["/p/prog", "lost update"]
    with pytest.raises(ex.ExploreError):
        ex.parse_line("GORO_DET_SEED=6")


def test_replay_stops_at_the_failing_step_and_shows_the_goroutines():
    from suite.explorecmd import DEFAULT_BINARY
    if not DEFAULT_BINARY.is_file():
        pytest.skip("goro_explore_programs is not built (build/release)")
    # The first seed whose random walk loses an update (which one depends on the runtime's policy).
    for seed in range(1, 41):
        failing = suite("explore", "--replay", f"GORO_DET_SEED={seed} GORO_DET_STRATEGY=random {DEFAULT_BINARY} lost_update")
        if failing.returncode != 0:
            break
    assert failing.returncode == 4, failing.stdout + failing.stderr
    assert "a goroutine failed: lost_update" in failing.stdout and "goroutine 1: running" in failing.stdout
    passing = suite("explore", "--replay", f"GORO_DET_SEED=1 {DEFAULT_BINARY} pingpong")
    assert passing.returncode == 0 and "without failing" in passing.stdout


def test_a_failing_run_that_writes_no_schedule_is_reported_not_shrunk(tmp_path: Path):
    # A crash (a signal) ends the program before the scheduler's exit hook writes GORO_DET_RECORD.
    script = tmp_path / "crash.py"
    script.write_text("import json, os, sys\n"
                      "json.dump({'steps': 50, 'threads': 2, 'hash': '1'}, open(os.environ['GORO_DET_REPORT'], 'w'))\n"
                      "sys.exit(0 if os.environ.get('GORO_DET_STRATEGY') == 'none' else 3)\n", encoding="utf-8")
    result = ex.explore([sys.executable, str(script)], "crash", "random", 3, 2, progress=lambda _: None)
    assert result.first_failure == 1 and result.replays_ok == 10
    assert result.decisions_before is None and "wrote no schedule" in result.notes[0]
