"""`gate --instructions`: exact callgrind counts judged by the verdict rule, every output written.

The binaries are tiny real C++ programs (compiled here) with a workload function taking a
`benchmark::State&`, the signature callgrind's collection toggles on: the head's loop runs twice
as long, so its instruction count doubles. They list one single-worker goro benchmark and
ignore the rest of Google Benchmark's command line, which is all --instructions asks of them.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from suite import gatecmd
from suite.analysis import verdicts
from suite.cli import parser

NAME = "chan_pingpong/goro/go/workers:1"
PROGRAM = r"""
#include <cstdio>
#include <cstring>
namespace benchmark { struct State { volatile unsigned long sink = 0; }; }
__attribute__((noinline)) void workload(benchmark::State& state) {
  for (unsigned long i = 0; i < LOOPS; ++i) state.sink = state.sink + i;
}
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--benchmark_list_tests=true") == 0) {
      std::puts("chan_pingpong/goro/go/workers:1");
      return 0;
    }
  benchmark::State state;
  workload(state);
  return 0;
}
"""


def _compile(tmp_path: Path, name: str, loops: int) -> Path:
    source = tmp_path / "fake_workload.cpp"
    source.write_text(PROGRAM)
    binary = tmp_path / name
    subprocess.run(["g++", "-O1", f"-DLOOPS={loops}", str(source), "-o", str(binary)], check=True)
    return binary


needs_tools = pytest.mark.skipif(not (shutil.which("valgrind") and shutil.which("g++")),
                                 reason="valgrind and g++ are installed by the packages step")


@needs_tools
def test_instructions_write_every_output_asked_for(tmp_path, capsys):
    base, head = _compile(tmp_path, "base", 20000), _compile(tmp_path, "head", 40000)
    out = {k: tmp_path / f"gate.{k}" for k in ("json", "md", "xml")}
    store = tmp_path / "s.sqlite"
    args = parser().parse_args([
        "gate", "--instructions", "--base-binary", str(base), "--head-binary", str(head),
        "--filter", "chan_pingpong", "--json", str(out["json"]), "--markdown", str(out["md"]),
        "--junit", str(out["xml"]), "--save", "--store", str(store)])
    code = gatecmd.main(args)
    printed = capsys.readouterr().out
    assert code == 1, printed
    doc = json.loads(out["json"].read_text())
    assert (doc["status"], doc["regressions"]) == ("regression", [NAME])
    assert doc["policy"]["metric"] == "instructions"
    row = doc["rows"][0]
    assert row["verdict"] == verdicts.REGRESSION and 1.5 < row["ratio"] < 2.5
    assert NAME in out["md"].read_text()
    failures = ElementTree.parse(out["xml"]).getroot().iter("failure")
    assert len(list(failures)) == 1
    assert "stored" in printed and store.is_file()


@needs_tools
def test_instructions_same_binary_passes_and_still_writes(tmp_path, capsys):
    base = _compile(tmp_path, "base", 20000)
    out = tmp_path / "gate.json"
    args = parser().parse_args(["gate", "--instructions", "--base-binary", str(base),
                                "--head-binary", str(base), "--filter", "chan_pingpong",
                                "--json", str(out)])
    assert gatecmd.main(args) == 0, capsys.readouterr().out
    assert json.loads(out.read_text())["rows"][0]["verdict"] == verdicts.SAME


def test_exact_counts_follow_the_band_rule():
    outcome = verdicts.compare_counts({"a": 100, "b": 100, "c": 100, "d": 100},
                                      {"a": 106, "b": 104, "c": 94, "d": 0}, 0.05)
    got = {r.name: r.verdict for r in outcome.rows}
    assert got == {"a": verdicts.REGRESSION, "b": verdicts.SAME, "c": verdicts.IMPROVEMENT}
    assert outcome.failed == ["d"] and outcome.exit_code() == 1
