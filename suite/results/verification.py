"""The verification results: what the models, mutants, differential tests and stress runs said,
read from the machine-readable files the tools write — never typed by hand.

A results directory (`scripts/suite verify` writes one; `--from DIR` reads one) holds JSON files
of these kinds, found by content, not by name (any *.json below the directory):

    model-runs             model_<algo> --json (goro/verify/relacy/driver.hpp): scenarios or planted bugs
    memory-order-mutants   suite.run.ordermutants --json
    semantic-mutants       suite.run.mutants --json
    stress-run             goro-stress --json (stress/src/driver.cpp)
    explore-run            scripts/suite explore (suite/explorecmd.py): the deterministic world
    explore-mutants        scripts/suite explore --mutants --save DIR (flagged, minutes): the
                           runtime's semantic mutants explored in that world; read with --from
    verify-run             what `verify` (or `test`, "by") ran: commit, commands, seconds
    algorithm-checks       the kit on an out-of-tree algorithm (suite/run/build.py:
                           run_algorithm_checks): each check's command, status and runs (the
                           models' model-runs, the properties' property-runs and the stress
                           programs' stress-runs, goro/verify/channel_{properties,stress}.hpp)
    (GoogleTest JSON)      goro_property_tests --gtest_output=json: the differential tests'
                           RecordProperty counts (programs by outcome, agreed_with_go)

A file that is not JSON, or JSON of no known kind, is listed as a problem, not skipped silently.

A failure is never hidden by what a tool did not write. Every command of a verify run is judged
by the same rule (command_failure()), whatever its tier: it failed when it exited non-zero (or
with a status it does not allow), was killed by a signal, timed out, or left one of the JSON
files it should write missing or unreadable; and any results file that says `"complete": false`
is a partial run. Each such failure is a TierFailure with its reason and the command that
reproduces it, and the page puts it in its summary: a new tier inherits this by being recorded.
"""
from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ModelResult:
    """ModelResult is one model executable's runs of one tier (scenarios and planted bugs)."""
    model: str
    tier: str
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    planted: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(run["ok"] for run in self.scenarios + self.planted)


@dataclass
class AlgorithmResult:
    """AlgorithmResult is the verification kit's checks of one algorithm (e.g. examples/retry_chan):
    its scenarios × capacities, its properties and stress runs on the real runtime, and each
    planted bug with the check that must find it and the kind it must be reported as."""
    algorithm: str
    source: str
    seconds: float
    scenarios: list[dict[str, Any]] = field(default_factory=list)   # model-runs runs
    planted: list[dict[str, Any]] = field(default_factory=list)     # one per planted bug (planted_bug())
    properties: list[dict[str, Any]] = field(default_factory=list)  # property-runs runs
    stress: list[dict[str, Any]] = field(default_factory=list)      # stress-runs runs, with their flavour

    @property
    def ok(self) -> bool:
        return all(run["ok"] for run in self.scenarios + self.planted + self.properties + self.stress)


# The check each kind of runs file comes from, as the page names it.
CHECK_OF_RUNS = {"model-runs": "model", "property-runs": "properties", "stress-runs": "stress"}


def check_name(runs: dict[str, Any] | None) -> str:
    """check_name() names the check a kit executable's runs file comes from: model, properties,
    stress (chaos) or stress (tsan)."""
    kind = CHECK_OF_RUNS.get(str((runs or {}).get("kind")), "model")
    return f"{kind} ({runs['flavour']})" if runs and kind == "stress" and runs.get("flavour") else kind


def planted_bug(check: dict[str, Any]) -> dict[str, Any]:
    """planted_bug() is one planted-bug check as the page shows it: the check, the scenario (or
    property, or stress run) that first failed and how (kind, execution or case or round), and ok
    only when the check passed and that kind is the expected one."""
    runs = (check.get("runs") or {}).get("runs", [])
    found = next((run for run in runs if run.get("failed")), None)
    return {"bug": check.get("bug"), "check": check_name(check.get("runs")), "expected": check.get("expect"),
            "kind": found["kind"] if found else "none", "scenario": found["scenario"] if found else None,
            "result": found["result"] if found else "not found",
            "iterations": found["iterations"] if found else None, "seconds": check.get("seconds", 0),
            "ok": check.get("status") == 0 and found is not None and found["kind"] == check.get("expect")}


