"""History in commit order (suite/results/commitorder.py) on a real throw-away git repository."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from suite.results import commitorder
from suite.results.record import Record


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict[str, str]:
    """repo is main: c1 - c2 - c3, and a side branch from c1 with s1 (shas by name)."""
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q", "-b", "main")
    shas = {"root": str(root)}
    for name in ("c1", "c2", "c3"):
        _git(root, "commit", "-q", "--allow-empty", "-m", name)
        shas[name] = _git(root, "rev-parse", "HEAD")
    _git(root, "checkout", "-q", "-b", "side", shas["c1"])
    _git(root, "commit", "-q", "--allow-empty", "-m", "s1")
    shas["s1"] = _git(root, "rev-parse", "HEAD")
    _git(root, "checkout", "-q", "main")
    return shas


def _record(sha: str, label: str) -> Record:
    return Record(gbench_runs=[], label=label, context={"git": {"sha": sha}})


def test_records_follow_the_branch_not_their_insertion_order(repo):
    inserted = [_record(repo["c3"], "c3"), _record(repo["c1"], "c1 first"),
                _record(repo["s1"], "side"), _record("unknown", "no git"),
                _record(repo["c2"][:10], "c2 abbreviated"), _record(repo["c1"], "c1 rerun")]
    placed = commitorder.order(inserted, "main", Path(repo["root"]))
    assert [p.record.label for p in placed] == ["c1 first", "c1 rerun", "c2 abbreviated", "c3",
                                                "side", "no git"]
    assert [p.reachable for p in placed] == [True] * 4 + [False] * 2


def test_another_branch_places_its_own_commits(repo):
    placed = commitorder.order([_record(repo["c3"], "c3"), _record(repo["s1"], "side"),
                                _record(repo["c1"], "c1")], "side", Path(repo["root"]))
    assert [(p.record.label, p.reachable) for p in placed] == [("c1", True), ("side", True),
                                                               ("c3", False)]


def test_an_unknown_branch_is_an_error_and_no_git_leaves_insertion_order(repo, tmp_path):
    with pytest.raises(commitorder.BranchError):
        commitorder.order([], "no-such-branch", Path(repo["root"]))
    records = [_record(repo["c3"], "a"), _record(repo["c1"], "b")]
    placed = commitorder.order(records, None, tmp_path)  # not a repository
    assert [(p.record.label, p.reachable) for p in placed] == [("a", False), ("b", False)]
