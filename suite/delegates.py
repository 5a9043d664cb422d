"""`models`, `stress`, `mutants` — thin wrappers around programs other parts of goro provide.

Exit codes as everywhere in scripts/suite: 0 ok, 2 nothing to run, 4 a build, model, stress run
or mutation failed (never 1: that is a confirmed regression, for compare and gate only).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from .run.build import build_release
from .base.paths import REPO_ROOT, build_dir
from .base.procs import Stopwatch, banner, format_seconds, run


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `models`, `stress` and `mutants`."""
    models = sub.add_parser("models", help="build release and run every Relacy model",
                            description="Build the release preset, then run every executable "
                                        "build/release/models/model_* (quick tier by default).")
    models.add_argument("--full", action="store_true", help="exhaustive tier (passes --full)")
    models.add_argument("--no-build", action="store_true", help="skip the CMake build")
    models.set_defaults(handler=models_main)
    stress = sub.add_parser("stress", help="build release and run the stress driver",
                            description="Build release, then run "
                                        "build/release/stress/goro-stress --all --seconds N.")
    stress.add_argument("--seconds", type=int, default=60, help="time box (default 60)")
    stress.add_argument("--no-build", action="store_true", help="skip the CMake build")
    stress.set_defaults(handler=stress_main)
    mutants = sub.add_parser("mutants", help="mutation testing (module suite.run.mutants)",
                             prefix_chars="+", add_help=False,  # every option is for suite.run.mutants
                             description="Delegates to suite.run.mutants (semantic mutants against the unit and "
                                         "property tests), with --python to suite.run.pymutants (mutations of "
                                         "suite/ against pytest), with --models to suite.run.ordermutants "
                                         "(memory-order mutants against the Relacy models); `mutants --help` shows its options.")
    mutants.add_argument("rest", nargs=argparse.REMAINDER, help="arguments for suite.run.mutants")
    mutants.set_defaults(handler=mutants_main)


def models_main(args: argparse.Namespace) -> int:
    """models_main() runs each model executable; exit 4 when any fails, 2 when none exist."""
    if not args.no_build and build_release() != 0:
        return 4
    directory = build_dir("release") / "models"
    programs = sorted(p for p in directory.glob("model_*") if p.is_file() and
                      p.stat().st_mode & 0o111) if directory.is_dir() else []
    if not programs:
        print(f"models: no model_* executables in {directory}", file=sys.stderr)
        return 2
    clock = Stopwatch()
    failures = []
    for index, program in enumerate(programs, start=1):
        banner(f"[{index}/{len(programs)} {format_seconds(clock.elapsed())}] {program.name}")
        if run([program, *(["--full"] if args.full else [])], cwd=REPO_ROOT) != 0:
            failures.append(program.name)
    print(f"models: {len(programs) - len(failures)} passed, {len(failures)} failed"
          + (f" ({', '.join(failures)})" if failures else ""))
    return 4 if failures else 0


def stress_main(args: argparse.Namespace) -> int:
    """stress_main() runs goro-stress --all for the time box."""
    if args.seconds <= 0:
        print("suite: --seconds must be positive", file=sys.stderr)
        return 2
    if not args.no_build and build_release() != 0:
        return 4
    program = build_dir("release") / "stress" / "goro-stress"
    if not program.is_file():
        print(f"stress: {program} does not exist (not built yet)", file=sys.stderr)
        return 2
    status = run([program, "--all", "--seconds", str(args.seconds)], cwd=REPO_ROOT)
    if status != 0:
        print(f"stress: {program.name} exited {status}", file=sys.stderr)
    return 0 if status == 0 else 4


# `scripts/suite mutants` runs one of three peer mutation checks: the flag (anywhere on the line,
# dropped before the hand-over) chooses the module, none means the semantic mutants of the C++ tree.
MUTATION_CHECKS = (("--python", "suite.run.pymutants"), ("--models", "suite.run.ordermutants"))


def mutants_main(args: argparse.Namespace) -> int:
    """mutants_main() hands over to the main(argv) of the mutation check the arguments choose."""
    flag, name = next(((flag, name) for flag, name in MUTATION_CHECKS if flag in args.rest),
                      ("", "suite.run.mutants"))
    if importlib.util.find_spec(name) is None:
        print(f"mutants: the mutation runner is not built yet (module {name} is missing)",
              file=sys.stderr)
        return 2
    module = importlib.import_module(name)
    status = int(module.main([a for a in args.rest if a != flag]))
    return 4 if status == 1 else status  # a mutation check's 1: a mutation survived
