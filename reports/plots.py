"""Matplotlib figures for the report, written as reproducible SVG files.

Reproducible: a fixed `svg.hashsalt` (element ids do not change between runs), no Date metadata,
and the Agg backend (no display needed). Times are plotted on log axes: backends differ by orders
of magnitude.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from .gbjson import Samples, parse_name  # noqa: E402
from .tables import FAMILY_TITLES, Heatmap  # noqa: E402
from .verdicts import IMPROVEMENT, REGRESSION, SAME, Comparison  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "goro-report"
matplotlib.rcParams["font.size"] = 9
FAMILY_COLOURS = {"goro": "#1f77b4", "thread": "#7f7f7f", "fiber": "#2ca02c", "go": "#17becf"}
VERDICT_COLOURS = {REGRESSION: "#d62728", IMPROVEMENT: "#2ca02c", SAME: "#7f7f7f"}


def save(figure: plt.Figure, path: Path) -> Path:
    """save() writes an SVG without dates and closes the figure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    return path


def distribution(workload: str, samples: Mapping[str, Samples], path: Path) -> Path:
    """distribution() is a strip plot of every repetition per backend/workers (violins when a
    backend has at least 5 repetitions), log-scaled ns/op."""
    entries = sorted(((parse_name(n), s) for n, s in samples.items()
                      if parse_name(n).workload == workload and s.real_time_ns),
                     key=lambda e: (e[0].workers or 0, e[0].backend))
    figure, axes = plt.subplots(figsize=(max(4.0, 0.45 * len(entries) + 1.5), 3.2))
    for index, (name, sample) in enumerate(entries):
        values = np.asarray(sample.real_time_ns)
        colour = FAMILY_COLOURS.get(name.family, "#333333")
        if len(values) >= 5 and np.ptp(values) > 0:
            parts = axes.violinplot([values], positions=[index], widths=0.7, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_alpha(0.25)
        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        axes.scatter(index + jitter, values, s=10, color=colour, zorder=3)
        axes.hlines(np.median(values), index - 0.3, index + 0.3, color="black", linewidth=1)
    axes.set_xticks(range(len(entries)))
    axes.set_xticklabels([f"{e[0].backend}\nw{e[0].workers}" for e in entries], rotation=60,
                         ha="right", fontsize=7)
    axes.set_yscale("log")
    axes.set_ylabel("ns/op (each dot a repetition)")
    axes.set_title(workload)
    axes.grid(axis="y", alpha=0.3)
    return save(figure, path)


def scaling(workload: str, samples: Mapping[str, Samples], path: Path) -> Path:
    """scaling() plots median ns/op against workers, one line per backend."""
    lines: dict[str, list[tuple[int, float]]] = {}
    for name, sample in samples.items():
        parsed = parse_name(name)
        if parsed.workload == workload and sample.real_time_ns and parsed.workers is not None:
            lines.setdefault(parsed.backend, []).append((parsed.workers,
                                                         float(np.median(sample.real_time_ns))))
    figure, axes = plt.subplots(figsize=(4.6, 3.0))
    for backend, points in sorted(lines.items()):
        points.sort()
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=backend,
                  color=FAMILY_COLOURS.get(backend.split("/")[0]),
                  linestyle="-" if backend.startswith("goro") else "--")
    axes.set_xlabel("workers")
    axes.set_ylabel("median ns/op")
    axes.set_yscale("log")
    axes.set_title(workload)
    workers = sorted({p[0] for pts in lines.values() for p in pts})
    axes.set_xticks(workers or [1])
    axes.grid(alpha=0.3)
    if lines:
        axes.legend(fontsize=6, loc="best")
    return save(figure, path)


def heatmap(data: Heatmap, path: Path) -> Path:
    """heatmap() colours each workload × policy cell by its time relative to the workload's best
    policy (1.00 = best), annotated with that ratio."""
    matrix = np.asarray(data.medians, float)
    best = np.nanmin(np.where(np.isnan(matrix), np.inf, matrix), axis=1, keepdims=True)
    relative = matrix / best
    figure, axes = plt.subplots(figsize=(1.4 * len(data.policies) + 2.5, 0.35 * len(data.workloads) + 1.2))
    image = axes.imshow(relative, cmap="RdYlGn_r", vmin=1.0, vmax=2.0, aspect="auto")
    axes.set_xticks(range(len(data.policies)))
    axes.set_xticklabels(data.policies)
    axes.set_yticks(range(len(data.workloads)))
    axes.set_yticklabels(data.workloads, fontsize=7)
    for row in range(relative.shape[0]):
        for column in range(relative.shape[1]):
            value = relative[row, column]
            axes.text(column, row, "–" if math.isnan(value) else f"{value:.2f}", ha="center",
                      va="center", fontsize=7)
    axes.set_title(f"goro policies, workers={data.workers} (time / best policy)")
    figure.colorbar(image, ax=axes, fraction=0.04)
    return save(figure, path)


def forest(rows: Sequence[Comparison], path: Path) -> Path:
    """forest() draws r with its bootstrap CI per benchmark, the noise band shaded."""
    shown = [r for r in rows if not math.isnan(r.ci_low)]
    figure, axes = plt.subplots(figsize=(6.5, 0.22 * len(shown) + 1.2))
    for index, row in enumerate(shown):
        colour = VERDICT_COLOURS.get(row.verdict, "#ff7f0e")
        axes.fill_betweenx([index - 0.4, index + 0.4], 1 / (1 + row.band), 1 + row.band,
                           color="#dddddd", zorder=0)
        axes.hlines(index, row.ci_low, row.ci_high, color=colour, linewidth=2)
        axes.plot(row.ratio, index, "o", color=colour, markersize=4)
    axes.axvline(1.0, color="black", linewidth=0.8)
    axes.set_yticks(range(len(shown)))
    axes.set_yticklabels([r.name for r in shown], fontsize=6)
    axes.set_xscale("log")
    axes.set_xlabel("r = B/A (oriented: > 1 is worse); grey = noise band")
    axes.invert_yaxis()
    return save(figure, path)


def history(title: str, series: Mapping[str, tuple[list[str], list[float], list[int]]],
            path: Path) -> Path:
    """history() draws median ns/op per record for each benchmark, change points as dashed lines."""
    figure, axes = plt.subplots(figsize=(6.5, 3.0))
    for name, (labels, medians, changes) in sorted(series.items()):
        line, = axes.plot(range(len(medians)), medians, marker=".", label=name)
        for index in changes:
            axes.axvline(index - 0.5, color=line.get_color(), linestyle="--", linewidth=0.8)
    labels = next(iter(series.values()))[0] if series else []
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=60, ha="right", fontsize=6)
    axes.set_yscale("log")
    axes.set_ylabel("median ns/op")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    if series:
        axes.legend(fontsize=6)
    return save(figure, path)


def family_title(family: str) -> str:
    """family_title() is a backend family's display name."""
    return FAMILY_TITLES.get(family, family)
