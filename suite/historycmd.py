"""`scripts/suite history` — change points per benchmark over this machine's stored records.

Records are taken in commit order: `git rev-list --topo-order` of --branch (default: this
checkout's HEAD), oldest first; records whose commit is not on the branch are listed after, marked,
and left out of the change-point scan — unless no record is on it (no git, imported records):
then all of them are scanned in arrival order (suite/results/commitorder.py).

See suite/analysis/changepoints.py for the method (binary segmentation with Mann–Whitney). Prints, per
benchmark with a change, the record where each new regime starts and the size of the shift, in the
suite's units (438 µs).

Environments (suite/results/environment.py): records whose fingerprints differ (kernel, governor,
SMT, boost, cgroup quota, compiler, flags, build type) are refused (exit 2, naming what differs)
unless --across-environments; then a change point where the environment changed between the two
records is labelled "environment (what changed)", and one with no commit between its records
"no code change" — neither is presented as the code's.
"""
from __future__ import annotations

import argparse
import re
import sys

from .analysis.policyoptions import add_environment_option
from .render import units
from .run.gate import add_project_options
from .results import context, environment
from .results.commitorder import BranchError, order
from .results.store import StoreError
from .results.storeloc import add_store_option, open_store


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `history`."""
    parser = sub.add_parser("history", help="change points per benchmark over stored records",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_option(parser)
    parser.add_argument("--branch", metavar="REF",
                        help="order records by this branch's commits (default: HEAD)")
    parser.add_argument("--filter", metavar="REGEX", help="only benchmarks matching REGEX")
    parser.add_argument("--machine", metavar="ID",
                        help="machine_id to follow (default: this machine; 'all' for every one)")
    parser.add_argument("--min-shift", type=float, default=0.05,
                        help="smallest relative median shift reported (default 0.05)")
    add_environment_option(parser)
    parser.add_argument("--bisect", action="store_true",
                        help="bisect the commits under each change point that is the code's "
                             "(scripts/suite bisect --good <commit before> --bad <commit at>), "
                             "on the benchmarks that changed there")
    add_project_options(parser)
    parser.set_defaults(handler=main)


def cause(before: tuple, after: tuple) -> str:
    """cause() labels a change point that is not the code's: the environment changed between
    its two records, or both measured the same commit."""
    changed = environment.differences(before[2], after[2])
    if changed:
        return f"  [environment: {environment.describe(changed)}]"
    if before[0].git_sha == after[0].git_sha and before[0].git_sha != "unknown":
        return "  [no code change: same commit]"
    return ""


def main(args: argparse.Namespace) -> int:
    """main() prints change points; exit 0 (annotations only), 2 on a bad store or filter."""
    import numpy as np  # numpy/scipy: after the packages step
    from .analysis.changepoints import change_points
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
        with open_store(args.store, create=False) as store:
            placed = order([r for r in store.records(machine_id=machine) if r.kind == "bench"],
                           args.branch)
    except (StoreError, BranchError) as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    # Scan the on-branch records; when none is on it (no git, imported records) all of them,
    # in arrival order — the only order there is.
    records = [p.record for p in placed if p.reachable] or [p.record for p in placed]
    off_branch = [p.record for p in placed if not p.reachable] if any(p.reachable for p in placed) \
        else []
    print(f"history: {len(records)} records in the commit order of {args.branch or 'HEAD'}"
          + (f" on machine {machine}" if machine else ""))
    for record in off_branch:
        print(f"history: * {record.describe()}: commit not on {args.branch or 'HEAD'}; "
              "listed, not scanned")
    fingerprints = [environment.of_context(r.context) for r in records]
    changes = sorted({d for x, y in zip(fingerprints, fingerprints[1:])
                      for d in environment.differences(x, y)})
    if changes and not args.across_environments:
        print(f"suite: the records come from different environments "
              f"({environment.describe(changes)}); pass --across-environments to scan them "
              "anyway (change points at an environment change are labelled)", file=sys.stderr)
        return 2
    if changes:
        print(f"history: warning: across environments: {environment.describe(changes)}")
    per_record = [r.samples() for r in records]
    names = sorted({n for s in per_record for n in s if not pattern or pattern.search(n)})
    changed = 0
    ranges: dict[tuple[str, str], list[str]] = {}
    for name in names:
        present = [(r, s[name].real_time_ns, f) for r, s, f in zip(records, per_record, fingerprints)
                   if name in s and s[name].real_time_ns]
        if len(present) < 4:
            continue
        points = change_points([v for _, v, _ in present], min_shift=args.min_shift)
        if not points:
            continue
        changed += 1
        print(name)
        for index in points:
            before = float(np.median(present[index - 1][1]))
            after = float(np.median(present[index][1]))
            print(f"   at {present[index][0].describe()}: {units.value(before, 'ns')} → "
                  f"{units.value(after, 'ns')} per op ({after / before - 1:+.1%})"
                  f"{cause(present[index - 1], present[index])}")
            if after > before and not cause(present[index - 1], present[index]):
                shas = (present[index - 1][0].git_sha, present[index][0].git_sha)
                if "unknown" not in shas:
                    ranges.setdefault(shas, []).append(name)
    print(f"history: {changed} of {len(names)} benchmarks have change points")
    return bisect_ranges(ranges, args) if args.bisect else 0


def bisect_ranges(ranges: dict[tuple[str, str], list[str]], args: argparse.Namespace) -> int:
    """bisect_ranges() bisects each slowdown's commit range (--bisect); 2 when one cannot be
    judged, else 0 (history only annotates)."""
    from .run.bisect import BisectPlan, bisect, report
    from .run.gate import GateError, project_from
    try:
        project = project_from(args)
    except ValueError as error:
        print(f"history: {error}", file=sys.stderr)
        return 2
    status = 0
    for (good, bad), benchmarks in ranges.items():
        print(f"history: bisect {good[:12]}..{bad[:12]} for {', '.join(benchmarks)}")
        names = "^(" + "|".join(re.escape(n) for n in benchmarks) + ")(/|$)"
        try:
            report(bisect(BisectPlan(good=good, bad=bad, filter=names, project=project,
                                     workdir=project.root / "build" / "gate")))
        except (GateError, RuntimeError, OSError) as error:
            print(f"history: --bisect {good[:12]}..{bad[:12]} cannot judge: {error}",
                  file=sys.stderr)
            status = 2
    return status
