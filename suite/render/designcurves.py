"""The Designs section: load–latency curves (p99 against offered load, log scale, one line per
design) and the per-design table (max load under the SLO, throughput, CPU, CPU/wall, p99 wake-up
latency), for the report's designs page and for `scripts/suite designs`."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

from ..analysis import loadlatency
from ..results.gbjson import Samples
from . import units
from .plots import backend_order, backend_style, linestyle, outside_legend, plt, save


def curve_figure(form: str, workers: int, curves: list[loadlatency.Curve], path: Path) -> Path:
    """curve_figure() draws one form at one worker count: p99 (µs, log) against offered load,
    the SLO as a dotted line, unreached points as a hollow marker on the top edge."""
    figure, axes = plt.subplots(figsize=(5.4, 3.2))
    top = 0.0
    for curve in curves:
        top = max([top, *(p.p99 for p in curve.points if p.reached)])
    top = top / 1e3 * 2 if top > 0 else 1e3
    for curve in sorted(curves, key=lambda c: backend_order(c.backend)):
        colour, marker = backend_style(curve.backend)
        reached = [p for p in curve.points if p.reached]
        axes.plot([p.load for p in reached], [p.p99 / 1e3 for p in reached], marker=marker, color=colour,
                  linestyle=linestyle(curve.backend), label=loadlatency.design_title(curve.backend))
        missed = [p for p in curve.points if not p.reached]
        if missed:
            axes.plot([p.load for p in missed], [top] * len(missed), marker=marker, color=colour,
                      linestyle="none", markerfacecolor="none")
    slo = next((p.slo for c in curves for p in c.points if math.isfinite(p.slo)), None)
    if slo:
        axes.axhline(slo / 1e3, color="#d62728", linestyle=":", linewidth=1)
        axes.annotate("SLO", (0.01, slo / 1e3), xycoords=("axes fraction", "data"), fontsize=7, color="#d62728")
    axes.set_yscale("log")
    axes.set_xlabel("offered load per worker (%)   ○ on the top edge: not reached")
    axes.set_ylabel("p99 response time (µs)")
    axes.set_title(f"openloop/{form}, workers={workers}")
    axes.grid(alpha=0.3)
    outside_legend(axes, bool(curves))
    return save(figure, path)


def section(samples: Mapping[str, Samples], plots_dir: Path) -> dict[str, Any]:
    """section() is the template data of the Designs section: figures and the table rows."""
    all_curves = loadlatency.curves(dict(samples))
    groups: dict[tuple[str, int], list[loadlatency.Curve]] = {}
    for curve in all_curves:
        groups.setdefault((curve.form, curve.workers), []).append(curve)
    figures = []
    for (form, workers), group in sorted(groups.items()):
        path = curve_figure(form, workers, group, plots_dir / f"loadlat_{form.replace('/', '_')}_w{workers}.svg")
        figures.append({"src": f"{plots_dir.name}/{path.name}",
                        "alt": f"openloop/{form} at {workers} worker(s): p99 against offered load"})
    tables = []
    for (form, workers), group in sorted(groups.items()):
        loads = sorted({p.load for c in group for p in c.points})
        rows = []
        for curve in sorted(group, key=lambda c: backend_order(c.backend)):
            by_load = {p.load: p for p in curve.points}
            rows.append([loadlatency.design_title(curve.backend),
                         *(_cell(by_load.get(load)) for load in loads)])
        tables.append({"title": f"openloop/{form}, workers={workers}: p50 / p99 (µs)", "loads": loads, "rows": rows})
    return {"figures": figures, "tables": tables, "rows": [_row(r) for r in loadlatency.design_rows(dict(samples))]}


def _cell(point: loadlatency.Point | None) -> str:
    if point is None:
        return "–"
    if not point.reached:
        return "not reached"
    return f"{point.p50 / 1e3:.0f} / {point.p99 / 1e3:.0f}"


def _fmt(value: float, unit: str) -> str:
    return "–" if math.isnan(value) else units.value(value, unit)


def _row(r: loadlatency.DesignRow) -> dict[str, str]:
    return {"design": loadlatency.design_title(r.backend), "workers": str(r.workers),
            "max_load": loadlatency.format_load(r),
            "throughput": "–" if math.isnan(r.throughput) else f"{r.throughput / 1e6:.2f} M/s",
            "cpu_per_item": _fmt(r.cpu_per_item, "ns"),
            "cpu_wall": "–" if math.isnan(r.cpu_wall) else f"{r.cpu_wall:.2f}",
            "wake_p99": _fmt(r.wake_p99, "ns"), "runnext_wait": _fmt(r.runnext_wait, "ns"),
            "hog_delay": _fmt(r.hog_delay, "ns"), "mutex_max_acquire": _fmt(r.mutex_max_acquire, "ns"),
            "pool_jain": "–" if math.isnan(r.pool_jain) else f"{r.pool_jain:.2f}"}


COLUMNS = (("design", "design"), ("workers", "workers"), ("max_load", "max load, p99 ≤ SLO"),
           ("throughput", "chan_mpmc msgs/s"), ("cpu_per_item", "CPU per msg"), ("cpu_wall", "CPU/wall"),
           ("wake_p99", "p99 wake-up (chan_pingpong)"), ("runnext_wait", "wait behind a ping-pong"),
           ("hog_delay", "peer delay, 20 ms hog"), ("mutex_max_acquire", "longest lock(), 64 tasks"),
           ("pool_jain", "Jain, 16-task pool"))


def print_section(samples: Mapping[str, Samples]) -> None:
    """print_section() prints the per-design table and the curves' points as text."""
    rows = [_row(r) for r in loadlatency.design_rows(dict(samples))]
    if not rows:
        return
    print("\ndesigns: max load under the SLO (openloop/spawn/exp, p99 <= 10x mean service), "
          "chan_mpmc throughput, CPU and CPU/wall, p99 wake-up latency")
    for start in (0, 7):  # two blocks: load and cost, then the pathologies
        columns = COLUMNS[:2] + COLUMNS[max(start, 2):start + 7]
        print("".join(f"{title[:26]:>28}" for _, title in columns))
        for row in rows:
            print("".join(f"{row[key]:>28}" for key, _ in columns))
    for curve in loadlatency.curves(dict(samples)):
        points = "  ".join(f"{p.load}%:{_cell(p)}" for p in curve.points)
        print(f"openloop/{curve.form} w{curve.workers} {loadlatency.design_title(curve.backend)}: {points}")
