"""Exploring a program's schedules in the deterministic world (goro::deterministic): many seeded
runs under a strategy, the first failure's one-line reproduction replayed, and its schedule
shrunk.

The program is any binary linked against goro::deterministic; it is driven only through the
environment its scheduler reads (runtime/include/goro/sync/deterministic.hpp): GORO_DET_SEED,
GORO_DET_STRATEGY, GORO_DET_PCT_DEPTH / _STEPS, GORO_DET_REPLAY, GORO_DET_RECORD, GORO_DET_REPORT.
A run fails when the program exits non-zero (86: the scheduler stopped a hang, 87: a livelock);
exit 2 is the program refusing its input, which is the caller's error, not a finding.

Shrinking: a schedule file lists only the decisions that differ from the default choice, so a
shorter file is a schedule with fewer forced switches. The shrinker drops chunks of decisions
(halving the chunk size, as delta debugging does) while the replay still fails the same way,
within a budget of runs; the result is the smallest failing schedule it found, not a minimum.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

STRATEGIES = ("random", "pct", "portfolio")
EXIT_HANG, EXIT_LIVELOCK, STOPPED = 86, 87, 88
RUN_TIMEOUT = 60.0
REPLAYS = 10
# One malloc arena, no per-thread caches: heap addresses that do not depend on the OS's timing
# (runtime/include/goro/sync/deterministic.hpp). Every run and every printed line carries it.
HEAP_TUNABLES = "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1"
SHRINK_BUDGET = 300  # replays the shrinker may spend on one schedule
# Every explored run carries a step bound (GORO_DET_MAX_STEPS, so it is in the printed line):
# STEPS_FACTOR times the calibrated run's points, at least STEPS_FLOOR. A program that loops on
# synchronisation points without progress (a spin on a lock word a bug left neither free nor
# held) is then reported as a livelock in a fraction of a second instead of after the
# scheduler's default bound, and the exploration stays bounded. The calibration run itself is
# bounded by STEPS_CAP, and so is every run: a calibration that hit the cap (the program spins
# even without forced switches) must not raise the others' bound.
STEPS_FACTOR = 100
STEPS_FLOOR = 1_000_000
STEPS_CAP = 5_000_000


class ExploreError(Exception):
    """ExploreError is a problem with the user's input (the binary, its arguments): exit 2."""


@dataclass(frozen=True)
class Run:
    """Run is one execution: its settings, exit code and the scheduler's report."""
    env: dict[str, str]
    exit_code: int
    report: dict
    stderr: str

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


@dataclass
class Exploration:
    """Exploration is the result of exploring one scenario under one strategy."""
    scenario: str
    strategy: str
    depth: int
    runs: int = 0
    failures: int = 0
    first_failure: int | None = None      # 1-based run number of the first failing run
    failing: Run | None = None
    line: str = ""                          # the one line that reproduces the first failure
    replays_ok: int = 0
    replays: int = 0
    decisions_before: int | None = None
    decisions_after: int | None = None
    switches_before: int | None = None
    switches_after: int | None = None
    pct_bound: float | None = None
    threads: int | None = None
    steps: int | None = None
    max_steps: int | None = None            # the GORO_DET_MAX_STEPS bound of every run
    shrunk_schedule: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def hit_rate(self) -> float:
        return self.failures / self.runs if self.runs else 0.0

    def as_json(self) -> dict:
        return {"scenario": self.scenario, "strategy": self.strategy, "depth": self.depth, "runs": self.runs,
                "failures": self.failures, "hit_rate": self.hit_rate, "first_failure": self.first_failure,
                "exit_code": self.failing.exit_code if self.failing else None, "line": self.line,
                "replays_ok": self.replays_ok, "replays": self.replays,
                "decisions_before": self.decisions_before, "decisions_after": self.decisions_after,
                "switches_before": self.switches_before, "switches_after": self.switches_after,
                "pct_bound": self.pct_bound, "threads": self.threads, "steps": self.steps,
                "max_steps": self.max_steps}


def run_once(command: Sequence[str], env: dict[str, str], workdir: Path) -> Run:
    """run_once() runs the program once with the GORO_DET_* settings in env and its report file."""
    report = workdir / "report.json"
    report.unlink(missing_ok=True)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GORO_DET_")}
    full_env["GLIBC_TUNABLES"] = HEAP_TUNABLES
    full_env.update(env)
    full_env["GORO_DET_REPORT"] = str(report)
    try:
        done = subprocess.run(list(command), env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=RUN_TIMEOUT)
        code, err = done.returncode, done.stderr
    except subprocess.TimeoutExpired:
        code, err = 124, f"timed out after {RUN_TIMEOUT:.0f} s of real time (a real-time dependency?)"
    except OSError as error:
        raise ExploreError(f"{command[0]}: {error.strerror}") from error
    if code < 0:
        code = 128 - code  # killed by a signal: the shell's convention
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return Run(env, code, data, err)


