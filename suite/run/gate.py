"""The regression gate's work: check out and build two commits, measure them interleaved, judge.

Phases (the `gate` command is a thin front over gate(); `bisect` reuses the same pieces):
1. Build: each commit is checked out as a git worktree under the work directory (named by its
   sha, so a commit measured twice is built once and later builds are incremental) and builds
   only its benchmark binary through run/build.py — goro's release preset, or a `--project`'s
   own configure/build commands. WORKTREE measures the checkout as it is.
2. Measure: interleaved rounds. With sides A and B a round runs A B B A; with more sides each
   side runs once forward and once backward (G P B B P G), so drift in machine load hits every
   side alike and each side gets an A/A pair per round.
3. Calibrate: a side's two runs within a round are an A/A pair; their ratio CI sets each
   benchmark's noise band (analysis/verdicts.noise_bands, never below the floor).
   Every side runs on this machine in one job, so in one environment by construction; the
   fingerprint (results/environment.py) is kept in the outputs and the saved record.
4. Judge (analysis/verdicts.compare) and confirm: flagged regressions are measured again in
   fresh rounds, judged against the first pass's bands; only a regression flagged in both
   passes counts. Instruction counts (--instructions) are exact: judged once by
   verdicts.compare_counts, the same band rule, no confirmation needed.
The verdict strings, band rule and Holm correction live only in analysis/verdicts.py.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..analysis import callgrind, verdicts
from ..base.paths import REPO_ROOT, cpp_bench_binary
from ..base.procs import Stopwatch, banner, capture, format_seconds, run
from ..render import ciout
from ..render.console import print_outcome
from ..results import gbjson
from . import runner
from .build import BENCH_ONLY, build_benchmarks, build_project

WORKTREE = "WORKTREE"


class GateError(RuntimeError):
    """GateError means the gate cannot judge (exit 2); outcome is the judgement so far, if any."""

    def __init__(self, message: str, outcome: verdicts.Outcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


class BuildError(GateError):
    """BuildError is a commit whose benchmark binary does not build (bisect skips it)."""


@dataclass(frozen=True)
class Project:
    """Project is the repository whose commits are measured: goro itself (configure and build
    None: the release preset, goro_bench) or an out-of-tree project (`--project DIR`) with its
    own configure/build shell commands (None: CMake's defaults) and benchmark binary path."""
    root: Path = REPO_ROOT
    binary: Path | None = None       # relative to the checkout; None: goro's goro_bench
    configure: str | None = None
    build: str | None = None

    @property
    def is_goro(self) -> bool:
        return self.binary is None


def add_measurement_options(parser: argparse.ArgumentParser) -> None:
    """add_measurement_options() adds how each side is measured (gate and bisect alike)."""
    parser.add_argument("--repetitions", type=int, default=runner.QUICK_REPETITIONS,
                        help=f"repetitions per run (default {runner.QUICK_REPETITIONS})")
    parser.add_argument("--min-time", type=float, default=runner.QUICK_MIN_TIME,
                        help=f"--benchmark_min_time (default {runner.QUICK_MIN_TIME})")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the worktrees go (default build/gate of the project)")
    parser.add_argument("--instructions", action="store_true",
                        help="instruction-count mode: callgrind on single-worker goro/fiber "
                             "benchmarks, exact counts compared against --band-floor")


def add_project_options(parser: argparse.ArgumentParser) -> None:
    """add_project_options() adds --project and its build description (gate and bisect)."""
    parser.add_argument("--project", type=Path, metavar="DIR",
                        help="gate the commits of this git repository instead of goro's (an "
                             "out-of-tree project built against an installed goro); needs "
                             "--project-binary")
    parser.add_argument("--project-binary", type=Path, metavar="PATH",
                        help="the project's benchmark binary, relative to its checkout "
                             "(e.g. build/lifo_slot_bench)")
    parser.add_argument("--project-configure", metavar="SHELL",
                        help="the project's configure command, run in its checkout (default: "
                             "cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo)")
    parser.add_argument("--project-build", metavar="SHELL",
                        help="the project's build command (default: cmake --build build -j2)")


def project_from(args: argparse.Namespace) -> Project:
    """project_from() is the repository the options name; ValueError for an unusable one."""
    if args.project is None:
        return Project()
    root = args.project.resolve()
    if not root.is_dir() or capture(["git", "rev-parse", "--git-dir"], cwd=root) is None:
        raise ValueError(f"--project {args.project}: not a git repository")
    if args.project_binary is None or args.project_binary.is_absolute():
        raise ValueError("--project needs --project-binary, a path relative to its checkout")
    return Project(root, args.project_binary, args.project_configure, args.project_build)


def resolve(ref: str, project: Project) -> str:
    """resolve() is the full sha of a commit-ish in the project's repository; GateError if none."""
    sha = capture(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=project.root)
    if not sha:
        raise GateError(f"unknown commit {ref!r} in {project.root}")
    return sha


def checkout(ref: str, workdir: Path, project: Project) -> Path:
    """checkout() builds the project's benchmark binary at ref (WORKTREE: this checkout as it
    is) and returns its path; BuildError when it does not build."""
    if ref == WORKTREE:
        tree, name = project.root, "this checkout"
    else:
        sha = resolve(ref, project)
        tree, name = workdir / sha[:12], f"{ref} ({sha[:12]})"
        if not (tree / ".git").exists():
            workdir.mkdir(parents=True, exist_ok=True)
            run(["git", "worktree", "prune"], cwd=project.root)
            if run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=project.root) != 0:
                raise GateError(f"git worktree add for {ref} failed")
    if project.is_goro:
        status, binary = build_benchmarks(tree, BENCH_ONLY), cpp_bench_binary(tree)
    else:
        status = build_project(tree, project.configure, project.build)
        binary = tree / project.binary  # type: ignore[operator]
    if status != 0:
        raise BuildError(f"build of {name} failed")
    if not binary.is_file():
        raise BuildError(f"build of {name} left no benchmark binary at {binary}")
    return binary


