"""Matplotlib figures of one execution trace (suite/analysis/trace.py), as reproducible SVG.

timeline(): one lane per worker — goroutine runs coloured by goroutine, spins hatched orange,
sleeps light grey — with steals (▼) and wakes (▲) marked above the lane. A full benchmark run
holds far more slices than a picture can show, so the timeline draws a window (by default the
`window_us` µs from the run in the middle of the trace) and says so in its title.
waits(): the run-queue wait (runnable → running) distribution, log-scaled, by cause.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from ..analysis.trace import Trace, Wait  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "goro-report"
# Goroutines cycle through these (Tableau 10 minus orange and grey, which mean spin and sleep).
GOROUTINE_COLOURS = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
SPIN_COLOUR, SLEEP_COLOUR = "#ff7f0e", "#d9d9d9"
CAUSE_COLOURS = {"spawn": "#9467bd", "ready": "#1f77b4", "yield": "#2ca02c"}


def default_window(trace: Trace, window_us: float) -> tuple[float, float]:
    """default_window() is window_us of steady state: it starts at the goroutine run in the
    middle of the trace (a benchmark's first runs are its set-up), clipped to the trace's end."""
    runs = [s.start for s in trace.slices if s.kind == "run"]
    start = runs[len(runs) // 2] if runs else trace.start
    return start, min(trace.end, start + window_us)


def timeline(trace: Trace, out: Path, window: tuple[float, float]) -> Path:
    """timeline() draws the worker lanes over `window` (µs since the trace began)."""
    lo, hi = window
    lanes = trace.workers
    figure, axes = plt.subplots(figsize=(11, 0.9 + 0.75 * lanes))
    for worker in range(lanes):
        runs, colours, spins, sleeps = [], [], [], []
        for s in trace.slices:
            if s.worker != worker or s.end < lo or s.start > hi:
                continue
            span = (max(s.start, lo) - lo, min(s.end, hi) - max(s.start, lo))
            if s.kind == "run":
                runs.append(span)
                colours.append(GOROUTINE_COLOURS[s.goroutine % len(GOROUTINE_COLOURS)])
            elif s.kind == "spin":
                spins.append(span)
            else:
                sleeps.append(span)
        y = (lanes - 1 - worker, 0.6)
        axes.broken_barh(sleeps, y, facecolors=SLEEP_COLOUR, edgecolor="none", label="sleep" if worker == 0 else None)
        axes.broken_barh(spins, y, facecolors="none", edgecolor=SPIN_COLOUR, hatch="////", linewidth=0.0,
                         label="spin" if worker == 0 else None)
        axes.broken_barh(runs, y, facecolors=colours, edgecolor="none",
                         label="goroutine run (colour = goroutine)" if worker == 0 else None)
    for name, marker, colour, dy in (("steal", "v", "#000000", 0.72), ("wake", "^", "#d62728", 0.72)):
        xs = [i.ts - lo for i in trace.instants if i.name == name and lo <= i.ts <= hi and i.worker < lanes]
        ys = [lanes - 1 - i.worker + dy for i in trace.instants if i.name == name and lo <= i.ts <= hi and i.worker < lanes]
        if xs:
            axes.scatter(xs, ys, marker=marker, s=14, color=colour, label=name, zorder=3)
    axes.set_yticks([lanes - 1 - w + 0.3 for w in range(lanes)], [f"worker {w}" for w in range(lanes)])
    axes.set_xlim(0, max(hi - lo, 1e-3))
    axes.set_ylim(-0.2, lanes + 0.1)
    axes.set_xlabel(f"µs from {lo:,.1f} µs into the trace")
    axes.set_title(f"{trace.policy}, {trace.workers} workers: {hi - lo:,.0f} µs window of a "
                   f"{trace.end - trace.start:,.0f} µs trace", fontsize=9)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="svg", metadata={"Date": None})
    plt.close(figure)
    return out


def waits(samples: list[Wait], out: Path, title: str) -> Path:
    """waits() draws the run-queue wait distribution per cause (log-spaced bins, µs)."""
    figure, axes = plt.subplots(figsize=(8, 3.2))
    values = [max(w.microseconds, 1e-3) for w in samples]
    if values:
        bins = np.logspace(np.log10(min(values)), np.log10(max(values) * 1.001 + 1e-3), 40)
        for cause in ("spawn", "ready", "yield"):
            chosen = [max(w.microseconds, 1e-3) for w in samples if w.cause == cause]
            if chosen:
                axes.hist(chosen, bins=bins, histtype="step", linewidth=1.4, color=CAUSE_COLOURS[cause],
                          label=f"{cause} ({len(chosen)}, median {np.median(chosen):.2f} µs)")
        axes.set_xscale("log")
        axes.legend(fontsize=7, frameon=False)
    axes.set_xlabel("run-queue wait: runnable → running (µs, log)")
    axes.set_ylabel("runs")
    axes.set_title(title, fontsize=9)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="svg", metadata={"Date": None})
    plt.close(figure)
    return out