def step_bound(calibrated_steps: int) -> int:
    """step_bound() is the GORO_DET_MAX_STEPS of every explored run (see STEPS_FACTOR)."""
    return max(STEPS_FLOOR, min(STEPS_CAP, STEPS_FACTOR * calibrated_steps))


def strategy_env(strategy: str, seed: int, depth: int, steps: int, max_steps: int | None = None) -> dict[str, str]:
    """strategy_env() is the scheduler's settings for one run of a (non-portfolio) strategy."""
    env = {"GORO_DET_SEED": str(seed), "GORO_DET_STRATEGY": strategy}
    if max_steps is not None:
        env["GORO_DET_MAX_STEPS"] = str(max_steps)
    if strategy == "pct":
        env.update({"GORO_DET_PCT_DEPTH": str(depth), "GORO_DET_PCT_STEPS": str(steps)})
    return env


def portfolio(depth: int) -> list[tuple[str, int]]:
    """portfolio() is the strategies a portfolio cycles through: the random walk, then PCT at
    each depth from 1 to `depth`."""
    return [("random", depth)] + [("pct", d) for d in range(1, depth + 1)]


def reproduce_line(command: Sequence[str], env: dict[str, str]) -> str:
    """reproduce_line() is the shell line that reruns exactly this run."""
    settings = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted({"GLIBC_TUNABLES": HEAP_TUNABLES, **env}.items()))
    return f"{settings} {shlex.join(command)}"


def calibrate(command: Sequence[str], workdir: Path) -> Run:
    """calibrate() runs the program once without forced switches: its step and thread counts
    are PCT's k and n."""
    run = run_once(command, {"GORO_DET_STRATEGY": "none", "GORO_DET_MAX_STEPS": str(STEPS_CAP)}, workdir)
    if run.exit_code == 2:
        raise ExploreError(f"{shlex.join(command)} exits 2 (usage/input error): {run.stderr.strip()[:300]}")
    if not run.report:
        raise ExploreError(f"{command[0]} wrote no GORO_DET_REPORT: is it linked against goro::deterministic?")
    return run


def replay_schedule(command: Sequence[str], schedule: Sequence[str], workdir: Path,
                    max_steps: int | None = None) -> Run:
    """replay_schedule() runs the program on a schedule file holding these decision lines."""
    path = workdir / "candidate.schedule"
    path.write_text("".join(f"{line}\n" for line in schedule), encoding="utf-8")
    env = {"GORO_DET_REPLAY": str(path)}
    if max_steps is not None:
        env["GORO_DET_MAX_STEPS"] = str(max_steps)
    return run_once(command, env, workdir)


