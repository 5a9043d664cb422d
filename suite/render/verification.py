"""The verification page: models, planted bugs, mutants, differential tests and stress runs, as
suite/results/verification.py read them from the tools' own JSON.

Every number on the page comes from a file of the results directory; the page lists the files.
A tier that did not pass (Verification.failures: a command that exited non-zero, was killed, timed
out or left its JSON missing or partial) heads the summary as FAILED with its reason and the
command that reproduces it, and the evidence row it feeds says FAILED too: the counts below it
are only what the tier wrote before it stopped.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from ..results.verification import Verification

PAGE = "verification.html"
# The order in which the mutant verdicts are counted and shown.
STATUSES = ("killed", "equivalent", "unobservable", "SURVIVED", "not reached", "untested", "not run", "ERROR")


def _css(status: str) -> str:
    return status.replace(" ", "")


def summary(v: Verification) -> dict[str, Any]:
    """summary() is the page's top table: one count per kind of evidence."""
    scenarios = [run for m in v.models for run in m.scenarios]
    planted = v.planted_bugs()
    # The summary counts goro's own algo/ mutants; a user's header (--header) has its own table below.
    order = next((run for run in reversed(v.order_mutants) if not run.get("headers")), None)
    semantic = v.semantic_mutants[-1] if v.semantic_mutants else None
    stress_seconds = sum(s["seconds"] for run in v.stress for s in run["scenarios"])
    return {
        "models": len({m.model for m in v.models}),
        "scenarios": len(scenarios),
        "scenarios_ok": sum(run["ok"] for run in scenarios),
        "executions": sum(run["iterations"] for run in scenarios if not run["failed"]),
        "planted": len(planted),
        "planted_found": sum(run["ok"] for _, run in planted),
        "order": order,
        "order_counts": Counter(m["status"] for m in order["mutants"]) if order else Counter(),
        "semantic": semantic,
        "semantic_counts": Counter(m["status"] for m in semantic["mutants"]) if semantic else Counter(),
        "differential_programs": sum(d.programs for d in v.differential),
        "differential_disagreements": sum(not d.agreed for d in v.differential),
        "stress_scenarios": sum(len(run["scenarios"]) for run in v.stress),
        "stress_seconds": stress_seconds,
        "stress_failed": sum(not s["passed"] for run in v.stress for s in run["scenarios"]),
        "stress_hung": sum(bool(s.get("hung")) for run in v.stress for s in run["scenarios"]),
        "stress_slow": sum(s.get("slow_rounds", 0) for run in v.stress for s in run["scenarios"]),
        "explore_runs": sum(r["runs"] for run in v.explore for r in run["results"]),
        "explore_found": sorted({r["scenario"] for run in v.explore for r in run["results"] if r["first_failure"]}),
        "explore_problems": sum(len(run.get("problems", [])) for run in v.explore),
        "explore_mutants": explore_mutants_counts(v.explore_mutants[-1]) if v.explore_mutants else None,
        "failed_tiers": v.failed_tiers(),
    }


def mutant_found(mutant: dict[str, Any]) -> bool:
    """mutant_found() is one explore-mutants entry found by some strategy, every failure replayed
    from its line as often as it was run."""
    results = mutant.get("results", [])
    found = [r for r in results if r.get("first_failure")]
    return not mutant.get("error") and bool(found) and all(r["replays_ok"] == r["replays"] for r in found)


def explore_mutants_counts(document: dict[str, Any]) -> dict[str, Any]:
    """explore_mutants_counts() is the summary of one `explore --mutants` sweep: mutants explored,
    found (and replayed), and the listed ones it never reached."""
    mutants = document.get("mutants", [])
    explored = {m.get("name") for m in mutants}
    return {"explored": len(mutants), "found": sum(mutant_found(m) for m in mutants),
            "not_run": [name for name in document.get("listed", []) if name not in explored]}


def by_file(mutants: list[dict[str, Any]]) -> list[tuple[str, Counter]]:
    """by_file() counts memory-order verdicts per algorithm header."""
    counts: dict[str, Counter] = {}
    for m in mutants:
        header = m["where"].split(":")[0]
        counts.setdefault(header, Counter())[m["status"]] += 1
    return sorted(counts.items())


def write(v: Verification, out: Path, pages: Sequence[tuple[str, str]] | None = None,
          command: str | None = None) -> Path:
    """write() renders out/verification.html; `pages` is the navigation (default: the report's
    pages that exist in out, and this one)."""
    from .pages import PAGES, environment  # jinja2: after the packages step
    out.mkdir(parents=True, exist_ok=True)
    if pages is None:
        pages = [(name, label) for name, label in PAGES if name == PAGE or (out / name).is_file()]
    html = environment().get_template("verification.html").render(
        title="verification", pages=pages, current=PAGE, v=v, s=summary(v), statuses=STATUSES,
        css=_css, by_file=by_file, mutant_found=mutant_found, directory=str(v.directory),
        command=command or " ".join(["scripts/suite", *sys.argv[1:]]))
    target = out / PAGE
    target.write_text(html, encoding="utf-8")
    return target
