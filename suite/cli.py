"""`scripts/suite` — goro's command line: one subcommand per job, each with --help.

Exit codes, the same for every command:
  0    ok
  1    confirmed regression (compare and gate only)
  2    usage or input error, or nothing to judge: one line names what was wrong
  3    missing Debian packages: the line to run (`sudo apt-get install -y ...`) is printed
  4    ran, with failures: a build, test step, model, stress run, mutation or benchmark failed,
       or a measured run could not be stored (the file that keeps it is named)
  70   internal error: a bug in the suite itself (message and traceback)
  130  interrupted

On a bare machine (Debian's python3 and nothing else) this module and every command module load
with the standard library alone: numpy, scipy, matplotlib and jinja2 are imported inside the
handlers, after the packages step has installed them.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import traceback
from typing import Sequence

from .results.gbjson import FormatError
from .results.store import StoreError
from .run import packages
from .run.extrabench import ExtraBinaryError

# Subcommand modules, in the order --help lists them.
COMMAND_MODULES = ("testcmd", "benchcmd", "reportcmd", "tracecmd", "comparecmd", "gatecmd", "bisectcmd",
                   "historycmd", "designscmd", "storecmd", "verifycmd", "explorecmd", "kitcmd", "delegates")
# Commands that only need the standard library (no numpy/scipy/matplotlib); `test` installs
# its packages in its own first step. A command may instead name its packages itself with
# set_defaults(required_packages=function(args)).
LIGHT_COMMANDS = {"test", "models", "stress", "mutants", "store"}
# Exceptions that mean the user's input was wrong (a file, a path, a pattern): exit 2, one line.
USER_ERRORS = (FormatError, StoreError, ExtraBinaryError, re.error, OSError)
INTERNAL_ERROR = 70


def parser() -> argparse.ArgumentParser:
    """parser() builds the full argument parser from every command module present."""
    top = argparse.ArgumentParser(prog="scripts/suite", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"suite.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"suite.{name}":
                continue
            raise
        module.add_parser(sub)
    return top


def required_packages(args: argparse.Namespace) -> Sequence[str]:
    """required_packages() is what the chosen command needs installed before its handler runs."""
    chooser = getattr(args, "required_packages", None)
    if chooser is not None:
        return tuple(chooser(args))
    return () if args.command in LIGHT_COMMANDS else packages.PYTHON_PACKAGES


def describe_user_error(error: BaseException) -> str:
    """describe_user_error() is the one line printed for a user's mistake."""
    if isinstance(error, re.error):
        return f"bad regular expression {error.pattern!r}: {error}"
    if isinstance(error, FileExistsError) and error.filename:
        return f"{error.filename}: exists and is not a directory"
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}"
    return str(error)


def main(argv: list[str] | None = None) -> int:
    """main() parses the command line, makes sure the packages are there and runs the handler;
    a user's mistake becomes one line and exit 2, a bug in the suite exit 70 with its traceback."""
    args = parser().parse_args(argv)
    try:
        if not getattr(args, "dry_run", False):
            installed = packages.ensure_or_exit(required_packages(args))
            if installed and argv is None:
                # Start afresh so the interpreter's import system sees the new packages.
                print("suite: packages installed; restarting the command", flush=True)
                sys.stdout.flush()
                os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("suite: interrupted", file=sys.stderr)
        return 130
    except USER_ERRORS as error:
        print(f"suite: {describe_user_error(error)}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 — anything else is a bug in the suite, never exit 1
        print("suite: internal error (a bug in scripts/suite, not in your input); traceback:",
              file=sys.stderr)
        traceback.print_exc()
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
