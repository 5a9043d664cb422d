"""`scripts/suite gate` — the CI regression gate: base vs head, built and measured in one job.

1. Build: base and head are checked out as git worktrees under build/gate/ and each builds only
   the benchmark binary (release preset; with --project DIR, that project's own build).
   `--head WORKTREE` measures this checkout as it is. `--base merge-base` is the merge base of
   the head and --target (default main): a pull request judged against where it branched off.
2. Measure: ABBA rounds (A B B A, repeated), each run one process with random interleaving, so
   drift in machine load hits both sides alike.
3. Calibrate: the two A runs of each round (and the two B runs) are an A/A pair; their ratio CI
   sets each benchmark's noise band (never below --band-floor). Bands above --unstable-limit mark
   the benchmark unstable: reported, never gated.
4. Judge and confirm: flagged regressions are measured again in fresh ABBA rounds; only a
   regression flagged in both passes counts. --instructions compares exact callgrind counts
   instead (single-worker goro/fiber benchmarks), by the same band rule, no rerun needed.
The work is suite/run/gate.py's; this command reads the options and writes the outputs.
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

from .analysis.policyoptions import add_policy_options, policy_from
from .render import ciout
from .results import gbjson
from .run import packages
from .run.gate import (WORKTREE, GateError, Plan, Project, add_measurement_options,
                        add_project_options, commit_of, gate, project_from, resolve,
                        write_outputs)
from .base.procs import banner, capture
from .run.bisect import BisectPlan, bisect, report
from .run.bisect import document as bisect_document


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `gate`."""
    parser = sub.add_parser("gate", help="regression gate: build base+head, ABBA runs, exit 0/1/2",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD~1",
                        help="base commit-ish (default HEAD~1; 'merge-base' = the merge base of "
                             "--head and --target)")
    parser.add_argument("--target", default="main", metavar="BRANCH",
                        help="the branch --base merge-base is taken against (default main)")
    parser.add_argument("--head", default="HEAD",
                        help=f"head commit-ish (default HEAD; {WORKTREE} = this checkout as is)")
    parser.add_argument("--base-binary", type=Path, help="use this prebuilt binary as base")
    parser.add_argument("--head-binary", type=Path, help="use this prebuilt binary as head")
    parser.add_argument("--filter", metavar="REGEX", help="benchmarks to gate (default: quick set)")
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds (default 2)")
    parser.add_argument("--confirm-rounds", type=int, default=2,
                        help="ABBA rounds to confirm a flagged regression (default 2)")
    add_measurement_options(parser)
    add_project_options(parser)
    add_policy_options(parser)
    ciout.add_output_options(parser)
    parser.add_argument("--save", action="store_true",
                        help="store the gate's result as a record of kind 'gate' in --store")
    parser.add_argument("--bisect", action="store_true",
                        help="on a confirmed regression, bisect base..head for the commit that "
                             "made the confirmed benchmarks slower (scripts/suite bisect); the "
                             "result joins the outputs")
    parser.set_defaults(handler=main, required_packages=required_packages)


def required_packages(args: argparse.Namespace) -> tuple[str, ...]:
    """required_packages() is what the gate needs: the toolchain unless both binaries are
    prebuilt, valgrind for --instructions, and the Python packages for the statistics."""
    prebuilt = args.base_binary is not None and args.head_binary is not None
    return (*(() if prebuilt else packages.BUILD_PACKAGES),
            *(("valgrind",) if args.instructions else ()), *packages.PYTHON_PACKAGES)


def plan_from(args: argparse.Namespace) -> Plan:
    """plan_from() turns the options into a Plan (--base merge-base resolved here)."""
    project = project_from(args)
    base = args.base
    if base == "merge-base":
        head = "HEAD" if args.head == WORKTREE else args.head
        resolve(args.target, project)
        base = capture(["git", "merge-base", head, args.target], cwd=project.root) or ""
        if not base:
            raise GateError(f"no merge base of {head} and {args.target}")
        print(f"gate: base = merge base of {head} and {args.target}: {base[:12]}", flush=True)
        args.base = base
    workdir = args.workdir or project.root / "build" / "gate"
    return Plan(base=base, head=args.head, base_binary=args.base_binary,
                head_binary=args.head_binary, filter=args.filter, rounds=args.rounds,
                confirm_rounds=args.confirm_rounds, repetitions=args.repetitions,
                min_time=args.min_time, workdir=workdir, instructions=args.instructions,
                policy=policy_from(args), project=project)


def _sides(args: argparse.Namespace, project: Project) -> tuple[dict, dict]:
    return (ciout.side(commit_of(args.base, args.base_binary, project), args.base,
                       path=str(args.base_binary) if args.base_binary else None),
            ciout.side(commit_of(args.head, args.head_binary, project), args.head,
                       path=str(args.head_binary) if args.head_binary else None))


def main(args: argparse.Namespace) -> int:
    """main() runs the gate and writes every output asked for, in every mode; every failure
    maps to exit 2 (fail closed)."""
    try:
        ciout.refuse_unwritable(args)  # before building and measuring, not after
        project = project_from(args)
    except ValueError as error:
        print(f"gate: {error}; exit 2", file=sys.stderr)
        return 2
    try:
        plan = plan_from(args)
        result = gate(plan)
    except (GateError, gbjson.FormatError, ValueError, RuntimeError, OSError,
            subprocess.SubprocessError) as error:
        print(f"gate: cannot judge: {error}; exit 2", file=sys.stderr)
        return write_outputs("gate", args, getattr(error, "outcome", None), 2, None, None,
                             *_sides(args, project), error=str(error))
    extra = bisect_confirmed(args, plan, result.confirmed) if result.code == 1 else None
    return write_outputs("gate", args, result.outcome, result.code, result.confirmed,
                         result.policy, *_sides(args, project), extra=extra)


def bisect_confirmed(args: argparse.Namespace, plan: Plan, confirmed: list[str]) -> dict | None:
    """bisect_confirmed() bisects base..head on the confirmed benchmarks (--bisect) and returns
    the bisection for the outputs; None when not asked or the sides are not commits."""
    if not args.bisect:
        return None
    if plan.base_binary or plan.head_binary or WORKTREE in (plan.base, plan.head):
        print("gate: --bisect needs two commits (not prebuilt binaries or WORKTREE); skipped",
              file=sys.stderr)
        return None
    banner("gate: bisect the confirmed regression")
    names = "^(" + "|".join(re.escape(n) for n in confirmed) + ")(/|$)"
    bisect_plan = BisectPlan(good=plan.base, bad=plan.head, filter=names, rounds=plan.rounds,
                             repetitions=plan.repetitions, min_time=plan.min_time,
                             workdir=plan.workdir, instructions=plan.instructions,
                             policy=plan.policy, project=plan.project)
    try:
        result = bisect(bisect_plan)
    except (GateError, RuntimeError, OSError, subprocess.SubprocessError) as error:
        print(f"gate: --bisect cannot judge: {error}", file=sys.stderr)
        return {"bisect_error": str(error)}
    report(result)
    return {"bisect": bisect_document(result)}
