"""goro_add_algorithm_checks() (runtime/cmake/GoroVerify.cmake) refuses bad input with one clear
message before it builds anything: a KIND the kit has no scenarios for, CAPACITIES missing for a
channel or given for a run queue, a HEADER that does not exist. Run in CMake's script mode, so
each case costs milliseconds."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from suite.tests.conftest import REPO_ROOT

KIT = REPO_ROOT / "runtime" / "cmake" / "GoroVerify.cmake"

pytestmark = pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")


def configure(tmp_path: Path, call: str) -> subprocess.CompletedProcess:
    (tmp_path / "my_queue.hpp").write_text("#pragma once\n")
    script = tmp_path / "kit.cmake"
    script.write_text(f'include("{KIT}")\n{call}\n')
    return subprocess.run(["cmake", "-P", str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("call, message", [
    ("goro_add_algorithm_checks(NAME q HEADER my_queue.hpp TYPE my::Queue KIND stack)",
     "KIND stack is not supported: KIND channel (goro::ChannelAlgorithm) or KIND queue (goro::RunQueueAlgorithm)"),
    ("goro_add_algorithm_checks(NAME q HEADER my_queue.hpp TYPE my::Queue KIND channel)",
     "KIND channel needs CAPACITIES"),
    ("goro_add_algorithm_checks(NAME q HEADER my_queue.hpp TYPE my::Queue KIND queue CAPACITIES 1)",
     "CAPACITIES is for KIND channel; a run queue's capacity is its own"),
    ("goro_add_algorithm_checks(NAME q HEADER nowhere.hpp TYPE my::Queue KIND queue)",
     "HEADER nowhere.hpp not found"),
    ("goro_add_algorithm_checks(NAME q HEADER my_queue.hpp KIND queue)",
     "TYPE is required"),
])
def test_bad_input_stops_with_one_message(tmp_path, call, message):
    done = configure(tmp_path, call)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "CMake Error" in line]
    assert len(errors) == 1, done.stderr
    assert message in " ".join(done.stderr.split()), done.stderr
