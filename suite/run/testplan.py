"""The test command's plan: the ordered steps of `scripts/suite test` and what each one runs.

Each Step names a stage (packages, the mutation lists' staleness check, the release and sanitizer
builds with their ctest runs, the out-of-tree custom policy example, the deterministic exploration
of planted bugs, the benchmark smoke test, the
report-only dogfood gate, pytest) and the step whose failure makes it pointless; testcmd.py
selects steps from the options, runs them and prints the summary, and save_run() keeps what ran
for the verification page (`scripts/suite report` reads it as it reads `verify`'s results).
"""
from __future__ import annotations

import datetime
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import packages
from .build import RETRY_CHAN_CHECKS, configure_and_build, custom_policy_example, retry_chan_example
from .build import RETRY_CHAN_SOURCE, RETRY_CHAN_WORK
from .build import RING_QUEUE_CHECKS, RING_QUEUE_MODEL, RING_QUEUE_SOURCE, RING_QUEUE_WORK
from ..base.paths import REPO_ROOT, TEST_RESULTS_DIR, cpp_bench_binary
from ..base.procs import capture, run

CTEST_TIMEOUT = "900"


@dataclass
class Step:
    """Step is one named stage of the test command."""
    name: str
    title: str
    action: Callable[[], int]
    needs: str | None = None  # a step whose failure makes this one pointless
    sanitizer: bool = False
    saves: Path | None = None  # a results file it writes for the verification page (kept by save_run())


def _ctest(preset: str, label: str | None = None) -> int:
    argv = ["ctest", "--preset", preset, "-j2", "--timeout", CTEST_TIMEOUT, "--no-tests=error"]
    if label:
        argv += ["-L", label]
    return run(argv, cwd=REPO_ROOT)


def _packages() -> int:
    try:
        packages.ensure(packages.TEST_PACKAGES)
    except packages.PackageError as error:
        print(f"suite: {error}", file=sys.stderr, flush=True)
        return 3
    return 0


def _bench_smoke() -> int:
    return run([sys.executable, "-m", "suite.cli", "bench", "--quick", "--smoke", "--no-build"],
               cwd=REPO_ROOT)


# The dogfood gate's benchmarks: one per mechanism a change in runtime/ most often moves
# (unbuffered hand-off, buffered channel, select, spawning) for the two work-stealing policies at
# one worker, where the run-to-run noise is lowest. 8 benchmarks × 5 repetitions × 2 ABBA rounds:
# ~30 s of measuring on the loaded 2-core VM, plus one release build of goro_bench at HEAD~1.
DOGFOOD_FILTER = r"^(chan_pingpong|chan_prodcons/cap:128|select2|spawn_join)/goro/(go|steal)/workers:1$"


def _dogfood_gate() -> int:
    """_dogfood_gate() gates this checkout's build against its parent commit, report-only: the
    verdict is printed (table and Markdown) but never fails the step; only a gate that cannot
    judge (exit 2) does. Skipped when the parent is not in the clone (a shallow CI checkout)."""
    if not capture(["git", "rev-parse", "--verify", "-q", "HEAD~1^{commit}"], cwd=REPO_ROOT):
        print("dogfood gate: skipped — the parent commit is not in this clone (shallow?)",
              flush=True)
        return 0
    markdown = REPO_ROOT / "build" / "gate" / "dogfood.md"
    markdown.parent.mkdir(parents=True, exist_ok=True)
    status = run([sys.executable, "-m", "suite.cli", "gate", "--base", "HEAD~1",
                  "--head-binary", str(cpp_bench_binary(REPO_ROOT)), "--filter", DOGFOOD_FILTER,
                  "--rounds", "2", "--confirm-rounds", "1", "--repetitions", "5",
                  "--markdown", str(markdown)], cwd=REPO_ROOT)
    if markdown.is_file():
        print(markdown.read_text(encoding="utf-8"), flush=True)
    if status in (0, 1):
        print(f"dogfood gate: report-only, verdict exit {status} "
              f"({'a confirmed regression against HEAD~1' if status else 'no regression'}); "
              "the test command does not fail on it", flush=True)
        return 0
    return status


