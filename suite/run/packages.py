"""Debian packages the suite needs: check with dpkg-query, install with apt-get only when missing.

Standard library only: this runs before the packages it installs exist (a bare machine).
"""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Sequence

# What building and measuring needs: `cmake --preset release` configures the tests and models
# too, so their libraries are needed even to build the benchmark binary; Go builds the Go twin.
BUILD_PACKAGES: tuple[str, ...] = (
    "cmake", "g++", "libboost-context-dev", "libboost-fiber-dev", "libbenchmark-dev",
    "libgtest-dev", "librapidcheck-dev", "relacy-dev",
)
GO_PACKAGES: tuple[str, ...] = ("golang-go",)
# What the Python side needs for report/compare/gate/history/designs.
PYTHON_PACKAGES: tuple[str, ...] = ("python3-matplotlib", "python3-scipy", "python3-numpy",
                                    "python3-jinja2")
# Everything `scripts/suite test` needs, from the C++ toolchain to the browser that renders reports.
# python3-yaml reads the CI examples (scripts/ci/); postgresql + python3-psycopg2: the
# PostgreSQL store's tests start a real server.
TEST_PACKAGES: tuple[str, ...] = (*BUILD_PACKAGES, *GO_PACKAGES, *PYTHON_PACKAGES,
                                  "python3-pytest", "chromium", "valgrind", "python3-yaml",
                                  "postgresql", "python3-psycopg2")


class PackageError(RuntimeError):
    """PackageError means packages are missing and could not be installed."""


def is_installed(package: str) -> bool:
    """is_installed() asks dpkg whether a package is in state 'install ok installed'."""
    try:
        completed = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                   capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and completed.stdout.strip() == "install ok installed"


def missing(packages: Sequence[str]) -> list[str]:
    """missing() lists the packages that are not installed, in the given order."""
    return [p for p in packages if not is_installed(p)]


def install_command(absent: Sequence[str]) -> str:
    """install_command() is the line a person runs to install `absent` (with sudo unless root)."""
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get update && {sudo}apt-get install -y {' '.join(absent)}"


def plan(packages: Sequence[str]) -> list[str]:
    """plan() describes, without installing anything, what ensure() would do: the packages
    needed, those missing, and the command that would install them."""
    absent = missing(packages)
    lines = [f"packages needed ({len(packages)}): {' '.join(packages)}",
             f"packages missing ({len(absent)}): {' '.join(absent) if absent else 'none'}"]
    if absent:
        action = "would run" if os.geteuid() == 0 else "run first (not root)"
        lines.append(f"packages {action}:  {install_command(absent)}")
    return lines


def ensure(packages: Sequence[str], quiet: bool = False) -> list[str]:
    """ensure() installs what is missing (apt-get update once, then install -y) when root and
    returns what it installed; otherwise raises PackageError naming the exact command to run."""
    absent = missing(packages)
    if not absent:
        if not quiet:
            print(f"packages: all {len(packages)} present: {' '.join(packages)}", flush=True)
        return []
    if os.geteuid() != 0:
        raise PackageError(f"missing Debian packages: {' '.join(absent)}\n"
                           f"Run:  {install_command(absent)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"packages: installing {' '.join(absent)}", flush=True)
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", *absent]):
        print("$ " + " ".join(argv), flush=True)
        try:
            status = subprocess.run(argv, env=env).returncode
        except OSError as error:
            raise PackageError(f"cannot run {argv[0]} ({error.strerror}); missing: "
                               f"{' '.join(absent)}") from None
        if status != 0:
            raise PackageError(f"`{' '.join(argv)}` failed; missing: {' '.join(absent)}")
    still = missing(absent)
    if still:
        raise PackageError(f"still missing after apt-get install: {' '.join(still)}")
    return absent


def ensure_or_exit(packages: Sequence[str]) -> list[str]:
    """ensure_or_exit() is ensure() for command entry points: prints the error and exits 3."""
    try:
        return ensure(packages, quiet=True)
    except PackageError as error:
        print(f"suite: {error}", file=sys.stderr)
        sys.exit(3)
