"""The README stands on its own in a clone, and ARCHITECTURE.md names only files that exist."""
from __future__ import annotations

import argparse
import re

from suite import cli
from suite.tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (REPO_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def _subcommands() -> list[str]:
    actions = [a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


def test_readme_lists_every_subcommand():
    commands = _subcommands()
    assert "store" in commands and "test" in commands
    for command in commands:
        assert re.search(rf"`{command}[ `]|scripts/suite {command}\b", README), \
            f"README.md does not mention `{command}`"


def test_readme_points_inside_the_repository():
    assert "../shared" not in README and "DESIGN.md" not in README
    assert "(ARCHITECTURE.md)" in README


def test_readme_documents_the_exit_codes_that_help_shows():
    # The table lives in the README and in `scripts/suite --help` (cli.py's docstring): the same
    # codes, so a reader of either sees the whole contract.
    in_readme = re.findall(r"^\| (\d+) \|", README, re.M)
    in_help = re.findall(r"^  (\d+) +\S", cli.__doc__ or "", re.M)
    assert in_readme == in_help == ["0", "1", "2", "3", "4", "70", "130"]
    assert cli.INTERNAL_ERROR == 70


def test_architecture_names_only_paths_that_exist():
    # Every backticked path (a/b, or a file name with an extension we use) must exist: when code
    # moves, this test says which sentence of ARCHITECTURE.md went stale.
    named = set()
    for text in re.findall(r"`([^`\s]+)`", ARCHITECTURE):
        if "/" in text and not text.startswith(("goro::", "std::")) or \
                re.fullmatch(r"[\w.-]+\.(hpp|cpp|py|json|md)", text):
            named.add(text.rstrip("/"))
    assert len(named) > 20
    roots = [REPO_ROOT, REPO_ROOT / "runtime" / "src", REPO_ROOT / "runtime" / "include" / "goro",
             REPO_ROOT / "suite", REPO_ROOT / "benches", REPO_ROOT / "stress",
             *(package.parent for package in (REPO_ROOT / "suite").glob("*/__init__.py"))]
    missing = []
    for path in sorted(named):
        if "[" in path:
            continue  # a name pattern such as <workload>[/<param>]/..., not a path
        pattern = re.sub(r"<[^>]*>", "*", path)  # models/model_<algo>.cpp: some model exists
        if not any(any(root.glob(pattern)) for root in roots):
            missing.append(path)
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"
