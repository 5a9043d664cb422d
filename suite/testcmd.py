"""`scripts/suite test` — the README's test command, also what CI runs (.ci/run).

Steps run in order; a failing step does not stop the others (except a failed build skips the
tests of that build). A summary table closes the run, then the plain line `N passed, M failed`.
What ran is saved for the verification page (results/verify/test/: each step and its verdict, and
the results files steps wrote, e.g. the verification kit's checks of examples/retry_chan), so
`scripts/suite report` after `scripts/suite test` shows it.
Exit 0 when every step passed, 3 when the packages are missing, 4 when a step failed.
`--dry-run` prints the plan and the packages the first step would install, then stops.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

from .run import packages
from .base.procs import Stopwatch, banner, format_seconds
from .run.testplan import Ran, Step, save_run, steps

def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `test`."""
    names = [s.name for s in steps()]
    parser = sub.add_parser("test", help="the full test command (what CI runs)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-sanitizers", action="store_true",
                        help="skip the tsan and asan builds and their ctest runs")
    parser.add_argument("--only", action="append", choices=names, metavar="STEP",
                        help=f"run only this step (repeatable): {', '.join(names)}")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and the packages it would install, then stop")
    parser.set_defaults(handler=main)


def plan_of(args: argparse.Namespace) -> list[Step]:
    """plan_of() is the steps the options select, in order."""
    plan = [s for s in steps() if not (args.no_sanitizers and s.sanitizer)]
    return [s for s in plan if s.name in args.only] if args.only else plan


def dry_run(plan: list[Step]) -> int:
    """dry_run() prints the plan and what the packages step would install; runs nothing."""
    print("test: plan (dry run: nothing is installed, built or run)")
    for number, step in enumerate(plan, start=1):
        print(f"  {number}. {step.name:<15} {step.title}")
        if step.name == "packages":
            for line in packages.plan(packages.TEST_PACKAGES):
                print(f"       {line}")
    return 0


def main(args: argparse.Namespace) -> int:
    """main() runs the plan and prints the summary; 3 without the packages, 4 when a step failed."""
    plan = plan_of(args)
    if args.dry_run:
        return dry_run(plan)
    clock = Stopwatch()
    results: list[tuple[Step, str, float]] = []
    ran: list[Ran] = []
    failed_names: set[str] = set()
    for step in plan:
        banner(f"{step.name}: {step.title}   (elapsed {format_seconds(clock.elapsed())})")
        step_clock = Stopwatch()
        started = time.time()
        code: int | None = None
        if step.needs and step.needs in failed_names:
            print(f"skipped: {step.needs} failed", flush=True)
            status = "FAIL (skipped: " + step.needs + " failed)"
            failed_names.add(step.name)
        else:
            try:
                code = step.action()
            except (OSError, subprocess.SubprocessError) as error:
                print(f"suite: {step.name}: {error}", file=sys.stderr, flush=True)
                code = 1
            status = "ok" if code == 0 else f"FAIL (exit {code})"
            if code != 0:
                failed_names.add(step.name)
        results.append((step, status, step_clock.elapsed()))
        ran.append(Ran(step, code, started, step_clock.elapsed(), skipped=step.needs if code is None else None))
        if step.name == "packages" and step.name in failed_names:
            print("suite: cannot continue without the packages", file=sys.stderr, flush=True)
            break
    # Only a whole run replaces what the verification page shows: a step re-run alone (--only)
    # must not hide the failures of the last whole run, nor stand in for the steps it skipped.
    from .run.verify import commit
    if args.only:
        saved = "not saved for the verification page: --only runs a part of the test command"
    else:
        try:
            saved = f"saved for the verification page (scripts/suite report): {save_run(ran, *commit(), clock.elapsed())}"
        except OSError as error:
            saved = f"suite: could not save what ran for the verification page: {error}"
    banner(f"summary   (total {format_seconds(clock.elapsed())})")
    for step, status, seconds in results:
        print(f"  {step.name:<15} {format_seconds(seconds):>8}  {status}")
    passed = sum(1 for _, status, _ in results if status == "ok")
    failed = len(results) - passed
    print(f"total elapsed {format_seconds(clock.elapsed())}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    print(saved, flush=True)
    if "packages" in failed_names:
        return 3
    return 0 if failed == 0 else 4
