"""`scripts/suite bisect --good A --bad B` — the first commit at which benchmarks got slower.

Builds only the benchmark binary at each probed commit (git worktrees under build/gate/, shared
with the gate, so a commit built once is not built again; ccache makes the rest cheap), measures
each probe interleaved with GOOD and BAD in the gate's ABBA rounds (G P B B P G), with A/A noise
bands and Holm-corrected tests, and judges it "like good", "like bad" or "cannot tell" on the
benchmarks that regressed from GOOD to BAD. "Cannot tell" measures more rounds (up to
--max-rounds), then reports the range it narrowed to — never a guess. Commits that do not build
are skipped. Several steps in the range are reported one by one when they can be separated.
Progress lines name each probe (probe n of ~log2 N, the commit, the verdict); the result names
the first bad commit, its subject and the step's size with its CI. --json/--markdown/--junit
write the result like the gate's (the Markdown also to $GITHUB_STEP_SUMMARY); --save stores it.
See suite/run/bisect.py for the rules.

Exit 0: BAD is not slower than GOOD (nothing to bisect). 1: a regression located (to one commit
per step, or to the range printed). 2: cannot judge (unknown commits, GOOD not an ancestor of
BAD, GOOD or BAD does not build, no benchmark matched).
"""
from __future__ import annotations

import argparse
import subprocess
import sys

from .analysis.policyoptions import add_policy_options, policy_from
from .render import ciout
from .results import gbjson
from .run import packages
from .run.bisect import BisectPlan, bisect, finish
from .run.gate import GateError, add_measurement_options, add_project_options, project_from


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `bisect`."""
    parser = sub.add_parser("bisect", help="find the commit that made benchmarks slower",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_bisect_options(parser, required=True)
    add_policy_options(parser)
    ciout.add_output_options(parser)
    parser.add_argument("--save", action="store_true",
                        help="store the result as a record of kind 'gate' in --store")
    parser.set_defaults(handler=main, required_packages=required_packages)


def add_bisect_options(parser: argparse.ArgumentParser, required: bool) -> None:
    """add_bisect_options() adds what a bisection needs beyond the gate's own options."""
    parser.add_argument("--good", required=required, help="a commit that is not slow")
    parser.add_argument("--bad", required=required, help="a later commit that is slow")
    parser.add_argument("--filter", metavar="REGEX",
                        help="benchmarks to bisect on (default: the quick set)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved rounds per probe (default 2)")
    parser.add_argument("--max-rounds", type=int, default=6,
                        help="rounds a probe may reach while it cannot tell (default 6)")
    add_measurement_options(parser)
    add_project_options(parser)


def required_packages(args: argparse.Namespace) -> tuple[str, ...]:
    """required_packages() is the toolchain, valgrind for --instructions and the statistics."""
    return (*packages.BUILD_PACKAGES, *(("valgrind",) if args.instructions else ()),
            *packages.PYTHON_PACKAGES)


def main(args: argparse.Namespace) -> int:
    """main() bisects and writes every output asked for; failures to judge are exit 2."""
    try:
        ciout.refuse_unwritable(args)
        project = project_from(args)
        plan = BisectPlan(good=args.good, bad=args.bad, filter=args.filter, rounds=args.rounds,
                          max_rounds=args.max_rounds, repetitions=args.repetitions,
                          min_time=args.min_time,
                          workdir=args.workdir or project.root / "build" / "gate",
                          instructions=args.instructions, policy=policy_from(args),
                          project=project)
    except ValueError as error:
        print(f"bisect: {error}; exit 2", file=sys.stderr)
        return 2
    try:
        result = bisect(plan)
    except (GateError, gbjson.FormatError, ValueError, RuntimeError, OSError,
            subprocess.SubprocessError) as error:
        print(f"bisect: cannot judge: {error}; exit 2", file=sys.stderr)
        return finish(args, plan, None, str(error), getattr(error, "outcome", None))
    return finish(args, plan, result)
