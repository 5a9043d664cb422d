"""Instruction counts with valgrind's callgrind: exact, noise-free comparisons where hardware
counters are unavailable (they are on these machines).

Only for single-worker, deterministic benchmarks (`workers:1`, goro or Boost.Fiber backends: an
OS-thread or Go backend schedules differently run to run). Collection is switched on only inside
the workload function (its measured loop and its own setup), not process start-up or JSON output; and the binary runs with `--benchmark_min_time=0` so exactly one
iteration is measured. The count is therefore "instructions of one benchmark invocation",
including the workload's own setup; it is compared between base and head, never across machines.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from ..results.gbjson import parse_name

# The workload functions of benches/workloads.hpp take (benchmark::State&) or
# (benchmark::State&, std::size_t); Google Benchmark's own BenchmarkInstance::Run is a hidden
# symbol in Debian's libbenchmark, so we toggle on the workload functions themselves. The
# harness's run_workload(State&, unsigned, Workload) deliberately does not match: toggles nest.
TOGGLES = ("*(benchmark::State&)", "*(benchmark::State&, unsigned long)")


def eligible(name: str) -> bool:
    """eligible() tells whether a benchmark is single-worker and deterministic enough."""
    parsed = parse_name(name)
    return parsed.workers == 1 and parsed.family in ("goro", "fiber")


def parse_totals(text: str) -> int:
    """parse_totals() reads the Ir total from a callgrind output file."""
    match = re.search(r"^(?:totals|summary):\s*(\d+)", text, re.M)
    if not match:
        raise ValueError("callgrind output has no totals/summary line")
    return int(match.group(1))


def instructions(binary: Path, name: str, timeout: float = 900.0) -> int:
    """instructions() runs one benchmark under callgrind and returns the collected Ir."""
    with tempfile.TemporaryDirectory(prefix="goro-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                "--collect-atstart=no", *(f"--toggle-collect={t}" for t in TOGGLES), str(binary),
                f"--benchmark_filter=^{re.escape(name)}$", "--benchmark_min_time=0",
                "--benchmark_repetitions=1"]
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if completed.returncode != 0 or not out.exists():
            raise RuntimeError(f"callgrind failed for {name} (exit {completed.returncode}): "
                               f"{completed.stderr.strip()[-300:]}")
        count = parse_totals(out.read_text(encoding="utf-8", errors="replace"))
        if count == 0:
            raise RuntimeError(f"callgrind collected nothing for {name}: no function matched "
                               f"{', '.join(TOGGLES)}")
        return count
