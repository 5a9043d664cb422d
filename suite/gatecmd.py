"""`scripts/suite gate` — the CI regression gate: base vs head, built and measured in one job.

1. Build: base and head are checked out as git worktrees under build/gate/ and each builds only
   the benchmark binary (release preset). `--head WORKTREE` measures this checkout as it is.
2. Measure: ABBA rounds (A B B A, repeated), each run one process with random interleaving, so
   drift in machine load hits both sides alike.
3. Calibrate: the two A runs of each round (and the two B runs) are an A/A pair; their ratio CI
   sets each benchmark's noise band (never below --band-floor). Bands above --unstable-limit mark
   the benchmark unstable: reported, never gated.
4. Judge and confirm: flagged regressions are measured again in fresh ABBA rounds; only a
   regression flagged in both passes counts.
`--json/--markdown/--junit FILE` write the result for CI (suite/render/ciout.py; the Markdown is
also appended to $GITHUB_STEP_SUMMARY when set), also when the gate cannot judge. `--save`
stores the result in --store as a record of kind "gate" (the verdict document in its context,
no samples): the shared store keeps every PR's gate next to the main branch's history.
Exit 0: no confirmed regression. 1: confirmed regression. 2: could not judge (build failed, a
benchmark missing or failing, no benchmark matched, unreadable output) — the gate fails closed.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from .analysis import callgrind, verdicts
from .analysis.policyoptions import add_policy_options, policy_from
from .render import ciout
from .render.console import print_outcome
from .results import gbjson
from .results.storeloc import open_store
from .run import packages, runner
from .run.build import build_benchmarks
from .base.paths import REPO_ROOT, cpp_bench_binary
from .base.procs import Stopwatch, banner, capture, format_seconds, run

WORKTREE = "WORKTREE"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `gate`."""
    parser = sub.add_parser("gate", help="regression gate: build base+head, ABBA runs, exit 0/1/2",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD~1", help="base commit-ish (default HEAD~1)")
    parser.add_argument("--head", default="HEAD",
                        help=f"head commit-ish (default HEAD; {WORKTREE} = this checkout as is)")
    parser.add_argument("--base-binary", type=Path, help="use this prebuilt binary as base")
    parser.add_argument("--head-binary", type=Path, help="use this prebuilt binary as head")
    parser.add_argument("--filter", metavar="REGEX", help="benchmarks to gate (default: quick set)")
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds (default 2)")
    parser.add_argument("--confirm-rounds", type=int, default=2,
                        help="ABBA rounds to confirm a flagged regression (default 2)")
    parser.add_argument("--repetitions", type=int, default=runner.QUICK_REPETITIONS,
                        help=f"repetitions per run (default {runner.QUICK_REPETITIONS})")
    parser.add_argument("--min-time", type=float, default=runner.QUICK_MIN_TIME,
                        help=f"--benchmark_min_time (default {runner.QUICK_MIN_TIME})")
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "build" / "gate",
                        help="where the worktrees go (default build/gate)")
    parser.add_argument("--instructions", action="store_true",
                        help="instruction-count mode: callgrind on single-worker goro/fiber "
                             "benchmarks, exact counts compared against --band-floor")
    add_policy_options(parser)
    ciout.add_output_options(parser)
    parser.add_argument("--save", action="store_true",
                        help="store the gate's result as a record of kind 'gate' in --store")
    parser.set_defaults(handler=main, required_packages=required_packages)


def required_packages(args: argparse.Namespace) -> tuple[str, ...]:
    """required_packages() is what the gate needs: the toolchain unless both binaries are
    prebuilt, valgrind for --instructions, and the Python packages for the statistics."""
    prebuilt = args.base_binary is not None and args.head_binary is not None
    return (*(() if prebuilt else packages.BUILD_PACKAGES),
            *(("valgrind",) if args.instructions else ()), *packages.PYTHON_PACKAGES)


