"""`scripts/suite trace WORKLOAD --policy P --workers N` — run one goro benchmark with the
execution tracer on (GORO_TRACE, runtime/src/trace.hpp), keep the trace in the report directory
(<out>/traces/<benchmark>.json: Chrome trace-event JSON, open it in Perfetto) and write its page:
a per-worker timeline, utilisation, the run-queue wait distribution, steals and wakes. The page
is listed on the report's Traces page; the path of the trace page is printed last.

Exit 0, 2 (no such goro benchmark; the available workloads are listed), 3 (missing packages),
4 (the build or the benchmark failed, or it left no trace).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .results import context
from .run import packages, traced
from .run.build import build_benchmarks
from .run.measure import non_negative_seconds, positive_int
from .base.paths import DEFAULT_REPORT_DIR, REPO_ROOT, cpp_bench_binary


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `trace`."""
    parser = sub.add_parser("trace", help="run one goro benchmark traced; write its report page",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", help="the benchmark's workload, e.g. chan_pingpong or spawn_join/1000")
    parser.add_argument("--policy", default="go", help="goro scheduler policy (default go)")
    parser.add_argument("--workers", type=positive_int, default=2, metavar="N", help="workers (default 2)")
    parser.add_argument("--min-time", type=non_negative_seconds, default=traced.DEFAULT_MIN_TIME,
                        metavar="SECONDS", help=f"--benchmark_min_time (default {traced.DEFAULT_MIN_TIME})")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR,
                        help=f"report directory (default {DEFAULT_REPORT_DIR.relative_to(REPO_ROOT)})")
    parser.add_argument("--no-build", action="store_true", help="do not build goro_bench first")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, metavar="DIR",
                        help="the checkout to build and run (default: this one)")
    parser.set_defaults(handler=main, required_packages=required_packages)


def required_packages(args: argparse.Namespace) -> Sequence[str]:
    """required_packages() is the build toolchain (unless --no-build) and the Python packages."""
    return (*(() if args.no_build else packages.BUILD_PACKAGES), *packages.PYTHON_PACKAGES)


def main(args: argparse.Namespace) -> int:
    """main() runs `trace`; prints the trace page's path last."""
    if not args.no_build and build_benchmarks(args.root) != 0:
        print("trace: the release build failed", file=sys.stderr)
        return 4
    if not cpp_bench_binary(args.root).is_file():
        print(f"trace: no benchmark binary at {cpp_bench_binary(args.root)} (build it, or drop --no-build)",
              file=sys.stderr)
        return 2
    name = traced.benchmark_name(args.workload, args.policy, args.workers)
    available = traced.goro_workloads(args.root)
    if name not in available:
        workloads = sorted({n.split("/goro/")[0] for n in available})
        policies = sorted({n.split("/goro/")[1].split("/")[0] for n in available})
        print(f"trace: no benchmark {name!r}; workloads: {', '.join(workloads)}; policies: "
              f"{', '.join(policies)}; workers: "
              f"{', '.join(sorted({n.rsplit(':', 1)[1] for n in available}, key=int))}", file=sys.stderr)
        return 2
    sha = context.git(args.root).get("sha")
    run, status = traced.run(args.root, name, args.out / "traces", args.min_time, sha)
    if status != 0 or not run.trace.is_file():
        print(f"trace: {name} failed (exit {status})" + ("" if run.trace.is_file() else ", no trace written"),
              file=sys.stderr)
        return 4
    from .render import tracepage  # jinja2/matplotlib: after the packages step
    from .render.pages import PAGES
    page, trace = tracepage.write_one(run.trace, args.out, PAGES)
    tracepage.write_all(args.out, PAGES)
    print(f"trace: {trace.workers} workers, {(trace.end - trace.start) / 1000:,.1f} ms, "
          f"{len(trace.slices)} slices" + (f", {trace.dropped} events dropped" if trace.dropped else ""))
    print(f"trace: {run.trace} (Chrome trace-event JSON; open it in Perfetto)")
    print(page.resolve())
    return 0
