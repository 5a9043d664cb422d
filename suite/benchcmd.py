"""`scripts/suite bench` — build, run benchmarks (quick set by default), store one record."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .results.storeloc import open_store
from .run.measure import add_run_options, keep, measure, nothing_measured_status, required_packages


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `bench`."""
    parser = sub.add_parser("bench", help="run benchmarks and store a record", description=__doc__)
    add_run_options(parser)
    parser.add_argument("--smoke", action="store_true",
                        help="smoke test: run once, fail on any error except 'unsupported:' and "
                             "on listed benchmarks without a result; nothing is stored")
    parser.add_argument("--export", type=Path, metavar="FILE",
                        help="also write the record as a JSON file (a CI artefact); written "
                             "before the store, so the run survives a store that fails")
    parser.set_defaults(handler=main, required_packages=required_packages)


def main(args: argparse.Namespace) -> int:
    """main() runs `bench`: exit 0 when stored (or smoke passed), 2 when the store is unusable or
    no benchmark matched, 4 on failures (a build or benchmark failed, the run was not stored)."""
    if args.smoke:
        record, problems = measure(args, args.root)
        for problem in problems:
            print(f"smoke: {problem}", file=sys.stderr)
        ok = record is not None and not problems
        print(f"smoke: {'passed' if ok else 'FAILED'}", flush=True)
        return 0 if ok else 4
    with open_store(args.store):
        pass  # refuse a bad store before spending minutes measuring (StoreError: exit 2)
    record, problems = measure(args, args.root)
    for problem in problems:
        print(f"bench: problem: {problem}", file=sys.stderr)
    if record is None:
        return nothing_measured_status(problems)
    stored = keep(record, args.store, args.export, "bench")
    return 0 if stored and not problems else 4
