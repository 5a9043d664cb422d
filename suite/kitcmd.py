"""`scripts/suite kit PROJECT_DIR` — every check of goro's verification kit on a project of your
own, in one command: what a user with their own channel or run queue runs.

PROJECT_DIR is a CMake project that calls goro_add_algorithm_checks() (and
goro_add_algorithm_mutant() for its planted bugs; runtime/cmake/GoroVerify.cmake). The command
installs goro from the release build into a fresh prefix (building release first, unless
--no-build), configures and builds the project against it with find_package(goro)
(build/kit/<project>/build), then runs:

  1. every kit check ctest lists (build.run_algorithm_checks()): the Relacy models, the
     properties, the chaos and TSan stress runs of the faithful algorithm, and each planted bug,
     which must be reported as the kind its EXPECT names;
  2. the memory-order mutants of each header the project checks (`mutants --models --header H
     --model EXE`, suite/run/ordermutants.py), with the equivalent_mutants.json beside the header
     when there is one; the header of each model is the file goro_add_algorithm_checks writes
     (<build>/goro-kit/<name>.header);
  3. with --bench: goro's channel workloads on the project's <name>_bench binary
     (goro_add_algorithm_bench) next to goro's channel, Boost.Fiber and Go at 1 and 2 workers
     (`bench --extra-binary`), stored as a benchmark record that `report` and `designs` show.

It ends with one table: each check, faithful or the planted bug, its verdict (the kind found, or
clean), where it was found and its seconds; then the mutants killed and survived. Results are in
build/kit/<project>/ (algorithm-checks.json, order-mutants.json) and, with --json FILE, in one
file (kind "kit-run").

Exit status: 0 — every check passed (the faithful version clean, every planted bug reported as
its kind, no mutant survived unexplained, the benchmarks ran); 2 — PROJECT_DIR is not a
directory, has no CMakeLists.txt, or its build lists no kit checks; 4 — a build, check, mutant
run or benchmark failed; 130 — interrupted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .base.paths import REPO_ROOT, build_dir
from .base.procs import run
from .results.verification import planted_bug
from .run import ordermutants, packages
from .run.build import build_kit_example, build_release, run_algorithm_checks

KIT_WORK = Path("build") / "kit"  # build/kit/<project>/{prefix,build,*.json}
# --bench: goro's channel workloads that a channel of your own runs, on goro's go policy, your
# channel (goro/chan:<name>), Boost.Fiber and the Go twin, at 1 and 2 workers.
BENCH_FILTER = (r"^(chan_pingpong|chan_prodcons/cap:(0|1|128)|chan_mpmc/cap:128|fanout_fanin|worker_pool)/"
                r"(goro/(go|chan:[^/]+)|fiber/round_robin|go)/workers:(1|2)$")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `kit`."""
    parser = sub.add_parser("kit", help="run every verification-kit check (models, planted bugs, properties, "
                            "stress, memory-order mutants, optionally benchmarks) on a project of your own",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path, metavar="PROJECT_DIR",
                        help="a CMake project calling goro_add_algorithm_checks() (e.g. examples/ring_queue)")
    parser.add_argument("--work", type=Path, metavar="DIR",
                        help="where goro is installed and the project built (default build/kit/<project name>)")
    parser.add_argument("--no-build", action="store_true",
                        help="do not build goro's release preset first (it must exist: build/release)")
    parser.add_argument("--no-mutants", action="store_true", help="skip the memory-order mutants")
    parser.add_argument("--bench", action="store_true",
                        help="also measure the project's <name>_bench binary (goro_add_algorithm_bench) "
                        "on goro's channel workloads next to goro's channel, Boost.Fiber and Go, as "
                        "`bench --extra-binary` does: stored as a record, so `scripts/suite report` and "
                        "`designs` show it (minutes)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every result to FILE (kind kit-run)")
    parser.set_defaults(handler=main, required_packages=required_packages)


def required_packages(args: argparse.Namespace) -> tuple[str, ...]:
    """required_packages() is the build toolchain (and the analysis packages with --bench)."""
    return tuple(packages.BUILD_PACKAGES) + (tuple(packages.PYTHON_PACKAGES) if args.bench else ())


