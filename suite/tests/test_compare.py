"""`scripts/suite compare` on synthetic Google Benchmark JSON: exit codes and verdicts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.tests import synth

TARGET = "chan_pingpong/goro/go/workers:1"


def _verdicts(path: Path) -> dict[str, str]:
    return {r["name"]: r["verdict"] for r in json.loads(path.read_text())["rows"]}


@pytest.mark.parametrize("schema", ["1.7.1", "newer"])
def test_a_a_is_all_same_and_exit_0(tmp_path, run_suite, schema):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1, schema=schema))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, schema=schema))
    out = tmp_path / "v.json"
    result = run_suite("compare", str(a), str(b), "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = _verdicts(out)
    assert len(verdicts) == len(synth.NAMES)
    assert set(verdicts.values()) == {"~"}


@pytest.mark.parametrize("schema", ["1.7.1", "newer"])
def test_injected_20_percent_is_a_regression_exit_1(tmp_path, run_suite, schema):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1, schema=schema))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, schema=schema,
                                                        scale={TARGET: 1.20}))
    out = tmp_path / "v.json"
    result = run_suite("compare", str(a), str(b), "--json", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    verdicts = _verdicts(out)
    assert verdicts[TARGET] == "REGRESSION"
    assert all(v == "~" for n, v in verdicts.items() if n != TARGET)


def test_injected_2_percent_is_noise(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, scale={TARGET: 1.02}))
    out = tmp_path / "v.json"
    assert run_suite("compare", str(a), str(b), "--json", str(out)).returncode == 0
    assert _verdicts(out)[TARGET] == "~"


def test_improvement_is_not_a_failure(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, scale={TARGET: 0.7}))
    out = tmp_path / "v.json"
    assert run_suite("compare", str(a), str(b), "--json", str(out)).returncode == 0
    assert _verdicts(out)[TARGET] == "IMPROVEMENT"


def test_time_unit_is_normalised(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1, time_unit="ns"))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, time_unit="us", schema="newer"))
    out = tmp_path / "v.json"
    assert run_suite("compare", str(a), str(b), "--json", str(out)).returncode == 0
    assert set(_verdicts(out).values()) == {"~"}


def test_items_per_second_direction(tmp_path, run_suite):
    """Slower code means fewer items/s: r must still be > 1 (worse) and flag a regression."""
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, scale={TARGET: 1.25}))
    out = tmp_path / "v.json"
    result = run_suite("compare", str(a), str(b), "--metric", "items_per_second", "--json", str(out))
    assert result.returncode == 1, result.stdout
    row = next(r for r in json.loads(out.read_text())["rows"] if r["name"] == TARGET)
    assert row["verdict"] == "REGRESSION"
    assert row["ratio"] > 1.2
    assert row["median_b"] < row["median_a"]


def test_missing_benchmark_is_exit_2(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, names=synth.NAMES[1:]))
    result = run_suite("compare", str(a), str(b))
    assert result.returncode == 2
    assert "missing in B" in result.stdout


@pytest.mark.parametrize("content", ["", "{not json", '{"context": {}}', '{"benchmarks": [{}]}'])
def test_empty_or_broken_file_is_exit_2(tmp_path, run_suite, content):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = tmp_path / "b.json"
    b.write_text(content)
    result = run_suite("compare", str(a), str(b))
    assert result.returncode == 2
    assert "b.json" in result.stderr


def test_nonexistent_file_is_exit_2(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    result = run_suite("compare", str(a), str(tmp_path / "nope.json"))
    assert result.returncode == 2


def test_failed_benchmark_is_exit_2(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, errors={TARGET: "checksum wrong"}))
    assert run_suite("compare", str(a), str(b)).returncode == 2


def test_too_few_repetitions_is_unknown_not_gated(tmp_path, run_suite):
    """3 vs 3 repetitions can never reach p < 0.01 (smallest one-sided p is 1/20)."""
    a = synth.write(tmp_path / "a.json", synth.document(seed=1, repetitions=3))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, repetitions=3,
                                                        scale={TARGET: 1.5}))
    out = tmp_path / "v.json"
    assert run_suite("compare", str(a), str(b), "--json", str(out)).returncode == 0
    assert set(_verdicts(out).values()) == {"UNKNOWN"}


def test_bad_flag_is_an_error(tmp_path, run_suite):
    result = run_suite("compare", "--no-such-flag", "a", "b")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_bad_threshold_is_an_error(tmp_path, run_suite):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    result = run_suite("compare", str(a), str(a), "--alpha", "3")
    assert result.returncode == 2
    assert "--alpha" in result.stderr


@pytest.mark.parametrize("key, value", [("real_time", float("nan")), ("real_time", 0.0),
                                        ("real_time", -5.0), ("cpu_time", float("nan")),
                                        ("cpu_time", 0.0), ("real_time", float("inf"))])
def test_broken_times_are_bad_input_not_a_verdict(tmp_path, run_suite, key, value):
    # One NaN used to become UNKNOWN with exit 0, zeros an IMPROVEMENT: a broken measurement is
    # refused as bad input instead.
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    document = synth.document(seed=2)
    row = next(r for r in document["benchmarks"] if r["run_type"] == "iteration")
    row[key] = value
    b = synth.write(tmp_path / "b.json", document)  # json writes NaN/Infinity, as Python reads them
    result = run_suite("compare", str(a), str(b))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "positive finite number" in result.stderr and row["name"] in result.stderr
    assert "Traceback" not in result.stderr


def test_zero_times_of_failed_rows_and_aggregates_are_accepted(tmp_path, run_suite):
    document = synth.document(errors={TARGET: "crashed"})
    for row in document["benchmarks"]:
        if row["run_type"] == "aggregate":
            row["real_time"] = 0.0  # e.g. a stddev of exactly zero
    a = synth.write(tmp_path / "a.json", document)
    result = run_suite("compare", str(a), str(a))
    assert result.returncode == 2 and "failed or empty" in result.stdout  # judged, not refused


def test_an_a_a_pair_widens_the_band_to_the_measured_run_to_run_noise(tmp_path, run_in_process):
    """`--aa`: two runs of the same commit 10% apart set TARGET's band to ~10%, so an 8% shift
    is noise; without the pair the 5% floor applies and the same shift is a regression."""
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, scale={TARGET: 1.08}))
    a2 = synth.write(tmp_path / "a2.json", synth.document(seed=3, scale={TARGET: 1.10}))
    out = tmp_path / "v.json"
    plain = run_in_process("compare", str(a), str(b))
    assert plain.returncode == 1, plain.stdout + plain.stderr
    calibrated = run_in_process("compare", str(a), str(b), "--aa", str(a), str(a2), "--json",
                                str(out))
    assert calibrated.returncode == 0, calibrated.stdout + calibrated.stderr
    row = next(r for r in json.loads(out.read_text())["rows"] if r["name"] == TARGET)
    assert row["verdict"] == "~" and 0.09 < row["band"] < 0.12


def test_nothing_in_common_is_exit_2(tmp_path, run_in_process):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    result = run_in_process("compare", str(a), str(a), "--filter", "no_such_benchmark")
    assert result.returncode == 2, result.stdout
    assert "nothing compared" in result.stdout
