"""`--extra-binary PATH` of `bench` and `report`: a goro::bench binary of a user's own joins the
run, its own policies next to the built-ins in one record, and `designs` shows them.

Against fake binaries in a fake checkout (test_bench.py's), then once for real: goro_bench of the
release build and examples/custom_policy's lifo_slot_bench, built out of tree against an
installed goro as the test command's custom-policy step does.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from suite.results.gbjson import canonical
from suite.results.store import Store
from suite.run import extrabench
from suite.run.build import CUSTOM_POLICY_BENCH, build_custom_policy
from suite.base.paths import cpp_bench_binary
from suite.run.runner import Binary
from suite.tests.conftest import REPO_ROOT
from suite.tests.test_bench import FAKE, bench, checkout  # noqa: F401 (the fixture)

# What a user's goro::bench binary lists: the built-ins (goro_bench measures those) and its own.
LIFO_NAMES = ["chan_pingpong/goro/go/workers:1", "chan_pingpong/goro/steal/workers:1",
              "chan_pingpong/goro/lifo_slot/workers:1", "spawn_join/goro/fifo/workers:1",
              "spawn_join/goro/lifo_slot/workers:1"]


def fake_binary(directory: Path, name: str, names: list[str]) -> Path:
    """fake_binary() is a copy of the fake benchmark binary that lists `names`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    shutil.copy(FAKE, path)
    (directory / f"{name}.names").write_text("\n".join(names) + "\n")
    return path


def script(directory: Path, name: str, body: str, mode: int = 0o755) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body)
    path.chmod(mode)
    return path


def refused(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], result.stderr


# ---------------------------------------------------------------- refusals

