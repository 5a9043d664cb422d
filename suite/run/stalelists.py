"""`python -m suite.run.stalelists` — every mutation list still applies to the tree.

A mutation check that is not run goes stale silently: the code it plants bugs in moves on, and
the next `scripts/suite mutants` stops before building anything. The test command runs this
check (a step of suite/run/testplan.py) so that a stale entry fails where CI looks, cheaply: it
reads the lists and the sources, builds and runs nothing. The lists, and the rule each obeys:

    runtime/tests/property/mutants.json   semantic mutants (mutants.py): each search text occurs
                                          exactly once in its file; its `first` binary is known;
                                          its `explore` scenario is in explore_programs.cpp
    suite/tests/mutants.json              suite/ mutants (pymutants.py): the same, and each
                                          listed pytest path exists
    models/equivalent_mutants.json        reviewed memory-order equivalents (ordermutants.py):
                                          each key still names a mutant generated from a real
                                          source line of runtime/include/goro/algo/
    examples/*/equivalent_mutants.json    the same for an example's own header (ordermutants.py
                                          --header): each key names a mutant of a header beside it

Every stale entry is printed by name with its reason; exit 0 when none is stale, 2 when one is
(the exit the mutation commands give a stale list), 70 on an unreadable list.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from ..base.paths import REPO_ROOT
from . import mutants, ordermutants, pymutants


# Where the semantic mutants' `explore` scenarios live (one `{"name", ...}` entry each).
EXPLORE_PROGRAMS = Path("runtime") / "tests" / "deterministic" / "explore_programs.cpp"


def _semantic(root: Path) -> list[str]:
    data = root / mutants.DEFAULT_DATA.relative_to(REPO_ROOT)
    mutations = mutants.load_mutations(data)
    errors = mutants.stale_errors(mutations, root)
    programs = root / EXPLORE_PROGRAMS
    scenarios = programs.read_text(encoding="utf-8") if programs.is_file() else ""
    errors += [f"{m.name}: its explore scenario {m.explore!r} is not a scenario of {EXPLORE_PROGRAMS}"
               for m in mutations if m.explore and f'{{"{m.explore}", ' not in scenarios]
    return errors


def _python(root: Path) -> list[str]:
    data = root / pymutants.DEFAULT_DATA.relative_to(REPO_ROOT)
    return pymutants.stale_errors(pymutants.load_mutations(data), root)


def _equivalents(root: Path) -> list[str]:
    data = root / ordermutants.DEFAULT_EQUIVALENTS.relative_to(REPO_ROOT)
    keys = {m.key for m in ordermutants.generate(root)}
    return [f"equivalent matches no generated mutant (its source line changed; re-anchor it): {e.key}"
            for e in ordermutants.load_equivalents(data) if e.key not in keys]


EXAMPLE_EQUIVALENTS = tuple(Path("examples") / name / "equivalent_mutants.json" for name in ("retry_chan", "ring_queue"))


def _example_equivalents(data: Path) -> list[str]:
    """_example_equivalents() checks an example's reviewed survivors (data) against the headers
    beside it (ordermutants --header keys mutants by the header's file name)."""
    headers = {path.name: path for path in sorted(data.parent.glob("*.hpp"))}
    keys = {m.key for m in ordermutants.generate(data.parent, headers)}
    return [f"equivalent matches no generated mutant of {', '.join(headers)} (its source line changed; "
            f"re-anchor it): {e.key}" for e in ordermutants.load_equivalents(data) if e.key not in keys]


# (the list's path relative to the repository, its check)
LISTS: tuple[tuple[Path, Callable[[Path], list[str]]], ...] = (
    (mutants.DEFAULT_DATA.relative_to(REPO_ROOT), _semantic),
    (pymutants.DEFAULT_DATA.relative_to(REPO_ROOT), _python),
    (ordermutants.DEFAULT_EQUIVALENTS.relative_to(REPO_ROOT), _equivalents),
    *((path, lambda root, path=path: _example_equivalents(root / path)) for path in EXAMPLE_EQUIVALENTS),
)


def stale_entries(root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """stale_entries() maps each mutation list (path relative to root) to its stale entries;
    ValueError (naming the list) when a list cannot be read."""
    found = {}
    for path, check in LISTS:
        try:
            found[str(path)] = check(root)
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
            raise ValueError(f"{path}: unreadable mutation list: {error}") from error
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m suite.run.stalelists",
        description="Check, without building anything, that every mutation list (semantic, "
                    "suite/ and memory-order equivalents) still applies to the tree. Exit 0 when "
                    "none is stale, 2 naming every stale entry, 70 on an unreadable list.")
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="the repository to check (default: this checkout)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        found = stale_entries(args.root)
    except ValueError as error:
        print(f"stalelists: {error}", file=sys.stderr)
        return 70
    stale = 0
    for path, errors in found.items():
        for error in errors:
            print(f"stalelists: STALE {path}: {error}", file=sys.stderr)
        stale += len(errors)
        print(f"stalelists: {path}: {'%d stale' % len(errors) if errors else 'every entry applies'}")
    if stale:
        print(f"stalelists: {stale} stale mutation entr{'y' if stale == 1 else 'ies'}: re-anchor them "
              "(same meaning) and prove each is still killed: scripts/suite mutants --only NAME",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