@dataclass
class DifferentialResult:
    """DifferentialResult is one differential test against Go: programs run, by outcome."""
    suite: str
    test: str
    outcomes: dict[str, int]   # completed / deadlocked / panicked, or run (single-goroutine programs)
    agreed: bool
    seconds: float
    source: str

    @property
    def programs(self) -> int:
        return sum(self.outcomes.values())


@dataclass
class TierFailure:
    """TierFailure is one tier that did not pass: a verify-run command judged by command_failure(),
    or a results file its tool marked partial."""
    title: str       # the command's title, e.g. "stress: every scenario, 2 s each"
    tier: str        # models | planted | order | differential | stress | ... ("" when not recorded)
    reason: str      # e.g. "exit 3; stress.json says it is partial"
    reproduce: str   # the command line that reproduces it
    source: str      # the file the failure was read from


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _json_problem(path: Path) -> str | None:
    """_json_problem() says why path is not a complete results file, or None."""
    if not path.is_file():
        return "missing"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return "partial (not readable JSON)"
    if isinstance(document, dict) and document.get("complete") is False:
        return "partial (the tool stopped before it finished)"
    return None


def command_failure(command: dict[str, Any], directory: Path) -> str | None:
    """command_failure() says why one recorded command failed, or None when it passed: skipped
    because a step it needs failed, a status it does not allow (a negative status is the signal that killed it; 124 with a `timeout` is
    the time limit), or an output file (`outputs`, relative to directory) missing or partial."""
    reasons = []
    status = command.get("status")
    allowed = command.get("allowed", [0])
    if command.get("skipped"):
        reasons.append(f"skipped: {command['skipped']} failed")
    elif not isinstance(status, int):
        reasons.append("no exit status recorded")
    elif status < 0:
        reasons.append(f"killed by {_signal_name(-status)}")
    elif status == 124 and command.get("timeout"):
        reasons.append(f"timed out after {command['timeout']:.0f} s")
    elif status == 127:
        reasons.append("could not be started (exit 127)")
    elif status not in allowed:
        reasons.append(f"exit {status}")
    for output in command.get("outputs", []):
        problem = _json_problem(directory / output)
        if problem:
            reasons.append(f"{output} {problem}")
    return "; ".join(reasons) or None


@dataclass
class Verification:
    """Verification is everything one results directory says."""
    directory: Path
    models: list[ModelResult] = field(default_factory=list)
    order_mutants: list[dict[str, Any]] = field(default_factory=list)
    semantic_mutants: list[dict[str, Any]] = field(default_factory=list)
    differential: list[DifferentialResult] = field(default_factory=list)
    stress: list[dict[str, Any]] = field(default_factory=list)
    explore: list[dict[str, Any]] = field(default_factory=list)   # explore-run documents
    explore_mutants: list[dict[str, Any]] = field(default_factory=list)  # explore-mutants documents
    runs: list[dict[str, Any]] = field(default_factory=list)      # verify-run records
    algorithms: list[AlgorithmResult] = field(default_factory=list)  # algorithm-checks files
    sources: list[str] = field(default_factory=list)              # files read, relative to directory
    problems: list[str] = field(default_factory=list)
    failures: list[TierFailure] = field(default_factory=list)   # every tier that did not pass

    @property
    def empty(self) -> bool:
        return not (self.models or self.order_mutants or self.semantic_mutants or self.differential
                    or self.stress or self.explore or self.explore_mutants or self.runs or self.algorithms)

    def failed_tiers(self) -> set[str]:
        """failed_tiers() names the tiers with a failure (for the summary's evidence rows)."""
        return {f.tier for f in self.failures if f.tier}

    def planted_bugs(self) -> list[tuple[str, dict[str, Any]]]:
        """planted_bugs() is every planted-bug run as (model, run)."""
        return [(m.model, run) for m in self.models for run in m.planted]


def _integer(value: Any) -> int:
    return int(value) if isinstance(value, (int, str)) and str(value).lstrip("-").isdigit() else 0


def _gtest_differential(document: dict[str, Any], source: str) -> list[DifferentialResult]:
    """_gtest_differential() picks the differential tests out of a GoogleTest JSON document."""
    found = []
    for suite in document.get("testsuites", []):
        for case in suite.get("testsuite", []):
            if "agreed_with_go" not in case:
                continue
            if "programs_run" in case:
                outcomes = {"run": _integer(case["programs_run"])}
            else:
                outcomes = {key.removeprefix("programs_"): _integer(value) for key, value in case.items()
                            if key.startswith("programs_")}
            seconds = float(str(case.get("time", "0")).rstrip("s") or 0)
            agreed = case["agreed_with_go"] == "yes" and not case.get("failures")
            found.append(DifferentialResult(suite["name"], case["name"], outcomes, agreed, seconds, source))
    return found


