"""The command line itself: --help everywhere, clear errors, history and designs on a store."""
from __future__ import annotations

import pytest

from reports.record import Record
from reports.store import Store
from reports.tests import synth

COMMANDS = ["test", "bench", "report", "compare", "gate", "history", "designs", "store", "models",
            "stress", "mutants"]


def test_top_level_help_lists_every_command(run_suite):
    result = run_suite("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run_suite, command):
    result = run_suite(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_unknown_command_and_step_are_errors(run_suite):
    assert run_suite("frobnicate").returncode == 2
    result = run_suite("test", "--only", "nonsense")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_history_and_designs(tmp_path, run_suite):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for index in range(6):
            scale = {synth.NAMES[1]: 1.25 if index >= 3 else 1.0}
            store.add(Record(gbench_runs=[synth.document(seed=index, repetitions=5, scale=scale)],
                             context={"machine": {"machine_id": "m"}}))
    history = run_suite("history", "--store", str(path), "--machine", "m")
    assert history.returncode == 0, history.stderr
    assert synth.NAMES[1] in history.stdout and "ns/op (+2" in history.stdout
    assert "1 of" in history.stdout
    designs = run_suite("designs", "--store", str(path), "--out", str(tmp_path / "out"))
    assert designs.returncode == 0, designs.stderr
    assert "fifo" in designs.stdout and (tmp_path / "out" / "designs.html").is_file()


def test_bad_store_path_for_history(tmp_path, run_suite):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("nope")
    result = run_suite("history", "--store", str(bad))
    assert result.returncode == 2 and "refusing" in result.stderr
    assert bad.read_text() == "nope"
