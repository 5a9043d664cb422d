"""`scripts/suite mutants --models` — memory-order mutants of the algorithms, against the models.

How much of the algorithms' memory ordering do the Relacy models constrain? This generator
answers by measurement. It enumerates, at run time, every explicit memory order in
runtime/include/goro/algo/*.hpp (a new header there is included automatically): each
`std::memory_order_*` argument of a load, store, read-modify-write, compare-exchange or fence.
For each it makes every legal weakening, one mutant apiece:

    load      seq_cst -> acquire -> relaxed          (a load is never release)
    store     seq_cst -> release -> relaxed          (a store is never acquire)
    RMW       seq_cst -> acq_rel -> acquire | release -> relaxed
    CAS       the success order as an RMW; the failure order as a load, never stronger than the
              success order (a success order weakened below the failure order takes the
              failure order down with it, in the same mutant)
    fence     seq_cst -> acq_rel -> acquire | release -> dropped (a relaxed fence is no fence)

Each mutant runs alone against the quick tier of every model whose sources include the mutated
header (transitively, as models/CMakeLists.txt builds them), with no planted bug. A model that
reports anything (a non-zero exit, or a hang past the time limit) *kills* the mutant.

How a mutant reaches the models. By default at run time: the Relacy policy passes every atomic
call's memory orders through goro/verify/relacy/order_mutant.hpp, which swaps in the mutant's order when
GORO_ORDER_MUTANT names the call (its header, line, the column of its '(' where the line has two
calls, which order argument), or skips a fence it names. Relacy takes orders as run-time values,
so the checker sees exactly what the textual mutant would give it; each model is built once (in
build/release, --build) and a mutant is one process per model, seconds instead of a rebuild.
Every edit counts the operations it changed: a mutant applied 0 times in every model is *not
reached* — no model executes that order — and is reported as such, never as killed or as a
survivor. `--textual` keeps the old way for anything the run-time form cannot express: the order
is spelled weaker in a scratch copy of the tree (build/ordermutants/, --scratch, configured once
and rebuilt incrementally), and the models that include it are rebuilt. `--cross-check` runs the
chosen mutants both ways and fails (exit 4) unless both give the same verdict — and, for a kill,
the same model, scenario, kind and iteration (Relacy's random scheduler is seeded by iteration).

A surviving mutant is either
killed by a new or stronger model scenario, or listed in models/equivalent_mutants.json with a
one-line reason: `equivalent` (the shipped order is stronger than the algorithm needs there) or
`unobservable` (the weaker order is wrong in the C++ memory model, but only through a behaviour
Relacy never produces, such as load buffering — no scenario can kill it). Those
entries are keyed by file + the stripped source line (+ which of several identical lines) + which
order on it — never by line number, so an edit above a site does not re-key it; an entry that
matches no generated mutant is reported as stale.

A header of your own (outside goro's tree, written over the Sync contract and checked by the kit,
runtime/cmake/GoroVerify.cmake): `--header FILE --model EXE` generates the same weakenings of every
explicit memory order in FILE and runs each against EXE, the kit's model executable
(goro_add_algorithm_checks builds <name>_model), at run time as above; `--equivalents` is your
reviewed list (none by default). Nothing is built: EXE must be built from FILE.

    /usr/bin/python3 -m suite.run.ordermutants --list          # every mutant, its key and its GORO_ORDER_MUTANT
    scripts/suite mutants --models --sample 4 --seed-from-commit  # the sampled tier (scripts/suite test)
    scripts/suite mutants --models --json results/ordermutants.json   # the long tier: all of them
    scripts/suite mutants --models --cross-check --only waitgroup.hpp # run time vs textual
    scripts/suite mutants --models --header my_chan.hpp --model build/my_chan_model  # your header

Exit status: 0 every mutant run was killed or is a listed equivalent; 1 a mutant survived
unexplained or was not reached; 2 usage or input error (a stale equivalent, a baseline that fails,
a build error); 4 --cross-check found a mutant the two ways judge differently.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..base.paths import REPO_ROOT
from .mutation import Mutation, Verdict, build_targets, command, configure, sync_tree

ALGO_DIR = Path("runtime") / "include" / "goro" / "algo"
MODELS_DIR = Path("models")
DEFAULT_EQUIVALENTS = REPO_ROOT / MODELS_DIR / "equivalent_mutants.json"
DEFAULT_SCRATCH = REPO_ROOT / "build" / "ordermutants"
DEFAULT_BUILD = REPO_ROOT / "build" / "release"

# The strength lattice of memory orders (consume is treated as acquire, as every compiler does).
STRONGER = {
    "seq_cst": {"acq_rel", "acquire", "release", "relaxed"},
    "acq_rel": {"acquire", "release", "relaxed"},
    "acquire": {"relaxed"},
    "release": {"relaxed"},
    "relaxed": set(),
}
LEGAL = {
    "load": {"seq_cst", "acquire", "relaxed"},
    "store": {"seq_cst", "release", "relaxed"},
    "rmw": {"seq_cst", "acq_rel", "acquire", "release", "relaxed"},
    "fence": {"seq_cst", "acq_rel", "acquire", "release", "relaxed"},  # relaxed: the fence dropped
}
RMW_CALLS = {"exchange", "fetch_add", "fetch_sub", "fetch_and", "fetch_or", "fetch_xor"}
CALL = re.compile(r"(?:\.|\b)(load|store|exchange|fetch_add|fetch_sub|fetch_and|fetch_or|fetch_xor|"
                  r"compare_exchange_strong|compare_exchange_weak|fence)\s*\(")
ORDER = re.compile(r"std::memory_order_(relaxed|consume|acquire|release|acq_rel|seq_cst)\b")


@dataclass(frozen=True)
class Site:
    """One explicit memory-order argument in an algorithm header."""
    file: str          # relative to the repository root
    line: int          # 1-based, for humans only (never part of a key)
    context: str       # the stripped source line
    occurrence: int    # 1 for the first line with this exact text in the file, 2 for the next...
    call: str          # load, store, exchange, fetch_add, compare_exchange_strong, fence, ...
    role: str          # load | store | rmw | cas-success | cas-failure | fence
    order: str         # the shipped order
    start: int         # offset of the std::memory_order_* token in the file
    end: int
    slot: int = 1      # which memory-order token of the line this is (1-based)
    slots: int = 1     # how many the line holds
    column: int = 0    # the byte column (1-based) of the call's '(' — what GCC's source_location names
    argument: int = 1  # which memory-order argument of the call: 1, or 2 for a CAS failure order
    calls_on_line: int = 1  # how many calls with explicit orders the line holds


@dataclass
class Mutant:
    """Mutant is one weakening of one site: what the models are told at run time (`changes`, as
    GORO_ORDER_MUTANT) and the same bug as a textual Mutation of the header (`mutation`)."""
    site: Site
    weaker: str                                  # the new order ("relaxed" for a fence: dropped)
    changes: list[tuple[Site, str]] = field(default_factory=list)    # (site, new order or "drop")
    mutation: Mutation | None = None             # the edit of site.file (set by weakenings())

    def runtime_spec(self) -> str:
        """runtime_spec() is the GORO_ORDER_MUTANT value (goro/verify/relacy/order_mutant.hpp) that makes the
        unchanged model binaries run this mutant: FILE:LINE:COLUMN:ARGUMENT:ORDER per change,
        FILE relative to runtime/include, COLUMN 0 when the line holds one call with orders."""
        parts = []
        for site, order in self.changes:
            suffix = spec_file(site.file)
            column = 0 if site.calls_on_line == 1 else site.column
            parts.append(f"{suffix}:{site.line}:{column}:{site.argument}:{order}")
        return ";".join(parts)

    @property
    def key(self) -> str:
        argument = {"cas-success": " success", "cas-failure": " failure"}.get(self.site.role, "")
        nth = f" #{self.site.occurrence}" if self.site.occurrence > 1 else ""
        which = f" order {self.site.slot} of {self.site.slots}" if self.site.slots > 1 else ""
        return f"{self.site.file}{nth}: {self.site.context} |{which}{argument} {self.site.order} -> {self.weaker}"

    def describe(self) -> str:
        what = "dropped" if self.site.role == "fence" and self.weaker == "relaxed" else self.weaker
        return f"{Path(self.site.file).name}:{self.site.line} {self.site.call} {self.site.order} -> {what}"


def spec_file(file: str) -> str:
    """spec_file() is how GORO_ORDER_MUTANT names a site's file: its path below runtime/include
    (goro's headers), or as given (a header of your own: its name, matched as a path suffix)."""
    path = Path(file)
    include = Path("runtime") / "include"
    return str(path.relative_to(include)) if path.is_relative_to(include) else file


def split_arguments(text: str, open_paren: int) -> tuple[list[tuple[int, int]], int]:
    """split_arguments() returns the (start, end) spans of the top-level arguments of the call
    whose '(' is at open_paren, and the offset of its ')'."""
    depth, start, spans = 0, open_paren + 1, []
    for i in range(open_paren, len(text)):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                spans.append((start, i))
                return spans, i
        elif ch == "," and depth == 1:
            spans.append((start, i))
            start = i + 1
    raise ValueError("unbalanced parentheses")


def algo_headers(root: Path) -> dict[str, Path]:
    """algo_headers() is every header of algo/, keyed by its path relative to root."""
    return {str(path.relative_to(root)): path for path in sorted((root / ALGO_DIR).glob("*.hpp"))}


def find_sites(root: Path, headers: dict[str, Path] | None = None) -> list[Site]:
    """find_sites() lists every explicit memory order in algo/*.hpp (or in headers: name → path),
    file by file in name order."""
    sites: list[Site] = []
    for rel, path in (algo_headers(root) if headers is None else headers).items():
        text = path.read_text()
        seen_lines: dict[str, int] = {}
        line_occurrence: dict[int, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("//"):
                continue
            seen_lines[stripped] = seen_lines.get(stripped, 0) + 1
            line_occurrence[number] = seen_lines[stripped]
        for match in CALL.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            if text[line_start:match.start()].lstrip().startswith("//"):
                continue
            try:
                spans, _ = split_arguments(text, match.end() - 1)
            except ValueError:
                continue
            call = match.group(1)
            orders = []
            for start, end in spans:
                found = ORDER.fullmatch(text[start:end].strip())
                if found:
                    offset = start + text[start:end].index(found.group(0))
                    orders.append((offset, offset + len(found.group(0)), found.group(1)))
            if not orders:
                continue
            if call == "load":
                roles = ["load"]
            elif call == "store":
                roles = ["store"]
            elif call == "fence":
                roles = ["fence"]
            elif call in RMW_CALLS:
                roles = ["rmw"]
            else:
                roles = ["cas-success", "cas-failure"] if len(orders) == 2 else ["cas-success"]
            line_number = text.count("\n", 0, match.start()) + 1
            context = text.splitlines()[line_number - 1].strip()
            column = len(text[line_start:match.end() - 1].encode()) + 1
            for argument, ((start, end, order), role) in enumerate(zip(orders, roles), start=1):
                sites.append(Site(rel, line_number, context, line_occurrence.get(line_number, 1), call,
                                  role, "acquire" if order == "consume" else order, start, end,
                                  column=column, argument=argument))
        # Number the memory-order tokens of each line, so two on one line get distinct keys.
        for i, site in enumerate(sites):
            if site.file != rel:
                continue
            line_start = text.rfind("\n", 0, site.start) + 1
            line_end = text.find("\n", site.start)
            tokens = [m.start() + line_start for m in ORDER.finditer(text[line_start:line_end])]
            calls = len({s.column for s in sites if s.file == rel and s.line == site.line})
            sites[i] = Site(**{**site.__dict__, "slot": tokens.index(site.start) + 1, "slots": len(tokens),
                               "calls_on_line": calls})
    sites.sort(key=lambda s: (s.file, s.start))
    return sites


def weakenings(site: Site, failure: Site | None, text: str) -> list[Mutant]:
    """weakenings() makes one mutant per legal weaker order of site (see the module comment).
    failure is the same CAS's failure-order site when site is its success order."""
    legal = LEGAL["load" if site.role == "cas-failure" else
                  "rmw" if site.role == "cas-success" else site.role]
    mutants = []
    for weaker in sorted(STRONGER[site.order] & legal, key=lambda o: (-len(STRONGER[o]), o)):
        m = Mutant(site, weaker)
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the file's text
        if site.role == "fence" and weaker == "relaxed":
            # Drop the whole fence call statement: Relacy rejects a relaxed fence outright.
            statement_start = text.rfind("\n", 0, site.start) + 1
            statement_end = text.index(";", site.end) + 1
            line = text[statement_start:text.index("\n", statement_start)]
            indent = line[:len(line) - len(line.lstrip())]
            edits.append((statement_start, statement_end, indent + "/* MUTANT: fence dropped */"))
            m.changes.append((site, "drop"))
        else:
            edits.append((site.start, site.end, f"std::memory_order_{weaker}"))
            m.changes.append((site, weaker))
        if site.role == "cas-success" and failure is not None:
            allowed = {weaker} | STRONGER[weaker]
            if failure.order not in allowed:
                # The failure order may not exceed the success order: take it down with it.
                new_failure = next(o for o in ("acquire", "relaxed") if o in allowed)
                edits.append((failure.start, failure.end, f"std::memory_order_{new_failure}"))
                m.changes.append((failure, new_failure))
        m.mutation = _textual(m, edits, text)
        mutants.append(m)
    return mutants


def _textual(m: Mutant, edits: list[tuple[int, int, str]], text: str) -> Mutation:
    """_textual() is the Mutation that makes the edits: the span from the first edit's start to the
    last one's end, replaced as a whole at its offset (the same text may occur elsewhere)."""
    start, end = min(e[0] for e in edits), max(e[1] for e in edits)
    region = text[start:end]
    for edit_start, edit_end, replacement in sorted(edits, reverse=True):
        region = region[:edit_start - start] + replacement + region[edit_end - start:]
    return Mutation(name=m.key, file=m.site.file, search=text[start:end], replace=region,
                    description=m.describe(), at=start)


def generate(root: Path, headers: dict[str, Path] | None = None) -> list[Mutant]:
    """generate() returns every memory-order mutant of algo/ (or of headers: name → path, a
    header of your own keyed by its file name), in file and source order."""
    paths = algo_headers(root) if headers is None else headers
    sites = find_sites(root, paths)
    texts = {s.file: paths[s.file].read_text() for s in sites}
    mutants: list[Mutant] = []
    for i, site in enumerate(sites):
        failure = None
        if site.role == "cas-success" and i + 1 < len(sites) and sites[i + 1].role == "cas-failure":
            failure = sites[i + 1]
        mutants.extend(weakenings(site, failure, texts[site.file]))
    keys = [m.key for m in mutants]
    assert len(keys) == len(set(keys)), "two mutants share a key"
    return mutants


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def included_headers(root: Path, source: Path, seen: set[Path] | None = None) -> set[Path]:
    """included_headers() is the transitive set of quoted includes of source found in models/
    or runtime/include/ (the models' include path)."""
    seen = set() if seen is None else seen
    for name in INCLUDE.findall(source.read_text()):
        for base in (source.parent, root / MODELS_DIR, root / "runtime" / "include"):
            candidate = (base / name).resolve()
            if candidate.is_file():
                if candidate not in seen:
                    seen.add(candidate)
                    included_headers(root, candidate, seen)
                break
    return seen


def models_by_header(root: Path) -> dict[str, list[str]]:
    """models_by_header() maps each algo header (repo-relative) to the model targets whose
    sources include it: model_<algo> for every goro_add_model(<algo> ...) in models/CMakeLists.txt."""
    cmake = (root / MODELS_DIR / "CMakeLists.txt").read_text()
    algos = re.findall(r"^goro_add_model\((\w+)", cmake, re.MULTILINE)
    mapping: dict[str, list[str]] = {}
    for algo in algos:
        source = root / MODELS_DIR / f"model_{algo}.cpp"
        for header in included_headers(root, source):
            try:
                rel = str(header.relative_to(root.resolve()))
            except ValueError:
                continue
            mapping.setdefault(rel, []).append(f"model_{algo}")
    return mapping


@dataclass(frozen=True)
class Equivalent:
    key: str
    reason: str
    # equivalent: the weaker order is correct too. unobservable: it is wrong in the C++ memory
    # model, but only through a behaviour Relacy does not produce (e.g. load buffering), so no
    # model scenario can kill it; the shipped order stays.
    kind: str = "equivalent"


def load_equivalents(path: Path) -> list[Equivalent]:
    """load_equivalents() reads the reviewed list; a malformed entry raises ValueError."""
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    entries = []
    for entry in data["equivalents"]:
        if not {"key", "reason"} <= entry.keys() or not entry["reason"].strip():
            raise ValueError(f"{path}: every equivalent needs a key and a one-line reason: {entry}")
        kind = entry.get("kind", "equivalent")
        if kind not in ("equivalent", "unobservable"):
            raise ValueError(f"{path}: kind must be equivalent or unobservable: {entry}")
        entries.append(Equivalent(entry["key"], entry["reason"], kind))
    return entries


FAILED_LINE = re.compile(r"^model_(\w+) scenario=(\S+) variant=\S+ scheduler=\S+ failed_at_iteration=(\d+) "
                         r"result=\"[^\"]*\" kind=(\w+)", re.MULTILINE)
APPLIED_LINE = re.compile(r"^order_mutant: .* applied (\d+) times$", re.MULTILINE)


@dataclass
class ModelRun:
    """ModelRun is what one model process said about one mutant."""
    reported: bool
    detail: str         # "model_x: scenario kind at iteration N", "hung", or "passed"
    applied: int = -1   # operations the runtime mutant changed (-1: textual mode, not counted)


def run_model(build: Path, model: str, log: Path, timeout: float, spec: str | None = None) -> ModelRun:
    """run_model() runs one model's quick tier (under GORO_ORDER_MUTANT=spec when given): the
    target model_<algo> of build/models, or an executable given by its absolute path (--model)."""
    env = {"GORO_ORDER_MUTANT": spec} if spec else {"GORO_ORDER_MUTANT": ""}
    status = command([str(build / "models" / model)], log, timeout, env=env)  # an absolute model stays as is
    model = Path(model).name
    text = log.read_text(errors="replace")
    applied_match = APPLIED_LINE.search(text)
    applied = int(applied_match.group(1)) if applied_match else -1
    if status == 124:
        return ModelRun(True, f"{model}: hung (timed out after {timeout:.0f} s)", applied)
    if status == 2 and spec:
        raise ValueError(f"{model} refused GORO_ORDER_MUTANT={spec}: see {log}")
    if status != 0:
        failed = FAILED_LINE.search(text)
        if failed:
            return ModelRun(True, f"{model}: {failed.group(2)} {failed.group(4)} at iteration {failed.group(3)}", applied)
        found = re.search(r"(data race|deadlock|livelock|assertion|RL_ASSERT|check failed|"
                          r"unitialized|uninitialized|access to freed memory|\w+ failed)[^\n]{0,80}",
                          text, re.IGNORECASE)
        return ModelRun(True, f"{model}: " + (found.group(0).strip() if found else f"exit status {status}"), applied)
    return ModelRun(False, f"{model}: passed", applied)


def run_models(build: Path, models: list[str], logs: Path, tag: str, timeout: float,
               spec: str | None = None) -> tuple[bool, str, int]:
    """run_models() runs each model's quick tier until one reports: (reported, what, applied),
    applied being the most operations the runtime mutant changed in any model (-1: textual)."""
    applied = -1
    for model in models:
        result = run_model(build, model, logs / f"{tag}.{Path(model).name}.log", timeout, spec)
        applied = max(applied, result.applied)
        if result.reported:
            return True, result.detail, applied
    return False, "every model passed: " + ", ".join(Path(model).name for model in models), applied


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/suite mutants --models",
        description="Weaken each explicit memory order in runtime/include/goro/algo/ one at a time and "
                    "run the quick tier of the Relacy models that include the header. By default the "
                    "mutant is chosen at run time (GORO_ORDER_MUTANT, goro/verify/relacy/order_mutant.hpp): each "
                    "model is built once and every mutant is a process; --textual rebuilds a scratch "
                    "copy per mutant instead. Each mutant is killed (a model reported it), equivalent "
                    "or unobservable (listed with a reason in models/equivalent_mutants.json), not "
                    "reached (no model executes the order) or SURVIVED.")
    parser.add_argument("--list", action="store_true", help="list the generated mutants and exit")
    parser.add_argument("--header", action="append", type=Path, metavar="FILE",
                        help="a header of your own (outside goro's tree) instead of runtime/include/goro/algo/: "
                             "its memory orders are weakened and run against --model; repeatable, each "
                             "header then paired with the --model in the same position")
    parser.add_argument("--model", action="append", type=Path, metavar="EXE",
                        help="with --header: the kit's model executable built from it "
                             "(goro_add_algorithm_checks: <build>/<name>_model); repeatable")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run N mutants drawn at random (the quick tier); default: all")
    parser.add_argument("--seed", type=int, default=1, help="seed of --sample (default 1)")
    parser.add_argument("--seed-from-commit", action="store_true",
                        help="seed --sample from the checked-out commit (a different sample per commit, "
                             "the same on every run of it)")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="run only mutants whose key contains TEXT (repeatable)")
    parser.add_argument("--skip-equivalents", action="store_true",
                        help="do not run mutants already listed as equivalent (they are reported as such)")
    parser.add_argument("--equivalents", action="append", type=Path,
                        help="reviewed equivalents (default: models/equivalent_mutants.json; none with --header); "
                             "repeatable")
    parser.add_argument("--build", type=Path, default=DEFAULT_BUILD,
                        help="the configured build tree whose models the run-time mutants run "
                             "(default: build/release; the models are built there if needed)")
    parser.add_argument("--no-build", action="store_true", help="run the models already built in --build")
    parser.add_argument("--no-baseline", action="store_true",
                        help="do not first run the models unmutated (when their quick tier just passed, "
                             "as in scripts/suite test after ctest)")
    parser.add_argument("--textual", action="store_true",
                        help="apply each mutant to a scratch copy of the source and rebuild the models "
                             "(slow: 50-170 s per mutant); for what the run-time form cannot express")
    parser.add_argument("--cross-check", action="store_true",
                        help="run the chosen mutants both ways (run time and textual) and fail unless "
                             "every verdict, model and iteration agrees")
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH,
                        help="the reused scratch tree of --textual (default: build/ordermutants)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel build jobs and model processes (default 2)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds per model run before a mutant counts as hung (default 300)")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="write every verdict as JSON (rewritten after each mutant, so a cut-short run leaves its results)")
    parser.add_argument("--time-box", type=float, metavar="SECONDS",
                        help="start no new mutant after this long; the rest are reported as not run")
    return parser.parse_args(argv)


