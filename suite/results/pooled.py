"""A pooled baseline: the last N stored records of a branch, same machine and environment.

`compare --baseline pooled:N --branch main B` judges B against the runs of the last N records
whose commit is on the branch (git rev-list order, results/commitorder.py), measured on B's
machine in B's environment (results/environment.py), B itself left out — a pull request judged
against the target branch's recent history rather than one run of it. The pooled record is
built in memory (its runs concatenated), never stored.
"""
from __future__ import annotations

from typing import Iterable

from . import environment
from .commitorder import order
from .record import Record

PREFIX = "pooled:"


def parse(spec: str) -> int:
    """parse() reads "pooled:N" (N ≥ 1); ValueError otherwise."""
    if not spec.startswith(PREFIX) or not spec[len(PREFIX):].isdigit() or \
            int(spec[len(PREFIX):]) < 1:
        raise ValueError(f"--baseline {spec!r}: expected pooled:N with N ≥ 1 (e.g. pooled:5)")
    return int(spec[len(PREFIX):])


def pooled(records: Iterable[Record], candidate: Record, count: int, branch: str) -> Record:
    """pooled() is the baseline record; ValueError when the branch has no such record."""
    fingerprint = environment.of_context(candidate.context)
    placed = order([r for r in records if r.kind == "bench" and r.uuid != candidate.uuid
                    and r.machine_id == candidate.machine_id], branch)
    chosen = [p.record for p in placed if p.reachable
              and not environment.differences(environment.of_context(p.record.context),
                                              fingerprint)][-count:]
    if not chosen:
        raise ValueError(f"no stored record of {branch} on machine {candidate.machine_id} in the "
                         "candidate's environment to pool")
    ids = ", ".join(r.describe().split(" ", 1)[0] for r in chosen)
    return Record(gbench_runs=[run for r in chosen for run in r.gbench_runs], kind="bench",
                  label=f"pooled {len(chosen)} of {branch} ({ids})",
                  context={**chosen[-1].context, "pooled": [r.uuid for r in chosen]})
