"""`scripts/suite verify` — run the cheap verification tiers and write the verification page.

Runs every Relacy model's quick tier and planted bugs, a sample of memory-order mutants (seeded
from the commit), the differential tests against Go (quick tier), a short stress run and the deterministic
exploration of planted bugs (scripts/suite explore), each
writing its own JSON into --results; then renders verification.html into --out from those files
only. `--from DIR` skips running and renders saved results (for example the long tiers:
`scripts/suite mutants --models --json DIR/ordermutants.json`, `scripts/suite mutants --json
DIR/semantic-mutants.json`, `goro-stress --all --seconds 600 --json DIR/stress.json`).

Exit status: 0 every step passed; 2 usage or input error (an unreadable results directory);
3 missing packages; 4 a step reported a failure (a model, a planted bug not found, a surviving
mutant, a disagreement with Go, a stress failure, a tier that crashed, hung, was killed or left
its JSON missing or partial) — the page is written either way, with every failed tier at the
head of its summary.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .run import packages
from .base.paths import DEFAULT_REPORT_DIR, DEFAULT_VERIFY_DIR as DEFAULT_RESULTS, REPO_ROOT, TEST_RESULTS_DIR


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `verify`."""
    parser = sub.add_parser("verify", help="run the cheap verification tiers, write the verification page",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, metavar="DIR",
                        help="render saved results from DIR instead of running anything")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS,
                        help=f"where the tools write their JSON (default {DEFAULT_RESULTS.relative_to(REPO_ROOT)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR,
                        help=f"report directory for verification.html (default {DEFAULT_REPORT_DIR.relative_to(REPO_ROOT)})")
    parser.add_argument("--mutants", type=int, default=6, metavar="N",
                        help="memory-order mutants to sample (default 6; 0: none)")
    parser.add_argument("--programs", type=int, default=300, metavar="N",
                        help="differential programs per test against Go (default 300; 0: none)")
    parser.add_argument("--stress-seconds", type=float, default=2.0, metavar="S",
                        help="seconds per stress scenario (default 2; 0: no stress run)")
    parser.add_argument("--full-models", action="store_true", help="the models' exhaustive tier as well")
    parser.add_argument("--no-build", action="store_true", help="use what build/release already holds")
    parser.set_defaults(handler=main, required_packages=lambda args: packages.PYTHON_PACKAGES)


def main(args: argparse.Namespace) -> int:
    """main() runs (or reads) the results and writes the page; see the module comment."""
    from .render import verification as page  # jinja2: after the packages step
    from .results.verification import load
    for name in ("mutants", "programs"):
        if getattr(args, name) < 0:
            print(f"suite: --{name} must be 0 or more", file=sys.stderr)
            return 2
    if args.stress_seconds < 0:
        print("suite: --stress-seconds must be 0 or more", file=sys.stderr)
        return 2
    status = 0
    if args.source is not None:
        if not args.source.is_dir():
            print(f"suite: --from {args.source}: not a directory", file=sys.stderr)
            return 2
        directory = args.source
    else:
        from .run.verify import Plan, run_plan
        directory = args.results
        status = run_plan(Plan(directory, mutants=args.mutants, programs=args.programs,
                               stress_seconds=args.stress_seconds, full_models=args.full_models),
                          build=not args.no_build)
        if status == 2:
            return 2
    verification = load(directory)
    if verification.empty:
        print(f"suite: {directory}: no verification results in it", file=sys.stderr)
        return 2
    for problem in verification.problems:
        print(f"verify: {problem}", file=sys.stderr)
    for failure in verification.failures:
        print(f"verify: FAILED tier ({failure.reason}): {failure.title}", file=sys.stderr)
    target = page.write(verification, args.out)
    print(f"verify: {len(verification.sources)} result files from {directory}"
          + (f"; {len(verification.failures)} FAILED tiers on the page's summary" if verification.failures else ""))
    print(target.resolve())
    # What `scripts/suite test` saved below the same directory is shown, not judged: verify's
    # exit status is about the tiers it ran or was pointed at.
    judged = [f for f in verification.failures if not (directory / f.source).resolve().is_relative_to(TEST_RESULTS_DIR)]
    return status or (4 if judged else 2 if verification.problems else 0)
