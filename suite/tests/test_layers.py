"""The layout of suite/ as a specification: command modules on top import downward only.

Top-level modules (cli.py, delegates.py, *cmd.py) are the commands; the sub-packages results/,
analysis/, render/ and run/ are the libraries they share. A command never imports another command
(what two commands share belongs in a library), and a library never imports a command. Imports
are read with ast from the source, statically: also those inside functions, and the module names
handed to importlib.import_module / find_spec as string literals.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from suite.tests.conftest import REPO_ROOT

REPORTS = REPO_ROOT / "suite"
LIBRARIES = ("base", "results", "analysis", "render", "run")
COMMANDS = sorted(p.stem for p in REPORTS.glob("*.py") if p.stem != "__init__")


def module_name(path: Path) -> str:
    """module_name() is the dotted name of a file under suite/ (suite.base.paths)."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, source: str | None = None) -> set[str]:
    """imported() is every suite.* module that the file imports, as absolute dotted names."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    package = module_name(path).rsplit(".", 0 if path.stem == "__init__" else 1)[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)  # from . import x
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) in (
                "import_module", "find_spec") and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            names.add(node.args[0].value)
    return {n for n in names if n == "suite" or n.startswith("suite.")}


def commands_in(names: set[str]) -> set[str]:
    """commands_in() is the command modules among dotted names (suite.gatecmd → gatecmd)."""
    return {n.split(".")[1] for n in names if n.count(".") == 1 and n.split(".")[1] in COMMANDS}


def library_files() -> list[Path]:
    return sorted(p for lib in LIBRARIES for p in (REPORTS / lib).rglob("*.py"))


def test_the_layout_has_commands_on_top_and_a_package_per_job():
    assert {"cli", "delegates", "benchcmd", "comparecmd", "gatecmd", "reportcmd"} <= set(COMMANDS)
    assert all((REPORTS / lib / "__init__.py").is_file() for lib in LIBRARIES)
    assert len(library_files()) > 25


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_module_never_imports_another_command_module(command):
    path = REPORTS / f"{command}.py"
    others = commands_in(imported(path)) - {command}
    assert not others, f"{path.name} imports command module(s) {sorted(others)}: move what they " \
                       "share into results/, analysis/, render/ or run/"


@pytest.mark.parametrize("path", library_files(), ids=lambda p: str(p.relative_to(REPORTS)))
def test_a_library_module_never_imports_a_command_module(path):
    found = commands_in(imported(path))
    assert not found, f"{path.relative_to(REPORTS)} imports command module(s) {sorted(found)}"


@pytest.mark.parametrize("line, within, caught", [
    # The check itself, on planted imports: each spelling of "a command imports a command".
    ("from .benchcmd import build_benchmarks", "gatecmd.py", {"benchcmd"}),
    ("from . import benchcmd", "reportcmd.py", {"benchcmd"}),
    ("from suite import comparecmd", "gatecmd.py", {"comparecmd"}),
    ("import suite.comparecmd", "gatecmd.py", {"comparecmd"}),
    ("importlib.import_module('suite.gatecmd')", "testcmd.py", {"gatecmd"}),
    ("from ..gatecmd import main", "run/measure.py", {"gatecmd"}),
    ("from .. import reportcmd", "render/html.py", {"reportcmd"}),
    ("from .run.build import build_benchmarks", "gatecmd.py", set()),
    ("from ..results import store", "run/measure.py", set()),
])
def test_the_check_catches_every_spelling_of_an_upward_import(line, within, caught):
    assert commands_in(imported(REPORTS / within, line)) == caught
