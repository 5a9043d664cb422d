"""`scripts/suite test` — the README's test command, also what CI runs (.ci/run).

Steps run in order; a failing step does not stop the others (except a failed build skips the
tests of that build). A summary table closes the run, then the plain line `N passed, M failed`.
Exit 0 when every step passed, 3 when the packages are missing, 4 when a step failed.
`--dry-run` prints the plan and the packages the first step would install, then stops.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable

from . import packages
from .paths import REPO_ROOT, cpp_bench_binary
from .procs import Stopwatch, banner, capture, format_seconds, run

CTEST_TIMEOUT = "900"


@dataclass
class Step:
    """Step is one named stage of the test command."""
    name: str
    title: str
    action: Callable[[], int]
    needs: str | None = None  # a step whose failure makes this one pointless
    sanitizer: bool = False


def _configure_and_build(preset: str) -> int:
    status = run(["cmake", "--preset", preset], cwd=REPO_ROOT)
    if status != 0:
        return status
    return run(["cmake", "--build", "--preset", preset, "-j2"], cwd=REPO_ROOT)


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
    return run([sys.executable, "-m", "reports.cli", "bench", "--quick", "--smoke", "--no-build"],
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
    status = run([sys.executable, "-m", "reports.cli", "gate", "--base", "HEAD~1",
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


def _pytest() -> int:
    status = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  str(REPO_ROOT / "reports" / "tests")], cwd=REPO_ROOT)
    if status == 5:
        print("suite: pytest collected no tests — reports/tests must have tests", flush=True)
    return status


def steps() -> list[Step]:
    """steps() is the ordered plan of the test command."""
    return [
        Step("packages", "Debian packages", _packages),
        Step("build-release", "configure + build (release, -j2)", lambda: _configure_and_build("release")),
        Step("ctest-release", "ctest (release, all labels)", lambda: _ctest("release"),
             needs="build-release"),
        Step("build-tsan", "configure + build (tsan)", lambda: _configure_and_build("tsan"),
             sanitizer=True),
        Step("ctest-tsan", "ctest (tsan, -L sanitize)", lambda: _ctest("tsan", "sanitize"),
             needs="build-tsan", sanitizer=True),
        Step("build-asan", "configure + build (asan+ubsan)", lambda: _configure_and_build("asan"),
             sanitizer=True),
        Step("ctest-asan", "ctest (asan+ubsan, -L sanitize)", lambda: _ctest("asan", "sanitize"),
             needs="build-asan", sanitizer=True),
        Step("bench-smoke", "benchmark smoke test (quick set once)", _bench_smoke,
             needs="build-release"),
        Step("dogfood-gate", "gate HEAD against HEAD~1, report-only", _dogfood_gate,
             needs="build-release"),
        Step("pytest", "pytest reports/tests", _pytest),
    ]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `test`."""
    names = [s.name for s in steps()]
    parser = sub.add_parser("test", help="the full test command (what CI runs)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-sanitizers", action="store_true",
                        help="skip the tsan and asan builds and their ctest runs")
    parser.add_argument("--only", action="append", choices=names, metavar="STEP",
                        help=f"run only this step (repeatable): {', '.join(names)}")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and the packages it would install, then stop")
    parser.set_defaults(handler=main)


def plan_of(args: argparse.Namespace) -> list[Step]:
    """plan_of() is the steps the options select, in order."""
    plan = [s for s in steps() if not (args.no_sanitizers and s.sanitizer)]
    return [s for s in plan if s.name in args.only] if args.only else plan


def dry_run(plan: list[Step]) -> int:
    """dry_run() prints the plan and what the packages step would install; runs nothing."""
    print("test: plan (dry run: nothing is installed, built or run)")
    for number, step in enumerate(plan, start=1):
        print(f"  {number}. {step.name:<15} {step.title}")
        if step.name == "packages":
            for line in packages.plan(packages.TEST_PACKAGES):
                print(f"       {line}")
    return 0


def main(args: argparse.Namespace) -> int:
    """main() runs the plan and prints the summary; 3 without the packages, 4 when a step failed."""
    plan = plan_of(args)
    if args.dry_run:
        return dry_run(plan)
    clock = Stopwatch()
    results: list[tuple[Step, str, float]] = []
    failed_names: set[str] = set()
    for step in plan:
        banner(f"{step.name}: {step.title}   (elapsed {format_seconds(clock.elapsed())})")
        step_clock = Stopwatch()
        if step.needs and step.needs in failed_names:
            print(f"skipped: {step.needs} failed", flush=True)
            status = "FAIL (skipped: " + step.needs + " failed)"
            failed_names.add(step.name)
        else:
            try:
                code = step.action()
            except (OSError, subprocess.SubprocessError) as error:
                print(f"suite: {step.name}: {error}", file=sys.stderr, flush=True)
                code = 1
            status = "ok" if code == 0 else f"FAIL (exit {code})"
            if code != 0:
                failed_names.add(step.name)
        results.append((step, status, step_clock.elapsed()))
        if step.name == "packages" and step.name in failed_names:
            print("suite: cannot continue without the packages", file=sys.stderr, flush=True)
            break
    banner(f"summary   (total {format_seconds(clock.elapsed())})")
    for step, status, seconds in results:
        print(f"  {step.name:<15} {format_seconds(seconds):>8}  {status}")
    passed = sum(1 for _, status, _ in results if status == "ok")
    failed = len(results) - passed
    print(f"total elapsed {format_seconds(clock.elapsed())}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    if "packages" in failed_names:
        return 3
    return 0 if failed == 0 else 4
