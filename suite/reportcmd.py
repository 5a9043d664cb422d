"""`scripts/suite report` — the README's main command: build release, run the quick benchmark
set (every benchmark with --full), store the record, write the HTML report and print its path.
`--record SELECTOR` skips measuring and renders a stored record instead; `--dry-run` prints the
plan and the packages it would install, then stops.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .results import commitorder
from .results.record import Record
from .results.store import Store
from .results.storeloc import open_store
from .run import measure, packages, processruns, runner
from .base.paths import DEFAULT_REPORT_DIR, DEFAULT_VERIFY_DIR, QUICK_FILTER, REPO_ROOT
from .base.procs import Stopwatch, format_seconds


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `report`."""
    parser = sub.add_parser("report", help="build, run the quick set, store, write the HTML report",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    measure.add_run_options(parser)
    parser.add_argument("--record", metavar="SELECTOR",
                        help="render this stored record instead of measuring (latest, id, sha)")
    parser.add_argument("--baseline", metavar="SELECTOR",
                        help="record for the A/B page (default: the previous record of this machine)")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR,
                        help=f"output directory (default {DEFAULT_REPORT_DIR.relative_to(REPO_ROOT)})")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and the packages it would install, then stop")
    parser.add_argument("--branch", metavar="REF",
                        help="History page: records in this branch's commit order (default HEAD)")
    parser.set_defaults(handler=main, required_packages=required_packages)


def required_packages(args: argparse.Namespace) -> Sequence[str]:
    """required_packages() is what `report` needs: the Python packages, and what measuring
    needs unless a stored record is rendered."""
    measuring = () if args.record else measure.required_packages(args)
    return (*measuring, *packages.PYTHON_PACKAGES)


def render(store: Store | None, record: Record, out: Path, baseline_selector: str | None,
           branch: str | None = None) -> Path:
    """render() writes the report of a record (history = this machine's records of its kind in
    the store; without a store, the record alone)."""
    from .render import html  # jinja2/matplotlib: after the packages step
    from .results.verification import load
    verification = load(DEFAULT_VERIFY_DIR) if DEFAULT_VERIFY_DIR.is_dir() else None
    if store is None:
        return html.write(record, out, baseline=None, history=commitorder.order([record]),
                          verification=verification)
    history = [r for r in store.records(machine_id=record.machine_id) if r.kind == record.kind]
    if baseline_selector:
        baseline = store.get(baseline_selector)
    else:
        earlier = [r for r in history if r.id is not None and record.id is not None and r.id < record.id]
        baseline = earlier[-1] if earlier else None
    gates = list(store.records(kind="gate"))  # self-contained verdicts: every machine's
    return html.write(record, out, baseline=baseline, history=commitorder.order(history, branch),
                      gates=gates, verification=verification)


def dry_run(args: argparse.Namespace) -> int:
    """dry_run() prints what `report` would do, step by step, and installs nothing."""
    print("report: plan (dry run: nothing is installed, built, measured or written)")
    steps = ["packages: " + "\n       ".join(packages.plan(required_packages(args)))]
    if args.record:
        steps.append(f"render: stored record {args.record!r} from {args.store}")
    else:
        steps.append("build: skipped (--no-build)" if args.no_build else
                     "build: cmake --preset release; cmake --build --preset release -j2 "
                     "--target goro_bench")
        steps.append("Go twin: skipped (--no-go)" if args.no_go else
                     "Go twin: go build of benches/go into build/release/benches/goro_go_bench")
        chosen = (f"--filter {args.filter}" if args.filter else "every benchmark (--full)"
                  if args.full else f"the quick set of {QUICK_FILTER.relative_to(REPO_ROOT)}")
        steps.append(f"measure: {chosen}, one process per benchmark, "
                     f"{args.repetitions or runner.QUICK_REPETITIONS} repetitions"
                     + processruns.describe(args))
        for path in args.extra_binary:
            steps.append(f"extra: --extra-binary {path}: the benchmarks of its own policies "
                         "(those goro_bench does not have), each after the built-ins' run")
        steps.append(f"store: add the record to {args.store}")
    steps.append(f"write: the HTML report in {args.out}, its index path printed last")
    for number, step in enumerate(steps, start=1):
        print(f"  {number}. {step}")
    return 0


def main(args: argparse.Namespace) -> int:
    """main() runs `report`; prints the index path last. Exit 0, 2 (bad store or selector, no
    benchmark matched), 4 (a build or benchmark failed, or the run could not be stored)."""
    if args.dry_run:
        return dry_run(args)
    clock = Stopwatch()
    problems: list[str] = []
    if args.record:
        with open_store(args.store, create=False) as store:
            index = render(store, store.get(args.record), args.out, args.baseline, args.branch)
    else:
        with open_store(args.store):
            pass  # refuse a bad store before spending minutes measuring
        record, problems = measure.measure(args, args.root)
        for problem in problems:
            print(f"report: problem: {problem}", file=sys.stderr)
        if record is None:
            return measure.nothing_measured_status(problems)
        if measure.keep(record, args.store, None, "report"):
            with open_store(args.store) as store:
                index = render(store, record, args.out, args.baseline, args.branch)
        else:
            problems.append("the run could not be stored")
            index = render(None, record, args.out, None)
    print(f"report: written in {format_seconds(clock.elapsed())}")
    print(index.resolve())
    return 4 if problems else 0
