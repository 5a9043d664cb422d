"""Shared helpers: run `scripts/suite` the way a user does (Debian's python, repo root)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def suite(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """suite() runs `python3 -m suite.cli ARGS` and captures its output."""
    return subprocess.run([sys.executable, "-m", "suite.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def run_suite():
    """run_suite is suite() as a fixture."""
    return suite


@pytest.fixture
def run_in_process(capsys):
    """run_in_process is suite() without a new interpreter (no second numpy/scipy import):
    suite.cli.main(ARGS) with its output captured, as a CompletedProcess."""
    from suite import cli

    def call(*args: str) -> subprocess.CompletedProcess:
        try:
            code = cli.main(list(args))
        except SystemExit as stop:  # argparse errors and --help
            code = stop.code if isinstance(stop.code, int) else 2
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)
    return call


@pytest.fixture(scope="session")
def pg_server():
    """pg_server is one throw-away PostgreSQL for the whole run (suite/tests/pgserver.py; a fresh
    database per test with new_database()); the test is skipped where the server binaries or
    psycopg2 are absent (`scripts/suite test` installs both)."""
    from suite.tests import pgserver
    if pgserver.binaries() is None:
        pytest.skip("PostgreSQL server binaries are absent (Debian package postgresql)")
    pytest.importorskip("psycopg2", reason="python3-psycopg2 is not installed")
    running = pgserver.Server()
    yield running
    running.stop()
