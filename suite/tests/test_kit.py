"""`scripts/suite kit PROJECT_DIR`: every check of the verification kit on a project of your own in
one command. On examples/ring_queue (as the test command's ring-queue step ran it) the faithful
queue is clean and every planted bug is reported as the kind its EXPECT names; bad input is one
line and exit 2, before anything is built."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from suite.tests.conftest import REPO_ROOT

SUITE = REPO_ROOT / "scripts" / "suite"


def kit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SUITE), "kit", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False, timeout=1800)


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "absent", "no such directory"),
    (lambda tmp: (tmp / "file.txt").write_text("x") and tmp / "file.txt", "not a directory"),
    (lambda tmp: tmp, "no CMakeLists.txt"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make, message):
    result = kit(str(make(tmp_path)), "--no-build")
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_project_without_kit_checks_is_refused(tmp_path: Path):
    (tmp_path / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.25)\nproject(x CXX)\n")
    result = kit(str(tmp_path), "--no-build")
    assert result.returncode == 2
    assert "no kit checks" in result.stderr and "goro_add_algorithm_checks" in result.stderr


# The test command's ring-queue step runs `scripts/suite kit examples/ring_queue --json` (a few
# minutes: it installs goro and builds the example); this reads what that run wrote rather than
# building the example a second time. Run the step first: scripts/suite test --only ring-queue.
KIT_JSON = REPO_ROOT / "build" / "ring_queue" / "kit.json"


@pytest.mark.skipif(not KIT_JSON.is_file(), reason="the ring-queue step has not run (scripts/suite test --only ring-queue)")
def test_ring_queue_faithful_clean_every_planted_bug_caught_as_its_kind():
    document = json.loads(KIT_JSON.read_text(encoding="utf-8"))
    assert document["kind"] == "kit-run" and document["complete"]
    assert document["ok"] and not document["failures"], document["failures"]
    faithful = [row for row in document["checks"] if row["version"] == "faithful"]
    planted = {row["version"]: row for row in document["checks"] if row["version"] != "faithful"}
    assert faithful and all(row["verdict"] == "clean" for row in faithful)
    # The five bugs examples/ring_queue/CMakeLists.txt plants, each found as its EXPECT.
    assert {version: row["verdict"] for version, row in planted.items()} == {
        "bug relaxed_publish": "assertion", "bug split_steal_cas": "assertion",
        "bug push_overwrites_full": "assertion", "bug steal_misses_last": "assertion",
        "bug plain_slots": "data_race"}
    assert all(row["found_at"] for row in planted.values())
