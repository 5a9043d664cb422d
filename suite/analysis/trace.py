"""Reading and analysing a goro execution trace (GORO_TRACE=file, runtime/src/trace.hpp).

The file is Chrome trace-event JSON: one track (tid) per worker, plus one for threads that are
not workers. load() checks the schema Perfetto needs (ph, ts, pid, tid, name; dur on "X") and
goro's own vocabulary, and raises TraceError (a user error: exit 2) on anything else. The
analysis answers what a benchmark's number alone cannot:
  - utilisation(): per worker, the share of the traced window spent running goroutines,
    spinning for work, asleep on the futex, and elsewhere (the scheduler loop, timers);
  - runqueue_waits(): per goroutine run, how long it waited runnable — from its spawn, its
    ready (after a park) or its yield to the start of the run (Go's "scheduler latency");
  - summary(): steals (by victim), wakes, sleeps, spins (and how many found nothing), park
    reasons, and hand-offs — a ready on one worker whose goroutine then ran on another.
Standard library only: the trace command's reader works before the packages step.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..results.gbjson import FormatError

SLICE_KINDS = ("run", "spin", "sleep")
INSTANT_NAMES = ("spawn", "ready", "wake", "steal", "timers")


class TraceError(FormatError):
    """TraceError: the file is not a goro execution trace (one line says why)."""


@dataclass(frozen=True)
class Slice:
    """Slice is one "X" event on a worker: a goroutine run, a spin or a sleep (times in µs)."""
    worker: int
    kind: str             # run | spin | sleep
    start: float
    end: float
    goroutine: int = 0    # run only
    ended: str = ""       # run only: yield | park | exit
    reason: str = ""      # run ending in a park: chan send, chan recv, select, mutex, ...
    found: bool = False   # spin only: it found a goroutine


@dataclass(frozen=True)
class Instant:
    """Instant is one "i" event: spawn, ready, wake, steal or timers, with its arguments."""
    worker: int
    name: str
    ts: float
    args: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Trace:
    """Trace is a loaded trace file: its runtime's policy and workers, slices and instants."""
    path: Path
    policy: str
    workers: int
    dropped: int
    slices: list[Slice]
    instants: list[Instant]

    @property
    def start(self) -> float:
        times = [s.start for s in self.slices] + [i.ts for i in self.instants]
        return min(times, default=0.0)

    @property
    def end(self) -> float:
        times = [s.end for s in self.slices] + [i.ts for i in self.instants]
        return max(times, default=0.0)


def _number(event: dict[str, Any], key: str, where: str) -> float:
    value = event.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise TraceError(f"{where}: '{key}' must be a number ≥ 0, got {value!r}")
    return float(value)


def load(path: Path) -> Trace:
    """load() reads and checks a trace file; TraceError names the first problem."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TraceError(f"{path}: not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("traceEvents"), list):
        raise TraceError(f"{path}: no traceEvents array (not a Chrome trace-event file)")
    other = document.get("otherData") if isinstance(document.get("otherData"), dict) else {}
    if "policy" not in other or "workers" not in other:
        raise TraceError(f"{path}: no otherData.policy/workers (not written by goro's tracer)")
    slices: list[Slice] = []
    instants: list[Instant] = []
    for number, event in enumerate(document["traceEvents"]):
        where = f"{path}: event {number}"
        if not isinstance(event, dict):
            raise TraceError(f"{where}: not an object")
        for key in ("ph", "pid", "tid", "name"):
            if key not in event:
                raise TraceError(f"{where}: no '{key}'")
        phase, name = event["ph"], event["name"]
        if phase == "M":
            continue
        ts = _number(event, "ts", where)
        tid = int(_number(event, "tid", where))
        args = event.get("args") if isinstance(event.get("args"), dict) else {}
        if phase == "X":
            end = ts + _number(event, "dur", where)
            category = event.get("cat", name)
            if category == "run":
                slices.append(Slice(tid, "run", ts, end, goroutine=int(args.get("g", 0)),
                                    ended=str(args.get("end", "")), reason=str(args.get("reason", ""))))
            elif name in ("spin", "sleep"):
                slices.append(Slice(tid, name, ts, end, found=bool(args.get("found", False))))
            else:
                raise TraceError(f"{where}: unknown slice {name!r}")
        elif phase == "i":
            if name not in INSTANT_NAMES:
                raise TraceError(f"{where}: unknown instant {name!r}")
            instants.append(Instant(tid, name, ts, args))
        else:
            raise TraceError(f"{where}: phase {phase!r} (goro writes X, i and M)")
    slices.sort(key=lambda s: (s.start, s.worker))
    instants.sort(key=lambda i: (i.ts, i.worker))
    return Trace(Path(path), str(other["policy"]), int(other["workers"]), int(other.get("dropped", 0)),
                 slices, instants)


@dataclass(frozen=True)
class Utilisation:
    """Utilisation is one worker's share of the traced window, by what it was doing."""
    worker: int
    running: float
    spinning: float
    sleeping: float

    @property
    def other(self) -> float:
        return max(0.0, 1.0 - self.running - self.spinning - self.sleeping)


