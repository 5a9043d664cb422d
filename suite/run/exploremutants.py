"""The semantic mutants of the runtime found in the deterministic world: `scripts/suite explore
--mutants` (explorecmd.py).

Each mutation of runtime/tests/property/mutants.json that names an `explore` scenario (a correct
program of runtime/tests/deterministic/explore_programs.cpp that exercises the code the mutation
breaks) is applied alone to a scratch copy of the tree (mutation.py: the same copy and rules as
`scripts/suite mutants`), the deterministic runtime and goro_explore_programs are rebuilt there,
and the scenario is explored under the random walk and under PCT (explore.py): the mutant is
*found* when a strategy finds a failing schedule, and that failure must replay 10/10 from its
one line. Before any mutation, the unmutated copy runs every listed scenario under the portfolio
and must never fail — otherwise a finding would mean nothing.

Rebuilding the runtime per mutant (a header mutant recompiles most of it) makes this minutes,
not seconds: it is behind the flag. The test command's cheap tier proves one mutant without a
scratch build (runtime/tests/deterministic/CMakeLists.txt: goro_explore_mutant_steal_thief).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..base.paths import REPO_ROOT
from . import explore as ex
from .mutation import Mutation, build_targets, command, load, search_text_error, sync_tree

DATA = REPO_ROOT / "runtime" / "tests" / "property" / "mutants.json"
SCRATCH = REPO_ROOT / "build" / "explore-mutants"
TARGET = "goro_explore_programs"
BASELINE_RUNS = 20  # portfolio runs per scenario on the unmutated copy


@dataclass
class MutantResult:
    """MutantResult is one mutant's explorations (one per strategy), or why it has none."""
    mutation: Mutation
    explorations: list[ex.Exploration]
    error: str = ""
    seconds: float = 0.0

    @property
    def found(self) -> bool:
        return any(e.failing is not None for e in self.explorations)

    @property
    def replayed(self) -> bool:
        return all(e.replays_ok == e.replays for e in self.explorations if e.failing is not None)


def listed(path: Path = DATA) -> list[Mutation]:
    """listed() is the mutations of the data file that name an `explore` scenario."""
    return [m for m in load(path) if m.explore]


def configure_scratch(scratch: Path, build: Path) -> int:
    """configure_scratch() sets up the scratch copy's build: the tests (goro_explore_programs links
    goro::deterministic), nothing else."""
    return command(["cmake", "-S", str(scratch), "-B", str(build), "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DGORO_BUILD_TESTS=ON", "-DGORO_BUILD_EXAMPLES=OFF", "-DGORO_BUILD_BENCHES=OFF",
                    "-DGORO_BUILD_STRESS=OFF", "-DGORO_BUILD_EXPLORE_MUTANT=OFF", "-DGORO_BUILD_MODELS=OFF"], build / "configure.log", 600)


def binary(build: Path) -> Path:
    return build / "runtime" / "tests" / "deterministic" / TARGET


def explore_mutants(mutations: Sequence[Mutation], strategies: Sequence[str], depth: int, runs: int,
                    shrink_budget: int, scratch: Path = SCRATCH, jobs: int = 2,
                    progress: Callable[[str], None] = print) -> tuple[list[MutantResult], list[str]]:
    """explore_mutants() builds and explores each mutant; returns the results and the problems
    that make the check fail (a stale mutation, a build error, a failing baseline)."""
    problems = [e for m in mutations if (e := search_text_error(m, REPO_ROOT))]
    if problems:
        return [], problems
    scratch = scratch.resolve()
    build, logs = scratch / "build", scratch / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    build.mkdir(parents=True, exist_ok=True)
    sync_tree(REPO_ROOT, scratch)
    if not (build / "Makefile").is_file() and configure_scratch(scratch, build) != 0:
        return [], [f"configuring the scratch copy failed; see {build / 'configure.log'}"]
    progress(f"explore: baseline (no mutation) in {scratch}: building {TARGET} ...")
    if build_targets(build, [TARGET], jobs, logs / "baseline.build.log") != 0:
        return [], [f"the unmutated copy does not build; see {logs / 'baseline.build.log'}"]
    for scenario in sorted({m.explore for m in mutations}):
        base = ex.explore([str(binary(build)), scenario], scenario, "portfolio", depth, BASELINE_RUNS,
                          progress=lambda _: None, shrink_budget=0)
        if base.failing is not None:
            problems.append(f"the unmutated scenario {scenario} fails: {base.line}")
    if problems:
        return [], problems
    results: list[MutantResult] = []
    for index, m in enumerate(mutations, start=1):
        clock = time.monotonic()
        progress(f"explore: [{index}/{len(mutations)}] {m.name} → {m.explore}: {m.description}")
        target = scratch / m.file
        original = target.read_text(encoding="utf-8")
        target.write_text(m.apply(original), encoding="utf-8")
        try:
            log = logs / f"{m.name}.build.log"
            if build_targets(build, [TARGET], jobs, log) != 0:
                results.append(MutantResult(m, [], f"does not build; see {log}", time.monotonic() - clock))
                continue
            explorations = [ex.explore([str(binary(build)), m.explore], m.explore, strategy, depth, runs,
                                       progress=lambda _: None, shrink_budget=shrink_budget)
                            for strategy in strategies]
            results.append(MutantResult(m, explorations, seconds=time.monotonic() - clock))
        finally:
            target.write_text(original, encoding="utf-8")
        r = results[-1]
        progress(f"explore:     {'found' if r.found else 'NOT FOUND'} ({r.seconds:.0f} s)"
                 + "".join(f"; {e.strategy}: run {e.first_failure or '-'}" for e in r.explorations))
    # The scratch copy is left unmutated and built, so the next run starts incrementally.
    build_targets(build, [TARGET], jobs, logs / "restore.build.log")
    return results, problems


def table(results: Sequence[MutantResult]) -> str:
    """table() is the mutant × strategy table: runs to find, hit rate, replays, shrunk schedule."""
    head = ("mutant", "scenario", "strategy", "found at run", "hit rate", "replays", "decisions before→after",
            "switches before→after")
    rows = [head]
    for r in results:
        if r.error:
            rows.append((r.mutation.name, r.mutation.explore, "-", "ERROR: " + r.error, "-", "-", "-", "-"))
        for e in r.explorations:
            rows.append((r.mutation.name, e.scenario, e.strategy + (f" d={e.depth}" if e.strategy != "random" else ""),
                         str(e.first_failure) if e.first_failure else "not found",
                         f"{e.failures}/{e.runs}", f"{e.replays_ok}/{e.replays}" if e.replays else "-",
                         f"{e.decisions_before}→{e.decisions_after}" if e.decisions_before is not None else "-",
                         f"{e.switches_before}→{e.switches_after}" if e.switches_before is not None else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
