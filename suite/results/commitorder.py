"""Records in commit order: history follows the branch's graph, not the order records arrived.

A CI fleet stores records in whatever order its jobs finish, and a re-run of an old commit lands
last; ordering by insertion would draw that old commit as the newest point and put a change
point in the wrong place. The order here is `git rev-list --topo-order --reverse BRANCH` (oldest
commit first, parents before children), records of one commit in insertion order. Records whose
commit is not reachable from the branch (another branch, a rebased-away commit, no git at all)
come last, in insertion order, marked — shown, never silently dropped or interleaved.

Only the standard library and git here (no numpy): cheap enough for every history query.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..base.paths import REPO_ROOT
from .record import Record


class BranchError(ValueError):
    """BranchError means the branch (or commit-ish) is unknown to git here."""


@dataclass(frozen=True)
class Placed:
    """Placed is a record with its place in the branch: position in rev-list, or None when its
    commit is not reachable from the branch."""
    record: Record
    position: int | None

    @property
    def reachable(self) -> bool:
        """reachable tells whether the record's commit is on the branch."""
        return self.position is not None


def commits(branch: str = "HEAD", root: Path = REPO_ROOT) -> list[str] | None:
    """commits() lists the branch's commits oldest first; None when git or the repository is
    unavailable; BranchError when git does not know the branch."""
    try:
        completed = subprocess.run(["git", "rev-list", "--topo-order", "--reverse", branch, "--"],
                                   cwd=root, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        if "unknown revision" in completed.stderr or "bad revision" in completed.stderr or \
                "ambiguous argument" in completed.stderr:
            raise BranchError(f"git does not know {branch!r}: {completed.stderr.strip()[:200]}")
        return None
    return completed.stdout.split()


def order(records: Sequence[Record], branch: str | None = None,
          root: Path = REPO_ROOT) -> list[Placed]:
    """order() places records in the branch's commit order (default: the checkout's HEAD), the
    unreachable ones last (see the module docstring)."""
    shas = commits(branch or "HEAD", root)
    position = {sha: index for index, sha in enumerate(shas or [])}

    def place(record: Record) -> int | None:
        sha = record.git_sha
        if sha in position:
            return position[sha]
        if len(sha) >= 7:  # an abbreviated sha (imported records) still places
            matches = {position[s] for s in position if s.startswith(sha)}
            if len(matches) == 1:
                return matches.pop()
        return None

    placed = [Placed(r, place(r)) for r in records]
    on_branch = sorted((p for p in placed if p.reachable), key=lambda p: p.position)  # stable
    return on_branch + [p for p in placed if not p.reachable]