class GateError(RuntimeError):
    """GateError means the gate cannot judge (exit 2); outcome is the judgement so far, if any."""

    def __init__(self, message: str, outcome: verdicts.Outcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


def _commit(ref: str, binary: Path | None) -> str | None:
    """_commit() is the sha a side measures: unknown for a prebuilt binary or this checkout."""
    if binary is not None or ref == WORKTREE:
        return None
    return capture(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=REPO_ROOT) or None


def _sides(args: argparse.Namespace) -> tuple[dict, dict]:
    return (ciout.side(_commit(args.base, args.base_binary), args.base,
                       path=str(args.base_binary) if args.base_binary else None),
            ciout.side(_commit(args.head, args.head_binary), args.head,
                       path=str(args.head_binary) if args.head_binary else None))


def _write(args: argparse.Namespace, outcome: verdicts.Outcome | None, code: int,
           confirmed: list[str] | None, error: str | None = None) -> int:
    """_write() writes the CI outputs of a finished (or failed) gate and returns its exit code."""
    from .results import context
    base, head = _sides(args)
    machine = context.machine()
    base["machine_id"] = head["machine_id"] = machine.get("machine_id", "unknown")
    doc = ciout.document("gate", outcome, code, base, head,
                         policy_from(args) if error is None else None, machine, confirmed, error)
    try:
        ciout.write_outputs(doc, args)
    except OSError as problem:
        print(f"gate: cannot write the CI outputs: {problem}; exit 2", file=sys.stderr)
        return 2
    if getattr(args, "save", False):
        return _save(args, doc, machine) or code
    return code


def _save(args: argparse.Namespace, doc: dict, machine: dict) -> int:
    """_save() stores the verdict document as a record of kind "gate"; 2 when the store refuses."""
    from .results.record import Record
    from .results.store import StoreError
    git = context_git(args)
    record = Record(gbench_runs=[], kind="gate", label=f"gate {args.base}..{args.head}", context={
        "machine": machine, "git": git, "command": " ".join(["scripts/suite", *sys.argv[1:]]),
        "gate": doc})
    try:
        with open_store(args.store) as store:
            store.add(record)
    except StoreError as error:
        print(f"gate: cannot store the result: {error}; exit 2", file=sys.stderr)
        return 2
    print(f"gate: stored {record.describe()} in {args.store}")
    return 0


def context_git(args: argparse.Namespace) -> dict:
    """context_git() is the head's git context: this checkout's when the head is it."""
    from .results import context
    here = context.git(REPO_ROOT)
    head = _commit(args.head, args.head_binary)
    if head and head != here.get("sha"):
        return {"sha": head, "branch": None, "dirty": False}
    return here


def _checkout(ref: str, workdir: Path) -> Path:
    if ref == WORKTREE:
        if build_benchmarks(REPO_ROOT) != 0:
            raise GateError("build of this checkout failed")
        return cpp_bench_binary(REPO_ROOT)
    sha = capture(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=REPO_ROOT)
    if not sha:
        raise GateError(f"unknown commit {ref!r}")
    tree = workdir / sha[:12]
    if not (tree / ".git").exists():
        workdir.mkdir(parents=True, exist_ok=True)
        if run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=REPO_ROOT) != 0:
            raise GateError(f"git worktree add for {ref} failed")
    options = [f"-D{o}=OFF" for o in ("GORO_BUILD_TESTS", "GORO_BUILD_EXAMPLES", "GORO_BUILD_MODELS",
                                      "GORO_BUILD_STRESS")]
    if run(["cmake", "--preset", "release", *options], cwd=tree) != 0 or \
            run(["cmake", "--build", "--preset", "release", "-j2", "--target", "goro_bench"],
                cwd=tree) != 0:
        raise GateError(f"build of {ref} ({sha[:12]}) failed")
    return cpp_bench_binary(tree)


def _abba(base: runner.Binary, head: runner.Binary, regex: str, rounds: int, repetitions: int,
          min_time: float, clock: Stopwatch) -> dict[str, list[dict]]:
    """_abba() runs the rounds; returns documents keyed A1, A2, B1, B2 (first/second of a side
    within a round)."""
    runs: dict[str, list[dict]] = {"A1": [], "A2": [], "B1": [], "B2": []}
    for round_index in range(rounds):
        seen = {"A": 0, "B": 0}
        for step, side in enumerate("ABBA", start=1):
            binary = base if side == "A" else head
            seen[side] += 1
            print(f"[round {round_index + 1}/{rounds} run {step}/4 {format_seconds(clock.elapsed())}]"
                  f" {'base' if side == 'A' else 'head'} {binary.path}", flush=True)
            document, problem = runner.run_one(binary, regex, repetitions, min_time, True)
            if document is None or problem:
                raise GateError(problem or "no output")
            runs[f"{side}{seen[side]}"].append(document)
    return runs


def _judge(runs: dict[str, list[dict]], policy: verdicts.Policy,
           bands: dict[str, float] | None) -> tuple[verdicts.Outcome, dict[str, float]]:
    first = {k: gbjson.samples(v) for k, v in runs.items()}
    if bands is None:
        band_a = verdicts.noise_bands(first["A1"], first["A2"], policy)
        band_b = verdicts.noise_bands(first["B1"], first["B2"], policy)
        bands = {n: max(band_a.get(n, policy.band_floor), band_b.get(n, policy.band_floor))
                 for n in set(band_a) | set(band_b)}
    a = gbjson.samples(runs["A1"] + runs["A2"])
    b = gbjson.samples(runs["B1"] + runs["B2"])
    return verdicts.compare(a, b, policy, bands), bands