# The sampled tier of the memory-order mutants: a few per run, drawn from the commit (so a commit
# always runs the same ones, and the sample moves as the code does), against the models ctest
# just built and passed. Each is one model process per model reaching the header (run-time
# mutants: no rebuild), ~3-25 s apiece; the full list is `scripts/suite mutants --models`.
ORDER_MUTANT_SAMPLE = 3
ORDER_MUTANT_JSON = REPO_ROOT / "build" / "release" / "ordermutants-sample.json"


def _order_mutants_sample() -> int:
    return run([sys.executable, "-m", "suite.run.ordermutants", "--no-build", "--no-baseline",
                "--sample", str(ORDER_MUTANT_SAMPLE), "--seed-from-commit",
                "--json", str(ORDER_MUTANT_JSON)], cwd=REPO_ROOT)


# Every memory-order mutant of the kit examples' headers against their kit models (19, seconds:
# each is one run of a model whose quick tier takes a few seconds), with their reviewed survivors.
KIT_ORDER_MUTANTS_JSON = REPO_ROOT / RING_QUEUE_WORK / "order-mutants.json"


def _kit_order_mutants() -> int:
    argv = [sys.executable, "-m", "suite.run.ordermutants", "--no-baseline", "--json", str(KIT_ORDER_MUTANTS_JSON)]
    for source, model in ((RETRY_CHAN_SOURCE, RETRY_CHAN_WORK / "build" / "retry_chan_model"),
                          (RING_QUEUE_SOURCE, RING_QUEUE_MODEL)):
        example = REPO_ROOT / source
        argv += ["--header", str(example / f"{source.name}.hpp"), "--model", str(REPO_ROOT / model),
                 "--equivalents", str(example / "equivalent_mutants.json")]
    return run(argv, cwd=REPO_ROOT)


# What the ring-queue step's `scripts/suite kit` run writes (kind kit-run; test_kit.py reads it).
RING_QUEUE_KIT_JSON = REPO_ROOT / RING_QUEUE_WORK / "kit.json"


def _ring_queue_kit() -> int:
    """_ring_queue_kit() runs the documented one command on examples/ring_queue, as a user would:
    `scripts/suite kit` installs goro, builds the example against it and runs every kit check
    (its algorithm-checks.json is the page's section). Its header's mutants run in the
    kit-order-mutants step, with retry_chan's, so --no-mutants here. A previous run's file is
    removed first: kit writes it only when it finishes."""
    RING_QUEUE_KIT_JSON.unlink(missing_ok=True)
    return run([str(REPO_ROOT / "scripts" / "suite"), "kit", str(REPO_ROOT / RING_QUEUE_SOURCE), "--no-build",
                "--no-mutants", "--work", str(REPO_ROOT / RING_QUEUE_WORK), "--json", str(RING_QUEUE_KIT_JSON)],
               cwd=REPO_ROOT)


def _mutation_lists() -> int:
    """_mutation_lists() checks that every mutation list still applies to the tree (stalelists.py):
    seconds, nothing built, so a stale mutant fails the test command, not the next mutants run."""
    return run([sys.executable, "-m", "suite.run.stalelists"], cwd=REPO_ROOT)


# Where `scripts/suite explore` writes its results by default (explorecmd.py: --save).
EXPLORE_JSON = REPO_ROOT / "build" / "release" / "explore" / "explore.json"


def _explore_planted() -> int:
    """_explore_planted() is the deterministic world's cheap tier (seconds): every planted bug of
    runtime/tests/deterministic/explore_programs.cpp found under the random walk or PCT,
    replayed 10/10 from its line and shrunk; a correct control program never fails."""
    return run([sys.executable, "-m", "suite.cli", "explore", "--no-build", "--runs", "100"], cwd=REPO_ROOT)


def _pytest() -> int:
    status = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  str(REPO_ROOT / "suite" / "tests")], cwd=REPO_ROOT)
    if status == 5:
        print("suite: pytest collected no tests — suite/tests must have tests", flush=True)
    return status


