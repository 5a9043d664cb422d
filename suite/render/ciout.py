"""What `compare` and `gate` write for CI systems: JSON, Markdown (PR comment, step summary), JUnit.

One document (document()) holds everything a CI job may want — verdicts, ratios and CIs,
geomeans per backend family, exit code, both commits, the machine — and the Markdown and JUnit
writers render only from it, so the three outputs can never disagree.

- JSON     the document itself (format "goro-verdicts", version 1; NaN written as null).
- Markdown a compact table for a pull-request comment: changes first (regressions, then
           improvements, then what could not be judged), a geomean line per backend family,
           every benchmark in a collapsed <details>. Appended to $GITHUB_STEP_SUMMARY when set.
- JUnit    one <testcase> per judged benchmark; <failure> = a gated regression (for the gate: a
           confirmed one), <skipped> = unstable (reported, never gated), <error> = missing or
           failed on a side. Readable by GitHub (test reporters), GitLab (reports:junit), Jenkins.
Only the standard library and suite.render.units at import time (cli.py imports the command
modules, and so this one, before the packages step); the verdict names come from
suite.analysis.verdicts when a writer runs.
"""
from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree

from . import units

FORMAT, VERSION = "goro-verdicts", 1
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def _verdict_order() -> dict[str, int]:
    """_verdict_order() is the Markdown's row order: what a reviewer must look at first."""
    from ..analysis import verdicts
    return {verdicts.REGRESSION: 0, verdicts.IMPROVEMENT: 1, verdicts.UNKNOWN: 2, verdicts.SAME: 3}


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """add_output_options() adds --json/--markdown/--junit (shared by compare and gate)."""
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="write verdicts, ratios, CIs, geomeans, exit code, commits and "
                             "machine as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="write a compact Markdown summary (for a pull-request comment); "
                             f"also appended to ${STEP_SUMMARY} when that is set")
    parser.add_argument("--junit", type=Path, metavar="FILE",
                        help="write JUnit XML: one testcase per benchmark, failure = regression")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def side(commit: str | None, describe: str | None = None, machine_id: str | None = None,
         path: str | None = None) -> dict[str, Any]:
    """side() describes base or head: commit sha, a one-line description, machine, binary."""
    return {"commit": commit or "unknown", "describe": describe or "", "machine_id": machine_id
            or "unknown", "binary": path}


