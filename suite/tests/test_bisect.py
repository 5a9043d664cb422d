"""`scripts/suite bisect` on a scratch git repository whose benchmark gets slower at known commits.

The scratch project (an out-of-tree project: --project, its own build command) commits a
benchmark binary — a wrapper around fake_bench.py — and a `slowdown` file it reads: from commit
K on chan_pingpong/thread is 30% slower, from commit M on 30% slower again. One commit does not
build (its build command fails); one commit is erratic run to run (its A/A pairs disagree, so no
probe there can tell). Bisection must name K and M exactly, within ⌈log2 N⌉ + 2 probes for the
first step, skip the broken commit, and report a range — not a guess — where it cannot tell.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from suite.tests import synth
from suite.tests.test_gate import FAKE

SLOW = "chan_pingpong/thread"
BENCH = """#!/bin/sh
here=$(dirname "$0")
export FAKE_BENCH_SLOWDOWN="$(cat "$here/slowdown")"
if [ -e "$here/erratic" ]; then
  export FAKE_BENCH_RUN_FACTORS="1,1.5,1,1.5,1,1.5,1,1.5,1,1.5,1,1.5,1,1.5:$here/erratic.count"
fi
exec /usr/bin/python3 {fake} "$@"
"""


def _git(repo: Path, *argv: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *argv],
                          cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def scratch_repo(tmp_path: Path, factors: list[float], broken: set[int] = frozenset(),
                 erratic: set[int] = frozenset()) -> tuple[Path, list[str]]:
    """scratch_repo() commits one commit per factor (commit 0 is GOOD) and returns the shas."""
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    bench = repo / "bench"
    bench.write_text(BENCH.format(fake=FAKE))
    bench.chmod(0o755)
    (repo / ".gitignore").write_text("*.count\n")
    shas = []
    for index, factor in enumerate(factors):
        (repo / "slowdown").write_text(f"{SLOW}={factor}\n")
        for marker, chosen in (("broken", broken), ("erratic", erratic)):
            path = repo / marker
            path.write_text("x\n") if index in chosen else path.unlink(missing_ok=True)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "--allow-empty", "-m", f"commit {index}")
        shas.append(_git(repo, "rev-parse", "HEAD"))
    return repo, shas


def bisect(run_in_process, repo: Path, tmp_path: Path, good: str, bad: str, *extra: str):
    out = tmp_path / "bisect.json"
    result = run_in_process(
        "bisect", "--good", good, "--bad", bad, "--project", str(repo), "--project-binary",
        "bench", "--project-configure", "true", "--project-build", "test ! -e broken",
        "--workdir", str(tmp_path / "work"), "--filter", SLOW, "--rounds", "1",
        "--max-rounds", "2", "--repetitions", "5", "--json", str(out), *extra)
    return result, (json.loads(out.read_text()) if out.exists() else None)


def test_bisect_names_each_step_and_skips_what_does_not_build(tmp_path, run_in_process):
    k, m = 5, 10
    factors = [1.0 if i < k else 1.3 if i < m else 1.69 for i in range(13)]
    repo, shas = scratch_repo(tmp_path, factors, broken={6})  # the first probe's commit
    result, doc = bisect(run_in_process, repo, tmp_path, shas[0], shas[-1])
    assert result.returncode == 1, result.stdout + result.stderr
    steps = doc["bisect"]["steps"]
    assert [s["first_bad"] for s in steps] == [shas[k], shas[m]], result.stdout
    assert "commit 5" in result.stdout and "probe 1 of ~4" in result.stdout
    assert 1.2 < steps[0]["ratio"] < 1.4 and steps[0]["ci_low"] <= steps[0]["ratio"]
    first_step_probes = [p for p in doc["bisect"]["probes"] if p["step"] == 1]
    assert len(first_step_probes) <= math.ceil(math.log2(len(shas) - 1)) + 2
    assert doc["bisect"]["skipped"] == [shas[6]]
    assert all(p["sha"] != shas[6] for p in doc["bisect"]["probes"])


def test_bisect_reports_a_range_where_it_cannot_tell(tmp_path, run_in_process):
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.3, 1.3], erratic={1})
    result, doc = bisect(run_in_process, repo, tmp_path, shas[0], shas[-1])
    assert result.returncode == 1, result.stdout + result.stderr
    step = doc["bisect"]["steps"][0]
    assert step["first_bad"] is None and step["candidates"][:2] == [shas[1], shas[2]], \
        result.stdout
    assert "cannot tell" in result.stdout and "narrowed to" in result.stdout


def test_bisect_with_no_slowdown_exits_0(tmp_path, run_in_process):
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.0])
    result, doc = bisect(run_in_process, repo, tmp_path, shas[0], shas[-1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert doc["bisect"]["steps"] == [] and "nothing to bisect" in result.stdout


@pytest.mark.parametrize("good, bad, message", [
    ("nosuchcommit", "HEAD", "unknown commit"), ("HEAD", "HEAD~2", "not an ancestor")])
def test_bisect_refuses_what_it_cannot_judge(tmp_path, run_in_process, good, bad, message):
    repo, _ = scratch_repo(tmp_path, [1.0, 1.0, 1.3])
    result, doc = bisect(run_in_process, repo, tmp_path, good, bad)
    assert result.returncode == 2 and message in result.stderr
    assert doc["status"] == "cannot judge"


def test_gate_bisect_locates_the_confirmed_regression(tmp_path, run_in_process):
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.0, 1.3, 1.3, 1.3])
    out = tmp_path / "gate.json"
    result = run_in_process(
        "gate", "--base", shas[0], "--head", shas[-1], "--project", str(repo),
        "--project-binary", "bench", "--project-configure", "true", "--project-build", "true",
        "--workdir", str(tmp_path / "work"), "--filter", SLOW, "--repetitions", "5",
        "--bisect", "--json", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    steps = json.loads(out.read_text())["bisect"]["steps"]
    assert [s["first_bad"] for s in steps] == [shas[3]]


def test_gate_merge_base_is_where_the_branch_left_the_target(tmp_path, run_in_process):
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.0])
    _git(repo, "checkout", "-q", "-b", "feature", shas[1])
    (repo / "slowdown").write_text(f"{SLOW}=1.0\n")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "feature work")
    result = run_in_process(
        "gate", "--base", "merge-base", "--target", "main", "--head", "feature",
        "--project", str(repo), "--project-binary", "bench", "--project-configure", "true",
        "--project-build", "true", "--workdir", str(tmp_path / "work"), "--filter", SLOW,
        "--repetitions", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"merge base of feature and main: {shas[1][:12]}" in result.stdout


def test_history_bisect_bisects_the_commits_under_a_change_point(tmp_path, run_in_process):
    from suite.results.record import Record
    from suite.results.store import Store
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.0, 1.0, 1.3, 1.3, 1.3, 1.3, 1.3])
    name = "chan_pingpong/thread/workers:1"
    store = tmp_path / "s.sqlite"
    with Store(store) as opened:
        for position in (0, 2, 6, 8):  # nightly records: commits 0, 2, 6 and 8
            for seed in range(2):
                doc = synth.document(seed=10 * position + seed, repetitions=5,
                                     scale={name: 1.3 if position >= 4 else 1.0})
                opened.add(Record(gbench_runs=[doc], context={
                    "machine": {"machine_id": "m"}, "git": {"sha": shas[position]}}))
    result = run_in_process(
        "history", "--store", str(store), "--machine", "m", "--filter", f"^{name}$",
        "--bisect", "--project", str(repo), "--project-binary", "bench",
        "--project-configure", "true", "--project-build", "true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"bisect {shas[2][:12]}..{shas[6][:12]}" in result.stdout
    assert f"first bad commit {shas[4][:12]}" in result.stdout


def test_a_cmake_project_is_gated_with_the_default_build(tmp_path, run_in_process):
    """--project without build commands: CMake's defaults configure build/ and build it."""
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0])
    (repo / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(scratch LANGUAGES NONE)\n"
        "file(COPY bench slowdown DESTINATION ${CMAKE_BINARY_DIR})\n")
    (repo / "slowdown").write_text(f"{SLOW}=1.3\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "slower, built with CMake")
    result = run_in_process(
        "gate", "--base", "HEAD~1", "--head", "HEAD", "--project", str(repo),
        "--project-binary", "build/bench", "--workdir", str(tmp_path / "work"),
        "--filter", SLOW, "--repetitions", "5")
    # HEAD~1 has no CMakeLists.txt: it does not build, and the gate cannot judge (fails closed)
    assert result.returncode == 2 and "build of HEAD~1" in result.stderr
    (repo / "slowdown").write_text(f"{SLOW}=1.0\n")
    _git(repo, "commit", "-q", "-am", "fast again")
    result = run_in_process(
        "gate", "--base", "HEAD~1", "--head", "HEAD", "--project", str(repo),
        "--project-binary", "build/bench", "--workdir", str(tmp_path / "work"),
        "--filter", SLOW, "--repetitions", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "work" / _git(repo, "rev-parse", "HEAD")[:12] / "build" / "bench").is_file()


def test_project_options_are_checked_before_any_work(tmp_path, run_in_process):
    result = run_in_process("gate", "--project", str(tmp_path), "--project-binary", "b")
    assert result.returncode == 2 and "not a git repository" in result.stderr
    repo, _ = scratch_repo(tmp_path, [1.0])
    result = run_in_process("bisect", "--good", "HEAD", "--bad", "HEAD", "--project", str(repo))
    assert result.returncode == 2 and "needs --project-binary" in result.stderr


@pytest.mark.skipif(not (shutil.which("valgrind") and shutil.which("g++")),
                    reason="valgrind and g++ are installed by the packages step")
def test_bisect_on_exact_instruction_counts(tmp_path, run_in_process):
    """--instructions: a compiled workload whose loop doubles from commit 2 on."""
    from suite.tests.test_gate_instructions import PROGRAM
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "workload.cpp").write_text(PROGRAM)
    (repo / ".gitignore").write_text("bench\n")
    shas = []
    for index, loops in enumerate((20000, 20000, 40000, 40000, 40000)):
        (repo / "loops").write_text(f"{loops}\n")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "--allow-empty", "-m", f"commit {index}")
        shas.append(_git(repo, "rev-parse", "HEAD"))
    out = tmp_path / "bisect.json"
    result = run_in_process(
        "bisect", "--instructions", "--good", shas[0], "--bad", shas[-1], "--project", str(repo),
        "--project-binary", "bench", "--project-configure", "true", "--project-build",
        'g++ -O1 -DLOOPS="$(cat loops)" workload.cpp -o bench', "--workdir",
        str(tmp_path / "work"), "--filter", "chan_pingpong", "--json", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    steps = json.loads(out.read_text())["bisect"]["steps"]
    assert [s["first_bad"] for s in steps] == [shas[2]]
    assert 1.8 < steps[0]["ratio"] < 2.2


def test_a_second_step_at_bad_itself_is_sized_from_the_first_steps_commit(tmp_path,
                                                                         run_in_process):
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.3, 1.3, 1.69])
    result, doc = bisect(run_in_process, repo, tmp_path, shas[0], shas[-1])
    steps = doc["bisect"]["steps"]
    assert [s["first_bad"] for s in steps] == [shas[2], shas[4]], result.stdout
    assert 1.2 < steps[1]["ratio"] < 1.4  # 1.3 → 1.69, not 1.0 → 1.69


def test_bisect_cannot_tell_whether_bad_is_slower_fails_closed(tmp_path, run_in_process):
    """BAD's runs disagree with each other (unstable): "not slower" would be a guess."""
    repo, shas = scratch_repo(tmp_path, [1.0, 1.0, 1.3], erratic={2})
    result, doc = bisect(run_in_process, repo, tmp_path, shas[0], shas[-1])
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot tell whether" in result.stderr and doc["status"] == "cannot judge"