def input_problem(project: Path) -> str | None:
    """input_problem() says what is wrong with PROJECT_DIR before anything is built, or None."""
    if not project.exists():
        return f"{project}: no such directory"
    if not project.is_dir():
        return f"{project}: not a directory (give the project's directory, with its CMakeLists.txt)"
    cmakelists = project / "CMakeLists.txt"
    if not cmakelists.is_file():
        return f"{project}: no CMakeLists.txt (not a CMake project)"
    listed = [cmakelists, *(p for p in project.rglob("CMakeLists.txt") if p != cmakelists),
              *project.rglob("*.cmake")]
    if not any("goro_add_algorithm_checks" in p.read_text(encoding="utf-8", errors="replace") for p in listed):
        return (f"{project}: no kit checks: call goro_add_algorithm_checks(NAME ... HEADER ... TYPE ... KIND ...) "
                "after find_package(goro) (README, \"Checking a channel of your own\")")
    return None


def listed_tests(build: Path) -> list[dict[str, Any]]:
    """listed_tests() is what ctest lists in build (json-v1), or [] when it lists nothing."""
    listed = subprocess.run(["ctest", "--test-dir", str(build), "--show-only=json-v1"],
                            capture_output=True, text=True, check=False)
    try:
        return list(json.loads(listed.stdout)["tests"])
    except (json.JSONDecodeError, KeyError, TypeError):
        return []


def header_models(build: Path, tests: list[dict[str, Any]]) -> list[tuple[Path, Path]]:
    """header_models() pairs each header the project checks with its kit model executable: the
    `<name>.model` test's command, and <build>/goro-kit/<name>.header."""
    pairs = []
    for test in tests:
        name = str(test["name"])
        if not name.endswith(".model") or not test.get("command"):
            continue
        manifest = build / "goro-kit" / f"{name[:-len('.model')]}.header"
        if manifest.is_file():
            pairs.append((Path(manifest.read_text(encoding="utf-8").strip()), Path(test["command"][0])))
    return pairs


