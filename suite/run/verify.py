"""Running the cheap verification tiers into a results directory, for the verification page.

Each tool writes its own JSON into the directory (suite/results/verification.py reads it):

    models/<model>.quick.json     every model's quick tier      model_<algo> --json
    models/<model>.planted.json   every planted bug             model_<algo> --planted --json
    models/<model>.<bug>.json     scratch-copy planted bugs     model_<algo>_<bug> --variant <bug>
    ordermutants.json             a sample of memory-order mutants (seeded from the commit)
    differential.json             the differential tests' quick tier (GoogleTest JSON)
    stress.json                   a short stress run             goro-stress --all --json
    explore/explore.json          the deterministic world's planted-bug check   scripts/suite explore
    verify.json                   what ran: commit, each command, its exit status and seconds

Each command is recorded with its tier (the page's summary row), the exit statuses it allows,
and the JSON files it must write (removed before it runs, so a stale file from an earlier run
cannot stand in for a tool that wrote nothing); suite/results/verification.py judges each by
one rule (command_failure()), so a tier that crashed, hung or wrote partial output is FAILED.

The release preset's build tree is reused (the test command builds the same targets).
"""
from __future__ import annotations

import datetime
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..base.paths import REPO_ROOT, build_dir
from ..base.procs import banner, capture, format_command, run
from ..results.verification import command_failure


@dataclass
class Plan:
    """Plan is what one `verify` run does."""
    results: Path
    build: Path = field(default_factory=lambda: build_dir("release"))
    mutants: int = 6              # memory-order mutants sampled (0: none)
    programs: int = 300           # differential programs per test (RapidCheck max_success)
    stress_seconds: float = 2.0   # per stress scenario (0: no stress run)
    full_models: bool = False     # the models' exhaustive tier as well


def model_names(root: Path = REPO_ROOT) -> tuple[list[str], list[tuple[str, str, str]]]:
    """model_names() is every goro_add_model(<algo>) of models/CMakeLists.txt, and every
    goro_add_model_mutation(<algo> <bug> <kind>) as (algo, bug, kind)."""
    cmake = (root / "models" / "CMakeLists.txt").read_text()
    models = re.findall(r"^goro_add_model\((\w+)", cmake, re.MULTILINE)
    mutations = re.findall(r"^goro_add_model_mutation\((\w+) (\w+) (\w+)", cmake, re.MULTILINE)
    return models, mutations


def targets(plan: Plan) -> list[str]:
    """targets() is what verify builds: the models, the property tests, the stress driver."""
    models, mutations = model_names()
    return ([f"model_{m}" for m in models] + [f"model_{a}_{b}" for a, b, _ in mutations]
            + ["goro_property_tests", "goro_explore_programs", "goro_explore_mutant_steal_thief"] + (["goro-stress"] if plan.stress_seconds > 0 else []))


def commit() -> tuple[str, bool]:
    """commit() is the checked-out commit and whether the tree has changes."""
    sha = capture(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT) or "unknown"
    status = capture(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT)
    return sha, bool(status)


class Recorder:
    """Recorder runs each command with progress output and keeps its status for verify.json."""

    def __init__(self, results: Path):
        self.results = results
        self.commands: list[dict[str, object]] = []
        self.started = time.monotonic()

    def step(self, title: str, argv: list[str], env: dict[str, str] | None = None,
             ok: tuple[int, ...] = (0,), tier: str = "", outputs: tuple[Path, ...] = (),
             timeout: float | None = None) -> int:
        """step() runs one command; `outputs` are the JSON files it must write (in results/)."""
        banner(f"verify [{len(self.commands) + 1}] {title} (at {time.monotonic() - self.started:.0f} s)")
        for output in outputs:
            output.unlink(missing_ok=True)
        clock = time.monotonic()
        status = run(argv, cwd=REPO_ROOT, env=env, timeout=timeout)
        shown = format_command(argv)
        if env:
            shown = " ".join(f"{k}={v!r}" for k, v in env.items()) + " " + shown
        record: dict[str, object] = {
            "title": title, "tier": tier, "command": shown, "status": status, "allowed": list(ok),
            "outputs": [str(o.relative_to(self.results)) for o in outputs],
            "seconds": round(time.monotonic() - clock, 1)}
        if timeout is not None:
            record["timeout"] = timeout
        record["reason"] = command_failure(record, self.results)
        record["ok"] = record["reason"] is None
        self.commands.append(record)
        return status


