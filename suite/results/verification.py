"""The verification results: what the models, mutants, differential tests and stress runs said,
read from the machine-readable files the tools write — never typed by hand.

A results directory (`scripts/suite verify` writes one; `--from DIR` reads one) holds JSON files
of these kinds, found by content, not by name (any *.json below the directory):

    model-runs             model_<algo> --json (models/model_driver.hpp): scenarios or planted bugs
    memory-order-mutants   suite.run.ordermutants --json
    semantic-mutants       suite.run.mutants --json
    stress-run             goro-stress --json (stress/src/driver.cpp)
    verify-run             what `verify` ran: commit, commands, seconds
    (GoogleTest JSON)      goro_property_tests --gtest_output=json: the differential tests'
                           RecordProperty counts (programs by outcome, agreed_with_go)

A file that is not JSON, or JSON of no known kind, is listed as a problem, not skipped silently.
"""
from __future__ import annotations

import json
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
class Verification:
    """Verification is everything one results directory says."""
    directory: Path
    models: list[ModelResult] = field(default_factory=list)
    order_mutants: list[dict[str, Any]] = field(default_factory=list)
    semantic_mutants: list[dict[str, Any]] = field(default_factory=list)
    differential: list[DifferentialResult] = field(default_factory=list)
    stress: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)      # verify-run records
    sources: list[str] = field(default_factory=list)              # files read, relative to directory
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.models or self.order_mutants or self.semantic_mutants or self.differential
                    or self.stress)

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
        elif kind == "verify-run":
            result.runs.append({**document, "source": source})
        elif isinstance(document, dict) and "testsuites" in document:
            result.differential.extend(_gtest_differential(document, source))
        else:
            result.problems.append(f"{source}: JSON of no known kind")
            continue
        result.sources.append(source)
    result.models = sorted(models.values(), key=lambda m: (m.model, m.tier))
    return result