def interleave(sides: dict[str, runner.Binary], regex: str, rounds: int, repetitions: int,
               min_time: float, clock: Stopwatch) -> dict[str, list[dict]]:
    """interleave() runs the rounds; returns documents keyed <side>1 and <side>2 (first and
    second run of a side within a round). Two sides A, B: A B B A per round."""
    labels = list(sides)
    order = labels + labels[::-1]
    runs: dict[str, list[dict]] = {f"{s}{i}": [] for s in labels for i in (1, 2)}
    for round_index in range(rounds):
        seen = dict.fromkeys(labels, 0)
        for step, label in enumerate(order, start=1):
            seen[label] += 1
            print(f"[round {round_index + 1}/{rounds} run {step}/{len(order)} "
                  f"{format_seconds(clock.elapsed())}] {label} {sides[label].path}", flush=True)
            document, problem = runner.run_one(sides[label], regex, repetitions, min_time, True)
            if document is None or problem:
                raise GateError(problem or "no output")
            runs[f"{label}{seen[label]}"].append(document)
    return runs


def bands_of(runs: dict[str, list[dict]], labels: Sequence[str],
             policy: verdicts.Policy) -> dict[str, float]:
    """bands_of() is each benchmark's noise band: the widest A/A band among the sides."""
    per_side = [verdicts.noise_bands(gbjson.samples(runs[f"{s}1"]), gbjson.samples(runs[f"{s}2"]),
                                     policy) for s in labels]
    names = set().union(*per_side)
    return {n: max(b.get(n, policy.band_floor) for b in per_side) for n in names}


def judge(runs: dict[str, list[dict]], policy: verdicts.Policy, bands: dict[str, float] | None,
          a: str = "A", b: str = "B") -> tuple[verdicts.Outcome, dict[str, float]]:
    """judge() compares side a against side b with the A/A bands of both (or the given ones)."""
    if bands is None:
        bands = bands_of(runs, (a, b), policy)
    samples_a = gbjson.samples(runs[f"{a}1"] + runs[f"{a}2"])
    samples_b = gbjson.samples(runs[f"{b}1"] + runs[f"{b}2"])
    return verdicts.compare(samples_a, samples_b, policy, bands), bands


