"""`scripts/suite explore [SCENARIO] --binary PATH --strategy random|pct|portfolio --depth D --runs N`
— explore a program's schedules in the deterministic world (goro::deterministic: one thread runs
at a time, every synchronisation point a seeded decision, virtual time; see
runtime/include/goro/sync/deterministic.hpp).

Each run is one seed of the strategy; a run fails when the program exits non-zero (86: every
thread blocked with no deadline — a hang; 87: a livelock). The first failure is printed as ONE
line that reproduces it, replayed 10 times from that line, and its schedule shrunk (fewer
decisions that differ from the default choice) and saved. PCT's theoretical bound
1/(n·k^(d−1)) is printed beside the observed hit rate (n threads and k steps from a calibration
run).

Without SCENARIO and --binary: the planted-bug check — every planted bug of
runtime/tests/deterministic/explore_programs.cpp under the random walk and under PCT, one
semantic mutant of the runtime (steal-policy-thief-drops-goroutine, built into
goro_explore_mutant_steal_thief without a scratch tree) found by its scenario, and correct control
programs (among them that scenario on the unmutated runtime) that must never fail. With SCENARIO: the program is
`BINARY SCENARIO [ARGS after --]` (any binary linked against goro::deterministic; the default
binary is goro_explore_programs, `--binary B` with no SCENARIO runs `B` alone).

With --replay LINE (the one line a failure printed) or --replay FILE (a saved schedule, with
SCENARIO/--binary naming the program): run exactly that schedule, and when it fails run it
again to its failing step (GORO_DET_STOP_AT) and print the threads' and goroutines' states there
(the goroutines from each runtime's registry); exit 4 when it failed, 0 when it passed.

With --mutants (or --mutant NAME, repeatable): the semantic mutants of the runtime
(runtime/tests/property/mutants.json, those naming an `explore` scenario) found in this world —
each applied alone to a scratch copy (build/explore-mutants), the deterministic runtime rebuilt,
its scenario explored under the random walk and PCT; every mutant must be found and replay
10/10 (suite/run/exploremutants.py). Minutes, not seconds: one runtime rebuild per mutant.

Exit status: 0 — nothing failed (planted check: every bug found, each replayed 10/10, the
control never failed); 2 — usage or input error (no such binary, the program exits 2, the binary
is not linked against goro::deterministic); 4 — a failing schedule was found (planted check: a
bug was missed, did not replay, or the control failed; --mutants: a mutant was not found, did
not replay, did not build, or an unmutated scenario failed); 130 — interrupted.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .base.paths import REPO_ROOT, build_dir
from .base.procs import run
from .run import explore as ex
from .run import exploremutants
from .run import packages
from .run.measure import positive_int

DEFAULT_BINARY = build_dir("release") / "runtime" / "tests" / "deterministic" / "goro_explore_programs"
PLANTED = ("lost_update", "abba", "lost_wakeup", "edge_wakeup", "parking_steal")
CONTROLS = ("pingpong", "spawn_storm_steal")
# The semantic mutant the planted check proves without a scratch build: (mutant, its scenario,
# its binary; runtime/tests/deterministic/CMakeLists.txt builds it).
CHEAP_MUTANT = ("steal-policy-thief-drops-goroutine", "spawn_storm_steal", "goro_explore_mutant_steal_thief")
DEFAULT_SAVE_DIR = build_dir("release") / "explore"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `explore`."""
    parser = sub.add_parser("explore", help="explore a program's schedules deterministically (random walk, PCT); "
                            "replay and shrink what fails", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", help="argument for the program (a scenario of goro_explore_programs)")
    parser.add_argument("args", nargs="*", help="further program arguments (after --)")
    parser.add_argument("--binary", type=Path, help="a program linked against goro::deterministic "
                        "(default: build/release/.../goro_explore_programs, built unless --no-build)")
    parser.add_argument("--strategy", choices=ex.STRATEGIES, help="random, pct or portfolio (random, then "
                        "PCT at depths 1..D in turn); default: portfolio, or random and pct for the planted check")
    parser.add_argument("--depth", type=positive_int, default=3, metavar="D", help="PCT depth d (default 3)")
    parser.add_argument("--runs", type=positive_int, default=None, metavar="N",
                        help="runs (seeds) per strategy (default 200; 100 for the planted check)")
    parser.add_argument("--shrink-budget", type=int, default=ex.SHRINK_BUDGET, metavar="N",
                        help=f"replays the shrinker may spend (default {ex.SHRINK_BUDGET}; 0: no shrinking)")
    parser.add_argument("--save", type=Path, default=DEFAULT_SAVE_DIR, metavar="DIR",
                        help="where shrunk failing schedules and explore.json go (default build/release/explore)")
    parser.add_argument("--no-build", action="store_true", help="do not build goro_explore_programs first")
    parser.add_argument("--replay", metavar="LINE|FILE",
                        help="run one failing schedule to its failing step and show the goroutines there: the "
                        "printed reproducing line, or a schedule file (then SCENARIO/--binary is the program)")
    parser.add_argument("--mutants", action="store_true",
                        help="find the runtime's semantic mutants that name an explore scenario (slow: one "
                        "deterministic runtime build per mutant, in build/explore-mutants)")
    parser.add_argument("--mutant", action="append", metavar="NAME",
                        help="only this mutant (repeatable; implies --mutants)")
    parser.set_defaults(handler=main, required_packages=required_packages)


def required_packages(args: argparse.Namespace) -> tuple[str, ...]:
    """required_packages() is the build toolchain when the default binary is built."""
    if args.replay:
        return ()
    if args.mutants or args.mutant:
        return tuple(packages.BUILD_PACKAGES)
    return () if (args.no_build or args.binary) else tuple(packages.BUILD_PACKAGES)


def main(args: argparse.Namespace) -> int:
    """main() runs `explore`."""
    extra = [a for a in args.args if a != "--"] if args.args else []
    if args.replay:
        return replay(args, extra)
    if args.mutants or args.mutant:
        if args.scenario or args.binary:
            print("explore: --mutants takes no SCENARIO or --binary (each mutant names its scenario)", file=sys.stderr)
            return 2
        return mutant_check(args)
    binary = args.binary
    if binary is None:
        if not args.no_build:
            status = run(["cmake", "--preset", "release"], cwd=REPO_ROOT) or run(
                ["cmake", "--build", "--preset", "release", "-j2", "--target", "goro_explore_programs",
                 CHEAP_MUTANT[2]], cwd=REPO_ROOT)
            if status != 0:
                print("explore: building goro_explore_programs failed", file=sys.stderr)
                return 4
        binary = DEFAULT_BINARY
    if not binary.is_file():
        print(f"explore: no program at {binary}" + ("" if args.binary else " (build it, or drop --no-build)"),
              file=sys.stderr)
        return 2
    binary = binary.resolve()
    planted = args.binary is None and args.scenario is None
    runs = args.runs or (100 if planted else 200)
    try:
        if planted:
            return planted_check(binary, args, runs)
        command = [str(binary)] + ([args.scenario] if args.scenario else []) + extra
        return explore_one(command, args.scenario or binary.name, args, runs)
    except ex.ExploreError as error:
        print(f"explore: {error}", file=sys.stderr)
        return 2


def save(results: list[ex.Exploration], directory: Path, problems: list[str] | None = None,
         planted: bool = False) -> None:
    """save() writes each shrunk schedule and explore.json into directory: {"kind":
    "explore-run", "planted": whether it was the planted-bug check, "results": [...],
    "problems": [...]} (the verification page reads it)."""
    directory.mkdir(parents=True, exist_ok=True)
    for r in results:
        if r.shrunk_schedule:
            (directory / f"{r.scenario}.{r.strategy}.schedule").write_text(r.shrunk_schedule, encoding="utf-8")
    document = {"kind": "explore-run", "complete": True, "planted": planted,
                "results": [r.as_json() for r in results], "problems": problems or []}
    (directory / "explore.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def report_failure(r: ex.Exploration, directory: Path) -> None:
    """report_failure() prints a failure's one line and where its shrunk schedule is."""
    print(f"explore: {r.scenario} failed (exit {r.failing.exit_code}) at run {r.first_failure}; reproduce with:")
    print(f"  {r.line}")
    if r.shrunk_schedule:
        path = directory / f"{r.scenario}.{r.strategy}.schedule"
        print(f"  or GORO_DET_REPLAY={path} (shrunk: {r.decisions_before}→{r.decisions_after} decisions)")
    for note in r.notes:
        print(f"  note: {note}")


def explore_one(command: list[str], scenario: str, args: argparse.Namespace, runs: int) -> int:
    strategy = args.strategy or "portfolio"
    result = ex.explore(command, scenario, strategy, args.depth, runs, shrink_budget=args.shrink_budget)
    save([result], args.save)
    print(ex.table([result]))
    if result.failing is None:
        print(f"explore: no failure in {result.runs} runs of {strategy}")
        return 0
    report_failure(result, args.save)
    return 4


def planted_check(binary: Path, args: argparse.Namespace, runs: int) -> int:
    strategies = [args.strategy] if args.strategy else ["random", "pct"]
    results: list[ex.Exploration] = []
    problems: list[str] = []
    for scenario in PLANTED:
        found = False
        for strategy in strategies:
            r = ex.explore([str(binary), scenario], scenario, strategy, args.depth, runs,
                           shrink_budget=args.shrink_budget)
            results.append(r)
            if r.failing is not None:
                found = True
                if r.replays_ok != r.replays:
                    problems.append(f"{scenario} under {strategy} replayed {r.replays_ok}/{r.replays}")
        if not found:
            problems.append(f"planted bug {scenario} not found in {runs} runs of {', '.join(strategies)}")
    mutant, scenario, mutant_binary = CHEAP_MUTANT
    mutant_path = binary.parent / mutant_binary
    if not mutant_path.is_file():
        problems.append(f"{mutant_path} is not built: the mutant {mutant} was not explored")
    else:
        found = False
        for strategy in strategies:
            r = ex.explore([str(mutant_path), scenario], mutant, strategy, args.depth, runs,
                           shrink_budget=args.shrink_budget)
            results.append(r)
            found = found or r.failing is not None
            if r.failing is not None and r.replays_ok != r.replays:
                problems.append(f"mutant {mutant} under {strategy} replayed {r.replays_ok}/{r.replays}")
        if not found:
            problems.append(f"mutant {mutant} not found by {scenario} in {runs} runs of {', '.join(strategies)}")
    for control_name in CONTROLS:
        control = ex.explore([str(binary), control_name], control_name, "portfolio", args.depth,
                             max(10, runs // 4), shrink_budget=0)
        results.append(control)
        if control.failing is not None:
            problems.append(f"the correct control program {control_name} failed: {control.line}")
    save(results, args.save, problems, planted=True)
    print(ex.table(results))
    print(f"explore: results in {args.save / 'explore.json'}")
    for problem in problems:
        print(f"explore: FAILED: {problem}", file=sys.stderr)
    if not problems:
        print(f"explore: every planted bug found ({', '.join(PLANTED)}) and the mutant {CHEAP_MUTANT[0]}, "
              f"each replayed 10/10; the controls ({', '.join(CONTROLS)}) never failed")
    return 4 if problems else 0


def mutant_check(args: argparse.Namespace) -> int:
    """mutant_check() runs `explore --mutants`: every listed mutant found, each replayed 10/10."""
    try:
        mutations = exploremutants.listed()
    except (OSError, ValueError, KeyError) as error:
        print(f"explore: cannot read {exploremutants.DATA}: {error}", file=sys.stderr)
        return 2
    if args.mutant:
        unknown = sorted(set(args.mutant) - {m.name for m in mutations})
        if unknown:
            print(f"explore: no mutant named {', '.join(unknown)} with an explore scenario; listed: "
                  f"{', '.join(m.name for m in mutations)}", file=sys.stderr)
            return 2
        mutations = [m for m in mutations if m.name in args.mutant]
    listed = [m.name for m in exploremutants.listed()]
    strategies = [args.strategy] if args.strategy else ["random", "pct"]
    args.save.mkdir(parents=True, exist_ok=True)
    target = args.save / "explore-mutants.json"
    reproduce = " ".join(["scripts/suite", *sys.argv[1:]])
    # Written first as partial, so a sweep that is interrupted or killed leaves a file that reads
    # as partial (the verification page: FAILED), never an earlier run's complete one.
    target.write_text(json.dumps({"kind": "explore-mutants", "complete": False, "listed": listed,
                                  "reproduce": reproduce, "problems": [], "mutants": []}, indent=1) + "\n",
                      encoding="utf-8")
    results, problems = exploremutants.explore_mutants(mutations, strategies, args.depth, args.runs or 100,
                                                       args.shrink_budget)
    for r in results:
        if r.error:
            problems.append(f"{r.mutation.name}: {r.error}")
        elif not r.found:
            problems.append(f"mutant {r.mutation.name} not found by {r.mutation.explore} in "
                            f"{args.runs or 100} runs of {', '.join(strategies)}")
        elif not r.replayed:
            problems.append(f"mutant {r.mutation.name}: a failure did not replay 10/10")
    # complete: every listed mutant was explored (a --mutant subset is a partial sweep).
    document = {"kind": "explore-mutants", "complete": {r.mutation.name for r in results} >= set(listed),
                "listed": listed, "reproduce": reproduce, "strategies": strategies, "depth": args.depth,
                "runs": args.runs or 100, "shrink_budget": args.shrink_budget, "problems": problems,
                "mutants": [{"name": r.mutation.name, "scenario": r.mutation.explore, "error": r.error,
                             "description": r.mutation.description, "seconds": round(r.seconds, 1),
                             "results": [e.as_json() for e in r.explorations]} for r in results]}
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    if results:
        print(exploremutants.table(results))
    for r in results:
        for e in r.explorations:
            if e.failing is not None:
                print(f"explore: {r.mutation.name} / {e.strategy}: {e.line}")
    print(f"explore: results in {target}")
    for problem in problems:
        print(f"explore: FAILED: {problem}", file=sys.stderr)
    if not problems:
        print(f"explore: every mutant found ({len(results)}), each failure replayed 10/10")
    return 4 if problems else 0


def replay(args: argparse.Namespace, extra: list[str]) -> int:
    """replay() runs `explore --replay`: one schedule, to its failing step, with the states."""
    try:
        if Path(args.replay).is_file():
            program = args.binary or DEFAULT_BINARY
            if not program.is_file():
                print(f"explore: no program at {program}", file=sys.stderr)
                return 2
            env = {"GORO_DET_REPLAY": str(Path(args.replay).resolve())}
            command = [str(program.resolve())] + ([args.scenario] if args.scenario else []) + extra
        else:
            env, command = ex.parse_line(args.replay)
        stop = ex.replay_to_failure(command, env)
    except ex.ExploreError as error:
        print(f"explore: {error}", file=sys.stderr)
        return 2
    if stop.exit_code == 0:
        print(f"explore: the schedule ran to the end without failing (outcome {stop.outcome})")
        return 0
    print(f"explore: the schedule fails (exit {stop.exit_code}, {stop.outcome}); the world at its failing step "
          f"{stop.failing_step}:")
    print(stop.states.rstrip())
    return 4
