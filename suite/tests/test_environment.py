"""Environment fingerprints: records from different environments are refused or labelled.

A step between two records whose kernel (or governor, SMT, compiler...) differs is not the
code's: `history` labels it "environment" and names what changed; `compare` refuses (exit 2,
one line naming the difference) unless --across-environments.
"""
from __future__ import annotations

from suite.results import environment
from suite.results.record import Record, save_file
from suite.results.store import Store
from suite.tests import synth

NAME = "chan_pingpong/goro/go/workers:1"


def _env(kernel: str) -> dict:
    return {**environment.fingerprint(), "kernel": kernel}


def _record(seed: int, scale: float, kernel: str, sha: str = "a" * 40) -> Record:
    return Record(gbench_runs=[synth.document(seed=seed, repetitions=5, scale={NAME: scale})],
                  context={"machine": {"machine_id": "m"}, "environment": _env(kernel),
                           "git": {"sha": sha, "dirty": False}})


def test_only_known_unequal_fields_differ():
    a = {"kernel": "6.1", "governor": "performance", "smt": None}
    assert environment.differences(a, {"kernel": "6.5", "governor": "performance",
                                       "smt": "1"}) == ["kernel 6.1 → 6.5"]
    assert environment.differences(a, a) == []
    old = environment.of_context({"machine": {"kernel": "6.1"}, "build": {"build_type": "Release"}})
    assert (old["kernel"], old["build_type"]) == ("6.1", "Release")


def test_this_machine_has_a_fingerprint():
    mine = environment.fingerprint({"compiler_version": "g++ 12", "build_type": "Release"})
    assert set(environment.FIELDS) <= mine.keys()
    assert mine["kernel"] and mine["cores"] and mine["build_type"] == "Release"


def _planted_store(tmp_path):
    """Eight records of one commit; the kernel changes at the fifth, and so do the timings."""
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for i in range(8):
            store.add(_record(i, 3.0 if i >= 4 else 1.0, "6.5" if i >= 4 else "6.1"))
    return path


def test_history_refuses_records_from_different_environments(tmp_path, run_in_process):
    result = run_in_process("history", "--store", str(_planted_store(tmp_path)), "--machine", "m",
                            "--filter", f"^{NAME}$")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "different environments (kernel 6.1 → 6.5)" in result.stderr


def test_history_labels_a_step_at_an_environment_change(tmp_path, run_in_process):
    result = run_in_process("history", "--store", str(_planted_store(tmp_path)), "--machine", "m",
                            "--filter", f"^{NAME}$", "--across-environments")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "at #5 " in result.stdout and "[environment: kernel 6.1 → 6.5]" in result.stdout
    step = next(line for line in result.stdout.splitlines() if "at #5 " in line)
    assert "e+" not in step and " per op " in step  # the suite's units (438 µs), not 4.38e+05


def test_history_labels_a_step_between_two_records_of_one_commit(tmp_path, run_in_process):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for i in range(8):
            store.add(_record(i, 3.0 if i >= 4 else 1.0, "6.1"))
    result = run_in_process("history", "--store", str(path), "--machine", "m",
                            "--filter", f"^{NAME}$")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[no code change: same commit]" in result.stdout


def test_compare_refuses_then_labels_across_environments(tmp_path, run_in_process):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    save_file(_record(1, 1.0, "6.1"), a)
    save_file(_record(2, 1.0, "6.5"), b)
    refused = run_in_process("compare", str(a), str(b))
    assert refused.returncode == 2
    assert "different environments (kernel 6.1 → 6.5)" in refused.stderr
    labelled = run_in_process("compare", str(a), str(b), "--across-environments")
    assert labelled.returncode == 0, labelled.stdout + labelled.stderr
    assert "across environments: kernel 6.1 → 6.5" in labelled.stdout + labelled.stderr


def test_compare_against_a_pooled_baseline_of_the_branch(tmp_path, run_in_process):
    """--baseline pooled:3 pools the last 3 records of the branch in the candidate's
    environment: the record from another kernel and the one off the branch are left out."""
    import subprocess
    from suite.tests.conftest import REPO_ROOT
    shas = subprocess.run(["git", "rev-list", "--reverse", "-n", "5", "HEAD"], cwd=REPO_ROOT,
                          capture_output=True, text=True).stdout.split()
    if len(shas) < 5:
        import pytest
        pytest.skip("needs a git checkout with 5 commits")
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for i, sha in enumerate(shas[:4]):
            store.add(_record(i, 1.0, "6.1", sha))
        store.add(_record(7, 1.0, "6.5", shas[4]))        # another environment: not pooled
        store.add(_record(8, 1.3, "6.1", "f" * 40))      # the candidate, off the branch
    result = run_in_process("compare", "--baseline", "pooled:3", "--branch", "HEAD",
                            "--store", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pooled 3 of HEAD (#2, #3, #4)" in result.stdout
    assert "REGRESSION" in result.stdout
    refused = run_in_process("compare", "--baseline", "pooled:0", "--store", str(path))
    assert refused.returncode == 2 and "pooled:N with N ≥ 1" in refused.stderr