def run_plan(plan: Plan, build: bool = True) -> int:
    """run_plan() runs every step of plan into plan.results; 0 when every step passed, 4 when
    any reported a failure, 2 when something needed is missing."""
    results = plan.results
    (results / "models").mkdir(parents=True, exist_ok=True)
    recorder = Recorder(results)
    sha, dirty = commit()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    if build:
        if recorder.step("configure", ["cmake", "--preset", "release"], tier="build") != 0 or \
           recorder.step("build", ["cmake", "--build", "--preset", "release", "-j2", "--target", *targets(plan)],
                         tier="build") != 0:
            _write_record(results, recorder, sha, dirty, started)
            return 4
    models, mutations = model_names()
    missing = [m for m in models if not (plan.build / "models" / f"model_{m}").is_file()]
    if missing:
        print(f"verify: not built in {plan.build / 'models'}: {', '.join('model_' + m for m in missing)} "
              "(run without --no-build)", file=sys.stderr)
        return 2
    for model in models:
        program = str(plan.build / "models" / f"model_{model}")
        quick, planted, full = (results / "models" / f"{model}.{tier}.json" for tier in ("quick", "planted", "full"))
        recorder.step(f"model {model}: quick tier", [program, "--json", str(quick)], tier="models", outputs=(quick,))
        recorder.step(f"model {model}: planted bugs", [program, "--planted", "--json", str(planted)],
                      tier="planted", outputs=(planted,))
        if plan.full_models:
            recorder.step(f"model {model}: exhaustive tier", [program, "--full", "--json", str(full)],
                          tier="models", outputs=(full,))
    for algo, bug, kind in mutations:
        program = plan.build / "models" / f"model_{algo}_{bug}"
        if program.is_file():
            output = results / "models" / f"{algo}.{bug}.json"
            recorder.step(f"model {algo}: planted {bug} (scratch-copy mutation)",
                          [str(program), "--variant", bug, "--expect", kind, "--json", str(output)],
                          tier="planted", outputs=(output,))
    if plan.mutants > 0:
        recorder.step(f"memory-order mutants: a sample of {plan.mutants}",
                      [sys.executable, "-m", "suite.run.ordermutants", "--no-build", "--build", str(plan.build),
                       "--sample", str(plan.mutants), "--seed-from-commit", "--json", str(results / "ordermutants.json")],
                      tier="order", outputs=(results / "ordermutants.json",))
    property_tests = plan.build / "runtime" / "tests" / "property" / "goro_property_tests"
    if plan.programs > 0 and property_tests.is_file():
        recorder.step(f"differential tests against Go: {plan.programs} programs each",
                      [str(property_tests), "--gtest_filter=DifferentialGo*",
                       f"--gtest_output=json:{results / 'differential.json'}"],
                      env={"RC_PARAMS": f"max_success={plan.programs} seed={int(sha[:8], 16) if sha != 'unknown' else 1}"},
                      tier="differential", outputs=(results / "differential.json",))
    elif plan.programs > 0:
        print(f"verify: {property_tests} is not built: no differential results", file=sys.stderr)
    stress = plan.build / "stress" / "goro-stress"
    if plan.stress_seconds > 0 and stress.is_file():
        recorder.step(f"stress: every scenario, {plan.stress_seconds:g} s each",
                      [str(stress), "--all", "--seconds", f"{plan.stress_seconds:g}",
                       "--seed", str(int(sha[:12], 16) if sha != "unknown" else 1), "--json", str(results / "stress.json")],
                      tier="stress", outputs=(results / "stress.json",))
    elif plan.stress_seconds > 0:
        print(f"verify: {stress} is not built: no stress results", file=sys.stderr)
    explore_programs = plan.build / "runtime" / "tests" / "deterministic" / "goro_explore_programs"
    if explore_programs.is_file():
        recorder.step("deterministic exploration: the planted bugs, 100 seeds per strategy",
                      [sys.executable, "-m", "suite.cli", "explore", "--no-build", "--runs", "100",
                       "--save", str(results / "explore")],
                      tier="explore", outputs=(results / "explore" / "explore.json",))
    else:
        print(f"verify: {explore_programs} is not built: no deterministic exploration", file=sys.stderr)
    _write_record(results, recorder, sha, dirty, started)
    failed = [c for c in recorder.commands if not c["ok"]]
    for c in failed:
        print(f"verify: FAILED ({c['reason']}): {c['title']}\n  reproduce: {c['command']}", file=sys.stderr)
    return 4 if failed else 0


def _write_record(results: Path, recorder: Recorder, sha: str, dirty: bool, started: str) -> None:
    (results / "verify.json").write_text(json.dumps({
        "kind": "verify-run", "commit": sha, "dirty": dirty, "started": started,
        "seconds": round(time.monotonic() - recorder.started, 1), "commands": recorder.commands,
    }, indent=2) + "\n", encoding="utf-8")
