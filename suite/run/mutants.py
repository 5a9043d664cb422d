"""`scripts/suite mutants` — mutation testing: proof that the unit and property tests bite.

Each mutation listed in runtime/tests/property/mutants.json (file, exact search text,
replacement, description, optionally the test binary to try `first`) is applied alone to a
scratch copy of the tree — never to the real one. The copy (build/mutants/, --scratch) is
configured once (release flags, tests only: no benchmarks, models, stress or examples), kept and
synchronised run after run, and rebuilt incrementally: per mutant, one test binary at a time is
rebuilt and run — the unit-test binaries (each under a time limit), then the property tests with
fixed RapidCheck seeds — until one fails, so a mutant the first binary kills costs only that
binary's rebuild. A mutation is *killed* when a test fails (or hangs past the time limit); the
command exits 0 only when every mutation is killed. A search text that no longer matches exactly
once is an error reported before anything is built: a stale mutation must be fixed, never
silently skipped. `--json FILE` writes every verdict. `--tier deterministic` runs only the
property tests built on goro::deterministic (goro_property_tests_deterministic) with the settings
of their ctest label `deterministic`: proof that that tier bites too.

`scripts/suite mutants --models` runs suite.run.ordermutants instead (memory-order mutants of
runtime/include/goro/algo/ against the Relacy models) and `--python` suite.run.pymutants (mutations
of suite/ against pytest); delegates.py chooses, this module never imports them.

    /usr/bin/python3 -m suite.run.mutants --list
    /usr/bin/python3 -m suite.run.mutants --only select-first-ready-case
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from ..base.paths import REPO_ROOT
from .mutation import (Mutation, Verdict, build_targets, choose, command, configure, load,
                       refuse_stale, search_text_error, sync_tree)

DEFAULT_DATA = REPO_ROOT / "runtime" / "tests" / "property" / "mutants.json"
DEFAULT_SCRATCH = REPO_ROOT / "build" / "mutants"
PROPERTY_TARGET = "goro_property_tests"
DETERMINISTIC_TARGET = "goro_property_tests_deterministic"
# The deterministic property tier's settings, as its ctest label runs it
# (runtime/tests/property/CMakeLists.txt: one RapidCheck seed, one scheduler seed, 20 cases).
DETERMINISTIC_ENV = {"RC_PARAMS": "seed=1 max_success=20", "GORO_DET_SEED": "1",
                     "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1"}
# The unit-test binaries a mutant runs, fastest to fail first (runtime/tests/CMakeLists.txt's
# GORO_UNIT_TESTS minus options_test, which exercises no algorithm, plus the policy conformance
# kit on the built-in policies, conformance_test). million_test and
# overflow_test are left out: they measure memory and stack overflow, not the algorithms.
UNIT_TARGETS = ("chan_test", "select_test", "sync_test", "timer_test", "goroutine_test",
                "ending_test", "pipeline_test", "conformance_test")
# Seeds tried in turn until one kills the mutant; the same fixed seeds ctest runs.
SEEDS = (1, 2, 3)
# More cases than a ctest run: a mutant gets every chance to be caught.
CASES = 300


def load_mutations(path: Path) -> list[Mutation]:
    """load_mutations() reads the data file; a malformed entry raises ValueError."""
    mutations = load(path)
    for m in mutations:
        if m.first not in ("", *UNIT_TARGETS, PROPERTY_TARGET):
            raise ValueError(f"{path}: mutation {m.name}: unknown test binary {m.first!r}")
    return mutations


def stale_errors(mutations: list[Mutation], root: Path) -> list[str]:
    """stale_errors() lists every mutation whose search text does not occur exactly once."""
    return [e for m in mutations if (e := search_text_error(m, root))]


def failed_tests(log: Path) -> list[str]:
    """failed_tests() names the GoogleTest tests a log reports as failed."""
    # "[  FAILED  ] Suite.Name (3 ms)" or, parametrised, "[  FAILED  ] P/Suite.Name/go_w1, where ..."
    names = re.findall(r"^\[  FAILED  \] ([\w/]+\.[\w/]+)", log.read_text(errors="replace"), re.MULTILINE)
    return sorted(set(names))


def run_unit_test(build: Path, name: str, log_dir: Path, timeout: float, tag: str) -> tuple[bool, str]:
    """run_unit_test() runs one unit-test binary (every configuration); (killed, why)."""
    log = log_dir / f"{tag}.{name}.log"
    status = command([str(build / "runtime" / "tests" / name)], log, timeout)
    why = _failure(name, status, log, timeout)
    return (True, why) if why else (False, f"{name} passed")


def _failure(label: str, status: int, log: Path, timeout: float) -> str | None:
    """_failure() says why a test binary's run killed the mutant (a hang, or the tests its log
    names as failed, at most three), or None when it passed."""
    if status == 124:
        return f"{label}: hung (timed out after {timeout:.0f} s)"
    if status == 0:
        return None
    failed = failed_tests(log)
    shown = ", ".join(failed[:3]) + (f" (+{len(failed) - 3} more)" if len(failed) > 3 else "")
    return f"{label}: " + (shown if failed else f"exit status {status}")


def run_property_tests(build: Path, log_dir: Path, timeout: float, tag: str) -> tuple[bool, str]:
    """run_property_tests() runs the property binary once per fixed seed; (killed, why)."""
    binary = build / "runtime" / "tests" / "property" / PROPERTY_TARGET
    for seed in SEEDS:
        log = log_dir / f"{tag}.seed{seed}.log"
        status = command([str(binary)], log, timeout,
                         env={"RC_PARAMS": f"seed={seed} max_success={CASES}"})
        why = _failure(f"property seed {seed}", status, log, timeout)
        if why:
            return True, why
    return False, f"property seeds {', '.join(map(str, SEEDS))} passed"


def run_deterministic_property_tests(build: Path, log_dir: Path, timeout: float, tag: str) -> tuple[bool, str]:
    """run_deterministic_property_tests() runs the deterministic property binary as its ctest
    label does; (killed, why)."""
    binary = build / "runtime" / "tests" / "property" / DETERMINISTIC_TARGET
    log = log_dir / f"{tag}.deterministic.log"
    status = command([str(binary)], log, timeout, env=DETERMINISTIC_ENV)
    why = _failure(DETERMINISTIC_TARGET, status, log, timeout)
    return (True, why) if why else (False, f"{DETERMINISTIC_TARGET} passed")


def test_order(tiers: tuple[str, ...], first: str = "") -> list[str]:
    """test_order() lists the test binaries to try, `first` (a hint) at the front."""
    order = [*(UNIT_TARGETS if "unit" in tiers else ()), *((PROPERTY_TARGET,) if "property" in tiers else ()),
             *((DETERMINISTIC_TARGET,) if "deterministic" in tiers else ())]
    if first in order:
        order.remove(first)
        order.insert(0, first)
    return order


def build_and_test(build: Path, jobs: int, log_dir: Path, timeout: float, tag: str,
                   order: list[str]) -> tuple[str, str]:
    """build_and_test() rebuilds and runs one test binary at a time, stopping at the first that
    fails: a mutant killed by the first binary costs only that binary's rebuild. Returns
    (killed | SURVIVED | ERROR, detail)."""
    passed = []
    for target in order:
        log = log_dir / f"{tag}.build.log"
        if build_targets(build, [target], jobs, log) != 0:
            return "ERROR", f"{target} does not build; see {log}"
        if target == PROPERTY_TARGET:
            killed, detail = run_property_tests(build, log_dir, timeout, tag)
        elif target == DETERMINISTIC_TARGET:
            killed, detail = run_deterministic_property_tests(build, log_dir, timeout, tag)
        else:
            killed, detail = run_unit_test(build, target, log_dir, timeout, tag)
        if killed:
            return "killed", detail
        passed.append(target)
    return "SURVIVED", "passed: " + ", ".join(passed)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/suite mutants",
        description="Apply each source mutation listed in the data file, one at a time, to a "
                    "scratch copy of the tree; rebuild and run the unit tests and the RapidCheck "
                    "property tests; report which mutations were killed. Exit 0 only if all were. "
                    "With --models, run the memory-order mutants against the Relacy models "
                    "instead (suite.run.ordermutants; pass --help after --models for its options).")
    parser.add_argument("--models", action="store_true",
                        help="memory-order mutants of algo/ against the models (suite.run.ordermutants)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"mutation list (default: {DEFAULT_DATA.relative_to(REPO_ROOT)})")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this mutation (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel build jobs (default 2)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds per test run before a mutant counts as hung (default 120; a clean run takes ~10)")
    parser.add_argument("--tier", choices=("all", "unit", "property", "deterministic"), default="all",
                        help="which tests may kill a mutant (default all: unit first, then property; "
                        "deterministic: only goro_property_tests_deterministic, as its ctest label runs it)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="do not first check that the unmutated copy passes")
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH,
                        help="the scratch tree, reused from run to run (default: build/mutants)")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the verdicts as JSON (for the verification page)")
    parser.add_argument("--python", action="store_true",
                        help="instead: the mutations of suite/ (suite/run/pymutants.py; "
                             "--python --help for its options)")
    return parser.parse_args(argv)


def write_json(path: Path, verdicts: list[Verdict], seconds: float) -> None:
    """write_json() records every verdict: name, file, description, status, detail, seconds."""
    path.write_text(json.dumps({
        "kind": "semantic-mutants",
        "seconds": round(seconds, 1),
        "killed": sum(v.status == "killed" for v in verdicts),
        "total": len(verdicts),
        "mutants": [{"name": v.mutation.name, "file": v.mutation.file,
                     "description": v.mutation.description, "status": v.status,
                     "detail": v.detail, "seconds": round(v.seconds, 1)} for v in verdicts],
    }, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.models or args.python:  # delegates.py hands those to their modules before this one
        print(f"mutants: --{'models' if args.models else 'python'} is `scripts/suite mutants "
              f"--{'models' if args.models else 'python'}` (module suite.run."
              f"{'ordermutants' if args.models else 'pymutants'})", file=sys.stderr)
        return 2
    try:
        mutations = load_mutations(args.data)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
        print(f"mutants: cannot read {args.data}: {error}", file=sys.stderr)
        return 2
    if args.list:
        for m in mutations:
            print(f"{m.name:32} {m.file}\n{'':32} {m.description}")
        return 0
    mutations = choose(mutations, args.only)
    if mutations is None or refuse_stale(stale_errors(mutations, REPO_ROOT), "built"):
        return 2

    tiers = ("unit", "property") if args.tier == "all" else (args.tier,)
    scratch = args.scratch.resolve()
    build = scratch / "build"
    logs = scratch / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    build.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    verdicts: list[Verdict] = []
    try:
        print(f"mutants: scratch copy in {scratch} (reused: incremental rebuilds)", flush=True)
        sync_tree(REPO_ROOT, scratch)
        if not (build / "Makefile").is_file() and configure(scratch, build) != 0:
            print(f"mutants: configuring the scratch copy failed; see {build / 'configure.log'}",
                  file=sys.stderr)
            return 2
        if not args.skip_baseline:
            clock = time.monotonic()
            print("mutants: baseline (no mutation): building and testing ...", flush=True)
            status, detail = build_and_test(build, args.jobs, logs, args.timeout, "baseline", test_order(tiers))
            if status != "SURVIVED":
                print(f"mutants: the unmutated copy {'does not build' if status == 'ERROR' else 'fails its tests'} "
                      f"({detail}); a mutation result would mean nothing. Logs: {logs}", file=sys.stderr)
                return 2
            print(f"mutants: baseline passes ({time.monotonic() - clock:.0f} s)", flush=True)
        for index, m in enumerate(mutations, start=1):
            clock = time.monotonic()
            target = scratch / m.file
            original = target.read_text()
            print(f"mutants: [{index}/{len(mutations)}] {m.name}: {m.description}", flush=True)
            if m.stale(original):  # the copy must match what was validated
                verdicts.append(Verdict(m, "ERROR", f"search text not found once in the copy of {m.file}", 0.0))
                print(f"mutants:     ERROR: search text not found once in the copy of {m.file}", flush=True)
                continue
            target.write_text(m.apply(original))
            try:
                status, detail = build_and_test(build, args.jobs, logs, args.timeout, m.name,
                                                test_order(tiers, m.first))
                verdict = Verdict(m, status, detail, time.monotonic() - clock)
            finally:
                target.write_text(original)
            verdicts.append(verdict)
            print(f"mutants:     {verdict.status} ({verdict.seconds:.0f} s): {verdict.detail}", flush=True)
            if args.json:  # after every mutant: a cut-short run still leaves its verdicts
                write_json(args.json, verdicts, time.monotonic() - started)
    finally:
        print(f"mutants: logs in {logs}")

    print()
    print(f"{'mutation':34} {'verdict':9} {'time':>6}  detail")
    for v in verdicts:
        print(f"{v.mutation.name:34} {v.status:9} {v.seconds:5.0f}s  {v.detail}")
    killed = sum(v.status == "killed" for v in verdicts)
    print(f"\nmutants: {killed} of {len(verdicts)} killed in {time.monotonic() - started:.0f} s")
    if args.json:
        write_json(args.json, verdicts, time.monotonic() - started)
        print(f"mutants: verdicts written to {args.json}")
    return 0 if killed == len(verdicts) and verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