def document(command: str, outcome: Any, exit_code: int, base: dict[str, Any],
             head: dict[str, Any], policy: Any, machine: dict[str, Any] | None = None,
             confirmed: Iterable[str] | None = None, error: str | None = None) -> dict[str, Any]:
    """document() is the machine-readable result of a compare (confirmed None: a REGRESSION row
    is gated as is) or a gate (confirmed: the names whose regression the rerun confirmed).
    outcome is a verdicts.Outcome or None when nothing could be judged (then error says why)."""
    from ..analysis.verdicts import REGRESSION
    confirmed_set = set(confirmed) if confirmed is not None else None
    rows = []
    for row in (outcome.rows if outcome is not None else []):
        entry = dict(vars(row))
        gated = row.verdict == REGRESSION and not row.unstable
        entry["gated_regression"] = gated and (confirmed_set is None or row.name in confirmed_set)
        if confirmed_set is not None:
            entry["confirmed"] = row.name in confirmed_set
        rows.append(entry)
    regressions = sorted(r["name"] for r in rows if r["gated_regression"])
    status = "regression" if exit_code == 1 else "pass" if exit_code == 0 else "cannot judge"
    return _clean({
        "format": FORMAT, "version": VERSION, "command": command, "exit_code": exit_code,
        "status": status, "error": error, "regressions": regressions,
        "base": base, "head": head, "machine": machine or {},
        "policy": dict(vars(policy)) if policy is not None else {},
        "rows": rows,
        "geomeans": [dict(vars(g)) for g in (outcome.geomeans if outcome is not None else [])],
        "only_in_a": list(outcome.only_in_a) if outcome is not None else [],
        "only_in_b": list(outcome.only_in_b) if outcome is not None else [],
        "failed": list(outcome.failed) if outcome is not None else [],
    })


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _num(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ci(low: Any, high: Any) -> str:
    return "n/a" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _unit(doc: dict[str, Any]) -> str:
    metric = doc.get("policy", {}).get("metric", "real_time")
    return "ns" if metric in ("real_time", "cpu_time") else metric


def _verdict_text(row: dict[str, Any]) -> str:
    from ..analysis.verdicts import REGRESSION
    text = row["verdict"]
    if row.get("unstable"):
        text += " (unstable, not gated)"
    elif "confirmed" in row and row["verdict"] == REGRESSION:
        text += " (confirmed)" if row["confirmed"] else " (not confirmed)"
    return text


def _table(rows: list[dict[str, Any]], unit: str) -> list[str]:
    lines = ["| benchmark | base | head | ratio | 95% CI | band | verdict |",
             "|---|---:|---:|---:|---|---:|---|"]
    for row in rows:
        ratio = _num(row.get("ratio"))
        if row.get("gated_regression"):
            ratio = f"**{ratio}**"
        band = "n/a" if row.get("band") is None else f"±{row['band']:.0%}"
        lines.append(f"| `{_cell(row['name'])}` | {units.value(row.get('median_a'), unit)} | "
                     f"{units.value(row.get('median_b'), unit)} | {ratio} | "
                     f"{_ci(row.get('ci_low'), row.get('ci_high'))} | {band} | "
                     f"{_cell(_verdict_text(row))} |")
    return lines


def headline(doc: dict[str, Any]) -> str:
    """headline() is the one-line outcome a PR comment starts with."""
    what = {"gate": "gate", "bisect": "bisection"}.get(doc["command"], "comparison")
    count = len(doc["regressions"])
    if doc["status"] == "regression":
        kind = "confirmed regression" if doc["command"] == "gate" else "regression"
        return f"goro benchmark {what}: {count} {kind}{'s' if count != 1 else ''} (exit 1)"
    if doc["status"] == "pass":
        return f"goro benchmark {what}: no regression (exit 0)"
    return f"goro benchmark {what}: cannot judge (exit {doc['exit_code']})"


def markdown(doc: dict[str, Any]) -> str:
    """markdown() renders the document as a compact PR comment."""
    unit = _unit(doc)
    base, head = doc["base"], doc["head"]
    lines = [f"### {headline(doc)}", "",
             f"base `{base['commit'][:12]}` → head `{head['commit'][:12]}` · machine "
             f"`{doc['machine'].get('machine_id', base.get('machine_id', 'unknown'))}` · metric "
             f"`{doc['policy'].get('metric', 'real_time')}` · {len(doc['rows'])} benchmarks "
             "(ratio = head/base oriented so that > 1 is worse)", ""]
    if doc.get("error"):
        lines += [f"**Could not judge:** {_cell(doc['error'])}", ""]
    if doc.get("bisect"):
        lines += bisect_lines(doc["bisect"]) + [""]
    from ..analysis.verdicts import SAME
    order = _verdict_order()
    ordered = sorted(doc["rows"], key=lambda r: (not r.get("gated_regression"),
                                                 order.get(r["verdict"], 9), r["name"]))
    changes = [r for r in ordered if r["verdict"] != SAME]
    same = len(ordered) - len(changes)
    if changes:
        lines += _table(changes, unit) + [""]
    if same:
        lines += [f"{same} benchmark{'s' if same != 1 else ''} unchanged (95% CI inside the "
                  "noise band).", ""]
    problems = [(n, "missing in head") for n in doc["only_in_a"]] + \
        [(n, "missing in base") for n in doc["only_in_b"]] + \
        [(n, "failed or empty on a side") for n in doc["failed"]]
    if problems:
        lines += ["| not judged | why |", "|---|---|"] + \
            [f"| `{_cell(n)}` | {why} |" for n, why in problems] + [""]
    if doc["geomeans"]:
        lines += ["| backend family | benchmarks | geomean ratio | 95% CI |", "|---|---:|---:|---|"]
        lines += [f"| {g['group']} | {g['count']} | {_num(g['ratio'])} | "
                  f"{_ci(g['ci_low'], g['ci_high'])} |" for g in doc["geomeans"]] + [""]
    if ordered:
        lines += [f"<details><summary>All {len(ordered)} benchmarks</summary>", ""]
        lines += _table(ordered, unit) + ["", "</details>", ""]
    return "\n".join(lines)


def step_text(step: dict[str, Any]) -> str:
    """step_text() is one bisection step in a line: the first bad commit and the step's size,
    or the range it narrowed to."""
    size = f"r = {_num(step.get('ratio'))} 95% CI {_ci(step.get('ci_low'), step.get('ci_high'))}"
    if step.get("first_bad"):
        return (f"first bad commit `{step['first_bad'][:12]}` {step.get('subject', '')} "
                f"({size})")
    return (f"narrowed to {len(step['candidates'])} commits "
            f"`{step['candidates'][0][:12]}`..`{step['candidates'][-1][:12]}`, "
            f"{step.get('note', '')} ({size})")


def bisect_lines(bisect: dict[str, Any]) -> list[str]:
    """bisect_lines() is the Markdown of a bisection: each step, then each probe."""
    lines = [f"**Step {i}:** {_cell(step_text(step))}" for i, step in
             enumerate(bisect["steps"], start=1)] or ["No step: the bad commit is not slower."]
    lines += ["", "| probe | commit | subject | verdict | ratio | 95% CI | rounds |",
              "|---:|---|---|---|---:|---|---:|"]
    lines += [f"| {p['number']} | `{p['sha'][:12]}` | {_cell(p['subject'])} | {p['verdict']} | "
              f"{_num(p.get('ratio'))} | {_ci(p.get('ci_low'), p.get('ci_high'))} | "
              f"{p['rounds']} |" for p in bisect["probes"]]
    if bisect.get("skipped"):
        lines += ["", "Skipped (do not build): " + ", ".join(f"`{c[:12]}`" for c in bisect["skipped"])]
    return lines


def junit(doc: dict[str, Any]) -> str:
    """junit() renders one testcase per benchmark (see the module docstring)."""
    suite_name = f"goro {doc['command']}"
    cases = []
    failures = errors = skipped = 0
    for row in sorted(doc["rows"], key=lambda r: r["name"]):
        case = ElementTree.Element("testcase", classname=f"goro.{doc['command']}."
                                   f"{row['name'].split('/')[0]}", name=row["name"], time="0")
        detail = (f"ratio {_num(row.get('ratio'))} 95% CI {_ci(row.get('ci_low'), row.get('ci_high'))}"
                  f", band ±{(row.get('band') or 0):.0%}: {row['verdict']} — {row.get('reason', '')}")
        if row.get("gated_regression"):
            failures += 1
            kind = "confirmed regression" if "confirmed" in row else "regression"
            ElementTree.SubElement(case, "failure", message=f"{kind}: {detail}",
                                   type="REGRESSION").text = detail
        elif row.get("unstable"):
            skipped += 1
            ElementTree.SubElement(case, "skipped", message=f"unstable, not gated: {detail}")
        ElementTree.SubElement(case, "system-out").text = detail
        cases.append(case)
    for names, why in ((doc["only_in_a"], "missing in head"), (doc["only_in_b"], "missing in base"),
                       (doc["failed"], "failed or empty on a side")):
        for name in names:
            errors += 1
            case = ElementTree.Element("testcase", classname=f"goro.{doc['command']}."
                                       f"{name.split('/')[0]}", name=name, time="0")
            ElementTree.SubElement(case, "error", message=why, type="NOT_JUDGED")
            cases.append(case)
    for index, step in enumerate((doc.get("bisect") or {}).get("steps", []), start=1):
        failures += 1
        case = ElementTree.Element("testcase", classname="goro.bisect", name=f"step {index}",
                                   time="0")
        ElementTree.SubElement(case, "failure", message=step_text(step), type="REGRESSION")
        cases.append(case)
    if doc.get("error") and not cases:
        errors += 1
        case = ElementTree.Element("testcase", classname=f"goro.{doc['command']}", name="gate",
                                   time="0")
        ElementTree.SubElement(case, "error", message=doc["error"], type="CANNOT_JUDGE")
        cases.append(case)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors),
              "skipped": str(skipped)}
    root = ElementTree.Element("testsuites", name="goro", **counts)
    suite = ElementTree.SubElement(root, "testsuite", name=suite_name, **counts)
    suite.extend(cases)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"


def refuse_unwritable(args: argparse.Namespace) -> None:
    """refuse_unwritable() raises ValueError naming the first --json/--markdown/--junit file
    that cannot be written (a directory, or its directory missing), so a command refuses it
    before any work rather than after a measured run."""
    for option in ("json", "markdown", "junit"):
        value = getattr(args, option, None)
        if not value:
            continue
        path = Path(value)
        if path.is_dir():
            raise ValueError(f"--{option} {path}: is a directory, expected a file name")
        if not path.parent.is_dir():
            raise ValueError(f"--{option} {path}: directory {path.parent} does not exist")


def write_outputs(doc: dict[str, Any], args: argparse.Namespace) -> None:
    """write_outputs() writes what --json/--markdown/--junit ask for and appends the Markdown
    to $GITHUB_STEP_SUMMARY when it is set."""
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    text = None
    if getattr(args, "markdown", None):
        text = markdown(doc)
        Path(args.markdown).write_text(text, encoding="utf-8")
    if getattr(args, "junit", None):
        Path(args.junit).write_text(junit(doc), encoding="utf-8")
    summary = os.environ.get(STEP_SUMMARY)
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write((text or markdown(doc)) + "\n")
