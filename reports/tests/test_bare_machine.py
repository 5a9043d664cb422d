"""A newcomer's first run: on a machine with Debian's python3 and nothing else, `scripts/suite
--help`, every command's --help and the dry-run plans of `test` and `report` work, and a missing
package is one `sudo apt-get install` line with exit 3 — never a traceback.

The bare machine is simulated in the child process only: a sitecustomize.py (written into the
test's tmpdir and put first on PYTHONPATH) makes jinja2, scipy, numpy, matplotlib, pytest and
markupsafe unimportable and logs every attempt; a fake dpkg-query on PATH reports the Python
packages as not installed. The checks assert the hook really ran in each child, so a test that
silently lost its hook cannot pass.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from reports import packages
from reports.tests.conftest import REPO_ROOT

HIDDEN = ("jinja2", "scipy", "numpy", "matplotlib", "pytest", "markupsafe")
NOT_INSTALLED = ("python3-matplotlib", "python3-scipy", "python3-numpy", "python3-jinja2",
                 "python3-pytest")
COMMANDS = ["test", "bench", "report", "compare", "gate", "history", "designs", "store", "models",
            "stress", "mutants"]

HOOK = '''
import os, sys
LOG = os.environ["BARE_HOOK_LOG"]
HIDDEN = set(os.environ["BARE_HOOK_HIDDEN"].split())
def _log(line):
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write(line + "\\n")
class _Bare:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            _log("blocked " + name)
            raise ModuleNotFoundError(f"No module named {name!r} (hidden: bare machine)", name=name)
        return None
sys.meta_path.insert(0, _Bare())
if os.environ.get("BARE_HOOK_EUID"):
    os.geteuid = lambda: int(os.environ["BARE_HOOK_EUID"])  # as an ordinary user would run it
_log("loaded")
'''

FAKE_DPKG_QUERY = '''#!/bin/sh
# dpkg-query -W -f=${Status} PACKAGE, as on a machine without Debian's Python packages.
for package; do :; done
case " $BARE_NOT_INSTALLED " in *" $package "*) echo "dpkg-query: no packages found matching $package" >&2; exit 1;; esac
printf 'install ok installed'
'''


class Bare:
    """Bare runs commands in a simulated bare machine and reads the hook's log."""

    def __init__(self, root: Path) -> None:
        (root / "hook").mkdir()
        (root / "hook" / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
        (root / "bin").mkdir()
        fake = root / "bin" / "dpkg-query"
        fake.write_text(FAKE_DPKG_QUERY, encoding="utf-8")
        fake.chmod(0o755)
        self.log = root / "hook.log"
        self.env = {**os.environ, "PYTHONPATH": str(root / "hook"),
                    "PATH": f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                    "BARE_HOOK_LOG": str(self.log), "BARE_HOOK_HIDDEN": " ".join(HIDDEN),
                    "BARE_NOT_INSTALLED": " ".join(NOT_INSTALLED)}

    def run(self, argv: list[str], euid: int | None = None) -> subprocess.CompletedProcess:
        """run() runs argv and checks that the hook was loaded in that process."""
        self.log.write_text("", encoding="utf-8")
        env = dict(self.env, **({"BARE_HOOK_EUID": str(euid)} if euid is not None else {}))
        result = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        assert "loaded" in self.lines(), f"the bare-machine hook did not run in {argv}"
        return result

    def suite(self, *args: str, euid: int | None = None) -> subprocess.CompletedProcess:
        """suite() runs `scripts/suite ARGS` the way a user does."""
        return self.run(["bash", str(REPO_ROOT / "scripts" / "suite"), *args], euid=euid)

    def lines(self) -> list[str]:
        """lines() is the hook's log of the last run."""
        return self.log.read_text(encoding="utf-8").splitlines()

    def blocked(self) -> list[str]:
        """blocked() is every import of a hidden module the last run attempted."""
        return [line for line in self.lines() if line.startswith("blocked ")]


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Bare:
    return Bare(tmp_path_factory.mktemp("bare"))


def test_the_hook_really_hides_the_packages(bare):
    result = bare.run(["/usr/bin/python3", "-c", "import numpy"])
    assert result.returncode != 0 and "hidden: bare machine" in result.stderr
    assert bare.blocked() == ["blocked numpy"]
    dpkg = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "python3-jinja2"], env=bare.env,
                          capture_output=True, text=True, timeout=30)
    assert dpkg.returncode != 0 and "no packages found" in dpkg.stderr


def _clean(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_top_level_help(bare):
    result = bare.suite("--help")
    assert result.returncode == 0, result.stderr
    _clean(result)
    assert all(command in result.stdout for command in COMMANDS)
    assert bare.blocked() == []  # not even tried: nothing heavy is imported to build --help


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help(bare, command):
    result = bare.suite(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout, result.stderr
    _clean(result)
    assert bare.blocked() == []


@pytest.mark.parametrize("euid, prefix", [(0, ""), (1000, "sudo ")])
def test_test_dry_run_plans_the_packages(bare, euid, prefix):
    result = bare.suite("test", "--dry-run", euid=euid)
    assert result.returncode == 0, result.stderr
    _clean(result)
    assert bare.blocked() == []
    missing = [line for line in result.stdout.splitlines() if "packages missing" in line]
    assert missing and all(p in missing[0] for p in NOT_INSTALLED)
    assert f"{prefix}apt-get install -y {' '.join(NOT_INSTALLED)}" in result.stdout
    for step in ("packages", "build-release", "ctest-release", "bench-smoke", "pytest"):
        assert step in result.stdout


def test_report_dry_run_plans_the_packages(bare):
    result = bare.suite("report", "--dry-run", euid=1000)
    assert result.returncode == 0, result.stderr
    _clean(result)
    assert bare.blocked() == []
    python = [p for p in NOT_INSTALLED if p != "python3-pytest"]
    assert f"sudo apt-get install -y {' '.join(python)}" in result.stdout
    for step in ("build:", "measure:", "store:", "write:"):
        assert step in result.stdout


@pytest.mark.parametrize("argv", [["report"], ["compare", "a.json", "b.json"],
                                  ["history"], ["test", "--only", "packages"]])
def test_missing_packages_as_a_user_is_one_line_and_exit_3(bare, argv):
    result = bare.suite(*argv, euid=1000)
    _clean(result)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "sudo apt-get install -y python3-" in result.stdout + result.stderr
    assert bare.blocked() == []


def test_plan_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(packages, "is_installed", lambda p: p != "python3-scipy")
    monkeypatch.setattr(packages.os, "geteuid", lambda: 1000)
    lines = packages.plan(packages.PYTHON_PACKAGES)
    assert lines[1] == "packages missing (1): python3-scipy"
    assert lines[2].endswith("sudo apt-get update && sudo apt-get install -y python3-scipy")
    with pytest.raises(packages.PackageError, match="sudo apt-get install -y python3-scipy"):
        packages.ensure(packages.PYTHON_PACKAGES)
