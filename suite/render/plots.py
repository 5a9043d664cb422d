"""Matplotlib figures for the report, written as reproducible SVG files.

Reproducible: a fixed `svg.hashsalt` (element ids do not change between runs), no Date metadata,
and the Agg backend (no display needed). Times are plotted on log axes: backends differ by orders
of magnitude.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from ..analysis.verdicts import IMPROVEMENT, REGRESSION, SAME, Comparison  # noqa: E402
from ..results.gbjson import FAMILIES, FAMILY_TITLES, Samples, parse_name  # noqa: E402
from .tables import Heatmap  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "goro-report"
matplotlib.rcParams["font.size"] = 9
# One colour and one marker per backend (goro's policies and each peer), distinct in hue and in
# shape so lines stay apart in grey print and for colour-blind readers (Tableau 10 hues). goro's
# lines are solid, the peers' dashed. A backend not listed gets a grey and a dot.
BACKEND_STYLES: dict[str, tuple[str, str]] = {
    "goro/go": ("#1f77b4", "o"), "goro/steal": ("#ff7f0e", "s"), "goro/fifo": ("#9467bd", "^"),
    "thread": ("#7f7f7f", "x"), "fiber/shared_work": ("#2ca02c", "D"),
    "fiber/round_robin": ("#8c564b", "v"), "fiber/work_stealing": ("#bcbd22", "P"),
    "go": ("#17becf", "*"),
}
VERDICT_COLOURS = {REGRESSION: "#d62728", IMPROVEMENT: "#2ca02c", SAME: "#7f7f7f"}


# goro/<policy> of a user's own (register_policy, `--extra-binary`): hues and shapes none of the
# above has, chosen by the name (the same policy looks the same in every report).
USER_POLICY_STYLES: tuple[tuple[str, str], ...] = (("#d62728", "p"), ("#e377c2", "h"), ("#000000", "X"))


def backend_style(backend: str) -> tuple[str, str]:
    """backend_style() is (colour, marker) of a backend such as goro/steal or thread."""
    if backend not in BACKEND_STYLES and backend.startswith("goro/"):
        return USER_POLICY_STYLES[zlib.crc32(backend.encode()) % len(USER_POLICY_STYLES)]
    return BACKEND_STYLES.get(backend, ("#333333", "."))


def linestyle(backend: str) -> str:
    """linestyle() is solid for goro's policies, dashed for the peers."""
    return "-" if backend.split("/")[0] == "goro" else "--"


def backend_order(backend: str) -> tuple[int, str]:
    """backend_order() sorts backends family by family (goro first), then by name."""
    family = backend.split("/")[0]
    return (FAMILIES.index(family) if family in FAMILIES else len(FAMILIES), backend)


def outside_legend(axes: plt.Axes, show: bool) -> None:
    """outside_legend() puts the legend to the right of the plot area: it never covers data."""
    if show:
        axes.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                    frameon=False)


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
        colour, marker = backend_style(name.backend)
        if len(values) >= 5 and np.ptp(values) > 0:
            parts = axes.violinplot([values], positions=[index], widths=0.7, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_alpha(0.25)
        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        axes.scatter(index + jitter, values, s=10, color=colour, marker=marker, zorder=3)
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
    figure, axes = plt.subplots(figsize=(5.4, 3.0))
    for backend, points in sorted(lines.items(), key=lambda item: backend_order(item[0])):
        points.sort()
        colour, marker = backend_style(backend)
        axes.plot([p[0] for p in points], [p[1] for p in points], marker=marker, label=backend,
                  color=colour, linestyle=linestyle(backend))
    axes.set_xlabel("workers")
    axes.set_ylabel("median ns/op")
    axes.set_yscale("log")
    axes.set_title(workload)
    workers = sorted({p[0] for pts in lines.values() for p in pts})
    axes.set_xticks(workers or [1])
    axes.grid(alpha=0.3)
    outside_legend(axes, bool(lines))
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


@dataclass(frozen=True)
class HistorySeries:
    """HistorySeries is one backend's median per record (NaN where absent) and its change points."""
    medians: list[float]
    changes: list[int]


def history(title: str, labels: Sequence[str], reachable: Sequence[bool],
            series: Mapping[str, HistorySeries], path: Path) -> Path:
    """history() draws median time per record for each backend, in the given (commit) order;
    records off the branch hollow, change points as dashed lines in the backend's colour."""
    figure, axes = plt.subplots(figsize=(7.5, 3.0))
    xs = np.arange(len(labels))
    off = np.asarray([not r for r in reachable])
    for backend, line in sorted(series.items(), key=lambda item: backend_order(item[0])):
        colour, marker = backend_style(backend)
        values = np.asarray(line.medians, float)
        axes.plot(xs[~off], values[~off], marker=marker, color=colour, label=backend,
                  linestyle=linestyle(backend), markersize=4)
        if off.any():
            axes.plot(xs[off], values[off], marker=marker, color=colour, linestyle="none",
                      markerfacecolor="none", markersize=5)
        for index in line.changes:  # gid: the SVG element says what it is (tests look for it)
            axes.axvline(index - 0.5, color=colour, linestyle=":", linewidth=1.2,
                         gid=f"changepoint-{backend}-{index}")
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=60, ha="right", fontsize=6)
    axes.set_yscale("log")
    axes.set_ylabel("median time per op (ns)")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    outside_legend(axes, bool(series))
    return save(figure, path)


def family_title(family: str) -> str:
    """family_title() is a backend family's display name."""
    return FAMILY_TITLES.get(family, family)