def utilisation(trace: Trace) -> list[Utilisation]:
    """utilisation() is each worker's running/spinning/sleeping share of [trace.start, trace.end]."""
    window = trace.end - trace.start
    rows = []
    for worker in range(trace.workers):
        busy = Counter()
        for s in trace.slices:
            if s.worker == worker:
                busy[s.kind] += s.end - s.start
        share = (lambda k: busy[k] / window) if window > 0 else (lambda k: 0.0)
        rows.append(Utilisation(worker, share("run"), share("spin"), share("sleep")))
    return rows


@dataclass(frozen=True)
class Wait:
    """Wait is one stretch a goroutine spent runnable before a run: why it became runnable,
    where (the worker that made it runnable, -1 outside) and where it then ran."""
    goroutine: int
    cause: str        # spawn | ready | yield
    microseconds: float
    from_worker: int
    to_worker: int


def runqueue_waits(trace: Trace) -> list[Wait]:
    """runqueue_waits() pairs every run slice with what made its goroutine runnable: the spawn
    or ready instant, or the end of its previous run when that run yielded."""
    outside = trace.workers
    pending: dict[int, tuple[str, float, int]] = {}
    events: list[tuple[float, int, Any]] = []
    for i in trace.instants:
        if i.name in ("spawn", "ready"):
            events.append((i.ts, 0, i))
    for s in trace.slices:
        if s.kind == "run":
            events.append((s.start, 1, s))
    events.sort(key=lambda e: (e[0], e[1]))
    waits = []
    for _, _, item in events:
        if isinstance(item, Instant):
            worker = -1 if item.worker == outside else item.worker
            pending[int(item.args.get("g", 0))] = (item.name, item.ts, worker)
            continue
        cause = pending.pop(item.goroutine, None)
        if cause is not None:
            waits.append(Wait(item.goroutine, cause[0], item.start - cause[1], cause[2], item.worker))
        if item.ended == "yield":
            pending[item.goroutine] = ("yield", item.end, item.worker)
    return waits


@dataclass
class Summary:
    """Summary counts what the scheduler did during the trace."""
    runs: int = 0
    run_microseconds: float = 0.0
    parks: Counter = field(default_factory=Counter)      # reason → count
    steals: Counter = field(default_factory=Counter)     # (thief, victim) → count
    wakes: Counter = field(default_factory=Counter)      # (waker, target) → count; waker -1: outside
    sleeps: int = 0
    sleep_microseconds: float = 0.0
    spins: int = 0
    spins_empty: int = 0
    spin_microseconds: float = 0.0
    handoffs: int = 0          # readies whose goroutine then ran on another worker
    readies: int = 0
    timers_fired: int = 0


def summary(trace: Trace, waits: list[Wait] | None = None) -> Summary:
    """summary() counts runs, parks by reason, steals, wakes, sleeps, spins and hand-offs."""
    result = Summary()
    for s in trace.slices:
        if s.kind == "run":
            result.runs += 1
            result.run_microseconds += s.end - s.start
            if s.ended == "park":
                result.parks[s.reason or "other"] += 1
        elif s.kind == "sleep":
            result.sleeps += 1
            result.sleep_microseconds += s.end - s.start
        else:
            result.spins += 1
            result.spins_empty += not s.found
            result.spin_microseconds += s.end - s.start
    for i in trace.instants:
        worker = -1 if i.worker == trace.workers else i.worker
        if i.name == "steal":
            result.steals[(worker, int(i.args.get("victim", -1)))] += 1
        elif i.name == "wake":
            result.wakes[(worker, int(i.args.get("target", -1)))] += 1
        elif i.name == "timers":
            result.timers_fired += int(i.args.get("fired", 0))
    for w in waits if waits is not None else runqueue_waits(trace):
        if w.cause == "ready":
            result.readies += 1
            result.handoffs += w.from_worker != w.to_worker
    return result
