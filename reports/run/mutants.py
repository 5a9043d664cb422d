"""`scripts/suite mutants` — mutation testing: proof that the property tests bite.

Each mutation listed in runtime/tests/property/mutants.json (file, exact search text,
replacement, description) is applied alone to a scratch copy of runtime/ — never to the real
tree — which is built (library + goro_property_tests only, release flags, -j2, through
runtime/tests/property/standalone) and tested with fixed RapidCheck seeds. A mutation is
*killed* when the property tests fail (or hang past the time limit); the command exits 0 only
when every mutation is killed. A search text that no longer matches exactly once is an error
reported before anything is built: a stale mutation must be fixed, never silently skipped.

    /usr/bin/python3 -m reports.run.mutants --list
    /usr/bin/python3 -m reports.run.mutants --only select-first-ready-case --keep
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT / "runtime" / "tests" / "property" / "mutants.json"
STANDALONE = Path("runtime") / "tests" / "property" / "standalone"
TARGET = "goro_property_tests"
# Seeds tried in turn until one kills the mutant; the same fixed seeds ctest runs.
SEEDS = (1, 2, 3)
# More cases than a ctest run: a mutant gets every chance to be caught.
CASES = 300


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    search: str
    replace: str
    description: str


@dataclass
class Verdict:
    mutation: Mutation
    status: str          # killed | SURVIVED | ERROR
    detail: str
    seconds: float


def load_mutations(path: Path) -> list[Mutation]:
    """load_mutations() reads the data file; a malformed entry raises ValueError."""
    data = json.loads(path.read_text())
    mutations = []
    for entry in data["mutations"]:
        missing = {"name", "file", "search", "replace", "description"} - entry.keys()
        if missing:
            raise ValueError(f"{path}: mutation {entry.get('name', '?')} lacks {sorted(missing)}")
        mutations.append(Mutation(**{k: entry[k] for k in Mutation.__dataclass_fields__}))
    names = [m.name for m in mutations]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: duplicate mutation names")
    return mutations


def stale_errors(mutations: list[Mutation], root: Path) -> list[str]:
    """stale_errors() lists every mutation whose search text does not occur exactly once."""
    errors = []
    for m in mutations:
        source = root / m.file
        if not source.is_file():
            errors.append(f"{m.name}: {m.file} does not exist")
            continue
        count = source.read_text().count(m.search)
        if count != 1:
            errors.append(f"{m.name}: search text occurs {count} times in {m.file} (exactly 1 expected)")
    return errors


def copy_tree(root: Path, scratch: Path) -> None:
    """copy_tree() copies runtime/ (sources, headers, tests, CMake files) into scratch/."""
    shutil.copytree(root / "runtime", scratch / "runtime",
                    ignore=shutil.ignore_patterns("build", "build-*", "__pycache__", ".git"))


def command(argv: list[str], log: Path, timeout: float, env: dict[str, str] | None = None) -> int:
    """command() runs argv with its output in log; 124 on timeout."""
    with log.open("w") as out:
        try:
            return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=timeout,
                                  env={**os.environ, **(env or {})}).returncode
        except subprocess.TimeoutExpired:
            out.write(f"\n*** timed out after {timeout:.0f} s\n")
            return 124


def configure(scratch: Path, build: Path) -> int:
    """configure() sets up the release build of the standalone property-test project."""
    return command(["cmake", "-S", str(scratch / STANDALONE), "-B", str(build),
                    "-DCMAKE_BUILD_TYPE=RelWithDebInfo", f"-DGORO_SOURCE_DIR={scratch}"],
                   build / "configure.log", 600)


def build_tests(build: Path, jobs: int, log: Path) -> int:
    """build_tests() builds only the library and the property-test binary."""
    return command(["cmake", "--build", str(build), "--target", TARGET, f"-j{jobs}"], log, 1800)


def failed_tests(log: Path) -> list[str]:
    """failed_tests() names the GoogleTest tests a log reports as failed."""
    names = re.findall(r"^\[  FAILED  \] (\S+) \(", log.read_text(errors="replace"), re.MULTILINE)
    return sorted(set(names))


def run_tests(build: Path, log_dir: Path, timeout: float, tag: str) -> tuple[bool, str]:
    """run_tests() runs the property tests per seed; (killed, which tests failed or why)."""
    binary = build / "property" / TARGET
    for seed in SEEDS:
        log = log_dir / f"{tag}.seed{seed}.log"
        status = command([str(binary)], log, timeout,
                         env={"RC_PARAMS": f"seed={seed} max_success={CASES}"})
        if status == 124:
            return True, f"seed {seed}: hung (timed out after {timeout:.0f} s)"
        if status != 0:
            failed = failed_tests(log)
            return True, f"seed {seed}: " + (", ".join(failed) if failed else f"exit status {status}")
    return False, f"passed with seeds {', '.join(map(str, SEEDS))}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/suite mutants",
        description="Apply each source mutation listed in the data file, one at a time, to a "
                    "scratch copy of runtime/; build and run the RapidCheck property tests; "
                    "report which mutations were killed. Exit 0 only if all were.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"mutation list (default: {DEFAULT_DATA.relative_to(REPO_ROOT)})")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this mutation (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel build jobs (default 2)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds per test run before a mutant counts as hung (default 120; a clean run takes ~10)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="do not first check that the unmutated copy passes")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and logs")
    parser.add_argument("--python", action="store_true",
                        help="instead: the mutations of reports/ (reports/run/pymutants.py; "
                             "--python --help for its options)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--python" in argv:  # the statistical safeguards of reports/, not the C++ property tests
        from . import pymutants
        return pymutants.main([a for a in argv if a != "--python"])
    args = parse_args(argv)
    try:
        mutations = load_mutations(args.data)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
        print(f"mutants: cannot read {args.data}: {error}", file=sys.stderr)
        return 2
    if args.list:
        for m in mutations:
            print(f"{m.name:32} {m.file}\n{'':32} {m.description}")
        return 0
    if args.only:
        unknown = sorted(set(args.only) - {m.name for m in mutations})
        if unknown:
            print(f"mutants: no mutation named {', '.join(unknown)} (see --list)", file=sys.stderr)
            return 2
        mutations = [m for m in mutations if m.name in args.only]
    errors = stale_errors(mutations, REPO_ROOT)
    if errors:
        for error in errors:
            print(f"mutants: ERROR {error}", file=sys.stderr)
        print("mutants: fix the stale mutations in the data file; nothing was built", file=sys.stderr)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="goro-mutants-"))
    build = scratch / "build"
    logs = scratch / "logs"
    logs.mkdir()
    started = time.monotonic()
    verdicts: list[Verdict] = []
    try:
        print(f"mutants: scratch copy in {scratch}", flush=True)
        copy_tree(REPO_ROOT, scratch)
        build.mkdir()
        if configure(scratch, build) != 0:
            print(f"mutants: configuring the scratch copy failed; see {build / 'configure.log'}",
                  file=sys.stderr)
            args.keep = True
            return 2
        if not args.skip_baseline:
            clock = time.monotonic()
            print("mutants: baseline (no mutation): building and testing ...", flush=True)
            if build_tests(build, args.jobs, logs / "baseline.build.log") != 0:
                print(f"mutants: the unmutated copy does not build; see {logs / 'baseline.build.log'}",
                      file=sys.stderr)
                args.keep = True
                return 2
            killed, detail = run_tests(build, logs, args.timeout, "baseline")
            if killed:
                print(f"mutants: the unmutated copy fails its property tests ({detail}); a mutation "
                      f"result would mean nothing. Logs: {logs}", file=sys.stderr)
                args.keep = True
                return 2
            print(f"mutants: baseline passes ({time.monotonic() - clock:.0f} s)", flush=True)
        for index, m in enumerate(mutations, start=1):
            clock = time.monotonic()
            target = scratch / m.file
            original = target.read_text()
            print(f"mutants: [{index}/{len(mutations)}] {m.name}: {m.description}", flush=True)
            if original.count(m.search) != 1:  # the copy must match what was validated
                verdicts.append(Verdict(m, "ERROR", f"search text not found once in the copy of {m.file}", 0.0))
                print(f"mutants:     ERROR: search text not found once in the copy of {m.file}", flush=True)
                continue
            target.write_text(original.replace(m.search, m.replace, 1))
            try:
                if build_tests(build, args.jobs, logs / f"{m.name}.build.log") != 0:
                    verdict = Verdict(m, "ERROR", f"does not build; see {logs / (m.name + '.build.log')}",
                                      time.monotonic() - clock)
                    args.keep = True
                else:
                    killed, detail = run_tests(build, logs, args.timeout, m.name)
                    verdict = Verdict(m, "killed" if killed else "SURVIVED", detail, time.monotonic() - clock)
            finally:
                target.write_text(original)
            verdicts.append(verdict)
            print(f"mutants:     {verdict.status} ({verdict.seconds:.0f} s): {verdict.detail}", flush=True)
    finally:
        if args.keep:
            print(f"mutants: scratch copy and logs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(f"{'mutation':34} {'verdict':9} {'time':>6}  detail")
    for v in verdicts:
        print(f"{v.mutation.name:34} {v.status:9} {v.seconds:5.0f}s  {v.detail}")
    killed = sum(v.status == "killed" for v in verdicts)
    print(f"\nmutants: {killed} of {len(verdicts)} killed in {time.monotonic() - started:.0f} s")
    return 0 if killed == len(verdicts) and verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
