"""The staleness check of the mutation lists (suite/run/stalelists.py), a step of the test command:
every list applies to this tree, and a stale entry planted in a copy of the tree — in each of the
three lists — fails the check by its name, without building anything."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from suite.run import stalelists, testplan
from suite.tests.conftest import REPO_ROOT

# What the check reads: the three lists and the sources they name.
READ = ("runtime", "suite", "models/equivalent_mutants.json", "examples/ring_queue", "examples/retry_chan")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tree is a copy of what the check reads (no build directories)."""
    for name in READ:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name,
                            ignore=shutil.ignore_patterns("build*", "__pycache__"))
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, tmp_path / name)
    return tmp_path


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_every_mutation_list_applies_to_this_tree():
    assert stalelists.stale_entries(REPO_ROOT) == {str(p): [] for p, _ in stalelists.LISTS}


def test_the_test_command_runs_the_check_before_building():
    names = [s.name for s in testplan.steps()]
    assert names.index("mutation-lists") < names.index("build-release")


def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "suite.run.stalelists", "--root", str(root)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def test_a_copy_of_the_tree_passes(tree):
    result = _check(tree)
    assert result.returncode == 0, result.stderr


def test_a_semantic_mutant_whose_code_moved_on_is_named(tree):
    """The way go-policy-skips-global-poll went stale: the code under its search text changed."""
    source = tree / "runtime" / "src" / "policies" / "go.cpp"
    source.write_text(source.read_text().replace("if (tick % kGlobalCheckInterval == 0)",
                                                 "if (tick % kGlobalCheckInterval == 0u)"))
    result = _check(tree)
    assert result.returncode == 2
    assert "STALE runtime/tests/property/mutants.json: go-policy-skips-global-poll" in result.stderr
    assert "occurs 0 times" in result.stderr


def test_a_semantic_mutant_naming_a_missing_explore_scenario_is_named(tree):
    data = tree / "runtime" / "tests" / "property" / "mutants.json"

    def rename(d: dict) -> None:
        next(m for m in d["mutations"] if m["name"] == "close-drops-receiver-wake")["explore"] = "no_such_scenario"
    _edit(data, rename)
    result = _check(tree)
    assert result.returncode == 2
    assert "close-drops-receiver-wake: its explore scenario 'no_such_scenario' is not a scenario" in result.stderr


def test_a_search_text_that_occurs_twice_is_stale(tree):
    data = tree / "runtime" / "tests" / "property" / "mutants.json"
    _edit(data, lambda d: d["mutations"].append({
        "name": "planted-twice", "file": "runtime/src/policies/go.cpp", "search": "return g;",
        "replace": "return nullptr;", "description": "planted"}))
    result = _check(tree)
    assert result.returncode == 2
    assert "planted-twice: search text occurs" in result.stderr


def test_a_python_mutant_naming_a_missing_test_is_named(tree):
    data = tree / "suite" / "tests" / "mutants.json"
    _edit(data, lambda d: d["mutations"][0].update(tests=["suite/tests/test_gone.py"]))
    name = json.loads(data.read_text())["mutations"][0]["name"]
    result = _check(tree)
    assert result.returncode == 2
    assert f"STALE suite/tests/mutants.json: {name}: test path suite/tests/test_gone.py" in result.stderr


def test_an_equivalent_whose_source_line_changed_is_named(tree):
    data = tree / "models" / "equivalent_mutants.json"
    key = json.loads(data.read_text())["equivalents"][0]["key"]
    header = tree / key.split(":")[0].split(" #")[0]
    line = key.split(": ", 1)[1].split(" | ")[0]
    assert line in header.read_text()
    header.write_text(header.read_text().replace(line, line.replace("(", "( ", 1)))
    result = _check(tree)
    assert result.returncode == 2
    assert f"STALE models/equivalent_mutants.json: equivalent matches no generated mutant" in result.stderr
    assert key in result.stderr


def test_an_example_equivalent_whose_source_line_changed_is_named(tree):
    """The example's reviewed survivors (ordermutants --header) are keyed by its header's lines."""
    header = tree / "examples" / "ring_queue" / "ring_queue.hpp"
    line = "const std::uint32_t head = head_.load(std::memory_order_acquire);"
    assert line in header.read_text()
    header.write_text(header.read_text().replace(line, line.replace("head =", "head  =")))
    result = _check(tree)
    assert result.returncode == 2
    assert "STALE examples/ring_queue/equivalent_mutants.json: equivalent matches no generated mutant of " \
           "ring_queue.hpp" in result.stderr


def test_an_unreadable_list_is_an_internal_error_naming_it(tree):
    (tree / "suite" / "tests" / "mutants.json").write_text("{ not json")
    result = _check(tree)
    assert result.returncode == 70
    assert "suite/tests/mutants.json: unreadable" in result.stderr
