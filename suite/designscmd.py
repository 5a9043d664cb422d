"""`scripts/suite designs` — goro's scheduler policies side by side for one stored record:
workload × policy (time relative to the best policy) with goro's Stats counters, printed as text
and written as designs.html (with the heat map) in the report directory.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from .results.store import StoreError
from .results.storeloc import add_store_option, open_store
from .base.paths import DEFAULT_REPORT_DIR


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `designs`."""
    parser = sub.add_parser("designs", help="scheduler policies side by side (heat map + counters)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", default="latest", help="stored record (default latest)")
    add_store_option(parser)
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR,
                        help="report directory to (re)write")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """main() prints the policy tables and writes the report pages."""
    from .render import designcurves, html, tables  # numpy/matplotlib/jinja2: after the packages step
    try:
        with open_store(args.store, create=False) as store:
            record = store.get(args.record)
            history = [r for r in store.records(machine_id=record.machine_id) if r.kind == record.kind]
    except StoreError as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    maps = tables.heatmaps(record.samples())
    designcurves.print_section(record.samples())  # open-loop curves, wake-up latency, CPU/wall
    if not maps:
        print(f"designs: {record.describe()} has no goro/<policy> benchmarks", file=sys.stderr)
        return 2
    for heat in maps:
        print(f"\nworkers={heat.workers}: time / best policy  (context switches, steals, parks per op)")
        print(f"{'workload':<32}" + "".join(f"{p:>28}" for p in heat.policies))
        for i, workload in enumerate(heat.workloads):
            row = [v for v in heat.medians[i] if not math.isnan(v)]
            best = min(row) if row else math.nan
            cells = []
            for j in range(len(heat.policies)):
                value = heat.medians[i][j] / best
                counters = "/".join(f"{heat.counters[c][i][j]:.2g}" for c in tables.COUNTERS)
                cells.append(f"{value:>8.2f} ({counters})")
            print(f"{workload:<32}" + "".join(f"{c:>28}" for c in cells))
    _print_stability(record)
    extra = (record.context.get("settings") or {}).get("extra_policies") or {}
    for policy, path in extra.items():
        print(f"\n{policy}: measured by {path} (--extra-binary), in the same run as the built-ins")
    from .results.commitorder import order
    index = html.write(record, args.out, history=order(history))
    print(f"\ndesigns: {(index.parent / 'designs.html').resolve()}")
    return 0


def _print_stability(record) -> None:
    """_print_stability() prints the goro policies' spread between separate process runs
    (analysis/stability.py), or says that every benchmark ran in one process."""
    from .analysis import stability
    from .render import units
    from .results.gbjson import parse_name
    spreads = [s for s in stability.spreads(record.gbench_runs).values()
               if parse_name(s.name).family == "goro"]
    multi = [s for s in spreads if s.runs > 1]
    if not multi:
        print("\nrun-to-run stability: every benchmark ran in one process "
              "(measure with --process-runs N, N >= 3, to see the spread between processes)")
        return
    print(f"\nrun-to-run stability (median of each separate process run; max/min; "
          f"unstable >= {stability.SPREAD_LIMIT:.0%} apart, bimodal = two separated groups)")
    for s in multi:
        runs = ", ".join(units.value(m) for m in s.run_medians)
        print(f"{s.name:<44} {s.runs} runs  max/min {s.ratio:5.2f}  {s.verdict:<9} per op: {runs}")