def steps() -> list[Step]:
    """steps() is the ordered plan of the test command."""
    return [
        Step("packages", "Debian packages", _packages),
        Step("mutation-lists", "every mutation list applies to the tree (nothing built)", _mutation_lists),
        Step("build-release", "configure + build (release, -j2)", lambda: configure_and_build("release")),
        Step("ctest-release", "ctest (release, all labels)", lambda: _ctest("release"),
             needs="build-release"),
        Step("order-mutants", f"memory-order mutants (a sample of {ORDER_MUTANT_SAMPLE}, seeded by the commit)",
             _order_mutants_sample, needs="ctest-release", saves=ORDER_MUTANT_JSON),
        Step("explore", "deterministic world: planted bugs found by seeded schedules, replayed, shrunk",
             _explore_planted, needs="ctest-release", saves=EXPLORE_JSON),
        Step("custom-policy", "custom policy example: out of tree against an installed goro, its conformance kit",
             custom_policy_example, needs="build-release"),
        Step("retry-chan", "retry_chan example: a channel out of tree, goro's verification kit on it",
             retry_chan_example, needs="build-release", saves=REPO_ROOT / RETRY_CHAN_CHECKS),
        Step("ring-queue", "ring_queue example: a run queue out of tree, `scripts/suite kit` on it",
             _ring_queue_kit, needs="build-release", saves=REPO_ROOT / RING_QUEUE_CHECKS),
        Step("kit-order-mutants", "retry_chan and ring_queue: every memory-order mutant of their headers vs their kit models",
             _kit_order_mutants, needs="ring-queue", saves=KIT_ORDER_MUTANTS_JSON),
        Step("build-tsan", "configure + build (tsan)", lambda: configure_and_build("tsan"),
             sanitizer=True),
        Step("ctest-tsan", "ctest (tsan, -L sanitize)", lambda: _ctest("tsan", "sanitize"),
             needs="build-tsan", sanitizer=True),
        Step("build-asan", "configure + build (asan+ubsan)", lambda: configure_and_build("asan"),
             sanitizer=True),
        Step("ctest-asan", "ctest (asan+ubsan, -L sanitize)", lambda: _ctest("asan", "sanitize"),
             needs="build-asan", sanitizer=True),
        Step("bench-smoke", "benchmark smoke test (quick set once)", _bench_smoke,
             needs="build-release"),
        Step("dogfood-gate", "gate HEAD against HEAD~1, report-only", _dogfood_gate,
             needs="build-release"),
        Step("pytest", "pytest suite/tests", _pytest),
    ]


@dataclass
class Ran:
    """Ran is one step of a test run as save_run() records it: its exit status (None when it was
    skipped because `skipped` failed), when it started (a time.time()) and how long it took."""
    step: Step
    status: int | None
    started: float
    seconds: float
    skipped: str | None = None


def save_run(ran: list[Ran], commit: str, dirty: bool, seconds: float,
             directory: Path = TEST_RESULTS_DIR) -> Path:
    """save_run() replaces directory with what this test run did: test.json (kind verify-run, by
    `scripts/suite test`: each step with its status, judged on the page like a verify command)
    and a copy of each results file a step wrote during this run (Step.saves: e.g. the
    verification kit's checks of retry_chan). A file older than its step's start is stale and is
    not copied; the step's own status says whether it failed."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    commands = []
    for r in ran:
        record: dict[str, object] = {
            "title": r.step.title, "tier": r.step.name, "command": f"scripts/suite test --only {r.step.name}",
            "status": r.status, "allowed": [0], "seconds": round(r.seconds, 1), "outputs": []}
        if r.skipped:
            record["skipped"] = r.skipped
        saved = r.step.saves
        if saved is not None and r.status is not None and saved.is_file() and saved.stat().st_mtime >= r.started:
            shutil.copyfile(saved, directory / f"{r.step.name}.json")
            record["saved"] = f"{r.step.name}.json"
        commands.append(record)
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds)
    target = directory / "test.json"
    target.write_text(json.dumps({
        "kind": "verify-run", "by": "scripts/suite test", "commit": commit, "dirty": dirty,
        "started": started.isoformat(timespec="seconds"), "seconds": round(seconds, 1), "commands": commands,
    }, indent=2) + "\n", encoding="utf-8")
    return target