def write_json(path: Path, verdicts: list[Verdict], generated: int, stale: list[str], seconds: float,
               sampled: bool, mode: str = "runtime", seed: int | None = None,
               headers: list[str] | None = None) -> None:
    """write_json() records the run: counts, every verdict with its key, and stale equivalents;
    `headers` names the headers of your own it mutated (--header; absent for goro's algo/)."""
    count = lambda status: sum(v.status == status for v in verdicts)  # noqa: E731
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "kind": "memory-order-mutants",
        **({"headers": headers} if headers else {}),
        "mode": mode,
        "generated": generated,
        "run": len(verdicts),
        "sampled": sampled,
        "seed": seed,
        "killed": count("killed"),
        "equivalent": count("equivalent"),
        "unobservable": count("unobservable"),
        "survived": count("SURVIVED"),
        "not_reached": count("not reached"),
        "untested": count("untested"),
        "errors": count("ERROR"),
        "not_run": count("not run"),
        "stale_equivalents": stale,
        "seconds": round(seconds, 1),
        "mutants": [{"key": v.mutation.key, "where": v.mutation.describe(), "spec": v.mutation.runtime_spec(),
                     "status": v.status, "detail": v.detail, "applied": v.applied,
                     "seconds": round(v.seconds, 1)} for v in verdicts],
    }, indent=2) + "\n")


