"""Writing the static HTML report: pages from jinja2 templates, plots as SVG files beside them.

Everything is relative links and <img> tags: the directory opens from file:// with no server and
no JavaScript.
"""
from __future__ import annotations

import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from . import designcurves, plots, tables, tracepage, units
from . import verification as verification_page
from .pages import PAGES, environment
from ..analysis import stability as run_stability
from ..analysis import verdicts
from ..analysis.changepoints import change_points
from ..results.commitorder import Placed
from ..results.gbjson import FAMILIES, FAMILY_TITLES, parse_name
from ..results.record import Record
from ..results.verification import Verification

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "plot"


def _common(record: Record, current: str) -> dict[str, Any]:
    context = record.context
    conditions = context.get("conditions", {})
    steal = conditions.get("steal_fraction")
    return {"pages": PAGES, "current": current, "record": record,
            "machine": _Lenient(context.get("machine", {})), "git": _Lenient(context.get("git", {})),
            "build": _Lenient(context.get("build", {})), "conditions": _Lenient(conditions),
            "settings": context.get("settings"),
            "measured_with": context.get("command", "unknown (imported record)"),
            "steal": "unknown" if steal is None else f"{steal:.1%}",
            "command": " ".join(["scripts/suite", *sys.argv[1:]]),
            "value": units.value, "with_interval": units.with_interval}


class _Lenient(dict):
    """_Lenient shows 'unknown' for context fields a record does not have (e.g. imported JSON)."""

    def __getattr__(self, key: str) -> Any:
        value = self.get(key)
        return "unknown" if value is None else value


def write(record: Record, out: Path, baseline: Record | None = None,
          history: Sequence[Placed] = (), policy: verdicts.Policy | None = None,
          gates: Sequence[Record] = (), verification: Verification | None = None) -> Path:
    """write() renders every page into `out` and returns the index page. The verification page
    shows `verification` (saved `scripts/suite verify` results), or says how to make them."""
    policy = policy or verdicts.Policy()
    out.mkdir(parents=True, exist_ok=True)
    (out / "plots").mkdir(exist_ok=True)
    for old in (out / "plots").glob("*.svg"):
        old.unlink()
    templates = environment()
    samples = record.samples()
    workloads = sorted({parse_name(n).workload for n in samples})

    def page(name: str, template: str, title: str, **values: Any) -> None:
        html = templates.get_template(template).render(title=title, **_common(record, name), **values)
        (out / name).write_text(html, encoding="utf-8")

    spreads = run_stability.spreads(record.gbench_runs)
    stability = {"stability": list(spreads.values()), "spread_limit": run_stability.SPREAD_LIMIT}
    errors = sorted((n, s.errors[0]) for n, s in samples.items() if s.errors)
    error_counts = sorted(Counter(m for _, m in errors).items(), key=lambda kv: (-kv[1], kv[0]))
    page("index.html", "index.html", "summary", rows=tables.summary(samples, policy.band_floor),
         error_counts=error_counts, nproc=max((parse_name(n).workers or 1 for n in samples),
                                              default=1),
         families=[FAMILY_TITLES[f] for f in FAMILIES[1:]],
         family_keys=list(FAMILIES[1:]), band_percent=round(policy.band_floor * 100),
         errors=errors, spreads=spreads, **stability)
    figures = [{"src": _rel(plots.distribution(w, samples, out / "plots" / f"dist_{_slug(w)}.svg"), out),
                "alt": f"{w}: every repetition, by backend and workers"} for w in workloads]
    page("workloads.html", "figures.html", "distributions", figures=figures,
         intro="Every repetition of every benchmark (dots), the median (bar) and, from 5 "
               "repetitions on, a violin of the distribution.", empty="no benchmarks")
    figures = [{"src": _rel(plots.scaling(w, samples, out / "plots" / f"scale_{_slug(w)}.svg"), out),
                "alt": f"{w}: median ns/op by workers"} for w in workloads]
    page("scaling.html", "figures.html", "scaling", figures=figures,
         intro="Median time per operation as workers grow; solid lines are goro's policies.",
         empty="no benchmarks")
    maps = [{"data": m, "src": _rel(plots.heatmap(m, out / "plots" / f"heat_w{m.workers}.svg"), out)}
            for m in tables.heatmaps(samples)]
    page("designs.html", "designs.html", "scheduler policies", maps=maps, counters=tables.COUNTERS,
         curves=designcurves.section(samples, out / "plots"), columns=designcurves.COLUMNS,
         **{**stability, "stability": [s for s in spreads.values() if parse_name(s.name).family == "goro"]})
    outcome, forest = None, None
    if baseline is not None:
        outcome = verdicts.compare(baseline.samples(), samples, policy)
        forest = _rel(plots.forest(outcome.rows, out / "plots" / "forest.svg"), out)
    page("compare.html", "compare.html", "A/B", outcome=outcome, forest=forest, baseline=baseline,
         alpha=policy.alpha)
    page("history.html", "figures.html", "history", figures=_history_figures(history, out),
         intro="Median time per operation of every backend, per stored record of this machine "
               "in commit order (git rev-list --topo-order of the branch, oldest first); records "
               "whose commit is not on the branch come last, hollow and starred (*). Vertical "
               "dotted lines mark change points over the on-branch records (binary segmentation, "
               "Mann–Whitney, Bonferroni over the scan, ≥ 5% shift) — annotations, not a gate.",
         empty="fewer than 2 records on this machine")
    page("gates.html", "gates.html", "gate results", gates=_gate_entries(gates),
         fmt_time=units.value, fmt_ratio=lambda r: "n/a" if r is None else f"{r:.3f}",
         fmt_ci=lambda lo, hi: "n/a" if lo is None or hi is None else f"[{lo:.3f}, {hi:.3f}]")
    verification_page.write(verification or Verification(Path("(none)")), out, pages=PAGES)
    tracepage.write_all(out, PAGES)  # a page per traced run kept in out/traces/ (scripts/suite trace)
    return out / "index.html"


