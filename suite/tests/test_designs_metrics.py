"""Designs beyond the mean (issue 29): the open-loop curves and their SLO rule, the Designs
section of the report and of `designs`, `--metric p99`, `--preset`, and — on the real binaries
when built — the counters every row carries (cpu_wall; wake_p*_ns with GORO_WAKE_LATENCY=1; the
open-loop percentiles)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from suite.analysis import loadlatency
from suite.analysis.policyoptions import METRIC_ALIASES
from suite.results.gbjson import Samples
from suite.results.record import Record
from suite.results.store import Store
from suite.tests.conftest import REPO_ROOT

GORO_BENCH = REPO_ROOT / "build" / "release" / "benches" / "goro_bench"
GO_BENCH = REPO_ROOT / "build" / "release" / "benches" / "goro_go_bench"


def point(name: str, p99_us: float, reached: bool = True, reps: int = 3) -> tuple[str, Samples]:
    s = Samples(name, real_time_ns=[3e8] * reps, cpu_time_ns=[3e8] * reps, iterations=[1] * reps)
    s.counters = {"p50_ns": [p99_us * 300] * reps, "p99_ns": [p99_us * 1e3] * reps,
                  "p999_ns": [p99_us * 2e3] * reps, "reached": [1.0 if reached else 0.0] * reps,
                  "slo_ns": [1e5] * reps}
    return name, s


def curve_samples() -> dict[str, Samples]:
    rows = [point("openloop/spawn/exp/load:10/goro/fifo/workers:1", 30),
            point("openloop/spawn/exp/load:50/goro/fifo/workers:1", 60),
            point("openloop/spawn/exp/load:90/goro/fifo/workers:1", 300),   # over the SLO
            point("openloop/spawn/exp/load:10/go/workers:1", 40),
            point("openloop/spawn/exp/load:50/go/workers:1", 70),
            # a point the design could not sustain: its small p99 must never count
            point("openloop/spawn/exp/load:90/go/workers:1", 50, reached=False)]
    return dict(rows)


def test_max_load_under_the_slo_stops_at_the_first_miss_or_unreached_point():
    by_backend = {c.backend: c for c in loadlatency.curves(curve_samples())}
    assert by_backend["goro/fifo"].max_load_under_slo() == 50
    assert by_backend["go"].max_load_under_slo() == 50, "an unreached point is never under the SLO"
    late = loadlatency.Curve("go", "spawn/exp", 1, [loadlatency.Point(10, 1, 2e5, 3, True, 1e5)])
    assert late.max_load_under_slo() is None


def test_design_rows_read_mpmc_cpu_and_pingpong_wake_latency():
    samples = curve_samples()
    mpmc = Samples("chan_mpmc/cap:128/goro/go/workers:2", real_time_ns=[4e5] * 3, cpu_time_ns=[8e5] * 3,
                   iterations=[10] * 3, counters={"items_per_second": [1e7] * 3, "cpu_wall": [2.0] * 3})
    wake = Samples("chan_pingpong/goro/go/workers:2", real_time_ns=[300.0] * 3, cpu_time_ns=[300.0] * 3,
                   iterations=[10] * 3, counters={"wake_p99_ns": [900.0] * 3})
    samples.update({mpmc.name: mpmc, wake.name: wake})
    rows = {(r.backend, r.workers): r for r in loadlatency.design_rows(samples)}
    assert rows[("goro/go", 2)].cpu_wall == 2.0 and rows[("goro/go", 2)].cpu_per_item == 200.0
    assert rows[("goro/go", 2)].wake_p99 == 900.0 and loadlatency.format_load(rows[("goro/go", 2)]) == "–"
    assert loadlatency.format_load(rows[("goro/fifo", 1)]) == "50 %"


def _document(samples: dict[str, Samples]) -> dict:
    rows = []
    for name, s in samples.items():
        for i, (real, cpu) in enumerate(zip(s.real_time_ns, s.cpu_time_ns)):
            rows.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": 3,
                         "repetition_index": i, "threads": 1, "iterations": 1, "real_time": real,
                         "cpu_time": cpu, "time_unit": "ns", **{k: v[i] for k, v in s.counters.items()}})
    return {"context": {}, "benchmarks": rows}


def test_designs_prints_and_draws_the_curves_with_not_reached_points(tmp_path, run_suite):
    samples = curve_samples()
    samples.update(dict([point("openloop/spawn/exp/load:10/goro/go/workers:1", 20)]))
    store_path = tmp_path / "s.sqlite"
    with Store(store_path) as store:
        store.add(Record(gbench_runs=[_document(samples)], context={"machine": {"machine_id": "m"}}))
    result = run_suite("designs", "--store", str(store_path), "--out", str(tmp_path / "report"))
    assert "max load under the SLO" in result.stdout, result.stdout + result.stderr
    assert "openloop/spawn/exp w1 Go: 10%:12 / 40  50%:21 / 70  90%:not reached" in result.stdout
    page = (tmp_path / "report" / "designs.html").read_text()
    assert "plots/loadlat_spawn_exp_w1.svg" in page and "not reached" in page
    assert (tmp_path / "report" / "plots" / "loadlat_spawn_exp_w1.svg").is_file()


def test_metric_aliases_name_the_latency_counters():
    assert METRIC_ALIASES["p99"] == "p99_ns" and METRIC_ALIASES["wake_p99"] == "wake_p99_ns"


def test_an_unknown_preset_is_a_usage_error_naming_the_presets(run_suite):
    result = run_suite("bench", "--no-build", "--no-go", "--preset", "nosuch", "--smoke")
    assert result.returncode in (2, 4) and "no such preset" in result.stderr and "designs" in result.stderr


def test_the_designs_preset_matches_every_design_at_one_worker():
    from suite.run import presets, runner
    regex = runner.quick_filter(REPO_ROOT / "benches" / "designs.filter")
    import re
    for backend in ("goro/fifo", "goro/lifo_slot", "fiber/round_robin", "go"):
        assert re.search(regex, f"openloop/spawn/exp/load:95/{backend}/workers:1"), backend
    assert presets.environment(REPO_ROOT / "benches" / "designs.filter")["GORO_WAKE_LATENCY"] == "1"


def _run_json(binary: Path, regex: str, env: dict[str, str]) -> list[dict]:
    completed = subprocess.run([str(binary), f"--benchmark_filter={regex}", "--benchmark_min_time=0.01",
                                "--benchmark_format=json"], capture_output=True, text=True, timeout=120,
                               env={**os.environ, **env})
    assert completed.returncode == 0, completed.stderr
    return [r for r in json.loads(completed.stdout)["benchmarks"] if r.get("run_type") == "iteration"]


@pytest.mark.skipif(not GORO_BENCH.is_file(), reason="build/release/benches/goro_bench is not built")
def test_every_row_has_cpu_wall_and_goro_rows_wake_latency_when_recording():
    rows = _run_json(GORO_BENCH, r"^chan_pingpong/(goro/go|thread|fiber/round_robin)/workers:1$",
                     {"GORO_WAKE_LATENCY": "1"})
    assert {r["name"] for r in rows} == {f"chan_pingpong/{b}/workers:1" for b in ("goro/go", "thread", "fiber/round_robin")}
    for row in rows:
        assert row["cpu_wall"] > 0, row["name"]
        has_wake = "wake_p99_ns" in row
        assert has_wake == row["name"].startswith("chan_pingpong/goro/"), row["name"]
        if has_wake:
            assert 0 < row["wake_p50_ns"] <= row["wake_p99_ns"] <= row["wake_p999_ns"]
    off = _run_json(GORO_BENCH, r"^chan_pingpong/goro/go/workers:1$", {"GORO_WAKE_LATENCY": "0"})
    assert "wake_p99_ns" not in off[0], "off by default: nothing recorded, no counter"


@pytest.mark.skipif(not GORO_BENCH.is_file(), reason="build/release/benches/goro_bench is not built")
def test_an_open_loop_point_reports_its_percentiles_and_whether_it_was_reached():
    rows = _run_json(GORO_BENCH, r"^openloop/(spawn|pool)/exp/load:10/goro/go/workers:1$",
                     {"GORO_OPENLOOP_SECONDS": "0.05"})
    assert len(rows) == 2
    for row in rows:
        assert 0 < row["p50_ns"] <= row["p99_ns"] <= row["p999_ns"], row
        assert row["reached"] in (0, 1) and row["slo_ns"] == 1e5
        assert row["offered_per_second"] == pytest.approx(10_000, rel=0.2)


@pytest.mark.skipif(not GO_BENCH.is_file(), reason="the Go twin is not built")
def test_the_go_twin_reports_the_same_counters():
    rows = _run_json(GO_BENCH, r"^(chan_pingpong|openloop/spawn/exp/load:10)/go/workers:1$",
                     {"GORO_OPENLOOP_SECONDS": "0.05"})
    by_name = {r["name"]: r for r in rows}
    assert by_name["chan_pingpong/go/workers:1"]["cpu_wall"] > 0
    assert "wake_p99_ns" in by_name["chan_pingpong/go/workers:1"]
    loop = by_name["openloop/spawn/exp/load:10/go/workers:1"]
    assert 0 < loop["p50_ns"] <= loop["p99_ns"] and loop["offered_per_second"] == pytest.approx(10_000, rel=0.2)


@pytest.mark.skipif(not GORO_BENCH.is_file(), reason="build/release/benches/goro_bench is not built")
def test_each_pathology_reports_the_number_that_shows_it():
    rows = {r["name"]: r for r in _run_json(
        GORO_BENCH, r"^fairness/(runnext_wait|cpu_hog|mutex/tasks:4|pool_jain)/goro/fifo/workers:1$", {})}
    assert rows["fairness/runnext_wait/goro/fifo/workers:1"]["victim_wait_ns"] > 0
    assert 0 < rows["fairness/runnext_wait/goro/fifo/workers:1"]["wait_share"] <= 1
    # cooperative: at one worker the runnable peer waits until the 20 ms hog is done
    assert rows["fairness/cpu_hog/goro/fifo/workers:1"]["peer_delay_ns"] >= 15e6
    assert rows["fairness/mutex/tasks:4/goro/fifo/workers:1"]["max_acquire_ns"] >= 0
    assert 1 / 16 - 1e-9 <= rows["fairness/pool_jain/goro/fifo/workers:1"]["jain_index"] <= 1