# The summary row a results file of each kind feeds (see TierFailure.tier).
TIER_OF_KIND = {"model-runs": "models", "memory-order-mutants": "order", "semantic-mutants": "semantic",
                "stress-run": "stress", "explore-run": "explore",
                "explore-mutants": "explore-mutants",
                "algorithm-checks": "algorithms"}


def _algorithm(document: dict[str, Any], source: str, directory: Path,
               failures: list[TierFailure]) -> AlgorithmResult:
    """_algorithm() reads one algorithm-checks file; each check is judged by command_failure(), and
    also fails when it wrote no runs or a planted bug was not reported as its kind."""
    name = str(document.get("algorithm", "?"))
    found = AlgorithmResult(name, source, float(document.get("seconds", 0)))
    for check in document.get("checks", []):
        reasons = [command_failure({**check, "outputs": []}, directory) or ""]
        if check.get("runs") is None:
            reasons.append("wrote no JSON")
        if check.get("expect"):
            bug = planted_bug(check)
            found.planted.append(bug)
            if not bug["ok"] and not reasons[0]:
                reasons.append(f"planted bug reported as {bug['kind']}, not {bug['expected']}")
        else:
            runs = check.get("runs") or {}
            kind = CHECK_OF_RUNS.get(str(runs.get("kind")), "model")
            listed = {"model": found.scenarios, "properties": found.properties, "stress": found.stress}[kind]
            listed.extend({**run, "check": check_name(runs)} for run in runs.get("runs", []))
        reason = "; ".join(r for r in reasons if r)
        if reason:
            failures.append(TierFailure(f"{name}: {check.get('test', '?')}", "algorithms", reason,
                                        str(check.get("command", "")), source))
    return found


def load(directory: Path) -> Verification:
    """load() reads every JSON file below directory (sorted by path) into one Verification."""
    result = Verification(directory)
    models: dict[tuple[str, str], ModelResult] = {}
    for path in sorted(directory.rglob("*.json")):
        source = str(path.relative_to(directory))
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            result.problems.append(f"{source}: not readable JSON ({error})")
            continue
        kind = document.get("kind") if isinstance(document, dict) else None
        if kind and kind != "verify-run" and document.get("complete") is False:
            result.failures.append(TierFailure(
                kind, TIER_OF_KIND.get(kind, ""), f"{source} is partial: the tool stopped before it finished",
                str(document.get("reproduce", "")), source))
        if kind == "model-runs":
            entry = models.setdefault((document["model"], document["tier"]),
                                      ModelResult(document["model"], document["tier"]))
            for run in document["runs"]:
                (entry.planted if run["scenario"] == "planted" else entry.scenarios).append(run)
        elif kind == "memory-order-mutants":
            result.order_mutants.append({**document, "source": source})
        elif kind == "semantic-mutants":
            result.semantic_mutants.append({**document, "source": source})
        elif kind == "stress-run":
            result.stress.append({**document, "source": source})
        elif kind == "explore-run":
            result.explore.append({**document, "source": source})
            for problem in document.get("problems", []):
                result.failures.append(TierFailure("deterministic exploration", "explore", problem,
                                                   "scripts/suite explore --no-build", source))
        elif kind == "explore-mutants":
            result.explore_mutants.append({**document, "source": source})
            for problem in document.get("problems", []):
                result.failures.append(TierFailure("semantic mutants in the deterministic world", "explore-mutants",
                                                   problem, str(document.get("reproduce", "scripts/suite explore --mutants")),
                                                   source))
        elif kind == "algorithm-checks":
            result.algorithms.append(_algorithm(document, source, directory, result.failures))
        elif kind == "verify-run":
            result.runs.append({**document, "source": source})
        elif isinstance(document, dict) and "testsuites" in document:
            result.differential.extend(_gtest_differential(document, source))
        else:
            result.problems.append(f"{source}: JSON of no known kind")
            continue
        result.sources.append(source)
    result.models = sorted(models.values(), key=lambda m: (m.model, m.tier))
    for run in result.runs:
        for command in run.get("commands", []):
            reason = command_failure(command, directory)
            if reason:
                result.failures.append(TierFailure(str(command.get("title", "?")), str(command.get("tier", "")),
                                                   reason, str(command.get("command", "")), run["source"]))
    return result
