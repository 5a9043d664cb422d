"""`scripts/suite report` — the README's main command: build release, run the quick benchmark
set (every benchmark with --full), store the record, write the HTML report and print its path.
`--record SELECTOR` skips measuring and renders a stored record instead.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import benchcmd, commitorder, html
from .paths import DEFAULT_REPORT_DIR, REPO_ROOT
from .procs import Stopwatch, format_seconds
from .record import Record
from .store import Store, StoreError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `report`."""
    parser = sub.add_parser("report", help="build, run the quick set, store, write the HTML report",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchcmd.add_run_options(parser)
    parser.add_argument("--record", metavar="SELECTOR",
                        help="render this stored record instead of measuring (latest, id, sha)")
    parser.add_argument("--baseline", metavar="SELECTOR",
                        help="record for the A/B page (default: the previous record of this machine)")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR,
                        help=f"output directory (default {DEFAULT_REPORT_DIR.relative_to(REPO_ROOT)})")
    parser.set_defaults(handler=main)


def render(store: Store, record: Record, out: Path, baseline_selector: str | None) -> Path:
    """render() writes the report of a stored record (history = this machine's bench records)."""
    history = [r for r in store.records(machine_id=record.machine_id) if r.kind == record.kind]
    if baseline_selector:
        baseline = store.get(baseline_selector)
    else:
        earlier = [r for r in history if r.id is not None and record.id is not None and r.id < record.id]
        baseline = earlier[-1] if earlier else None
    gates = list(store.records(kind="gate"))  # self-contained verdicts: every machine's
    return html.write(record, out, baseline=baseline, history=commitorder.order(history),
                      gates=gates)


def main(args: argparse.Namespace) -> int:
    """main() runs `report`; prints the index path last."""
    clock = Stopwatch()
    try:
        with Store(args.store) as store:
            if args.record:
                record = store.get(args.record)
                problems: list[str] = []
            else:
                measured, problems = benchcmd.measure(args, args.root)
                for problem in problems:
                    print(f"report: problem: {problem}", file=sys.stderr)
                if measured is None:
                    return 2
                record = measured
                store.add(record)
                print(f"report: stored {record.describe()} in {args.store}")
            index = render(store, record, args.out, args.baseline)
    except StoreError as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    print(f"report: written in {format_seconds(clock.elapsed())}")
    print(index.resolve())
    return 1 if problems else 0