def instruction_outcome(base: runner.Binary, head: runner.Binary, names: list[str],
                        band: float, clock: Stopwatch) -> verdicts.Outcome:
    """instruction_outcome() counts each eligible benchmark's instructions under callgrind on
    both sides and judges the exact counts (verdicts.compare_counts)."""
    chosen = [n for n in names if callgrind.eligible(gbjson.canonical(n))]
    if not chosen:
        raise GateError("no single-worker goro/fiber benchmark matched for instruction counts")
    banner(f"gate: instruction counts of {len(chosen)} benchmarks under callgrind")
    counts_a: dict[str, int] = {}
    counts_b: dict[str, int] = {}
    for index, name in enumerate(chosen, start=1):
        counts_a[name] = callgrind.instructions(base.path, name)
        counts_b[name] = callgrind.instructions(head.path, name)
        print(f"[{index}/{len(chosen)} {format_seconds(clock.elapsed())}] {name}: "
              f"{counts_a[name]} → {counts_b[name]} Ir", flush=True)
    return verdicts.compare_counts(counts_a, counts_b, band)


@dataclass
class Plan:
    """Plan is what one gate run does (the `gate` command's options)."""
    base: str = "HEAD~1"
    head: str = "HEAD"
    base_binary: Path | None = None
    head_binary: Path | None = None
    filter: str | None = None
    rounds: int = 2
    confirm_rounds: int = 2
    repetitions: int = runner.QUICK_REPETITIONS
    min_time: float = runner.QUICK_MIN_TIME
    workdir: Path = REPO_ROOT / "build" / "gate"
    instructions: bool = False
    policy: verdicts.Policy = field(default_factory=verdicts.Policy)
    project: Project = field(default_factory=Project)


@dataclass
class Result:
    """Result is a finished gate: the first-pass outcome, exit code (0/1) and confirmed names."""
    outcome: verdicts.Outcome
    code: int
    confirmed: list[str]
    policy: verdicts.Policy


def judged_policy(plan: Plan) -> verdicts.Policy:
    """judged_policy() is the policy the verdicts were reached under (instruction counts have
    their own metric)."""
    return dataclasses.replace(plan.policy, metric="instructions") if plan.instructions \
        else plan.policy


def gate(plan: Plan) -> Result:
    """gate() does the four phases; raises GateError when it cannot judge."""
    clock = Stopwatch()
    policy = plan.policy
    if min(plan.rounds, plan.confirm_rounds, plan.repetitions) < 1 or plan.min_time <= 0:
        raise GateError("--rounds, --confirm-rounds, --repetitions and --min-time must be positive")
    banner("gate: build base and head")
    base_path = plan.base_binary or checkout(plan.base, plan.workdir, plan.project)
    head_path = plan.head_binary or checkout(plan.head, plan.workdir, plan.project)
    for path in (base_path, head_path):
        if not Path(path).is_file():
            raise GateError(f"{path}: benchmark binary missing")
    base, head = runner.Binary(Path(base_path), "cpp"), runner.Binary(Path(head_path), "cpp")
    regex = plan.filter or runner.quick_filter()
    names = runner.list_tests(base, regex)
    if not names:
        raise GateError(f"no benchmark matched {regex!r}")
    if plan.instructions:
        outcome = instruction_outcome(base, head, names, policy.band_floor, clock)
        judged = judged_policy(plan)
        print_outcome(outcome, judged.metric)
        if outcome.exit_code() == 2:
            raise GateError("missing or failed instruction counts (see above)", outcome)
        confirmed = [r.name for r in outcome.regressions]  # exact counts: nothing to confirm
        print(f"gate: {len(confirmed)} instruction-count regression(s) "
              f"({format_seconds(clock.elapsed())}); exit {1 if confirmed else 0}")
        return Result(outcome, 1 if confirmed else 0, confirmed, judged)
    banner(f"gate: measure {len(names)} benchmarks, {plan.rounds} ABBA round(s)")
    sides = {"A": base, "B": head}
    runs = interleave(sides, regex, plan.rounds, plan.repetitions, plan.min_time, clock)
    outcome, bands = judge(runs, policy, None)
    print_outcome(outcome, policy.metric)
    if outcome.exit_code() == 2:
        raise GateError("missing or failed benchmarks (see above)", outcome)
    flagged = [r.name for r in outcome.regressions]
    if not flagged:
        print(f"gate: no regression ({format_seconds(clock.elapsed())}); exit 0")
        return Result(outcome, 0, [], policy)
    banner(f"gate: confirm {len(flagged)} flagged benchmark(s), {plan.confirm_rounds} ABBA round(s)")
    confirm_regex = "^(" + "|".join(re.escape(n) for n in flagged) + ")(/|$)"
    confirm_runs = interleave(sides, confirm_regex, plan.confirm_rounds, plan.repetitions,
                              plan.min_time, clock)
    confirmation, _ = judge(confirm_runs, policy, bands)
    print_outcome(confirmation, policy.metric)
    if confirmation.exit_code() == 2:
        raise GateError("confirmation runs are missing benchmarks", confirmation)
    confirmed = sorted(set(flagged) & {r.name for r in confirmation.regressions})
    for name in flagged:
        print(f"gate: {name}: {'CONFIRMED regression' if name in confirmed else 'not confirmed'}")
    print(f"gate: {len(confirmed)} confirmed regression(s) "
          f"({format_seconds(clock.elapsed())}); exit {1 if confirmed else 0}")
    return Result(outcome, 1 if confirmed else 0, confirmed, policy)