def test_a_missing_file_is_refused_before_building(checkout, tmp_path):
    # Without --no-build: the fake checkout cannot build (exit 4), so exit 2 proves the check
    # comes first and a typo costs no build.
    result = subprocess.run([sys.executable, "-m", "suite.cli", "bench", "--no-go", "--root",
                             str(checkout), "--store", str(tmp_path / "s.sqlite"),
                             "--extra-binary", str(tmp_path / "missing")], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    refused(result, f"--extra-binary {tmp_path / 'missing'}: no such file")
    assert "$ cmake" not in result.stdout


@pytest.mark.parametrize("case, expected", [
    ("directory", "is a directory"),
    ("not-executable", "not executable"),
    ("not-a-program", "cannot run it: Exec format error"),
    ("prints-something-else", "not a goro::bench binary"),
    ("lists-nothing", "not a goro::bench binary"),
    ("goro_bench-itself", "adds no policy: it runs only goro_bench's built-in policies (fifo, go, steal)"),
    ("registers-a-built-in-name", "failed (killed by SIGABRT): what():  goro: register_policy: "
                                  "'fifo' is a built-in policy"),
    ("fails", "--benchmark_list_tests failed (exit 3): no such flag"),
    ("twice", "given twice"),
    ("two-with-one-name", "both run a policy named 'lifo_slot': rename one of them"),
])
def test_a_binary_that_cannot_join_is_refused_in_one_line(checkout, tmp_path, case, expected):
    bins = tmp_path / "bins"
    paths = {
        "directory": lambda: [bins.mkdir() or bins],
        "not-executable": lambda: [fake_binary(bins, "lifo", LIFO_NAMES).chmod(0o644) or bins / "lifo"],
        "not-a-program": lambda: [script(bins, "garbage", "\x7fnot an ELF, no #! line\n")],
        "prints-something-else": lambda: [script(bins, "hello", "#!/bin/sh\necho hello world\n")],
        "lists-nothing": lambda: [script(bins, "true", "#!/bin/sh\nexit 0\n")],
        "goro_bench-itself": lambda: [checkout / "build" / "release" / "benches" / "goro_bench"],
        # What a goro::bench binary does when main() registers a built-in's name: the runtime
        # throws, std::terminate prints what() and aborts.
        "registers-a-built-in-name": lambda: [script(bins, "clash", "#!/bin/sh\n"
            "echo \"terminate called after throwing an instance of 'std::invalid_argument'\" >&2\n"
            "echo \"  what():  goro: register_policy: 'fifo' is a built-in policy\" >&2\n"
            "kill -ABRT $$\n")],
        "fails": lambda: [script(bins, "fails", "#!/bin/sh\necho no such flag >&2\nexit 3\n")],
        "twice": lambda: [fake_binary(bins, "lifo", LIFO_NAMES)] * 2,
        "two-with-one-name": lambda: [fake_binary(bins, "lifo", LIFO_NAMES),
                                      fake_binary(bins / "other", "lifo", LIFO_NAMES)],
    }[case]()
    options = [item for path in paths for item in ("--extra-binary", str(path))]
    result = bench(checkout, "--store", str(tmp_path / "s.sqlite"), *options)
    refused(result, expected)
    assert "[1/" not in result.stdout, "refused before measuring anything"
    if (tmp_path / "s.sqlite").exists():  # bench opens (creates) the store before measuring
        with Store(tmp_path / "s.sqlite") as store:
            assert not list(store.records())


def test_help_documents_the_option(run_suite):
    for command in ("bench", "report"):
        text = " ".join(run_suite(command, "--help").stdout.split())
        assert "--extra-binary PATH" in text and "goro::bench" in text and "designs" in text


def test_the_report_plan_names_the_extra_binary(run_suite, tmp_path):
    result = run_suite("report", "--dry-run", "--extra-binary", str(tmp_path / "lifo_slot_bench"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"extra: --extra-binary {tmp_path / 'lifo_slot_bench'}" in result.stdout


# ---------------------------------------------------------------- joining the run (fakes)

def test_interleave_puts_each_extra_benchmark_after_the_built_ins_run_of_it():
    a, b = Binary(Path("goro_bench"), "cpp"), Binary(Path("mine"), "cpp")
    plan = [(a, "x/goro/fifo/workers:1"), (a, "x/goro/fifo/workers:2"), (a, "x/goro/go/workers:1"),
            (a, "x/thread/workers:1"), (Binary(Path("go"), "go"), "x/go/workers:1")]
    extras = [(b, "x/goro/mine/workers:2"), (b, "x/goro/mine/workers:1"), (b, "y/goro/mine/workers:1")]
    assert [n for _, n in extrabench.interleave(plan, extras)] == [
        "x/goro/fifo/workers:1", "x/goro/fifo/workers:2", "x/goro/mine/workers:2",
        "x/goro/go/workers:1", "x/goro/mine/workers:1", "y/goro/mine/workers:1",
        "x/thread/workers:1", "x/go/workers:1"]
    assert extrabench.interleave([], extras) == extras


def test_the_extra_policy_joins_the_record_once_and_designs_shows_it(checkout, tmp_path, run_suite):
    lifo = fake_binary(tmp_path / "mine", "lifo_slot_bench", LIFO_NAMES)
    store_path = tmp_path / "s.sqlite"
    result = bench(checkout, "--store", str(store_path), "--repetitions", "2",
                   "--filter", "/goro/", "--extra-binary", str(lifo))
    assert result.returncode == 0, result.stdout + result.stderr
    order = [canonical(n) for n in re.findall(r"^\[\d+/\d+ [^\]]*\] (\S+) \.\.\.", result.stdout, re.M)]
    assert order == ["chan_pingpong/goro/go/workers:1", "chan_pingpong/goro/steal/workers:1",
                     "chan_pingpong/goro/lifo_slot/workers:1", "spawn_join/goro/fifo/workers:1",
                     "spawn_join/goro/lifo_slot/workers:1"]
    with Store(store_path) as store:
        record = store.get("latest")
    samples = record.samples()
    # The built-ins come from goro_bench alone: 2 repetitions each, not 4 (the extra lists them too).
    assert {n: len(s.real_time_ns) for n, s in samples.items()} == {
        n: 2 for n in order}
    assert record.context["settings"]["extra_policies"] == {"lifo_slot": str(lifo.resolve())}
    assert str(lifo.resolve()) in record.context["settings"]["binaries"]
    designs = run_suite("designs", "--store", str(store_path), "--out", str(tmp_path / "report"))
    assert designs.returncode == 0, designs.stdout + designs.stderr
    header = next(l for l in designs.stdout.splitlines() if l.startswith("workload"))
    assert header.split()[1:] == ["fifo", "go", "lifo_slot", "steal"]
    assert f"lifo_slot: measured by {lifo.resolve()} (--extra-binary)" in designs.stdout
    page = (tmp_path / "report" / "designs.html").read_text()
    assert "<th>lifo_slot time/op</th>" in page and f"<code>{lifo.resolve()}</code>" in page


def test_a_user_policy_is_drawn_in_a_style_of_its_own():
    from suite.render import plots
    mine = plots.backend_style("goro/lifo_slot")
    assert mine == plots.backend_style("goro/lifo_slot")
    assert mine != plots.backend_style("some-unknown-peer")  # not the grey dot of an unknown
    assert mine not in plots.BACKEND_STYLES.values()


# ---------------------------------------------------------------- one real run

@pytest.fixture(scope="module")
def lifo_slot_bench() -> Path:
    """lifo_slot_bench is the example's goro::bench binary, built out of tree against an
    installed goro (the test command's custom-policy step leaves it; built here otherwise)."""
    if not cpp_bench_binary(REPO_ROOT).is_file():
        pytest.skip("build/release/benches/goro_bench is not built")
    binary = REPO_ROOT / CUSTOM_POLICY_BENCH
    if not binary.is_file():
        assert build_custom_policy(REPO_ROOT, "lifo_slot_bench") == 0, "the example did not build"
    return binary


def test_a_real_run_puts_lifo_slot_next_to_fifo_steal_and_go(lifo_slot_bench, tmp_path, run_suite):
    store_path, out = tmp_path / "s.sqlite", tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "suite.cli", "bench", "--no-build", "--no-go",
                             "--filter", r"^(chan_pingpong|spawn_join)/goro/[^/]+/workers:(1|2)$",
                             "--repetitions", "2", "--min-time", "0.01", "--store", str(store_path),
                             "--extra-binary", str(lifo_slot_bench)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(store_path) as store:
        samples = store.get("latest").samples()
    for workload in ("chan_pingpong", "spawn_join"):
        for workers in (1, 2):
            for policy in ("lifo_slot", "fifo", "steal", "go"):
                name = f"{workload}/goro/{policy}/workers:{workers}"
                assert len(samples[name].real_time_ns) == 2, name
                assert samples[name].counters["context_switches_per_op"], name
    designs = run_suite("designs", "--store", str(store_path), "--out", str(out))
    assert designs.returncode == 0, designs.stdout + designs.stderr
    headers = [l.split()[1:] for l in designs.stdout.splitlines() if l.startswith("workload")]
    assert headers == [["fifo", "go", "lifo_slot", "steal"]] * 2  # workers 1 and 2
    page = (out / "designs.html").read_text()
    assert page.count("<th>lifo_slot time/op</th>") == 2