def shrink(command: Sequence[str], schedule: list[str], exit_code: int, workdir: Path,
           budget: int = SHRINK_BUDGET, max_steps: int | None = None) -> list[str]:
    """shrink() drops chunks of decisions while the replay still exits with exit_code; returns
    the smallest failing schedule found within `budget` replays."""
    current = list(schedule)
    chunk = max(1, len(current) // 2)
    spent = 0
    while chunk >= 1 and spent < budget:
        start, removed_any = 0, False
        while start < len(current) and spent < budget:
            candidate = current[:start] + current[start + chunk:]
            spent += 1
            if replay_schedule(command, candidate, workdir, max_steps).exit_code == exit_code:
                current, removed_any = candidate, True
            else:
                start += chunk
        if chunk == 1 and not removed_any:
            break
        chunk = chunk // 2 if chunk > 1 else (1 if removed_any else 0)
    return current


def explore(command: Sequence[str], scenario: str, strategy: str, depth: int, runs: int,
            progress: Callable[[str], None] = print, shrink_budget: int = SHRINK_BUDGET) -> Exploration:
    """explore() runs `runs` seeds of `strategy` (random, pct or portfolio) on the program, then
    replays the first failure REPLAYS times from its line and shrinks its schedule."""
    result = Exploration(scenario, strategy, depth)
    with tempfile.TemporaryDirectory(prefix="goro-explore-") as tmp:
        workdir = Path(tmp)
        base = calibrate(command, workdir)
        k = max(1, int(base.report.get("steps", 1)))
        n = max(1, int(base.report.get("threads", 1)))
        result.threads, result.steps, result.max_steps = n, k, step_bound(k)
        if strategy == "pct":
            result.pct_bound = 1.0 / (n * k ** (depth - 1))
        plan = portfolio(depth) if strategy == "portfolio" else [(strategy, depth)]
        for i in range(runs):
            name, d = plan[i % len(plan)]
            run = run_once(command, strategy_env(name, i + 1, d, k, result.max_steps), workdir)
            if run.exit_code == 2:
                raise ExploreError(f"the program exited 2 (input error) under {reproduce_line(command, run.env)}: "
                                   f"{run.stderr.strip()[:300]}")
            result.runs += 1
            if run.failed:
                result.failures += 1
                if result.failing is None:
                    result.first_failure, result.failing = i + 1, run
            if (i + 1) % max(1, runs // 4) == 0 or i + 1 == runs:
                progress(f"explore: {scenario} {strategy}: {i + 1}/{runs} runs, {result.failures} failing")
        if result.failing is None:
            return result
        failing = result.failing
        result.line = reproduce_line(command, failing.env)
        for _ in range(REPLAYS):
            again = run_once(command, failing.env, workdir)
            result.replays += 1
            if again.exit_code == failing.exit_code and again.report.get("hash") == failing.report.get("hash"):
                result.replays_ok += 1
        recorded = workdir / "failing.schedule"
        first = run_once(command, {**failing.env, "GORO_DET_RECORD": str(recorded)}, workdir)
        if first.exit_code != failing.exit_code:
            result.notes.append("recording the failing run changed its outcome")
            return result
        if not recorded.is_file():  # killed by a signal before the scheduler's exit hook wrote it
            result.notes.append(f"the failing run (exit {failing.exit_code}) wrote no schedule: not shrunk")
            return result
        schedule = [line for line in recorded.read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith("#")]
        before = replay_schedule(command, schedule, workdir, result.max_steps)
        if before.exit_code != failing.exit_code:
            result.notes.append("the recorded schedule did not replay the failure")
            return result
        result.decisions_before, result.switches_before = len(schedule), before.report.get("switches")
        small = shrink(command, schedule, failing.exit_code, workdir, shrink_budget, result.max_steps)
        after = replay_schedule(command, small, workdir, result.max_steps)
        result.decisions_after, result.switches_after = len(small), after.report.get("switches")
        result.shrunk_schedule = "".join(f"{line}\n" for line in small)
    return result


def table(results: Sequence[Exploration]) -> str:
    """table() is the result table: scenario × strategy → runs to find, hit rate (PCT: beside its
    bound), replays, shrunk schedule (decisions that differ from the default; switches)."""
    head = ("scenario", "strategy", "runs", "found at run", "hit rate", "PCT bound", "replays",
            "decisions before→after", "switches before→after")
    rows = [head]
    for r in results:
        rows.append((r.scenario, r.strategy + (f" d={r.depth}" if r.strategy != "random" else ""), str(r.runs),
                     str(r.first_failure) if r.first_failure else "not found",
                     f"{r.failures}/{r.runs} ({100 * r.hit_rate:.1f}%)",
                     f"{r.pct_bound:.2g}" if r.pct_bound is not None else "-",
                     f"{r.replays_ok}/{r.replays}" if r.replays else "-",
                     f"{r.decisions_before}→{r.decisions_after}" if r.decisions_before is not None else "-",
                     f"{r.switches_before}→{r.switches_after}" if r.switches_before is not None else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_line(line: str) -> tuple[dict[str, str], list[str]]:
    """parse_line() splits a printed reproducing line into its GORO_DET_* settings and the
    command; ExploreError when it holds no command."""
    words = shlex.split(line)
    env: dict[str, str] = {}
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        name, value = words.pop(0).split("=", 1)
        if name.startswith("GORO_DET_") or name in ("GORO_WORKERS", "GORO_POLICY"):
            env[name] = value
    if not words:
        raise ExploreError(f"--replay: no program in the line {line!r}")
    return env, words


@dataclass
class Stop:
    """Stop is a replay run to its failing step: how it ended and the world it showed there."""
    exit_code: int
    outcome: str
    failing_step: int | None
    states: str


def replay_to_failure(command: Sequence[str], env: dict[str, str]) -> Stop:
    """replay_to_failure() runs one schedule (a seed line's settings or GORO_DET_REPLAY) and,
    when it fails, runs it again to its failing step (GORO_DET_STOP_AT) so the scheduler prints
    the threads' and goroutines' states there. A hang or livelock stops at its step by itself."""
    with tempfile.TemporaryDirectory(prefix="goro-replay-") as tmp:
        workdir = Path(tmp)
        first = run_once(command, env, workdir)
        if first.exit_code == 2:
            raise ExploreError(f"{shlex.join(command)} exits 2 (usage/input error): {first.stderr.strip()[:300]}")
        if not first.report:
            raise ExploreError(f"{command[0]} wrote no GORO_DET_REPORT: is it linked against goro::deterministic?")
        outcome = str(first.report.get("outcome", "?"))
        if first.exit_code == 0:
            return Stop(0, outcome, None, "")
        if outcome in ("hang", "livelock", "abort"):
            return Stop(first.exit_code, outcome, int(first.report.get("failing_step", -1)), first.stderr)
        step = int(first.report.get("failing_step", -1))
        if step < 1:  # no recorded failure: the program's own check failed after its run; its last step
            step = max(1, int(first.report.get("steps", 1)) - 1)
        stopped = run_once(command, {**env, "GORO_DET_STOP_AT": str(step)}, workdir)
        if stopped.exit_code != STOPPED:
            return Stop(first.exit_code, outcome, step, first.stderr + "\n(the stop at step "
                        f"{step} did not happen: exit {stopped.exit_code}; the run is not replaying exactly)\n")
        return Stop(first.exit_code, outcome, step, stopped.stderr)
