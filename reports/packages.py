"""Debian packages the suite needs: check with dpkg-query, install with apt-get only when missing."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Sequence

# Everything `scripts/suite test` needs, from the C++ toolchain to the browser that renders reports.
TEST_PACKAGES: tuple[str, ...] = (
    "libboost-context-dev", "libboost-fiber-dev", "librapidcheck-dev", "relacy-dev",
    "libbenchmark-dev", "libgtest-dev", "python3-matplotlib", "python3-scipy", "python3-numpy",
    "python3-jinja2", "python3-pytest", "golang-go", "chromium", "cmake", "g++", "valgrind",
    "python3-yaml", "postgresql", "python3-psycopg2",
)
# What the Python side needs for bench/report/compare/gate/history/designs.
PYTHON_PACKAGES: tuple[str, ...] = ("python3-matplotlib", "python3-scipy", "python3-numpy",
                                    "python3-jinja2")


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


def ensure(packages: Sequence[str], quiet: bool = False) -> None:
    """ensure() installs what is missing (apt-get update once, then install -y) when root;
    otherwise raises PackageError naming the exact sudo command to run."""
    absent = missing(packages)
    if not absent:
        if not quiet:
            print(f"packages: all {len(packages)} present: {' '.join(packages)}", flush=True)
        return
    command = "sudo apt-get install -y " + " ".join(absent)
    if os.geteuid() != 0:
        raise PackageError(f"missing Debian packages: {' '.join(absent)}\nRun:  {command}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"packages: installing {' '.join(absent)}", flush=True)
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", *absent]):
        print("$ " + " ".join(argv), flush=True)
        if subprocess.run(argv, env=env).returncode != 0:
            raise PackageError(f"`{' '.join(argv)}` failed; missing: {' '.join(absent)}")
    still = missing(absent)
    if still:
        raise PackageError(f"still missing after apt-get install: {' '.join(still)}")


def ensure_or_exit(packages: Sequence[str]) -> None:
    """ensure_or_exit() is ensure() for command entry points: prints the error and exits 3."""
    try:
        ensure(packages, quiet=True)
    except PackageError as error:
        print(f"suite: {error}", file=sys.stderr)
        sys.exit(3)
