"""The report's trace pages: one page per traced run in <report>/traces/, and an index.

A traced run is `traces/<name>.json` (the tracer's file) with an optional `traces/<name>.meta.json`
beside it (what `scripts/suite trace` ran: benchmark, command, git sha). write_all() renders
`trace_<name>.html` for each and `traces.html` listing them; the figures go to `traces/*.svg`
(not plots/, which every report render empties).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Sequence

import jinja2
import numpy as np

from . import traceplots
from .pages import environment as template_environment
from ..analysis import trace as tracing

# The timeline's default window: long enough for ~100 hand-offs of a channel ping-pong (~0.5 µs
# a round trip), short enough that each run of it is still a few pixels wide.
WINDOW_US = 50.0


def _lenient_meta(path: Path) -> dict[str, Any]:
    meta_path = path.with_name(path.stem + ".meta.json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"benchmark": None, "command": None, "git_sha": None}
    return {"benchmark": meta.get("benchmark"), "command": meta.get("command"), "git_sha": meta.get("git_sha")}


def page_name(trace_file: Path) -> str:
    """page_name() is the HTML page of a trace file: traces/x.json → trace_x.html."""
    return "trace_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", trace_file.stem) + ".html"


def _micro(value: float) -> str:
    return f"{value:,.2f} µs" if value < 1000 else f"{value / 1000:,.2f} ms"


def wait_rows(waits: Sequence[tracing.Wait]) -> list[dict[str, Any]]:
    """wait_rows() is the run-queue wait percentiles per cause (and for all runs)."""
    rows = []
    for cause in ("ready", "spawn", "yield", "all"):
        values = np.array([w.microseconds for w in waits if cause in ("all", w.cause)])
        if values.size == 0:
            continue
        p50, p90, p99 = np.percentile(values, [50, 90, 99])
        rows.append({"cause": cause, "count": int(values.size), "p50": _micro(p50), "p90": _micro(p90),
                     "p99": _micro(p99), "max": _micro(float(values.max()))})
    return rows


def write_one(trace_file: Path, out: Path, pages: Sequence[tuple[str, str]],
              environment: jinja2.Environment | None = None) -> tuple[Path, tracing.Trace]:
    """write_one() renders the page of one trace file into `out`; returns the page and the trace."""
    environment = environment or template_environment()
    trace = tracing.load(trace_file)
    waits = tracing.runqueue_waits(trace)
    summary = tracing.summary(trace, waits)
    stem = trace_file.stem
    figures = out / "traces"
    window = traceplots.default_window(trace, WINDOW_US)
    timeline = traceplots.timeline(trace, figures / f"{stem}.timeline.svg", window)
    waits_plot = traceplots.waits(waits, figures / f"{stem}.waits.svg",
                                  f"{trace.policy}, {trace.workers} workers: run-queue wait")
    name = page_name(trace_file)
    html = environment.get_template("trace.html").render(
        title=f"trace: {stem}", pages=pages, current="traces.html", trace=trace,
        meta=_lenient_meta(trace_file), summary=summary, utilisation=tracing.utilisation(trace),
        wait_rows=wait_rows(waits), window_us=window[1] - window[0],
        timeline=timeline.relative_to(out).as_posix(), waits_plot=waits_plot.relative_to(out).as_posix(),
        raw=trace_file.relative_to(out).as_posix() if trace_file.is_relative_to(out) else trace_file.as_uri(),
        steal_note=" ".join(f"{t}←{v}: {n}" for (t, v), n in sorted(summary.steals.items())),
        wake_note=" ".join(f"{'outside' if w < 0 else w}→{t}: {n}" for (w, t), n in sorted(summary.wakes.items())),
        percent=lambda x: f"{100 * x:.1f}%", command=" ".join(["scripts/suite", *sys.argv[1:]]))
    (out / name).write_text(html, encoding="utf-8")
    return out / name, trace


def trace_files(out: Path) -> list[Path]:
    """trace_files() lists the trace files of a report directory (not their .meta.json)."""
    return sorted(p for p in (out / "traces").glob("*.json") if not p.name.endswith(".meta.json"))


def write_all(out: Path, pages: Sequence[tuple[str, str]]) -> Path:
    """write_all() renders every trace page and the traces.html index; returns the index. A file
    that is not a goro trace is listed as such, not fatal: the rest of the report still renders."""
    environment = template_environment()
    listed = []
    for trace_file in trace_files(out):
        try:
            page, trace = write_one(trace_file, out, pages, environment)
        except tracing.TraceError as error:
            listed.append({"page": trace_file.relative_to(out).as_posix(), "title": trace_file.name,
                           "line": f"not a goro trace: {error}"})
            continue
        meta = _lenient_meta(trace_file)
        listed.append({"page": page.name, "title": meta["benchmark"] or trace_file.stem,
                       "line": f"{trace.policy}, {trace.workers} workers, "
                               f"{(trace.end - trace.start) / 1000:,.1f} ms traced"})
    html = environment.get_template("traces.html").render(
        title="execution traces", pages=pages, current="traces.html", traces=listed,
        command=" ".join(["scripts/suite", *sys.argv[1:]]))
    (out / "traces.html").write_text(html, encoding="utf-8")
    return out / "traces.html"
