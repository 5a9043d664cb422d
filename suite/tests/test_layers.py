"""The layout of suite/ as a specification: layers that import downward only, and no cycles.

Top-level modules (cli.py, delegates.py, *cmd.py) are the commands; the sub-packages are the
libraries they share, in LAYERS order, lowest first:

    base      where things live (paths) and running programs (procs); the standard library only
    results   what a run produced and where it is kept: Google Benchmark JSON, records, stores
    analysis  statistics, the verdict rule, change points, callgrind, traces
    render    what people and CI systems read: terminal tables, HTML pages, plots, CI outputs
    run       packages, builds, the benchmark runner and measuring, the test plan, mutation checks
    commands  the top-level modules

A sub-package imports only sub-packages before it in LAYERS; a command never imports another
command (what two commands share belongs in a library), and a library never imports a command.
No import cycle exists between modules or between sub-packages. Imports are read with ast from
the source, statically: also those inside functions (a cycle hidden in a function-local import is
still a cycle), and the module names handed to importlib.import_module / find_spec as string
literals. The checks prove themselves on planted packages in a tmp directory.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pytest

from suite.tests.conftest import REPO_ROOT

REPORTS = REPO_ROOT / "suite"
LAYERS = ("base", "results", "analysis", "render", "run")
LIBRARIES = LAYERS
COMMANDS = sorted(p.stem for p in REPORTS.glob("*.py") if p.stem != "__init__")


def module_name(path: Path, root: Path = REPO_ROOT) -> str:
    """module_name() is the dotted name of a file under root (suite/base/paths.py →
    suite.base.paths; a package's __init__.py is the package)."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, source: str | None = None, root: Path = REPO_ROOT,
             top: str = "suite") -> set[str]:
    """imported() is every `top`.* name that the file imports, as absolute dotted names (a module,
    or a name inside one: `from .store import Store` gives both suite.results.store and
    suite.results.store.Store)."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    package = module_name(path, root).rsplit(".", 0 if path.stem == "__init__" else 1)[0]
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
    return {n for n in names if n == top or n.startswith(top + ".")}


def commands_in(names: set[str]) -> set[str]:
    """commands_in() is the command modules among dotted names (suite.gatecmd → gatecmd)."""
    return {n.split(".")[1] for n in names if n.count(".") == 1 and n.split(".")[1] in COMMANDS}


def library_files() -> list[Path]:
    return sorted(p for lib in LIBRARIES for p in (REPORTS / lib).rglob("*.py"))


def module_graph(package_dir: Path) -> dict[str, set[str]]:
    """module_graph() maps each module of the package at package_dir (its tests/ left out) to the
    modules of the package it imports, wherever in the file the import stands."""
    root, top = package_dir.parent, package_dir.name
    files = {module_name(p, root): p for p in sorted(package_dir.rglob("*.py"))
             if "tests" not in p.relative_to(package_dir).parts}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = set()
        for target in imported(path, root=root, top=top):
            while target not in files and "." in target:  # a name inside a module → the module
                target = target.rsplit(".", 1)[0]
            if target in files and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def subpackages(package_dir: Path) -> set[str]:
    """subpackages() names the sub-packages of the package at package_dir (tests/ left out)."""
    return {p.parent.name for p in package_dir.glob("*/__init__.py")} - {"tests"}


def package_graph(graph: Mapping[str, set[str]], package_dir: Path) -> dict[str, set[str]]:
    """package_graph() lifts a module graph to the sub-packages: an edge wherever a module of one
    imports a module of another. A top-level module (and the package's own __init__) is in
    'commands'; a sub-package's __init__ belongs to the sub-package."""
    inner = subpackages(package_dir)

    def owner(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in inner else "commands"

    lifted: dict[str, set[str]] = {}
    for module, targets in graph.items():
        lifted.setdefault(owner(module), set()).update(
            owner(t) for t in targets if owner(t) != owner(module))
    return lifted


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """cycles() is every strongly connected component of more than one node (Tarjan), each
    sorted; an empty list means the graph is acyclic."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = sorted(set(graph) | {t for targets in graph.values() for t in targets})

    def visit(node: str) -> None:  # recursion depth ≤ the number of modules (~100)
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in nodes:
        if node not in index:
            visit(node)
    return sorted(found)


def layer_violations(packages: Mapping[str, set[str]], layers: Sequence[str]) -> list[str]:
    """layer_violations() lists each import of a sub-package from one at or above it in
    `layers` (commands are above every layer)."""
    rank = {name: i for i, name in enumerate(layers)} | {"commands": len(layers)}
    return sorted(f"{source} imports {target}" for source, targets in packages.items()
                  for target in targets if rank.get(target, len(layers)) >= rank.get(source, -1))


def test_the_layout_has_commands_on_top_and_a_package_per_job():
    assert {"cli", "delegates", "benchcmd", "comparecmd", "gatecmd", "reportcmd"} <= set(COMMANDS)
    assert all((REPORTS / lib / "__init__.py").is_file() for lib in LIBRARIES)
    assert len(library_files()) > 25


def test_every_sub_package_has_its_place_in_the_layer_order():
    assert subpackages(REPORTS) == set(LAYERS), "add the new sub-package to LAYERS (and ARCHITECTURE.md)"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_module_never_imports_another_command_module(command):
    path = REPORTS / f"{command}.py"
    others = commands_in(imported(path)) - {command}
    assert not others, f"{path.name} imports command module(s) {sorted(others)}: move what they " \
                       "share into one of the sub-packages"


@pytest.mark.parametrize("path", library_files(), ids=lambda p: str(p.relative_to(REPORTS)))
def test_a_library_module_never_imports_a_command_module(path):
    found = commands_in(imported(path))
    assert not found, f"{path.relative_to(REPORTS)} imports command module(s) {sorted(found)}"


def test_no_module_imports_itself_back_through_others():
    assert cycles(module_graph(REPORTS)) == []


def test_no_sub_package_imports_itself_back_through_others():
    assert cycles(package_graph(module_graph(REPORTS), REPORTS)) == []


def test_each_sub_package_imports_only_the_layers_below_it():
    assert layer_violations(package_graph(module_graph(REPORTS), REPORTS), LAYERS) == []


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


def plant(tmp_path: Path, files: Mapping[str, str]) -> Path:
    """plant() writes a tiny package `pkg` (path → source) into tmp_path; returns its directory."""
    package = tmp_path / "pkg"
    for relative, source in {"__init__.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent != package and not (path.parent / "__init__.py").exists():
            (path.parent / "__init__.py").write_text("")
        path.write_text(source)
    return package


HIDDEN = "def later():\n    {}\n"  # an import inside a function: loads fine, still a cycle


@pytest.mark.parametrize("files, modules, packages", [
    # Module cycles, one per spelling; the back edge hidden in a function where Python allows it.
    ({"a.py": "from . import b\n", "b.py": HIDDEN.format("from . import a")},
     [["pkg.a", "pkg.b"]], []),
    ({"low/x.py": "from .y import f\n", "low/y.py": HIDDEN.format("from pkg.low.x import g")},
     [["pkg.low.x", "pkg.low.y"]], []),
    ({"a.py": "import pkg.b\n", "b.py": "import pkg.c\n",
      "c.py": HIDDEN.format("importlib.import_module('pkg.a')")},
     [["pkg.a", "pkg.b", "pkg.c"]], []),
    # A sub-package cycle without a module cycle: low.x → high.y → low.z → (nothing).
    ({"low/x.py": HIDDEN.format("from ..high.y import f"), "high/y.py": "from ..low.z import g\n",
      "low/z.py": ""},
     [], [["high", "low"]]),
    # Acyclic: the checks accept it.
    ({"low/x.py": "", "high/y.py": "from ..low import x\n", "cmd.py": "from .high import y\n"},
     [], []),
])
def test_the_cycle_checks_reject_planted_cycles(tmp_path, files, modules, packages):
    package = plant(tmp_path, files)
    graph = module_graph(package)
    assert cycles(graph) == modules
    assert cycles(package_graph(graph, package)) == packages


def test_the_layer_check_rejects_a_planted_upward_import(tmp_path):
    package = plant(tmp_path, {"low/x.py": HIDDEN.format("from ..high import y"),
                               "high/y.py": "", "cmd.py": "from .low import x\n"})
    lifted = package_graph(module_graph(package), package)
    assert layer_violations(lifted, ("low", "high")) == ["low imports high"]
    assert layer_violations(lifted, ("high", "low")) == []
