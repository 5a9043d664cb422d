"""`scripts/suite history` — change points per benchmark over this machine's stored records.

See reports/changepoints.py for the method (binary segmentation with Mann–Whitney). Prints, per
benchmark with a change, the record where each new regime starts and the size of the shift.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

from . import context
from .paths import DEFAULT_STORE, REPO_ROOT
from .store import Store, StoreError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `history`."""
    parser = sub.add_parser("history", help="change points per benchmark over stored records",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH",
                        help=f"results store (default {DEFAULT_STORE.relative_to(REPO_ROOT)})")
    parser.add_argument("--filter", metavar="REGEX", help="only benchmarks matching REGEX")
    parser.add_argument("--machine", metavar="ID",
                        help="machine_id to follow (default: this machine; 'all' for every one)")
    parser.add_argument("--min-shift", type=float, default=0.05,
                        help="smallest relative median shift reported (default 0.05)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """main() prints change points; exit 0 (annotations only), 2 on a bad store or filter."""
    from .changepoints import change_points  # numpy/scipy: after the packages step
    if not 0 <= args.min_shift < float("inf"):
        print(f"suite: --min-shift must be a finite fraction ≥ 0: {args.min_shift}", file=sys.stderr)
        return 2
    try:
        pattern = re.compile(args.filter) if args.filter else None
    except re.error as error:
        print(f"suite: --filter {args.filter!r} is not a regular expression: {error}",
              file=sys.stderr)
        return 2
    try:
        machine = None if args.machine == "all" else (args.machine or context.machine()["machine_id"])
        with Store(args.store, create=False) as store:
            records = [r for r in store.records(machine_id=machine) if r.kind == "bench"]
    except StoreError as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    print(f"history: {len(records)} records" + (f" on machine {machine}" if machine else ""))
    per_record = [r.samples() for r in records]
    names = sorted({n for s in per_record for n in s if not pattern or pattern.search(n)})
    changed = 0
    for name in names:
        present = [(r, s[name].real_time_ns) for r, s in zip(records, per_record)
                   if name in s and s[name].real_time_ns]
        if len(present) < 4:
            continue
        points = change_points([v for _, v in present], min_shift=args.min_shift)
        if not points:
            continue
        changed += 1
        print(name)
        for index in points:
            before = statistics.median(present[index - 1][1])
            after = statistics.median(present[index][1])
            print(f"   at {present[index][0].describe()}: {before:.4g} → {after:.4g} ns/op "
                  f"({after / before - 1:+.1%})")
    print(f"history: {changed} of {len(names)} benchmarks have change points")
    return 0
