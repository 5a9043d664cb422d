"""`scripts/suite bench` against a fake Google Benchmark binary in a fake checkout."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from suite.results.record import load_file
from suite.results.store import Store
from suite.tests.conftest import REPO_ROOT

FAKE = Path(__file__).with_name("fake_bench.py")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """checkout is a directory shaped like a built goro tree with the fake binary."""
    benches = tmp_path / "root" / "build" / "release" / "benches"
    benches.mkdir(parents=True)
    shutil.copy(FAKE, benches / "goro_bench")
    (tmp_path / "root" / "benches").mkdir()
    (tmp_path / "root" / "benches" / "quick.filter").write_text(
        "# quick set\n^chan_pingpong/\nselect2/\n")
    return tmp_path / "root"


def bench(checkout: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "suite.cli", "bench", "--no-build", "--no-go",
                           "--root", str(checkout), *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_smoke_passes_and_tolerates_unsupported(checkout):
    result = bench(checkout, "--quick", "--smoke",
                   env={"FAKE_BENCH_ERROR": "select2/fiber=unsupported: no select in Boost.Fiber"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[5/5" in result.stdout  # progress: 4 chan_pingpong + 1 select2
    assert "smoke: passed" in result.stdout


def test_smoke_fails_on_a_real_error(checkout):
    result = bench(checkout, "--smoke", env={"FAKE_BENCH_ERROR": "thread=checksum mismatch"})
    assert result.returncode == 4  # ran, with failures (1 is only a confirmed regression)
    assert "checksum mismatch" in result.stderr


def test_smoke_fails_when_a_listed_benchmark_has_no_result(checkout):
    result = bench(checkout, "--smoke", env={"FAKE_BENCH_DROP": "steal"})
    assert result.returncode == 4
    assert "produced no result" in result.stderr


def test_bench_stores_a_record_with_context(checkout, tmp_path):
    store_path = tmp_path / "s.sqlite"
    result = bench(checkout, "--store", str(store_path), "--repetitions", "2",
                   "--export", str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(store_path) as store:
        record = store.get("latest")
    assert len(record.gbench_runs) == 5  # one untouched document per benchmark process
    samples = record.samples()
    assert all(len(s.real_time_ns) == 2 for s in samples.values())
    for key in ("machine", "git", "build", "conditions", "command", "settings"):
        assert key in record.context
    assert len(record.context["machine"]["machine_id"]) == 16
    assert (tmp_path / "r.json").exists()


def test_no_match_is_exit_2(checkout, tmp_path):
    result = bench(checkout, "--filter", "nothing_matches_this", "--store", str(tmp_path / "s.sqlite"))
    assert result.returncode == 2
    assert "no benchmark matched" in result.stderr


@pytest.mark.parametrize("export", [False, True])
def test_a_failed_store_write_never_loses_the_run(checkout, tmp_path, export):
    # The store passes bench's check before measuring, then goes bad while the benchmarks run:
    # the measured run must survive in a file the output names (the export file when asked for).
    store_path = tmp_path / "s.sqlite"
    store_path.write_bytes(b"")
    extra = ["--export", str(tmp_path / "r.json")] if export else []
    result = bench(checkout, "--store", str(store_path), "--repetitions", "2", *extra,
                   env={"FAKE_BENCH_CLOBBER": str(store_path)})
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "could not store the run" in result.stderr
    kept = Path(result.stderr.split("the measured run is kept in ")[1].split(";")[0])
    assert kept == (tmp_path / "r.json" if export else tmp_path / "unstored" / kept.name)
    assert load_file(kept).samples(), "the kept file holds the measured samples"
    assert f"import {kept}" in result.stderr
    assert store_path.read_bytes().startswith(b"clobbered")  # the bad file is left untouched


def test_bad_run_options_are_usage_errors(checkout):
    for option in (["--repetitions", "0"], ["--repetitions", "x"], ["--min-time", "-1"],
                   ["--min-time", "nan"]):
        result = bench(checkout, *option)
        assert result.returncode == 2 and "Traceback" not in result.stderr, option


def test_a_failed_build_is_exit_4(checkout, tmp_path):
    # The fake checkout has no CMakePresets.json: `cmake --preset release` fails.
    result = subprocess.run([sys.executable, "-m", "suite.cli", "bench", "--no-go", "--root",
                             str(checkout), "--store", str(tmp_path / "s.sqlite")], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "release build failed" in result.stderr


def test_the_plan_runs_every_backend_of_a_workload_back_to_back():
    """A binary lists backend by backend; the plan groups each workload and worker count, so the
    Go twin's run of a workload follows goro's run of it instead of coming minutes later."""
    from suite.run import runner
    cpp, go = runner.Binary(Path("goro_bench"), "cpp"), runner.Binary(Path("goro_go_bench"), "go")
    plan = [(cpp, "a/goro/go/workers:1"), (cpp, "a/goro/go/workers:2"), (cpp, "b/goro/go/workers:2"),
            (cpp, "a/fiber/shared_work/workers:2"), (go, "b/go/workers:2"), (go, "a/go/workers:1"),
            (go, "a/go/workers:2")]
    assert [n for _, n in runner.by_workload(plan)] == [
        "a/goro/go/workers:1", "a/go/workers:1",
        "a/goro/go/workers:2", "a/fiber/shared_work/workers:2", "a/go/workers:2",
        "b/goro/go/workers:2", "b/go/workers:2"]
