"""A channel of your own in the benchmark record: examples/retry_chan's retry_chan_bench (built by
goro_add_algorithm_bench() against an installed goro) joins `scripts/suite bench` with
`--extra-binary`, its rows `<workload>/goro/chan:retry_chan/workers:N` measured right after
goro/go's run of the same workload, in the same record as goro's channel; `designs` and the HTML
report show chan:retry_chan as one more line; goro's summary never counts it as goro's own.

The real run is one tiny round (two workloads, workers 1 and 2, two repetitions of 10 ms), with
the binary the test command's retry-chan step leaves (built here when it is missing).
"""
from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from suite.base.paths import cpp_bench_binary
from suite.results.gbjson import Samples, canonical
from suite.results.store import Store
from suite.run.build import RETRY_CHAN_SOURCE, RETRY_CHAN_WORK
from suite.tests.conftest import REPO_ROOT

RETRY_CHAN_BENCH = RETRY_CHAN_WORK / "build" / "retry_chan_bench"
CHAN = "goro/chan:retry_chan"


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, " ".join(argv) + "\n" + result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def installed_goro(tmp_path_factory) -> Path:
    """installed_goro is a prefix goro is installed in, with goro::bench (the retry-chan step's,
    or installed here from the release build)."""
    if not cpp_bench_binary(REPO_ROOT).is_file():
        pytest.skip("build/release/benches/goro_bench is not built")
    prefix = REPO_ROOT / RETRY_CHAN_WORK / "prefix"
    if (prefix / "lib" / "cmake" / "goro" / "GoroBench.cmake").is_file():
        return prefix
    prefix = tmp_path_factory.mktemp("goro") / "prefix"
    _run(["cmake", "--install", str(REPO_ROOT / "build" / "release"), "--prefix", str(prefix)])
    return prefix


