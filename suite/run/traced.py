"""Running one benchmark traced: the goro_bench binary with GORO_TRACE set, one benchmark, one
repetition. Google Benchmark builds one Runtime per run of the benchmark function (its iteration
estimate, then the measured run) and each Runtime writes the trace file when it ends, so the file
left behind is the last, measured run's.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import runner
from ..base.paths import cpp_bench_binary
from ..base.procs import format_command

# A short run: the trace of a channel round trip costs ~4 events per µs per worker, and the
# tracer keeps at most 4 Mi events (runtime/src/trace.hpp): 0.02 s stays far below it.
DEFAULT_MIN_TIME = 0.02
TIMEOUT = 300.0


@dataclass(frozen=True)
class TracedRun:
    """TracedRun is what ran and where its trace went."""
    benchmark: str
    trace: Path
    meta: Path
    command: str


def benchmark_name(workload: str, policy: str, workers: int) -> str:
    """benchmark_name() is the Google Benchmark name of a goro workload: chan_pingpong/goro/go/workers:2."""
    return f"{workload}/goro/{policy}/workers:{workers}"


def slug(name: str) -> str:
    """slug() makes a benchmark name a file stem: chan_pingpong/goro/go/workers:2 → chan_pingpong-goro-go-w2."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", name.replace("workers:", "w")).strip("-")


def goro_workloads(root: Path) -> list[str]:
    """goro_workloads() lists the names of the goro benchmarks the binary offers."""
    binary = runner.Binary(cpp_bench_binary(root), "cpp")
    return [n for n in runner.list_tests(binary, "/goro/") if "/goro/" in n]


def run(root: Path, benchmark: str, out_dir: Path, min_time: float, git_sha: str | None) -> tuple[TracedRun, int]:
    """run() runs `benchmark` once with GORO_TRACE into out_dir/<slug>.json, writes the .meta.json
    beside it, and returns the run and the binary's exit status (the file may be missing when
    the status is not 0)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = slug(benchmark)
    trace = out_dir / f"{stem}.json"
    meta = out_dir / f"{stem}.meta.json"
    for old in (trace, meta):
        old.unlink(missing_ok=True)
    argv = [str(cpp_bench_binary(root)), f"--benchmark_filter=^{re.escape(benchmark)}$",
            "--benchmark_repetitions=1", f"--benchmark_min_time={min_time}", "--benchmark_format=console"]
    command = f"GORO_TRACE={trace} {format_command(argv)}"
    print(f"$ {command}", flush=True)
    try:
        status = subprocess.run(argv, env={**os.environ, "GORO_TRACE": str(trace)}, timeout=TIMEOUT).returncode
    except subprocess.TimeoutExpired:
        print(f"trace: {benchmark} timed out after {TIMEOUT:.0f} s", flush=True)
        status = 124
    meta.write_text(json.dumps({"benchmark": benchmark, "command": command, "git_sha": git_sha,
                                "min_time": min_time}, indent=1) + "\n", encoding="utf-8")
    return TracedRun(benchmark, trace, meta, command), status
