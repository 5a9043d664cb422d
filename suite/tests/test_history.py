"""`scripts/suite history` over this repository's own commits, stored out of order."""
from __future__ import annotations

import subprocess

import pytest

from suite.results.record import Record
from suite.results.store import Store
from suite.tests import synth
from suite.tests.conftest import REPO_ROOT


def _shas(count: int) -> list[str]:
    completed = subprocess.run(["git", "rev-list", "--topo-order", "--reverse", "-n", str(count),
                                "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    return completed.stdout.split() if completed.returncode == 0 else []


def test_history_follows_the_commits_and_marks_what_is_off_the_branch(tmp_path, run_in_process):
    oldest_first = _shas(6)  # rev-list -n takes the 6 newest, --reverse puts the oldest first
    if len(oldest_first) < 6:
        pytest.skip("needs a git checkout with 6 commits")
    store_path = tmp_path / "s.sqlite"
    with Store(store_path) as store:
        for position in (0, 3, 1, 4, 2, 5):  # arrival order differs from commit order
            scale = {synth.NAMES[0]: 1.3 if position >= 3 else 1.0}
            store.add(Record(gbench_runs=[synth.document(seed=position, repetitions=5, scale=scale)],
                             context={"machine": {"machine_id": "m"},
                                      "git": {"sha": oldest_first[position], "dirty": False}}))
        store.add(Record(gbench_runs=[synth.document(seed=9, repetitions=5)],
                         context={"machine": {"machine_id": "m"}, "git": {"sha": "f" * 40}}))
    result = run_in_process("history", "--store", str(store_path), "--machine", "m",
                            "--filter", "^chan_pingpong/goro/go/workers:1$")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 records in the commit order of HEAD" in result.stdout
    assert "* #7 " in result.stdout and "commit not on HEAD" in result.stdout
    # the step starts at the 4th commit (stored 2nd): found there, +30%
    assert "at #2 " in result.stdout and oldest_first[3][:10] in result.stdout
    assert "(+30" in result.stdout or "(+29" in result.stdout or "(+31" in result.stdout