def gate(args: argparse.Namespace) -> int:
    """gate() does the four phases; raises GateError when it cannot judge."""
    clock = Stopwatch()
    policy = policy_from(args)
    if min(args.rounds, args.confirm_rounds, args.repetitions) < 1 or args.min_time <= 0:
        raise GateError("--rounds, --confirm-rounds, --repetitions and --min-time must be positive")
    banner("gate: build base and head")
    base_path = args.base_binary or _checkout(args.base, args.workdir)
    head_path = args.head_binary or _checkout(args.head, args.workdir)
    for path in (base_path, head_path):
        if not Path(path).is_file():
            raise GateError(f"{path}: benchmark binary missing")
    base, head = runner.Binary(Path(base_path), "cpp"), runner.Binary(Path(head_path), "cpp")
    regex = args.filter or runner.quick_filter()
    names = runner.list_tests(base, regex)
    if not names:
        raise GateError(f"no benchmark matched {regex!r}")
    if args.instructions:
        return _instruction_gate(base, head, names, args.band_floor, clock)
    banner(f"gate: measure {len(names)} benchmarks, {args.rounds} ABBA round(s)")
    runs = _abba(base, head, regex, args.rounds, args.repetitions, args.min_time, clock)
    outcome, bands = _judge(runs, policy, None)
    print_outcome(outcome, policy.metric)
    if outcome.exit_code() == 2:
        raise GateError("missing or failed benchmarks (see above)", outcome)
    flagged = [r.name for r in outcome.regressions]
    if not flagged:
        print(f"gate: no regression ({format_seconds(clock.elapsed())}); exit 0")
        return _write(args, outcome, 0, [])
    banner(f"gate: confirm {len(flagged)} flagged benchmark(s), {args.confirm_rounds} ABBA round(s)")
    confirm_regex = "^(" + "|".join(re.escape(n) for n in flagged) + ")(/|$)"
    confirm_runs = _abba(base, head, confirm_regex, args.confirm_rounds, args.repetitions,
                         args.min_time, clock)
    confirmation, _ = _judge(confirm_runs, policy, bands)
    print_outcome(confirmation, policy.metric)
    if confirmation.exit_code() == 2:
        raise GateError("confirmation runs are missing benchmarks", confirmation)
    confirmed = sorted(set(flagged) & {r.name for r in confirmation.regressions})
    for name in flagged:
        print(f"gate: {name}: {'CONFIRMED regression' if name in confirmed else 'not confirmed'}")
    print(f"gate: {len(confirmed)} confirmed regression(s) "
          f"({format_seconds(clock.elapsed())}); exit {1 if confirmed else 0}")
    return _write(args, outcome, 1 if confirmed else 0, confirmed)


def _instruction_gate(base: runner.Binary, head: runner.Binary, names: list[str], band: float,
                      clock: Stopwatch) -> int:
    """_instruction_gate() compares exact instruction counts; any increase beyond the band fails."""
    chosen = [n for n in names if callgrind.eligible(gbjson.canonical(n))]
    if not chosen:
        raise GateError("no single-worker goro/fiber benchmark matched for instruction counts")
    banner(f"gate: instruction counts of {len(chosen)} benchmarks under callgrind")
    regressions = []
    for index, name in enumerate(chosen, start=1):
        a = callgrind.instructions(base.path, name)
        b = callgrind.instructions(head.path, name)
        r = b / a if a else float("inf")
        verdict = "REGRESSION" if r > 1 + band else "IMPROVEMENT" if r < 1 / (1 + band) else "~"
        if verdict == "REGRESSION":
            regressions.append(name)
        print(f"[{index}/{len(chosen)} {format_seconds(clock.elapsed())}] {name}: {a} → {b} Ir "
              f"(r={r:.4f}) {verdict}", flush=True)
    print(f"gate: {len(regressions)} instruction-count regression(s); exit {1 if regressions else 0}")
    return 1 if regressions else 0


def main(args: argparse.Namespace) -> int:
    """main() runs the gate and maps every failure to exit 2 (fail closed)."""
    try:
        ciout.refuse_unwritable(args)  # before building and measuring, not after
    except ValueError as error:
        print(f"gate: {error}; exit 2", file=sys.stderr)
        return 2
    try:
        return gate(args)
    except (GateError, gbjson.FormatError, ValueError, RuntimeError, OSError,
            subprocess.SubprocessError) as error:
        print(f"gate: cannot judge: {error}; exit 2", file=sys.stderr)
        return _write(args, getattr(error, "outcome", None), 2, None, str(error))
