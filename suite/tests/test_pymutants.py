"""The Python mutation check itself (suite/run/pymutants.py): its list is current, a stale entry is
an error before anything runs, and a mutant the tests miss is reported as SURVIVED (exit 1)."""
from __future__ import annotations

import json
from pathlib import Path

from suite.run import pymutants
from suite.tests.conftest import REPO_ROOT

ISSUE_MUTATIONS = {"holm-disabled", "regression-ignores-band", "empty-comparison-exits-0",
                   "changepoint-no-bonferroni", "gate-drops-aa-bands", "gate-skips-confirmation",
                   "never-unstable-from-band", "median-ci-full-range"}


def test_the_list_is_current_and_covers_the_issue(run_suite):
    mutations = pymutants.load_mutations(pymutants.DEFAULT_DATA)
    assert ISSUE_MUTATIONS <= {m.name for m in mutations}
    assert pymutants.stale_errors(mutations, REPO_ROOT) == []
    listed = run_suite("mutants", "--python", "--list")
    assert listed.returncode == 0 and "holm-disabled" in listed.stdout


def _data(tmp_path: Path, search: str, tests: list[str]) -> Path:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"mutations": [{
        "name": "m", "file": "suite/render/units.py", "search": search, "replace": search + "\n\n",
        "description": "d", "tests": tests}]}))
    return path


def test_a_stale_mutation_is_an_error_before_anything_runs(tmp_path, capsys):
    data = _data(tmp_path, "no such text anywhere", ["suite/tests/test_units.py"])
    assert pymutants.main(["--data", str(data)]) == 2
    assert "occurs 0 times" in capsys.readouterr().err


def test_a_mutant_no_test_catches_survives_and_fails_the_check(tmp_path, capsys):
    """An equivalent mutant (a blank line added) cannot be killed: the check must say so."""
    data = _data(tmp_path, "import math\n", ["suite/tests/test_units.py"])
    assert pymutants.main(["--data", str(data), "--skip-baseline"]) == 1
    assert "SURVIVED" in capsys.readouterr().out