def commit_seed(root: Path) -> int:
    """commit_seed() is the checked-out commit as a number (1 outside a git checkout)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        return int(head[:12], 16)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 1


class Runner:
    """Runner judges mutants one way: at run time against built models, or textually."""

    def __init__(self, args: argparse.Namespace, by_header: dict[str, list[str]],
                 reasons: dict[str, str], kinds: dict[str, str]):
        self.args, self.by_header, self.reasons, self.kinds = args, by_header, reasons, kinds

    def judge(self, m: Mutant, reported: bool, detail: str, applied: int, seconds: float) -> Verdict:
        status = "killed" if reported else (self.kinds[m.key] if m.key in self.reasons
                                            else "not reached" if applied == 0 else "SURVIVED")
        if m.key in self.reasons and not reported:
            unreached = " (no model executes this order)" if applied == 0 else ""
            detail = f"{detail}{unreached}; listed {self.kinds[m.key]}: {self.reasons[m.key]}"
        elif status == "not reached":
            detail = f"no model executes this order (the mutant was applied 0 times): {detail}"
        return Verdict(m, status, detail, seconds, applied)

    def baseline(self, build: Path, models: list[str], logs: Path) -> bool:
        clock = time.monotonic()
        print(f"ordermutants: baseline: running {', '.join(models)} unmutated ...", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, self.args.jobs)) as pool:
            results = list(pool.map(lambda model: run_model(build, model, logs / f"baseline.{Path(model).name}.log",
                                                             self.args.timeout), models))
        failed = [r.detail for r in results if r.reported]
        if failed:
            print(f"ordermutants: the unmutated models report a bug ({'; '.join(failed)}); a mutant's verdict "
                  f"would mean nothing. Logs: {logs}", file=sys.stderr)
            return False
        print(f"ordermutants: baseline passes ({time.monotonic() - clock:.0f} s)", flush=True)
        return True

    def runtime(self, runnable: list[Mutant], started: float, on_verdict) -> list[Verdict] | None:
        """runtime() builds the models once in --build and runs each mutant as processes."""
        build = self.args.build.resolve()
        logs = build / "ordermutants-logs"
        logs.mkdir(parents=True, exist_ok=True)
        needed = sorted({model for m in runnable for model in self.by_header[m.site.file]})
        if not needed:
            return []
        if not self.args.no_build:
            if not (build / "CMakeCache.txt").is_file():
                print(f"ordermutants: {build} is not a configured build tree (cmake --preset release)",
                      file=sys.stderr)
                return None
            print(f"ordermutants: building {', '.join(needed)} in {build} (once) ...", flush=True)
            if build_targets(build, needed, self.args.jobs, logs / "build.log") != 0:
                print(f"ordermutants: the models do not build; see {logs / 'build.log'}", file=sys.stderr)
                return None
        missing = [model for model in needed if not (build / "models" / model).is_file()]
        if missing:
            print(f"ordermutants: not built in {build}: {', '.join(missing)}", file=sys.stderr)
            return None
        if not self.args.no_baseline and not self.baseline(build, needed, logs):
            return None

        def one(m: Mutant) -> Verdict:
            if self.args.time_box is not None and time.monotonic() - started > self.args.time_box:
                return Verdict(m, "not run", "time box reached", 0.0)
            clock = time.monotonic()
            tag = re.sub(r"[^A-Za-z0-9]+", "_", m.describe())[:80] + f"_{abs(hash(m.key)) % 10**6}"
            reported, detail, applied = run_models(build, self.by_header[m.site.file], logs, tag,
                                                   self.args.timeout, m.runtime_spec())
            return self.judge(m, reported, detail, applied, time.monotonic() - clock)

        verdicts: list[Verdict] = []
        with ThreadPoolExecutor(max_workers=max(1, self.args.jobs)) as pool:
            for index, verdict in enumerate(pool.map(one, runnable), start=1):
                verdicts.append(verdict)
                on_verdict(index, len(runnable), verdict)
        return verdicts

    def textual(self, runnable: list[Mutant], started: float, on_verdict) -> list[Verdict] | None:
        """textual() applies each mutant to the scratch copy and rebuilds the models it reaches."""
        args = self.args
        scratch, build = args.scratch.resolve(), args.scratch.resolve() / "build"
        logs = scratch / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        build.mkdir(parents=True, exist_ok=True)
        sync_tree(REPO_ROOT, scratch, extra_dirs=("models",))
        if not (build / "Makefile").is_file() and configure(scratch, build, models=True) != 0:
            print(f"ordermutants: configuring the scratch tree failed; see {build / 'configure.log'}", file=sys.stderr)
            return None
        needed = sorted({model for m in runnable for model in self.by_header[m.site.file]})
        if needed:
            print(f"ordermutants: textual: building {', '.join(needed)} in {build} ...", flush=True)
            if build_targets(build, needed, args.jobs, logs / "baseline.build.log") != 0:
                print(f"ordermutants: the unmutated models do not build; see {logs / 'baseline.build.log'}",
                      file=sys.stderr)
                return None
            if not self.baseline(build, needed, logs):
                return None
        verdicts: list[Verdict] = []
        for index, m in enumerate(runnable, start=1):
            if args.time_box is not None and time.monotonic() - started > args.time_box:
                verdicts.append(Verdict(m, "not run", "time box reached", 0.0))
                on_verdict(index, len(runnable), verdicts[-1])
                continue
            clock = time.monotonic()
            target = scratch / m.site.file
            original = target.read_text()
            models = self.by_header[m.site.file]
            tag = re.sub(r"[^A-Za-z0-9]+", "_", m.describe())[:80]
            target.write_text(m.mutation.apply(original))
            try:
                if build_targets(build, models, args.jobs, logs / f"{tag}.build.log") != 0:
                    verdict = Verdict(m, "ERROR", f"does not build; see {logs / (tag + '.build.log')}",
                                      time.monotonic() - clock)
                else:
                    reported, detail, _ = run_models(build, models, logs, tag, args.timeout)
                    verdict = self.judge(m, reported, detail, -1, time.monotonic() - clock)
            finally:
                target.write_text(original)
            verdicts.append(verdict)
            on_verdict(index, len(runnable), verdict)
        return verdicts


def header_problem(args: argparse.Namespace) -> str | None:
    """header_problem() says what is wrong with --header/--model/--equivalents (one message), or None."""
    for listed in args.equivalents or []:
        if not listed.is_file():
            return f"--equivalents {listed}: no such file"
    if args.model and not args.header:
        return "--model runs the mutants of a header of your own: give --header FILE too"
    if not args.header:
        return None
    for header in args.header:
        if not header.is_file():
            return f"--header {header}: no such file"
    if len({header.name for header in args.header}) != len(args.header):
        return "--header: two headers share a file name (mutants are keyed by it)"
    if args.textual or args.cross_check:
        return "--header runs its mutants at run time only (--textual and --cross-check rebuild goro's tree)"
    if not args.model and not args.list:
        return (f"--header {args.header[0]} needs --model EXE: the kit's model executable built from it "
                "(goro_add_algorithm_checks(NAME <name> ...) builds <build>/<name>_model)")
    if args.model and len(args.header) > 1 and len(args.model) != len(args.header):
        return f"{len(args.header)} --header need as many --model, in the same order (one per header)"
    for model in args.model or []:
        if not (model.is_file() and os.access(model, os.X_OK)):
            return f"--model {model}: not an executable (build it first: cmake --build <build> --target <name>_model)"
    return None


def header_models(args: argparse.Namespace) -> dict[str, list[str]]:
    """header_models() maps each --header (by file name) to the --model executables it runs
    against: every model for one header, else the model in the same position."""
    models = [str(model.resolve()) for model in args.model or []]
    if len(args.header) == 1:
        return {args.header[0].name: models}
    return {header.name: models[i:i + 1] for i, header in enumerate(args.header)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.textual and args.cross_check:
        print("ordermutants: --cross-check runs both ways already; drop --textual", file=sys.stderr)
        return 2
    problem = header_problem(args)
    if problem:
        print(f"ordermutants: {problem}", file=sys.stderr)
        return 2
    headers = None
    if args.header:
        # A header of your own: keyed by its file name, run against the kit's executables (by
        # absolute path, which run_model() takes as is); nothing to build.
        headers = {header.name: header.resolve() for header in args.header}
        args.no_build = True
        args.build = args.model[0].resolve().parent if args.model else Path.cwd()
    try:
        mutants = generate(REPO_ROOT, headers)
        listed = args.equivalents or ([DEFAULT_EQUIVALENTS] if headers is None else [])
        equivalents = [e for path in listed for e in load_equivalents(path)]
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
        print(f"ordermutants: {error}", file=sys.stderr)
        return 2
    if headers is None:
        by_header = models_by_header(REPO_ROOT)
    else:
        if not mutants:
            print(f"ordermutants: no explicit std::memory_order in {', '.join(map(str, args.header))}: "
                  "nothing to weaken", file=sys.stderr)
            return 2
        by_header = header_models(args)
    reasons = {e.key: e.reason for e in equivalents}
    kinds = {e.key: e.kind for e in equivalents}
    keys = {m.key for m in mutants}
    stale = sorted(set(reasons) - keys)
    for key in stale:
        print(f"ordermutants: STALE equivalent (matches no generated mutant; re-anchor it): {key}",
              file=sys.stderr)
    if args.list:
        for m in mutants:
            note = f" [{kinds[m.key]}]" if m.key in reasons else ""
            print(f"{m.describe():48} models: {', '.join(by_header.get(m.site.file, [])) or '(none)'}{note}\n"
                  f"    {m.key}\n    GORO_ORDER_MUTANT='{m.runtime_spec()}'")
        sites = len({(m.site.file, m.site.start) for m in mutants})
        print(f"ordermutants: {len(mutants)} mutants of {sites} memory orders in {', '.join(map(str, args.header or [ALGO_DIR]))}")
        return 2 if stale else 0

    chosen = mutants
    if args.only:
        chosen = [m for m in chosen if any(text in m.key for text in args.only)]
        if not chosen:
            print("ordermutants: --only matches no mutant (see --list)", file=sys.stderr)
            return 2
    if args.skip_equivalents:
        chosen = [m for m in chosen if m.key not in reasons]
    seed = commit_seed(REPO_ROOT) if args.seed_from_commit else args.seed
    if args.sample is not None:
        if args.sample <= 0:
            print("ordermutants: --sample must be positive", file=sys.stderr)
            return 2
        chosen = sorted(random.Random(seed).sample(chosen, min(args.sample, len(chosen))),
                        key=mutants.index)
    untested = [m for m in chosen if not by_header.get(m.site.file)]
    # Cheapest first (fewest models to run), so a time-boxed run covers the most mutants.
    runnable = sorted((m for m in chosen if by_header.get(m.site.file)), key=lambda m: len(by_header[m.site.file]))
    mode = "textual" if args.textual else "cross-check" if args.cross_check else "runtime"
    started = time.monotonic()
    print(f"ordermutants: {len(mutants)} generated; running {len(runnable)} "
          f"({'sample of ' + str(args.sample) + ', seed ' + str(seed) if args.sample else 'all'}; {mode})",
          flush=True)
    runner = Runner(args, by_header, reasons, kinds)
    own = [header.name for header in args.header] if args.header else None
    verdicts = [Verdict(m, "untested", "no model includes this header", 0.0) for m in untested]

    def on_verdict(index: int, total: int, verdict: Verdict) -> None:
        print(f"ordermutants: [{index}/{total}] {verdict.mutation.describe()}: {verdict.status} "
              f"({verdict.seconds:.0f} s) {verdict.detail}", flush=True)
        if args.json:
            write_json(args.json, verdicts + [verdict], len(mutants), stale, time.monotonic() - started,
                       args.sample is not None, mode, seed, own)

    try:
        if args.textual:
            judged = runner.textual(runnable, started, on_verdict)
        else:
            judged = runner.runtime(runnable, started, on_verdict)
    except ValueError as error:
        print(f"ordermutants: {error}", file=sys.stderr)
        return 2
    if judged is None:
        return 2
    disagreements: list[str] = []
    if args.cross_check:
        print("ordermutants: cross-check: the same mutants, textually ...", flush=True)
        textual = runner.textual(runnable, started, lambda i, n, v: print(
            f"ordermutants: textual [{i}/{n}] {v.mutation.describe()}: {v.status} {v.detail}", flush=True))
        if textual is None:
            return 2
        for a, b in zip(judged, textual):
            # "not reached" at run time must be a survivor textually; everything else must match.
            same_status = a.status == b.status or (a.status == "not reached" and b.status == "SURVIVED")
            same_detail = a.detail.split(";")[0] == b.detail.split(";")[0] or not (a.status == b.status == "killed")
            if not (same_status and same_detail):
                disagreements.append(f"{a.mutation.describe()}: run time {a.status} ({a.detail}) vs "
                                     f"textual {b.status} ({b.detail})")
            else:
                a.detail += f" | textual: {b.status} ({b.detail.split(';')[0]})"
    verdicts.extend(judged)
    if args.skip_equivalents:
        verdicts.extend(Verdict(m, kinds[m.key], f"not run; listed {kinds[m.key]}: {reasons[m.key]}", 0.0)
                        for m in mutants if m.key in reasons and (not args.only or any(t in m.key for t in args.only)))

    print()
    print(f"{'mutant':48} {'verdict':11} {'time':>6}  detail")
    for v in verdicts:
        print(f"{v.mutation.describe():48} {v.status:11} {v.seconds:5.0f}s  {v.detail}")
    count = lambda status: sum(v.status == status for v in verdicts)  # noqa: E731
    print(f"\nordermutants: generated {len(mutants)}, run {len(verdicts)}: killed {count('killed')}, "
          f"equivalent {count('equivalent')}, unobservable {count('unobservable')}, SURVIVED {count('SURVIVED')}, "
          f"not reached {count('not reached')}, untested {count('untested')}, "
          f"not run {count('not run')}, errors {count('ERROR')} in {time.monotonic() - started:.0f} s")
    if args.json:
        write_json(args.json, verdicts, len(mutants), stale, time.monotonic() - started, args.sample is not None,
                   mode, seed, own)
        print(f"ordermutants: verdicts written to {args.json}")
    if args.cross_check:
        for line in disagreements:
            print(f"ordermutants: DISAGREE {line}", file=sys.stderr)
        print(f"ordermutants: cross-check: {len(judged) - len(disagreements)} of {len(judged)} mutants got the "
              f"same verdict (and the same model, scenario, kind and iteration when killed) both ways", flush=True)
        if disagreements:
            return 4
    if count("ERROR") or stale:
        return 2
    return 1 if count("SURVIVED") or count("not reached") else 0


if __name__ == "__main__":
    sys.exit(main())
