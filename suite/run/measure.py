"""Measuring a benchmark set and keeping the run: what `bench` and `report` share.

measure() builds (unless told not to), runs the chosen set one benchmark per process and returns
a Record with its context; keep() saves that record so a measured run is never lost (export
file, store, or a file beside the store). The options that choose the set (add_run_options) live
here too, beside the code that reads them.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from ..results import context, environment, gbjson
from ..results.record import Record, save_file
from ..results.store import StoreError
from ..results.storeloc import add_store_option, open_store
from . import extrabench, packages, presets, processruns, runner
from .build import build_benchmarks
from ..base.paths import REPO_ROOT, cpp_bench_binary, go_bench_binary


# measure()'s problems when nothing ran because a build failed: exit 4 (a failure), not 2.
BUILD_FAILED, GO_BUILD_FAILED = "release build failed", "Go twin build failed"


def nothing_measured_status(problems: list[str]) -> int:
    """nothing_measured_status() is the exit code when measure() returned no record: 4 when a
    build failed, 2 otherwise (no binary, no benchmark matched: nothing to judge)."""
    return 4 if problems[:1] in ([BUILD_FAILED], [GO_BUILD_FAILED]) else 2


def positive_int(text: str) -> int:
    """positive_int() is an argparse type: a whole number ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def non_negative_seconds(text: str) -> float:
    """non_negative_seconds() is an argparse type: a finite number of seconds ≥ 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number ≥ 0: {text}")
    return value


def required_packages(args: argparse.Namespace) -> Sequence[str]:
    """required_packages() is what measuring needs installed: the C++ toolchain and libraries
    (unless --no-build) and Go (unless --no-go)."""
    return (*(() if args.no_build else packages.BUILD_PACKAGES),
            *(() if args.no_go else packages.GO_PACKAGES))


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """add_run_options() adds the options shared by `bench` and `report`."""
    parser.add_argument("--full", action="store_true", help="every benchmark, not the quick set")
    parser.add_argument("--quick", action="store_true",
                        help="the quick set of benches/quick.filter (the default)")
    parser.add_argument("--filter", metavar="REGEX", help="run benchmarks matching REGEX instead")
    parser.add_argument("--preset", metavar="NAME",
                        help="a named set, benches/NAME.filter: e.g. `designs` (every scheduler "
                             "design on the open-loop load-latency workload, wake-up latency and "
                             "CPU/wall; sets GORO_WAKE_LATENCY=1 and GORO_OPENLOOP_SECONDS=0.3 "
                             "unless set); an unknown name is a usage error (exit 2)")
    parser.add_argument("--repetitions", type=positive_int, default=None, metavar="N",
                        help=f"repetitions per benchmark (default {runner.QUICK_REPETITIONS})")
    parser.add_argument("--min-time", type=non_negative_seconds, default=None, metavar="SECONDS",
                        help=f"--benchmark_min_time (default {runner.QUICK_MIN_TIME})")
    parser.add_argument("--process-runs", type=positive_int, default=None, metavar="N",
                        help="separate process runs of every multi-worker benchmark, so a result "
                             "that changes from process to process shows as unstable or bimodal "
                             f"(default {processruns.QUICK_RUNS} for the quick set, 1 otherwise)")
    parser.add_argument("--no-build", action="store_true",
                        help="do not run the CMake release build first (the Go twin is still "
                             "built: go caches it)")
    parser.add_argument("--no-go", action="store_true", help="skip the Go twin")
    parser.add_argument("--extra-binary", type=Path, action="append", default=[], metavar="PATH",
                        help="a goro::bench binary of your own (<goro/bench.hpp>: "
                             "goro::register_policy(), then goro::bench::main(); e.g. "
                             "examples/custom_policy's lifo_slot_bench; or a channel of your own "
                             "as goro/chan:<name>, <goro/bench/backend_channel.hpp> and CMake's "
                             "goro_add_algorithm_bench(), e.g. examples/retry_chan's "
                             "retry_chan_bench): its own policies' (or channel's) benchmarks run "
                             "in the same set, each right after the built-ins' run of that "
                             "workload, into the same record, so `designs` and the report show "
                             "them next to fifo, steal and go; repeatable. "
                             "Refused (exit 2): a missing or non-executable file, a binary that "
                             "is not a goro::bench binary or adds no policy, two that run a "
                             "policy of the same name")
    add_store_option(parser)
    parser.add_argument("--label", default="", help="a free-text label kept with the record")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, metavar="DIR",
                        help="the checkout to build and measure (default: this one)")


def measure(args: argparse.Namespace, root: Path = REPO_ROOT) -> tuple[Record | None, list[str]]:
    """measure() builds (unless told not to), runs the chosen set and returns the record and the
    problems met (the record is None when nothing ran). ExtraBinaryError (exit 2) refuses an
    --extra-binary that cannot join the run, before building and before measuring."""
    extras = extrabench.check_files(getattr(args, "extra_binary", None) or [])
    if not args.no_build and build_benchmarks(root) != 0:
        return None, [BUILD_FAILED]
    if not args.no_go and runner.build_go(root, go_bench_binary(root)) != 0:
        return None, [GO_BUILD_FAILED]
    bins = [b for b in runner.binaries(root) if not (args.no_go and b.kind == "go")]
    if not bins:
        return None, ["no benchmark binary found (build/release/benches/goro_bench, goro_go_bench)"]
    preset = getattr(args, "preset", None)
    if preset and not (root / "benches" / f"{preset}.filter").is_file():
        return None, [f"--preset {preset}: no such preset (benches/*.filter: "
                      f"{', '.join(presets.names(root / 'benches')) or 'none'})"]
    try:
        regex = args.filter or (".*" if args.full else runner.quick_filter(
            root / "benches" / f"{preset or 'quick'}.filter"))
    except gbjson.FormatError as error:
        return None, [str(error)]
    preset_env = presets.apply_env(root / "benches" / f"{preset}.filter") if preset else {}
    repetitions = args.repetitions or (1 if getattr(args, "smoke", False)
                                       else runner.QUICK_REPETITIONS)
    min_time = args.min_time if args.min_time is not None else runner.QUICK_MIN_TIME
    runs = processruns.runs_for(args)
    plan, listing_problems = runner.list_set(bins, regex)
    plan = runner.by_workload(plan)
    extra_policies: dict[str, str] = {}
    if extras:
        builtin = cpp_bench_binary(root)
        if not builtin.is_file():
            raise extrabench.ExtraBinaryError(f"--extra-binary needs {builtin} (the built-in "
                                              "policies it is measured next to): build it first")
        extra, extra_policies = extrabench.extra_plan(
            extras, extrabench.listing(runner.Binary(builtin, "cpp")), regex)
        plan = extrabench.interleave(plan, extra)
        print(f"bench: --extra-binary: {len(extra)} benchmarks of "
              + ", ".join(f"{p} ({path})" for p, path in extra_policies.items()), flush=True)
    before = context.conditions_snapshot()
    result = processruns.run_with_passes(plan, repetitions, min_time, runs, listing_problems)
    after = context.conditions_snapshot()
    problems = runner.smoke_problems(result)
    if not result.listed:
        problems.append(f"no benchmark matched {regex!r}")
    if not result.documents:
        return None, problems
    build = context.build(root)
    record = Record(gbench_runs=result.documents, label=args.label, kind="bench", context={
        "machine": context.machine(), "git": context.git(root), "build": build,
        "environment": environment.fingerprint(build),
        "conditions": context.conditions(before, after),
        "command": " ".join(["scripts/suite", *sys.argv[1:]]),
        "settings": {"filter": regex, "repetitions": repetitions, "min_time": min_time,
                     "process_runs": runs,
                     **({"preset": preset, "environment": preset_env} if preset else {}),
                     "binaries": [_shown(b.path, root) for b in [*bins, *extras]],
                     **({"extra_policies": extra_policies} if extra_policies else {})},
    })
    return record, problems


def _shown(path: Path, root: Path) -> str:
    """_shown() is a binary's path relative to the checkout, or absolute when outside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def keep(record: Record, store_path: Path | str, export: Path | None, who: str) -> bool:
    """keep() saves a measured run so it is never lost: the export file first (when asked), then
    the store; when the store write fails and no export file was written, the run goes to a file
    beside the store (or in the temporary directory) whose path is printed. True when stored."""
    kept: Path | None = None
    if export:
        try:
            save_file(record, export)
            kept = export
            print(f"{who}: exported to {export}", flush=True)
        except OSError as error:
            print(f"{who}: cannot write --export {export}: {error.strerror}", file=sys.stderr)
    try:
        with open_store(store_path) as store:
            store.add(record)
        print(f"{who}: stored {record.describe()} in {store_path}", flush=True)
        return True
    except (StoreError, OSError) as error:
        print(f"{who}: could not store the run: {error}", file=sys.stderr)
    beside = [] if isinstance(store_path, str) else [  # a postgresql:// URL has no directory
        Path(store_path).parent / "unstored" / f"{record.uuid}.json"]
    for candidate in ([] if kept else [*beside,
                                        Path(tempfile.gettempdir()) / f"goro-{record.uuid}.json"]):
        try:
            save_file(record, candidate)
            kept = candidate
            break
        except OSError as error:
            print(f"{who}: cannot write {candidate}: {error.strerror}", file=sys.stderr)
    if kept is None:
        print(f"{who}: the measured run could not be written anywhere", file=sys.stderr)
    else:
        print(f"{who}: the measured run is kept in {kept}; store it later with "
              f"`scripts/suite store --store {store_path} import {kept}`", file=sys.stderr)
    return False
