"""Shared helpers: run `scripts/suite` the way a user does (Debian's python, repo root)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def suite(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """suite() runs `python3 -m reports.cli ARGS` and captures its output."""
    return subprocess.run([sys.executable, "-m", "reports.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def run_suite():
    """run_suite is suite() as a fixture."""
    return suite