def commit_of(ref: str, binary: Path | None, project: Project) -> str | None:
    """commit_of() is the sha a side measures: unknown for a prebuilt binary or this checkout."""
    if binary is not None or ref == WORKTREE:
        return None
    return capture(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                   cwd=project.root) or None


def write_outputs(command: str, args: Any, outcome: verdicts.Outcome | None, code: int,
                  confirmed: list[str] | None, policy: verdicts.Policy | None,
                  base: dict, head: dict, error: str | None = None,
                  extra: dict | None = None) -> int:
    """write_outputs() writes the CI outputs a gate-like command was asked for (--json,
    --markdown, --junit, and --save into --store) for a finished or failed run, in every mode;
    returns the exit code (2 when an output cannot be written)."""
    from ..results import context, environment
    machine = context.machine()
    base["machine_id"] = head["machine_id"] = machine.get("machine_id", "unknown")
    doc = ciout.document(command, outcome, code, base, head, policy if error is None else None,
                         machine, confirmed, error)
    doc["environment"] = environment.fingerprint()  # both sides ran here, interleaved
    doc.update(extra or {})
    try:
        ciout.write_outputs(doc, args)
    except OSError as problem:
        print(f"{command}: cannot write the CI outputs: {problem}; exit 2", file=sys.stderr)
        return 2
    if getattr(args, "save", False):
        return save(command, args, doc, machine, base, head) or code
    return code


def save(command: str, args: Any, doc: dict, machine: dict, base: dict, head: dict) -> int:
    """save() stores the verdict document as a record of kind "gate"; 2 when the store refuses."""
    from ..results import context
    from ..results.record import Record
    from ..results.store import StoreError
    from ..results.storeloc import open_store
    here = context.git(REPO_ROOT)
    git = here if head.get("commit") in (None, "unknown", here.get("sha")) else \
        {"sha": head["commit"], "branch": None, "dirty": False}
    label = f"{command} {base['describe']}..{head['describe']}"
    record = Record(gbench_runs=[], kind="gate", label=label,
                    context={"machine": machine, "git": git,
                             "command": " ".join(["scripts/suite", *sys.argv[1:]]), "gate": doc})
    try:
        with open_store(args.store) as store:
            store.add(record)
    except StoreError as error:
        print(f"{command}: cannot store the result: {error}; exit 2", file=sys.stderr)
        return 2
    print(f"{command}: stored {record.describe()} in {args.store}")
    return 0
