#!/usr/bin/python3
"""A stand-in for goro_bench with Google Benchmark 1.7.1's command line and JSON output.

Environment: FAKE_BENCH_SLOWDOWN="regex=factor[,regex=factor]" scales matching benchmarks;
FAKE_BENCH_ERROR="regex=message" makes matching benchmarks fail with that error message;
FAKE_BENCH_DROP="regex" lists matching benchmarks but never reports them;
FAKE_BENCH_RUN_FACTORS="f0,f1,...:counter-file" scales every benchmark of the i-th measuring
invocation (counted in counter-file) by f_i, the last factor repeating: run-to-run offsets a
within-run spread does not show, or a slowdown a confirmation rerun no longer sees;
FAKE_BENCH_CLOBBER="path" overwrites that file with garbage while measuring (a store that goes
bad between bench's check and its write).
A file `<this program>.names` beside a copy replaces NAMES (one per line): a goro::bench binary
of a user's own, say, that lists a policy of its own next to the built-ins.
"""
from __future__ import annotations

import json
import os
import random
import re
import sys

NAMES = ["chan_pingpong/goro/go/workers:1", "chan_pingpong/goro/steal/workers:1",
         "chan_pingpong/thread/workers:1", "chan_pingpong/fiber/shared_work/workers:1",
         "select2/fiber/round_robin/workers:1", "spawn_join/goro/fifo/workers:1"]


def _pairs(variable: str) -> list[tuple[str, str]]:
    text = os.environ.get(variable, "")
    return [tuple(item.split("=", 1)) for item in text.split(",") if "=" in item]  # type: ignore


def _run_factor() -> float:
    """_run_factor() counts this invocation and returns its FAKE_BENCH_RUN_FACTORS factor."""
    spec = os.environ.get("FAKE_BENCH_RUN_FACTORS")
    if not spec:
        return 1.0
    factors, counter = spec.split(":", 1)
    try:
        with open(counter, encoding="utf-8") as handle:
            done = int(handle.read() or 0)
    except FileNotFoundError:
        done = 0
    with open(counter, "w", encoding="utf-8") as handle:
        handle.write(str(done + 1))
    values = [float(f) for f in factors.split(",")]
    return values[min(done, len(values) - 1)]


def _names() -> list[str]:
    custom = sys.argv[0] + ".names"
    if os.path.isfile(custom):
        with open(custom, encoding="utf-8") as handle:
            return [line.strip() for line in handle if line.strip()]
    return NAMES


def main(argv: list[str]) -> int:
    options = {"benchmark_filter": ".", "benchmark_repetitions": "1", "benchmark_out": "",
               "benchmark_list_tests": "false"}
    for arg in argv:
        match = re.fullmatch(r"--(benchmark_[a-z_]+)=(.*)", arg)
        if not match:
            print(f"fake_bench: unrecognized argument {arg}", file=sys.stderr)
            return 1
        options[match.group(1)] = match.group(2)
    names = [n + "/real_time" for n in _names() if re.search(options["benchmark_filter"], n + "/real_time")]
    if options["benchmark_list_tests"] == "true":
        print("\n".join(names))
        return 0
    if os.environ.get("FAKE_BENCH_CLOBBER"):
        with open(os.environ["FAKE_BENCH_CLOBBER"], "wb") as handle:
            handle.write(b"clobbered while measuring\n" * 100)
    rows = []
    drop = os.environ.get("FAKE_BENCH_DROP")
    run_factor = _run_factor()
    rng = random.Random()
    for index, name in enumerate(names):
        if drop and re.search(drop, name):
            continue
        base = 100.0 * (index + 1) * run_factor
        for pattern, factor in _pairs("FAKE_BENCH_SLOWDOWN"):
            if re.search(pattern, name):
                base *= float(factor)
        error = next((m for p, m in _pairs("FAKE_BENCH_ERROR") if re.search(p, name)), None)
        repetitions = int(options["benchmark_repetitions"])
        for repetition in range(repetitions):
            row = {"name": name, "run_name": name, "run_type": "iteration",
                   "repetitions": repetitions, "repetition_index": repetition, "threads": 1,
                   "iterations": 1000, "real_time": base * (1 + 0.01 * rng.gauss(0, 1)),
                   "cpu_time": base, "time_unit": "ns", "items_per_second": 1e9 / base,
                   "context_switches_per_op": 2.0 if "/goro/" in name else 0.0}
            if error:
                row.update(error_occurred=True, error_message=error)
            rows.append(row)
            print(f"{name}  {row['real_time']:.1f} ns")
    document = {"context": {"date": "now", "host_name": "fake", "executable": argv and sys.argv[0],
                            "num_cpus": 2, "library_build_type": "release"}, "benchmarks": rows}
    if options["benchmark_out"]:
        with open(options["benchmark_out"], "w", encoding="utf-8") as handle:
            json.dump(document, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