def _gate_entries(gates: Sequence[Record]) -> list[dict[str, Any]]:
    """_gate_entries() is each stored gate result (newest first) with its non-~ rows."""
    entries = []
    for gate in sorted(gates, key=lambda r: r.id or 0, reverse=True):
        doc = gate.context.get("gate", {})
        rows = doc.get("rows", [])
        changes = sorted((r for r in rows if r.get("verdict") != verdicts.SAME),
                         key=lambda r: (not r.get("gated_regression"), r["name"]))
        entries.append({"id": gate.id, "created": gate.created, "doc": doc, "changes": changes,
                        "same": len(rows) - len(changes)})
    return entries


def _rel(path: Path, out: Path) -> str:
    return path.relative_to(out).as_posix()


def _history_figures(history: Sequence[Placed], out: Path) -> list[dict[str, str]]:
    """_history_figures() draws one figure per workload and worker count, a line per backend of
    every family, records in commit order (unreachable ones last, hollow, starred); change points
    are computed over the on-branch records only, in that order — or, when no record's commit is
    on the branch (no git, imported records), over all of them in arrival order."""
    if len(history) < 2:
        return []
    per_record = [p.record.samples() for p in history]
    labels = [f"{p.record.git_sha[:7]}{'' if p.reachable else '*'}" for p in history]
    reachable = [p.reachable for p in history]
    scanned = reachable if any(reachable) else [True] * len(history)
    by_figure: dict[tuple[str, int | None], dict[str, plots.HistorySeries]] = {}
    for name in sorted({n for s in per_record for n in s}):
        parsed = parse_name(name)
        series = [s[name].real_time_ns if name in s else [] for s in per_record]
        if sum(1 for x in series if x) < 2:
            continue
        medians = [float(np.median(x)) if x else math.nan for x in series]
        on_branch = [i for i, x in enumerate(series) if x and scanned[i]]
        changes = [on_branch[i] for i in change_points([series[i] for i in on_branch])]
        by_figure.setdefault((parsed.workload, parsed.workers), {})[parsed.backend] = \
            plots.HistorySeries(medians, changes)
    figures = []
    for (workload, workers), series in sorted(by_figure.items(), key=lambda k: (k[0][0], k[0][1] or 0)):
        path = plots.history(f"{workload}, workers={workers}", labels, reachable, series,
                             out / "plots" / f"hist_{_slug(workload)}_w{workers}.svg")
        figures.append({"src": _rel(path, out),
                        "alt": f"{workload} at {workers} worker(s): median time per record, "
                               "every backend"})
    return figures
