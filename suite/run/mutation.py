"""What the three mutation checks share: the Mutation (one planted bug), its Verdict, loading and
choosing mutations, the staleness rule, and the scratch copy of the C++ tree with its build.

The checks are peers that import this module and never each other: mutants.py (semantic mutants
of the C++ tree against its unit and property tests), pymutants.py (suite/ against pytest) and
ordermutants.py (memory-order mutants of algo/ against the Relacy models). `scripts/suite mutants`
(delegates.py) picks one by its --python / --models flag.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Sequence

# What a scratch copy of the C++ tree needs besides runtime/: the top-level project (it skips the
# absent benches/, models/ and stress/ directories).
TOP_LEVEL = ("CMakeLists.txt",)


@dataclass(frozen=True)
class Mutation:
    """Mutation is one planted bug: `search` replaced by `replace` in `file` (relative to the
    repository root). A listed mutation names a `search` text that occurs exactly once in the file;
    a generated one (a memory-order mutant) knows the offset `at` where its text starts."""
    name: str
    file: str
    search: str
    replace: str
    description: str
    first: str = ""              # semantic mutants: the test binary to try first (speed, not a verdict)
    tests: tuple[str, ...] = ()  # suite/ mutations: the pytest paths that must fail
    explore: str = ""            # semantic mutants: the goro_explore_programs scenario that must
                                 # fail in the deterministic world (`scripts/suite explore --mutants`)
    at: int | None = None        # generated mutations: where `search` starts in the file

    def stale(self, text: str) -> str | None:
        """stale() says why the mutation does not apply to `text` (the file's content), or None."""
        if self.at is not None:
            if text[self.at:self.at + len(self.search)] != self.search:
                return f"{self.name}: {self.file} no longer holds its text at offset {self.at}"
            return None
        count = text.count(self.search)
        if count != 1:
            return f"{self.name}: search text occurs {count} times in {self.file} (exactly 1 expected)"
        return None

    def apply(self, text: str) -> str:
        """apply() returns `text` with the mutation made; ValueError when it does not apply."""
        error = self.stale(text)
        if error:
            raise ValueError(error)
        at = text.index(self.search) if self.at is None else self.at
        return text[:at] + self.replace + text[at + len(self.search):]


@dataclass
class Verdict:
    """Verdict is what the tests (or models) made of one mutation: killed | SURVIVED | ERROR, and
    for memory-order mutants also equivalent, unobservable, not reached, untested, not run."""
    mutation: Any        # a Mutation, or ordermutants.Mutant (a Mutation with its memory-order site)
    status: str
    detail: str
    seconds: float
    applied: int = -1    # memory-order mutants: operations the run-time mutant changed (-1: not counted)


def load(path: Path, required: Sequence[str] = ()) -> list[Mutation]:
    """load() reads a data file's "mutations": name, file, search, replace and description, plus
    the `required` fields of one check; ValueError for a missing field or a duplicate name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(Mutation)} - {"at"}
    mutations = []
    for entry in data["mutations"]:
        missing = {"name", "file", "search", "replace", "description", *required} - entry.keys()
        if missing:
            raise ValueError(f"{path}: mutation {entry.get('name', '?')} lacks {sorted(missing)}")
        values = {k: entry[k] for k in known if k in entry}
        if "tests" in values:
            if not values["tests"] or not all(isinstance(t, str) for t in values["tests"]):
                raise ValueError(f"{path}: mutation {entry['name']}: 'tests' must list pytest files")
            values["tests"] = tuple(values["tests"])
        mutations.append(Mutation(**values))
    names = [m.name for m in mutations]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: duplicate mutation names")
    return mutations


def search_text_error(mutation: Mutation, root: Path) -> str | None:
    """search_text_error() says why a mutation is stale in the tree at `root` (its file is
    missing, or its search text does not occur exactly once), or None when it still applies."""
    source = root / mutation.file
    if not source.is_file():
        return f"{mutation.name}: {mutation.file} does not exist"
    return mutation.stale(source.read_text(encoding="utf-8"))


def choose(mutations: Sequence[Mutation], only: Sequence[str] | None) -> list[Mutation] | None:
    """choose() keeps the mutations named in `only` (all when empty); None, after printing the
    unknown names, when one names no mutation."""
    if not only:
        return list(mutations)
    unknown = sorted(set(only) - {m.name for m in mutations})
    if unknown:
        print(f"mutants: no mutation named {', '.join(unknown)} (see --list)", file=sys.stderr)
        return None
    return [m for m in mutations if m.name in only]


def refuse_stale(errors: list[str], nothing: str) -> bool:
    """refuse_stale() prints the stale mutations (and that `nothing` was done); True if any."""
    for error in errors:
        print(f"mutants: ERROR {error}", file=sys.stderr)
    if errors:
        print(f"mutants: fix the stale mutations in the data file; nothing was {nothing}", file=sys.stderr)
    return bool(errors)


def sync_tree(root: Path, scratch: Path, extra_dirs: tuple[str, ...] = ()) -> None:
    """sync_tree() makes scratch/ a copy of runtime/ (and extra_dirs, e.g. models/) and the
    top-level CMake project, rewriting only the files whose content differs, so that the build
    inside it stays incremental from one run to the next."""
    for name in ("runtime", *extra_dirs):
        for source in sorted((root / name).rglob("*")):
            if source.is_dir() or "__pycache__" in source.parts or any(
                    part.startswith("build") for part in source.relative_to(root).parts):
                continue
            target = scratch / source.relative_to(root)
            data = source.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    for name in TOP_LEVEL:
        target = scratch / name
        data = (root / name).read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)


def command(argv: list[str], log: Path, timeout: float, env: dict[str, str] | None = None) -> int:
    """command() runs argv with its output in log; 124 on timeout."""
    with log.open("w") as out:
        try:
            return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=timeout,
                                  env={**os.environ, **(env or {})}).returncode
        except subprocess.TimeoutExpired:
            out.write(f"\n*** timed out after {timeout:.0f} s\n")
            return 124


def configure(scratch: Path, build: Path, models: bool = False) -> int:
    """configure() sets up the one release build of the scratch copy that every mutant reuses:
    tests on; benchmarks, stress, examples off; the Relacy models only when asked."""
    return command(["cmake", "-S", str(scratch), "-B", str(build), "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DGORO_BUILD_TESTS=ON", "-DGORO_BUILD_EXAMPLES=OFF", "-DGORO_BUILD_BENCHES=OFF",
                    "-DGORO_BUILD_STRESS=OFF", "-DGORO_BUILD_EXPLORE_MUTANT=OFF", f"-DGORO_BUILD_MODELS={'ON' if models else 'OFF'}"],
                   build / "configure.log", 600)


def build_targets(build: Path, targets: list[str], jobs: int, log: Path) -> int:
    """build_targets() rebuilds (incrementally) just `targets` of the configured scratch tree."""
    return command(["cmake", "--build", str(build), "--target", *targets, f"-j{jobs}"], log, 3600)
