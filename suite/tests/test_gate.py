"""`scripts/suite gate` with prebuilt (fake) binaries: ABBA, A/A bands, confirmation, exit codes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from suite.tests.conftest import REPO_ROOT

FAKE = Path(__file__).with_name("fake_bench.py")


def _binary(tmp_path: Path, name: str, env: dict[str, str] | None = None) -> Path:
    """_binary() is a wrapper script around the fake binary with its own environment."""
    path = tmp_path / name
    exports = "".join(f"export {k}='{v}'\n" for k, v in (env or {}).items())
    path.write_text(f"#!/bin/sh\n{exports}exec /usr/bin/python3 {FAKE} \"$@\"\n")
    path.chmod(0o755)
    return path


def gate(tmp_path: Path, head_env: dict[str, str] | None = None, *extra: str):
    base = _binary(tmp_path, "base")
    head = _binary(tmp_path, "head", head_env)
    return subprocess.run([sys.executable, "-m", "suite.cli", "gate", "--base-binary", str(base),
                           "--head-binary", str(head), "--filter", "chan_pingpong",
                           "--repetitions", "4", *extra],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_same_binary_twice_passes(tmp_path):
    result = gate(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no regression" in result.stdout


def test_planted_30_percent_slowdown_is_confirmed(tmp_path):
    result = gate(tmp_path, {"FAKE_BENCH_SLOWDOWN": "chan_pingpong/thread=1.3"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "chan_pingpong/thread/workers:1: CONFIRMED regression" in result.stdout


def test_failing_benchmark_fails_closed(tmp_path):
    result = gate(tmp_path, {"FAKE_BENCH_ERROR": "goro/go=wrong sum"})
    assert result.returncode == 2
    assert "cannot judge" in result.stderr


def test_no_match_fails_closed(tmp_path):
    result = gate(tmp_path, None, "--filter", "nothing_matches")
    assert result.returncode == 2


def test_callgrind_totals_and_eligibility():
    from suite.analysis import callgrind
    text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nfn=(1) main\n3 10\ntotals: 123456\n"
    assert callgrind.parse_totals(text) == 123456
    assert callgrind.eligible("chan_pingpong/goro/go/workers:1")
    assert callgrind.eligible("chan_prodcons/cap:1/fiber/round_robin/workers:1")
    assert not callgrind.eligible("chan_pingpong/thread/workers:1")
    assert not callgrind.eligible("chan_pingpong/goro/go/workers:2")
    assert not callgrind.eligible("chan_pingpong/go/workers:1")