@pytest.fixture(scope="module")
def retry_chan_bench(installed_goro, tmp_path_factory) -> Path:
    """retry_chan_bench is the example's benchmark binary, built out of tree against an installed
    goro (the test command's retry-chan step leaves it; built here, bench target only, otherwise)."""
    binary = REPO_ROOT / RETRY_CHAN_BENCH
    if binary.is_file():
        return binary
    build = tmp_path_factory.mktemp("retry_chan") / "build"
    _run(["cmake", "-S", str(REPO_ROOT / RETRY_CHAN_SOURCE), "-B", str(build),
          f"-DCMAKE_PREFIX_PATH={installed_goro}", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
    _run(["cmake", "--build", str(build), "-j2", "--target", "retry_chan_bench"])
    return build / "retry_chan_bench"


def _project(directory: Path, call: str, header: str) -> Path:
    """_project() is a CMake project that calls goro_add_algorithm_bench() as `call` says."""
    directory.mkdir(parents=True)
    (directory / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.25)\nproject(mine LANGUAGES CXX)\n"
        f"set(CMAKE_CXX_STANDARD 20)\nfind_package(goro REQUIRED)\n{call}\n")
    (directory / "mine.hpp").write_text(header)
    return directory


NOT_A_CHANNEL = """#pragma once
#include <cstddef>
#include <goro/algorithm.hpp>
namespace mine {
template <class Sync, class T>
struct Chan {  // no try_recv
  explicit Chan(std::size_t) {}
  goro::SendStatus send(T&) { return goro::SendStatus::sent; }
  goro::RecvStatus recv(T&) { return goro::RecvStatus::closed; }
  goro::SendStatus try_send(T&) { return goro::SendStatus::full; }
  bool close() { return true; }
  std::size_t len() const { return 0; }
  std::size_t cap() const { return 0; }
};
}  // namespace mine
"""


def test_a_bad_name_stops_the_configure_with_one_message(installed_goro, tmp_path):
    source = _project(tmp_path / "src", 'goro_add_algorithm_bench(NAME "my chan" HEADER mine.hpp TYPE mine::Chan)',
                      NOT_A_CHANNEL)
    result = subprocess.run(["cmake", "-S", str(source), "-B", str(tmp_path / "build"),
                             f"-DCMAKE_PREFIX_PATH={installed_goro}"], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "NAME 'my chan' must be letters, digits, '_' and '-'" in " ".join(result.stderr.split())


def test_a_type_that_is_not_a_channel_fails_with_the_concepts_one_message(installed_goro, tmp_path):
    source = _project(tmp_path / "src", "goro_add_algorithm_bench(NAME mine HEADER mine.hpp TYPE mine::Chan)",
                      NOT_A_CHANNEL)
    _run(["cmake", "-S", str(source), "-B", str(tmp_path / "build"), f"-DCMAKE_PREFIX_PATH={installed_goro}",
          "-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
    result = subprocess.run(["cmake", "--build", str(tmp_path / "build")], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "goro::ChannelAlgorithm: the channel needs a non-blocking receive" in said
    assert said.count("error:") == 1, said[-4000:]


def test_the_binary_lists_goros_channel_workloads_on_retry_chan(retry_chan_bench):
    listed = subprocess.run([str(retry_chan_bench), "--benchmark_list_tests"], capture_output=True,
                            text=True, timeout=60, check=True).stdout.split()
    ours = sorted({n.split(f"/{CHAN}/")[0] for n in listed if f"/{CHAN}/" in n})
    assert ours == sorted(["chan_pingpong", "chan_prodcons/cap:0", "chan_prodcons/cap:1",
                           "chan_prodcons/cap:128", "chan_mpmc/cap:128", "select2",
                           "select2/cap:128", "select_fanin/chans:8", "fanout_fanin",
                           "worker_pool", "sieve"])
    assert "spawn_join/goro/chan:retry_chan/workers:1" not in listed  # measures no channel


def test_a_real_run_puts_retry_chan_next_to_goros_channel(retry_chan_bench, tmp_path, run_suite):
    store_path, out = tmp_path / "s.sqlite", tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "suite.cli", "bench", "--no-build", "--no-go",
                             "--filter", r"^(chan_prodcons/cap:128|chan_pingpong)/(goro/(go|chan:retry_chan)|fiber/round_robin)/workers:(1|2)$",
                             "--repetitions", "2", "--min-time", "0.01", "--store", str(store_path),
                             "--extra-binary", str(retry_chan_bench)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    order = [canonical(n) for n in re.findall(r"^\[\d+/\d+ [^\]]*\] (\S+) \.\.\.", result.stdout, re.M)]
    for workload in ("chan_prodcons/cap:128", "chan_pingpong"):
        for workers in (1, 2):  # measured right after goro/go's run of it, not after the peers
            go = order.index(f"{workload}/goro/go/workers:{workers}")
            assert order[go + 1] == f"{workload}/{CHAN}/workers:{workers}", order
    with Store(store_path) as store:
        record = store.get("latest")
    samples = record.samples()
    for workers in (1, 2):
        ours = samples[f"chan_prodcons/cap:128/{CHAN}/workers:{workers}"]
        assert len(ours.real_time_ns) == 2 and ours.counters["context_switches_per_op"]
        assert len(samples[f"chan_prodcons/cap:128/goro/go/workers:{workers}"].real_time_ns) == 2
        # retry::Chan is buffered only: the unbuffered workload says so instead of measuring.
        assert samples[f"chan_pingpong/{CHAN}/workers:{workers}"].errors[0].startswith(
            "unsupported: retry_chan has no capacity 0")
    assert record.context["settings"]["extra_policies"] == {"chan:retry_chan": str(retry_chan_bench.resolve())}

    designs = run_suite("designs", "--store", str(store_path), "--out", str(out))
    assert designs.returncode == 0, designs.stdout + designs.stderr
    headers = [l.split()[1:] for l in designs.stdout.splitlines() if l.startswith("workload")]
    assert headers == [["chan:retry_chan", "go"]] * 2  # workers 1 and 2
    assert (out / "designs.html").read_text().count("<th>chan:retry_chan time/op</th>") == 2

    report = run_suite("report", "--record", "latest", "--store", str(store_path), "--out", str(out))
    assert report.returncode == 0, report.stdout + report.stderr
    pages = "".join(p.read_text(errors="replace") for p in out.glob("*.html"))
    assert CHAN in pages


def _samples(medians: dict[str, float]) -> dict[str, Samples]:
    return {name: Samples(name, real_time_ns=[m * f for f in (0.99, 1.0, 1.01, 1.0, 0.995)])
            for name, m in medians.items()}


def test_a_channel_of_your_own_is_never_goros_best():
    from suite.render import tables
    rows = tables.summary(_samples({"chan_prodcons/cap:128/goro/go/workers:1": 40.0,
                                    f"chan_prodcons/cap:128/{CHAN}/workers:1": 20.0,
                                    "chan_prodcons/cap:128/go/workers:1": 30.0}))
    assert len(rows) == 1 and rows[0].goro is not None
    assert rows[0].goro.backend == "goro/go"  # not the faster chan:retry_chan
    cell, ratio, *_ = rows[0].others["go"]
    assert math.isclose(ratio, 30.0 / 40.0, rel_tol=0.02)
