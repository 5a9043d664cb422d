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
import shutil
import subprocess
from pathlib import Path

import pytest

from suite.run import packages
from suite.tests.conftest import REPO_ROOT

HIDDEN = ("jinja2", "scipy", "numpy", "matplotlib", "pytest", "markupsafe")
NOT_INSTALLED = ("python3-matplotlib", "python3-scipy", "python3-numpy", "python3-jinja2",
                 "python3-pytest")
COMMANDS = ["test", "bench", "report", "compare", "gate", "history", "designs", "store", "models",
            "stress", "mutants"]

HOOK = '''
import os, sys
LOG = os.environ["BARE_HOOK_LOG"]
HIDDEN = set(os.environ["BARE_HOOK_HIDDEN"].split())
PACKAGE_OF = {"jinja2": "python3-jinja2", "markupsafe": "python3-jinja2", "numpy": "python3-numpy",
              "scipy": "python3-scipy", "matplotlib": "python3-matplotlib", "pytest": "python3-pytest"}
def _log(line):
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write(line + "\\n")
def _installed():
    try:
        with open(os.environ["BARE_INSTALLED"], encoding="utf-8") as handle:
            return handle.read().split()
    except OSError:
        return []
class _Bare:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in HIDDEN and PACKAGE_OF[top] not in _installed():
            _log("blocked " + name)
            raise ModuleNotFoundError(f"No module named {name!r} (hidden: bare machine)", name=name)
        return None
sys.meta_path.insert(0, _Bare())
if os.environ.get("BARE_HOOK_EUID"):
    os.geteuid = lambda: int(os.environ["BARE_HOOK_EUID"])  # as root or as an ordinary user
_log("loaded")
'''

FAKE_DPKG_QUERY = '''#!/bin/sh
# dpkg-query -W -f=${Status} PACKAGE, as on a machine without Debian's Python packages.
for package; do :; done
if [ -f "$BARE_INSTALLED" ] && grep -qx "$package" "$BARE_INSTALLED"; then
  printf 'install ok installed'; exit 0
fi
case " $BARE_NOT_INSTALLED " in *" $package "*) echo "dpkg-query: no packages found matching $package" >&2; exit 1;; esac
printf 'install ok installed'
'''

FAKE_APT_GET = '''#!/bin/sh
# apt-get update | install -y PACKAGE...: "installs" by listing the packages in $BARE_INSTALLED.
echo "fake apt-get $*" >> "$BARE_HOOK_LOG"
case "$1" in
  update) exit 0;;
  install) shift; [ "$1" = -y ] && shift; for p; do echo "$p" >> "$BARE_INSTALLED"; done; exit 0;;
esac
exit 100
'''


class Bare:
    """Bare runs commands in a simulated bare machine and reads the hook's log."""

    def __init__(self, root: Path) -> None:
        (root / "hook").mkdir(parents=True)
        (root / "hook" / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
        (root / "bin").mkdir()
        for name, text in (("dpkg-query", FAKE_DPKG_QUERY), ("apt-get", FAKE_APT_GET)):
            (root / "bin" / name).write_text(text, encoding="utf-8")
            (root / "bin" / name).chmod(0o755)
        self.log = root / "hook.log"
        self.env = {**os.environ, "PYTHONPATH": str(root / "hook"),
                    "PATH": f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                    "BARE_HOOK_LOG": str(self.log), "BARE_HOOK_HIDDEN": " ".join(HIDDEN),
                    "BARE_NOT_INSTALLED": " ".join(NOT_INSTALLED),
                    "BARE_INSTALLED": str(root / "installed.txt")}

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


@pytest.mark.parametrize("argv", [["report"], ["compare", "a.json", "b.json"], ["history"],
                                  ["gate", "--base-binary", "a", "--head-binary", "b"],
                                  ["test", "--only", "packages"]])
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


def test_a_first_report_as_root_installs_the_packages_then_writes_the_report(tmp_path):
    # The README's main command on a bare machine, end to end except for apt-get (a fake that
    # makes the hidden modules importable) and the benchmark binary (the fake one, no build).
    bare = Bare(tmp_path / "machine")
    checkout = tmp_path / "root"
    (checkout / "build" / "release" / "benches").mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("fake_bench.py"),
                checkout / "build" / "release" / "benches" / "goro_bench")
    (checkout / "benches").mkdir()
    (checkout / "benches" / "quick.filter").write_text("^chan_pingpong/\n")
    out = tmp_path / "report"
    result = bare.suite("report", "--no-build", "--no-go", "--root", str(checkout), "--store",
                        str(tmp_path / "s.sqlite"), "--out", str(out), "--repetitions", "3",
                        euid=0)
    assert result.returncode == 0, result.stdout + result.stderr
    _clean(result)
    log = bare.lines()
    python = [p for p in NOT_INSTALLED if p != "python3-pytest"]
    assert f"fake apt-get install -y {' '.join(python)}" in log
    assert not [line for line in log[:log.index(f"fake apt-get install -y {' '.join(python)}")]
                if line.startswith("blocked")], "a hidden module was imported before installing"
    assert "restarting" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == str((out / "index.html").resolve())
    assert (out / "index.html").is_file()


def test_the_test_command_installs_its_packages_first(tmp_path):
    bare = Bare(tmp_path / "machine")
    result = bare.suite("test", "--only", "packages", euid=0)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"fake apt-get install -y {' '.join(NOT_INSTALLED)}" in bare.lines()
    assert "1 passed, 0 failed" in result.stdout