def run_mutants(pairs: list[tuple[Path, Path]], output: Path) -> tuple[int, dict[str, Any] | None]:
    """run_mutants() runs the memory-order mutants of every header with an explicit memory order
    against its model (ordermutants --header), with the reviewed equivalents beside each header."""
    argv = ["--no-baseline", "--json", str(output)]
    for header, model in pairs:
        if not ordermutants.generate(REPO_ROOT, {header.name: header}):
            print(f"kit: {header.name}: no explicit std::memory_order, no memory-order mutants", flush=True)
            continue
        argv += ["--header", str(header), "--model", str(model)]
        equivalents = header.parent / "equivalent_mutants.json"
        if equivalents.is_file():
            argv += ["--equivalents", str(equivalents)]
    if "--header" not in argv:
        return 0, None
    output.unlink(missing_ok=True)
    status = ordermutants.main(argv)
    try:
        return status, json.loads(output.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return status or 4, None


def run_bench(build: Path, names: list[str]) -> int | None:
    """run_bench() measures the project's <name>_bench binaries next to goro's channel, Boost.Fiber
    and Go (a stored record), or None when the project builds none."""
    binaries = [path for name in names for path in build.rglob(f"{name}_bench") if path.is_file()]
    if not binaries:
        return None
    argv = [str(REPO_ROOT / "scripts" / "suite"), "bench", "--no-build", "--filter", BENCH_FILTER]
    for binary in binaries:
        argv += ["--extra-binary", str(binary)]
    return run(argv, cwd=REPO_ROOT)


def check_row(check: dict[str, Any]) -> dict[str, Any]:
    """check_row() is one line of the table: the check, faithful or the planted bug, the verdict
    (the kind found, clean, or what went wrong), where it was found, seconds, ok."""
    row = planted_bug(check)
    if check.get("bug") is None:  # the faithful algorithm: clean when its check passed
        runs = (check.get("runs") or {}).get("runs", [])
        found = next((r for r in runs if r.get("failed")), None)
        ok = check.get("status") == 0 and check.get("runs") is not None and found is None
        verdict = "clean" if ok else (found["kind"] if found else f"FAILED (exit {check.get('status')})")
        return {"test": check["test"], "check": row["check"], "version": "faithful", "verdict": verdict,
                "expected": None, "found_at": found["scenario"] if found else "", "seconds": check.get("seconds", 0),
                "ok": ok}
    where = row["scenario"] or ""
    if row["iterations"] is not None and where:
        where += f", iteration {row['iterations']}"
    verdict = row["kind"] if row["ok"] else f"{row['kind']} (expected {row['expected']})"
    return {"test": check["test"], "check": row["check"], "version": f"bug {row['bug']}", "verdict": verdict,
            "expected": row["expected"], "found_at": where, "seconds": row["seconds"], "ok": row["ok"]}


def table(rows: list[dict[str, Any]]) -> str:
    """table() renders the check × version table."""
    lines = [f"{'check':18} {'version':28} {'verdict':30} {'found at':44} {'seconds':>8}"]
    for r in rows:
        mark = "" if r["ok"] else "  << FAILED"
        lines.append(f"{r['check']:18} {r['version']:28} {r['verdict']:30} {str(r['found_at'])[:44]:44} "
                     f"{r['seconds']:8.1f}{mark}")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """main() runs `kit`; see the module comment."""
    project = args.project
    problem = input_problem(project)
    if problem:
        print(f"kit: {problem}", file=sys.stderr)
        return 2
    project = project.resolve()
    work = (args.work or REPO_ROOT / KIT_WORK / project.name).resolve()
    started = time.monotonic()
    if not args.no_build:
        print("kit: building goro's release preset (incremental)", flush=True)
        if build_release():
            print("kit: FAILED: building goro's release preset", file=sys.stderr)
            return 4
    elif not (build_dir("release") / "CMakeCache.txt").is_file():
        print(f"kit: no release build at {build_dir('release')} (drop --no-build)", file=sys.stderr)
        return 2
    print(f"kit: installing goro into {work / 'prefix'}; building {project} against it", flush=True)
    if build_kit_example(project, work):
        print(f"kit: FAILED: configuring or building {project} against the installed goro "
              f"(its build tree: {work / 'build'})", file=sys.stderr)
        return 4
    build = work / "build"
    tests = listed_tests(build)
    if not tests:
        print(f"kit: {project}: its build lists no kit checks (ctest --test-dir {build} lists nothing)",
              file=sys.stderr)
        return 2
    name = project.name
    print(f"kit: running {len(tests)} kit checks", flush=True)
    checks_status = run_algorithm_checks(name, build, work / "algorithm-checks.json")
    try:
        checks = json.loads((work / "algorithm-checks.json").read_text(encoding="utf-8"))["checks"]
    except (OSError, json.JSONDecodeError, KeyError):
        checks = []
    rows = [check_row(c) for c in checks]
    failures = [f"{r['test']}: {r['verdict']}" for r in rows if not r["ok"]]
    if checks_status and not failures:
        failures.append("the kit checks did not all run (see above)")

    mutants: dict[str, Any] | None = None
    if not args.no_mutants:
        pairs = header_models(build, tests)
        if not pairs:
            failures.append(f"no header manifest in {build / 'goro-kit'}: the memory-order mutants did not run")
        else:
            print(f"kit: memory-order mutants of {', '.join(h.name for h, _ in pairs)}", flush=True)
            status, mutants = run_mutants(pairs, work / "order-mutants.json")
            if status:
                failures.append(f"memory-order mutants: exit {status} (a mutant survived unexplained, was not "
                                "reached, or the run failed; see above)")

    bench_status: int | None = None
    if args.bench:
        bench_status = run_bench(build, sorted({str(t["name"]).split(".")[0] for t in tests}))
        if bench_status is None:
            failures.append("--bench: the project builds no <name>_bench (goro_add_algorithm_bench)")
        elif bench_status:
            failures.append(f"--bench: the benchmark round failed (exit {bench_status})")

    seconds = time.monotonic() - started
    print()
    print(table(rows))
    if mutants is not None:
        print(f"\nmemory-order mutants: generated {mutants['generated']}, killed {mutants['killed']}, "
              f"equivalent {mutants['equivalent']}, unobservable {mutants['unobservable']}, "
              f"SURVIVED {mutants['survived']}, not reached {mutants['not_reached']} ({mutants['seconds']} s)")
    if bench_status is not None:
        print(f"benchmarks: {'ran' if bench_status == 0 else 'FAILED'}")
    if args.json:
        document = {"kind": "kit-run", "project": str(project), "complete": True, "ok": not failures,
                    "seconds": round(seconds, 1), "checks": rows, "order_mutants": mutants,
                    "bench_status": bench_status, "failures": failures}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"kit: results written to {args.json}")
    for failure in failures:
        print(f"kit: FAILED: {failure}", file=sys.stderr)
    if not failures:
        print(f"kit: every check passed on {name} in {seconds:.0f} s: the faithful version clean, "
              f"{sum(r['expected'] is not None for r in rows)} planted bugs each reported as its kind")
    return 4 if failures else 0
