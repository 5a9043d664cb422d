"""Run-to-run stability: the spread of a benchmark across separate process runs, judged from
the per-process documents a record keeps, shown in the report and by `designs`."""
from __future__ import annotations

from pathlib import Path

from suite.analysis import stability
from suite.results.record import Record
from suite.results.store import Store
from suite.run import processruns, runner
from suite.tests import synth

BIMODAL = "fanout_fanin/goro/go/workers:2"
STABLE = "chan_prodcons/cap:128/goro/go/workers:2"
NOISY = "worker_pool/goro/go/workers:2"
ONE_RUN = "spawn_join/goro/fifo/workers:1"


def process_runs(runs: int = 6) -> list[dict]:
    """process_runs() is one document per process: BIMODAL lands 3x slower in runs 1, 2 and 4
    (tight inside every process), STABLE moves by 1 % noise only, NOISY drifts evenly by up to
    30 % (unstable, one mode), ONE_RUN is in the first document only."""
    slow = {1, 2, 4}
    documents = []
    for index in range(runs):
        scale = {BIMODAL: 3.0 if index in slow else 1.0, NOISY: 1.0 + 0.06 * index}
        names = (BIMODAL, STABLE, NOISY) + ((ONE_RUN,) if index == 0 else ())
        documents.append(synth.document(names=names, repetitions=3, noise=0.01, seed=index,
                                        scale=scale))
    return documents


def test_a_benchmark_with_two_modes_across_processes_is_flagged_bimodal():
    spreads = stability.spreads(process_runs())
    assert spreads[BIMODAL].verdict == stability.BIMODAL
    assert spreads[BIMODAL].runs == 6 and 2.7 < spreads[BIMODAL].ratio < 3.3
    assert spreads[BIMODAL].within < 0.1  # each process alone looks tight


def test_a_stable_benchmark_is_not_flagged():
    spread = stability.spreads(process_runs())[STABLE]
    assert spread.verdict == stability.STABLE and spread.ratio < 1.1 and spread.runs == 6


def test_an_even_drift_is_unstable_but_not_bimodal():
    assert stability.spreads(process_runs())[NOISY].verdict == stability.UNSTABLE


def test_one_process_says_nothing_and_repetitions_alone_never_flag():
    spreads = stability.spreads(process_runs())
    assert spreads[ONE_RUN].runs == 1 and spreads[ONE_RUN].verdict == stability.STABLE
    # the same bimodal values as repetitions of ONE process: no run-to-run spread to judge
    pooled = synth.document(names=(BIMODAL,), repetitions=6, seed=9)
    assert stability.spreads([pooled])[BIMODAL].verdict == stability.STABLE


def test_two_modes_need_three_runs_and_a_gap_wider_than_the_noise_inside_a_process():
    assert stability.judge([[100.0], [300.0]]).verdict == stability.UNSTABLE
    assert stability.judge([[100.0, 101.0], [99.0], [300.0, 302.0]]).verdict == stability.BIMODAL
    # every process as wide as the gap between them: noise, not modes
    assert stability.judge([[100.0, 400.0], [110.0, 390.0], [300.0, 320.0]]).verdict == \
        stability.UNSTABLE


def test_extra_passes_repeat_only_the_multi_worker_benchmarks_spread_over_the_run():
    binary = runner.Binary(Path("goro_bench"), "cpp")
    plan = [(binary, "spawn_join/goro/go/workers:1"), (binary, "spawn_join/goro/go/workers:2"),
            (binary, "worker_pool/go/workers:2"), (binary, "parked_memory/go/workers:1")]
    again = processruns.extra_passes(plan, 3)
    assert [n for _, n in again] == ["spawn_join/goro/go/workers:2", "worker_pool/go/workers:2"] * 2
    assert processruns.extra_passes(plan, 1) == []


def _store(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(Record(gbench_runs=process_runs(), context={"machine": {"machine_id": "m"}}))
    return path


def test_designs_prints_the_spread_and_flags_the_bimodal_benchmark(tmp_path, run_in_process):
    result = run_in_process("designs", "--store", str(_store(tmp_path)), "--out",
                            str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lines = {l.split()[0]: l for l in result.stdout.splitlines() if l.strip()}
    assert "bimodal" in lines[BIMODAL] and "6 runs" in lines[BIMODAL]
    assert "stable" in lines[STABLE] and "bimodal" not in lines[STABLE]
    page = (tmp_path / "out" / "designs.html").read_text()
    assert "Run-to-run stability" in page and f"<code>{BIMODAL}</code> (bimodal)" in page


def test_the_summary_page_marks_goro_best_when_its_runs_disagree(tmp_path, run_in_process):
    result = run_in_process("report", "--store", str(_store(tmp_path)), "--record", "latest",
                            "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'class="bimodal">bimodal ×' in index
    assert f"<code>{STABLE}</code>" not in index.split("unstable or bimodal")[1].split("</p>")[0]


def test_the_quick_set_runs_three_processes_and_an_explicit_set_one(run_suite):
    import argparse
    quick = argparse.Namespace(filter=None, full=False, smoke=False, process_runs=None)
    assert processruns.runs_for(quick) == processruns.QUICK_RUNS == 3
    assert processruns.runs_for(argparse.Namespace(filter="x", full=False, process_runs=None)) == 1
    assert processruns.runs_for(argparse.Namespace(filter="x", full=False, process_runs=5)) == 5
    plan = run_suite("report", "--dry-run")
    assert plan.returncode == 0 and "in 3 separate processes (--process-runs)" in plan.stdout
