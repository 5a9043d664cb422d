"""`scripts/suite mutants --python` — proof that suite/' statistical safeguards bite.

Each mutation listed in suite/tests/mutants.json (file, exact search text, replacement,
description, the pytest files that must catch it) is applied alone to a scratch copy of
suite/ — never to the real tree — and those pytest files run against the copy (`-x`, first
failure ends the run). A mutation is *killed* when pytest fails (or hangs past the time limit);
the command exits 0 only when every mutation is killed. A search text that does not occur
exactly once is an error reported before anything runs: a stale mutation is fixed, never
silently skipped. Before the mutants, the union of the listed test files runs once on the
unmutated copy: a baseline that fails would make every "killed" meaningless.

Only the standard library is imported here (the mutants command runs before the packages step).

    /usr/bin/python3 -m suite.run.pymutants --list
    /usr/bin/python3 -m suite.run.pymutants --only holm-disabled --keep
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..base.paths import REPO_ROOT
from .mutation import Mutation, Verdict, choose, load, refuse_stale, search_text_error

DEFAULT_DATA = REPO_ROOT / "suite" / "tests" / "mutants.json"
PYTHON = "/usr/bin/python3"  # Debian's interpreter, the one with numpy/scipy (see scripts/suite)


def load_mutations(path: Path) -> list[Mutation]:
    """load_mutations() reads the data file (every entry lists its pytest `tests`); a malformed
    entry raises ValueError."""
    return load(path, required=("tests",))


def stale_errors(mutations: list[Mutation], root: Path) -> list[str]:
    """stale_errors() lists mutations whose search text does not occur exactly once, and test
    paths that do not exist."""
    errors = []
    for m in mutations:
        if (error := search_text_error(m, root)):
            errors.append(error)
        for test in m.tests:
            if not (root / test.split("::")[0]).exists():
                errors.append(f"{m.name}: test path {test} does not exist")
    return errors


def copy_tree(root: Path, scratch: Path) -> None:
    """copy_tree() copies suite/ and what its tests read (benches/quick.filter) into scratch/."""
    shutil.copytree(root / "suite", scratch / "suite",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (scratch / "benches").mkdir()
    for name in ("quick.filter",):
        if (root / "benches" / name).is_file():
            shutil.copy2(root / "benches" / name, scratch / "benches" / name)


def run_pytest(scratch: Path, tests: list[str], log: Path, timeout: float) -> int:
    """run_pytest() runs pytest on the copy (cwd = scratch, so `suite` is the mutated one);
    returns its exit status, 124 on timeout."""
    argv = [PYTHON, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(scratch)}
    with log.open("w", encoding="utf-8") as out:
        try:
            return subprocess.run(argv, cwd=scratch, stdout=out, stderr=subprocess.STDOUT,
                                  env=env, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            out.write(f"\n*** timed out after {timeout:.0f} s\n")
            return 124


def first_failure(log: Path) -> str:
    """first_failure() names the first failed test in a pytest -q log."""
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" - ")[0]
    return "pytest failed"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """parse_args() reads the command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="scripts/suite mutants --python",
        description="Apply each mutation of suite/ listed in the data file, one at a time, to a "
                    "scratch copy; run the pytest files it lists; exit 0 only when every "
                    "mutation is killed (1 when one survives, 2 on a stale or unreadable list).")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"mutation list (default: {DEFAULT_DATA.relative_to(REPO_ROOT)})")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this mutation (repeatable)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds per pytest run before a mutant counts as hung (default 300)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="do not first check that the unmutated copy passes")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """main() runs the mutation check; exit 0 all killed, 1 a survivor or error, 2 bad input."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        mutations = load_mutations(args.data)
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
        print(f"mutants: cannot read {args.data}: {error}", file=sys.stderr)
        return 2
    if args.list:
        for m in mutations:
            print(f"{m.name:34} {m.file}\n{'':34} {m.description}\n{'':34} killed by: "
                  f"{' '.join(m.tests)}")
        return 0
    mutations = choose(mutations, args.only)
    if mutations is None or refuse_stale(stale_errors(mutations, REPO_ROOT), "run"):
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="goro-pymutants-"))
    logs = scratch / "logs"
    logs.mkdir()
    started = time.monotonic()
    verdicts: list[Verdict] = []
    try:
        print(f"mutants: scratch copy of suite/ in {scratch}", flush=True)
        copy_tree(REPO_ROOT, scratch)
        if not args.skip_baseline:
            union = sorted({t for m in mutations for t in m.tests})
            clock = time.monotonic()
            print(f"mutants: baseline (no mutation): {len(union)} test file(s) ...", flush=True)
            if run_pytest(scratch, union, logs / "baseline.log", args.timeout) != 0:
                print(f"mutants: the unmutated copy fails its tests ({first_failure(logs / 'baseline.log')});"
                      f" a mutation result would mean nothing. Log: {logs / 'baseline.log'}",
                      file=sys.stderr)
                args.keep = True
                return 2
            print(f"mutants: baseline passes ({time.monotonic() - clock:.0f} s)", flush=True)
        for index, m in enumerate(mutations, start=1):
            clock = time.monotonic()
            target = scratch / m.file
            original = target.read_text(encoding="utf-8")
            print(f"mutants: [{index}/{len(mutations)}] {m.name}: {m.description}", flush=True)
            target.write_text(m.apply(original), encoding="utf-8")
            try:
                log = logs / f"{m.name}.log"
                status = run_pytest(scratch, list(m.tests), log, args.timeout)
            finally:
                target.write_text(original, encoding="utf-8")
            if status == 124:
                verdict = Verdict(m, "killed", "hung (timed out)", time.monotonic() - clock)
            elif status == 1:
                verdict = Verdict(m, "killed", first_failure(log), time.monotonic() - clock)
            elif status == 0:
                verdict = Verdict(m, "SURVIVED", "every listed test passed", time.monotonic() - clock)
            else:  # 2-5: pytest itself could not run (collection error, usage) — not a kill
                verdict = Verdict(m, "ERROR", f"pytest exit {status}; see {log}",
                                  time.monotonic() - clock)
                args.keep = True
            verdicts.append(verdict)
            print(f"mutants:     {verdict.status} ({verdict.seconds:.0f} s): {verdict.detail}",
                  flush=True)
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
    print(f"\nmutants: {killed} of {len(verdicts)} Python mutations killed in "
          f"{time.monotonic() - started:.0f} s")
    return 0 if killed == len(verdicts) and verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
