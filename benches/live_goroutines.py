#!/usr/bin/python3
"""live_goroutines.py — what a million live goroutines cost goro and Go, side by side.

Runs goro_live (benches/live_goroutines.cpp) and its Go twin goro_go_live (benches/go/live/),
interleaved: every round runs each program once, the order rotating from round to round, so
a drift of the machine touches every program alike. Each run is one process: its wall, user
and system time, peak RSS and minor page faults come from wait4(), its parked RSS per goroutine
from the line it prints. With --load K, K CPU-bound `sh -c 'while :; do :; done'` processes
run beside every program (the "loaded 2-core machine" of issue 30).

    benches/live_goroutines.py                          # 3 rounds, 1,000,000 goroutines, quiet
    benches/live_goroutines.py --load 2 --rounds 3
    benches/live_goroutines.py --program before=/tmp/goro_live.main --program go

Exit status: 0 ok, 2 usage or a missing program, 4 a run failed, 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "build" / "release" / "benches"
KNOWN = {"goro": "goro_live", "go": "goro_go_live"}


@dataclass
class Program:
    label: str
    path: Path
    extra: list[str] = field(default_factory=list)


@dataclass
class Sample:
    wall: float
    user: float
    sys: float
    peak_rss_bytes: int
    minor_faults: int
    parked_bytes: float
    phases: dict = field(default_factory=dict)  # the program's own split: spawn, release, teardown


class RunFailed(Exception):
    pass


def parse_program(text: str, build_dir: Path) -> Program:
    """LABEL=PATH, or a known label (goro, go) found in the build directory."""
    label, sep, path = text.partition("=")
    if not sep:
        if label not in KNOWN:
            raise argparse.ArgumentTypeError(f"{text!r}: give LABEL=PATH, or one of {', '.join(KNOWN)}")
        return Program(label, build_dir / KNOWN[label])
    if not label or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: give LABEL=PATH")
    return Program(label, Path(path))


def start_load(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen(["sh", "-c", "while :; do :; done"], start_new_session=True) for _ in range(count)]


def stop_load(load: list[subprocess.Popen]) -> None:
    for proc in load:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def run_once(program: Program, goroutines: int, workers: int) -> Sample:
    cmd = [str(program.path), "--goroutines", str(goroutines), "--workers", str(workers), *program.extra]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RunFailed(f"{program.label}: {' '.join(cmd)} exited {proc.returncode}: {err.strip()[-400:]}")
    try:
        line = json.loads(out.strip().splitlines()[-1])
        parked = float(line["parked_rss_bytes_per_goroutine"])
    except (IndexError, ValueError, KeyError) as error:
        raise RunFailed(f"{program.label}: no JSON line in its output ({error}): {out[-400:]!r}") from error
    phases = {name: line[name] for name in ("spawn", "release", "teardown") if name in line}
    return Sample(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss * 1024, usage.ru_minflt, parked, phases)


def spread(values: list[float], fmt: str) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return format(median, fmt)
    return f"{format(median, fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def table(samples: dict[str, list[Sample]], goroutines: int) -> str:
    head = ["program", "wall s", "user s", "sys s", "peak RSS MiB", "faults/goroutine", "parked B/goroutine"]
    rows = [head]
    for label, runs in samples.items():
        rows.append([
            label,
            spread([s.wall for s in runs], ".2f"),
            spread([s.user for s in runs], ".2f"),
            spread([s.sys for s in runs], ".2f"),
            spread([s.peak_rss_bytes / 2**20 for s in runs], ".0f"),
            spread([s.minor_faults / goroutines for s in runs], ".2f"),
            spread([s.parked_bytes for s in runs], ".0f"),
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run goro_live and goro_go_live interleaved and report wall, user, sys, "
                    "peak RSS, page faults and parked RSS per goroutine (median, min–max).",
        epilog="Exit status: 0 ok, 2 usage or a missing program, 4 a run failed, 130 interrupted.")
    parser.add_argument("--goroutines", type=int, default=1_000_000, help="goroutines alive at once (default 1000000)")
    parser.add_argument("--workers", type=int, default=2, help="workers / GOMAXPROCS (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--load", type=int, default=0, metavar="K",
                        help="K CPU-bound shell loops beside every run (default 0: quiet)")
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_DIR,
                        help=f"where goro_live and goro_go_live are (default {DEFAULT_DIR.relative_to(ROOT)})")
    parser.add_argument("--program", action="append", metavar="LABEL[=PATH]",
                        help="a program to run (repeatable): goro, go, or LABEL=PATH of a goro_live-like "
                             "binary, e.g. before=/tmp/goro_live.main (default: goro and go)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every sample as JSON")
    args = parser.parse_args(argv)
    if args.goroutines <= 0 or args.workers <= 0 or args.rounds <= 0 or args.load < 0:
        parser.error("--goroutines, --workers and --rounds must be positive, --load not negative")
    try:
        programs = [parse_program(p, args.build_dir) for p in (args.program or ["goro", "go"])]
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    if len({p.label for p in programs}) != len(programs):
        parser.error("two programs share a label")
    missing = [p for p in programs if not os.access(p.path, os.X_OK)]
    if missing:
        for p in missing:
            print(f"live_goroutines: {p.label}: {p.path} is not an executable "
                  "(cmake --build build/release --target goro_live goro_go_live)", file=sys.stderr)
        return 2

    samples: dict[str, list[Sample]] = {p.label: [] for p in programs}
    load: list[subprocess.Popen] = []
    try:
        load = start_load(args.load)
        for round_index in range(args.rounds):
            shift = round_index % len(programs)
            for program in programs[shift:] + programs[:shift]:
                sample = run_once(program, args.goroutines, args.workers)
                samples[program.label].append(sample)
                print(f"round {round_index + 1}/{args.rounds} {program.label}: wall {sample.wall:.2f} s, "
                      f"sys {sample.sys:.2f} s", file=sys.stderr, flush=True)
    except RunFailed as error:
        print(f"live_goroutines: FAILED: {error}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        return 130
    finally:
        stop_load(load)

    print(f"{args.goroutines:,} live goroutines, {args.workers} workers, {args.rounds} interleaved rounds, "
          f"{'quiet' if args.load == 0 else f'{args.load} CPU-bound processes beside'}; median (min–max)")
    print(table(samples, args.goroutines))
    if args.json:
        args.json.write_text(json.dumps({
            "goroutines": args.goroutines, "workers": args.workers, "load": args.load,
            "samples": {label: [vars(s) for s in runs] for label, runs in samples.items()},
        }, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
