"""The command line itself: --help everywhere, clear errors, history and designs on a store."""
from __future__ import annotations

from pathlib import Path

import pytest

from suite.results.record import Record
from suite.results.store import Store
from suite.tests import synth

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
    assert synth.NAMES[1] in history.stdout and " per op (+2" in history.stdout
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


def _bad_inputs(tmp: Path) -> list[tuple[list[str], str]]:
    """Every kind of user mistake we know of, with the words its one-line message must hold."""
    good = str(synth.write(tmp / "a.json", synth.document()))
    (tmp / "afile").write_text("x")
    (tmp / "empty.json").write_text("")
    store = str(tmp / "s.sqlite")
    return [
        (["compare", good, good, "--filter", "["], "--filter '['"),
        (["compare", good, good, "--json", "/nonexistent/dir/v.json"], "/nonexistent/dir"),
        (["compare", good, good, "--json", str(tmp)], "is a directory"),
        (["gate", "--base", "HEAD", "--head", "HEAD", "--junit", "/nonexistent/dir/g.xml"],
         "/nonexistent/dir"),
        (["compare", good, str(tmp / "missing.json")], "cannot read"),
        (["compare", good, str(tmp / "empty.json")], "empty file"),
        (["compare", good, good, "--alpha", "2"], "--alpha"),
        (["compare", good, good, "--metric", "nonsense"], "--metric nonsense"),
        (["compare", "latest~x", good, "--store", store], "no results store"),
        (["history", "--store", store, "--filter", "("], "--filter '('"),
        (["history", "--store", store, "--min-shift", "-1"], "--min-shift"),
        (["store", "--store", str(tmp / "afile" / "s.sqlite"), "import", good], "afile"),
        (["store", "--store", store, "import", str(tmp / "empty.json")], "empty file"),
        (["bench", "--repetitions", "0"], "must be at least 1"),
        (["bench", "--min-time", "nan"], "finite"),
        (["stress", "--seconds", "0", "--no-build"], "--seconds"),
    ]


def test_every_user_mistake_is_one_line_and_exit_2(tmp_path, run_suite):
    for argv, words in _bad_inputs(tmp_path):
        result = run_suite(*argv)
        assert result.returncode == 2, (argv, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        assert words in result.stderr, (argv, result.stderr)
        # One line names the mistake (argparse's usage lines aside), never a second complaint.
        said = [line for line in result.stderr.splitlines()
                if line.strip() and not line.startswith(("usage:", " "))]
        assert len(said) == 1, (argv, result.stderr)
        assert not (tmp_path / "s.sqlite").exists(), f"{argv} created a store"


def test_export_to_an_impossible_path_is_exit_2(tmp_path, run_suite):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(Record(gbench_runs=[synth.document()]))
    (tmp_path / "afile").write_text("x")
    result = run_suite("store", "--store", str(path), "export", "latest",
                       str(tmp_path / "afile" / "x.json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"suite: {tmp_path / 'afile'}: exists and is "
                                                  "not a directory"]


def test_a_bug_in_the_suite_is_exit_70_with_its_traceback(monkeypatch, capsys):
    from suite import cli, storecmd

    def broken(args):
        raise KeyError("a bug")
    monkeypatch.setattr(storecmd, "list_main", broken)
    assert cli.main(["store", "list"]) == cli.INTERNAL_ERROR == 70
    error = capsys.readouterr().err
    assert "internal error" in error and "Traceback" in error and "KeyError" in error

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(storecmd, "list_main", interrupted)
    assert cli.main(["store", "list"]) == 130


def test_failures_of_delegated_programs_are_exit_4_not_1(monkeypatch, tmp_path):
    from suite import cli, delegates
    from suite.run import mutants
    models = tmp_path / "release" / "models"
    models.mkdir(parents=True)
    for name, status in (("model_ok", 0), ("model_broken", 1)):
        (models / name).write_text(f"#!/bin/sh\nexit {status}\n")
        (models / name).chmod(0o755)
    monkeypatch.setattr(delegates, "build_dir", lambda preset: tmp_path / preset)
    assert cli.main(["models", "--no-build"]) == 4
    (models / "model_broken").unlink()
    assert cli.main(["models", "--no-build"]) == 0
    monkeypatch.setattr(mutants, "main", lambda argv: 1)  # a mutation survived
    assert cli.main(["mutants"]) == 4
