"""`scripts/suite compare A B` — judge B against A benchmark by benchmark.

A and B are record files (exported records or bare Google Benchmark JSON) or store selectors
(`latest`, `latest~1`, a record id, a uuid or a git sha prefix). `--baseline pooled:N --branch
main [B]` judges B (default latest) against the last N stored records of main measured on B's
machine in B's environment, pooled (suite/results/pooled.py): a pull request against its target
branch's recent history. Exit 0: no regression; 1: a
(stable, gated) REGRESSION; 2: could not judge (unreadable input, a benchmark missing on one side
or failed, nothing in common, different machines without --force, different environments —
kernel, governor, SMT, boost, cgroup quota, compiler, flags, build type — without
--across-environments, which judges anyway and labels the result).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .analysis import verdicts
from .analysis.policyoptions import add_environment_option, add_policy_options, policy_from
from .render import ciout
from .render.console import print_outcome
from .results import environment, pooled
from .results.commitorder import BranchError
from .results.gbjson import FormatError
from .results.record import Record, load_file
from .results.store import StoreError
from .results.storeloc import open_store


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `compare`."""
    parser = sub.add_parser("compare", help="compare two runs with statistics (exit 0/1/2)",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", nargs="?", help="baseline: record file or store selector")
    parser.add_argument("b", nargs="?", help="candidate: record file or store selector (with "
                        "--baseline, the only one given)")
    parser.add_argument("--baseline", metavar="pooled:N",
                        help="judge the candidate against the last N stored records of --branch "
                             "(same machine and environment), pooled")
    parser.add_argument("--branch", default="main", metavar="REF",
                        help="the branch --baseline pools from (default main)")
    add_policy_options(parser)
    parser.add_argument("--aa", nargs=2, metavar=("A1", "A2"),
                        help="an A/A pair (same commit twice) to calibrate per-benchmark noise bands")
    parser.add_argument("--filter", metavar="REGEX", help="only benchmarks matching REGEX")
    add_environment_option(parser)
    ciout.add_output_options(parser)
    parser.set_defaults(handler=main)


def resolve(selector: str, store_path: Path) -> Record:
    """resolve() loads a record from a file path, else from the store."""
    path = Path(selector)
    if path.exists() or "/" in selector or selector.endswith(".json"):
        return load_file(path)
    with open_store(store_path, create=False) as store:
        return store.get(selector)


def check_machines(records: list[Record], force: bool) -> str | None:
    """check_machines() returns an error when known machine ids differ and --force is absent."""
    ids = {r.machine_id for r in records if r.machine_id != "unknown"}
    if len(ids) > 1 and not force:
        return (f"records come from different machines ({', '.join(sorted(ids))}); timings are "
                "not comparable — pass --force to compare anyway")
    return None


def sides(args: argparse.Namespace) -> tuple[Record, Record]:
    """sides() resolves A and B: two selectors, or --baseline pooled:N and one candidate."""
    if args.baseline is None:
        if args.a is None or args.b is None:
            raise ValueError("compare needs A and B (or --baseline pooled:N and B)")
        return resolve(args.a, args.store), resolve(args.b, args.store)
    count = pooled.parse(args.baseline)
    if args.b is not None:
        raise ValueError("with --baseline give only the candidate B")
    b = resolve(args.a or "latest", args.store)
    args.a, args.b = args.baseline, args.a or "latest"
    with open_store(args.store, create=False) as store:
        return pooled.pooled(store.records(), b, count, args.branch), b


def check_environments(records: list[Record]) -> list[str]:
    """check_environments() names what differs between the first record's environment and any
    other's (empty: the same environment as far as the records tell)."""
    first = environment.of_context(records[0].context)
    changed: list[str] = []
    for other in records[1:]:
        changed += [d for d in environment.differences(first, environment.of_context(other.context))
                    if d not in changed]
    return changed


def filtered(samples: dict, pattern: re.Pattern[str] | None) -> dict:
    """filtered() keeps the benchmarks whose name matches pattern (search, like Google Benchmark)."""
    if pattern is None:
        return samples
    return {k: v for k, v in samples.items() if pattern.search(k)}


def compile_filter(regex: str | None) -> re.Pattern[str] | None:
    """compile_filter() checks --filter before any work: ValueError names a bad pattern."""
    try:
        return re.compile(regex) if regex else None
    except re.error as error:
        raise ValueError(f"--filter {regex!r} is not a regular expression: {error}") from None


def main(args: argparse.Namespace) -> int:
    """main() runs `compare`."""
    try:
        ciout.refuse_unwritable(args)  # outputs nobody could write: no second attempt below
    except ValueError as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    try:
        policy = policy_from(args)
        pattern = compile_filter(args.filter)
        a, b = sides(args)
        aa = [resolve(s, args.store) for s in args.aa] if args.aa else []
    except (FormatError, StoreError, ValueError, BranchError) as error:
        print(f"suite: {error}", file=sys.stderr)
        _write_error(args, str(error))
        return 2
    problem = check_machines([a, b, *aa], args.force)
    if problem:
        print(f"suite: {problem}", file=sys.stderr)
        _write_error(args, problem, a, b)
        return 2
    changed = check_environments([a, b, *aa])
    label = None
    if changed and not args.across_environments:
        problem = (f"records come from different environments ({environment.describe(changed)});"
                   " pass --across-environments to compare anyway")
        print(f"suite: {problem}", file=sys.stderr)
        _write_error(args, problem, a, b)
        return 2
    if changed:
        label = f"across environments: {environment.describe(changed)}"
        print(f"suite: warning: {label}", file=sys.stderr)
    if not any(s.metric(policy.metric) for s in a.samples().values()):
        print(f"suite: --metric {policy.metric}: no benchmark of A has it (real_time, cpu_time or "
              "a counter of the benchmarks)", file=sys.stderr)
        return 2
    print(f"A: {a.describe()}\nB: {b.describe()}" + (f"\n({label})" if label else ""))
    bands = verdicts.noise_bands(aa[0].samples(), aa[1].samples(), policy) if aa else None
    outcome = verdicts.compare(filtered(a.samples(), pattern), filtered(b.samples(), pattern),
                               policy, bands)
    print_outcome(outcome, policy.metric)
    try:
        doc = ciout.document("compare", outcome, outcome.exit_code(), _side(a), _side(b), policy,
                             b.context.get("machine", {}))
        doc["environment_differences"] = changed
        ciout.write_outputs(doc, args)
    except OSError as error:
        print(f"suite: cannot write the CI outputs: {error.filename or ''}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 2
    return outcome.exit_code()


def _side(record: Record) -> dict:
    return ciout.side(record.git_sha, record.describe(), record.machine_id)


def _write_error(args: argparse.Namespace, error: str, a: Record | None = None,
                 b: Record | None = None) -> None:
    """_write_error() still writes the CI outputs when nothing could be judged (exit 2)."""
    try:
        ciout.write_outputs(ciout.document(
            "compare", None, 2, _side(a) if a else ciout.side(None, args.a),
            _side(b) if b else ciout.side(None, args.b), None, error=error), args)
    except OSError as problem:
        print(f"suite: cannot write the CI outputs: {problem}", file=sys.stderr)
