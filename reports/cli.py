"""`scripts/suite` — goro's command line: one subcommand per job, each with --help."""
from __future__ import annotations

import argparse
import importlib
import sys

from . import packages

# Subcommand modules, in the order --help lists them.
COMMAND_MODULES = ("testcmd", "benchcmd", "reportcmd", "comparecmd", "gatecmd", "historycmd",
                   "designscmd", "storecmd", "delegates")
# Commands that only need the standard library (no numpy/scipy/matplotlib).
LIGHT_COMMANDS = {"test", "models", "stress", "mutants", "store"}


def parser() -> argparse.ArgumentParser:
    """parser() builds the full argument parser from every command module present."""
    top = argparse.ArgumentParser(prog="scripts/suite", description=__doc__)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"reports.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"reports.{name}":
                continue
            raise
        module.add_parser(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """main() parses the command line and runs the chosen handler."""
    top = parser()
    args, extra = top.parse_known_args(argv)
    if args.command == "mutants":  # everything after `mutants` belongs to reports.mutants
        args.rest = extra + args.rest
    elif extra:
        top.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command not in LIGHT_COMMANDS:
        packages.ensure_or_exit(packages.PYTHON_PACKAGES)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("suite: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
