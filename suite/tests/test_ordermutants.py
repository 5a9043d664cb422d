"""The memory-order mutant generator: which weakenings are legal, and keys that survive edits."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from suite.run import ordermutants
from suite.run.ordermutants import generate

HEADER = """// a made-up algorithm
#pragma once
template <class Sync> struct Algo {
  void run() {
    // head_.load(std::memory_order_seq_cst) in a comment is not a site
    x_.store(1, std::memory_order_seq_cst);
    int a = x_.load(std::memory_order_seq_cst);
    x_.fetch_add(1, std::memory_order_acq_rel);
    int e = 0;
    x_.compare_exchange_strong(e, 1, std::memory_order_acq_rel, std::memory_order_acquire);
    Sync::fence(std::memory_order_seq_cst);
    bool both = x_.load(std::memory_order_acquire) == y_.load(std::memory_order_acquire);
    y_.store(2, std::memory_order_relaxed);
  }
};
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    algo = tmp_path / ordermutants.ALGO_DIR
    algo.mkdir(parents=True)
    (algo / "algo.hpp").write_text(HEADER)
    return tmp_path


def by_line(mutants, text):
    return [(m.site.role, m.site.order, m.weaker) for m in mutants if text in m.site.context]


def test_each_operation_gets_exactly_its_legal_weakenings(tree):
    mutants = generate(tree)
    assert by_line(mutants, "x_.store(1") == [("store", "seq_cst", "release"), ("store", "seq_cst", "relaxed")]
    assert by_line(mutants, "int a = x_.load") == [("load", "seq_cst", "acquire"), ("load", "seq_cst", "relaxed")]
    assert sorted(by_line(mutants, "fetch_add")) == [("rmw", "acq_rel", "acquire"), ("rmw", "acq_rel", "relaxed"),
                                                      ("rmw", "acq_rel", "release")]
    cas = by_line(mutants, "compare_exchange_strong")
    assert ("cas-failure", "acquire", "relaxed") in cas
    assert {w for role, _, w in cas if role == "cas-success"} == {"acquire", "release", "relaxed"}
    fence = {w for _, _, w in by_line(mutants, "fence")}
    assert fence == {"acq_rel", "acquire", "release", "relaxed"}
    assert by_line(mutants, "y_.store(2") == []  # already relaxed: nothing weaker
    assert not any("in a comment" in m.site.context for m in mutants)


def test_a_load_is_never_release_and_a_store_never_acquire(tree):
    for m in generate(tree):
        if m.site.role in ("load", "cas-failure"):
            assert m.weaker not in ("release", "acq_rel")
        if m.site.role == "store":
            assert m.weaker not in ("acquire", "acq_rel")


def test_cas_failure_order_never_exceeds_the_weakened_success_order(tree):
    text = (tree / ordermutants.ALGO_DIR / "algo.hpp").read_text()
    for m in generate(tree):
        if m.site.role == "cas-success" and m.weaker in ("release", "relaxed"):
            mutated = m.mutation.apply(text)
            line = next(l for l in mutated.splitlines() if "compare_exchange_strong" in l)
            assert line.endswith(f"std::memory_order_{m.weaker}, std::memory_order_relaxed);")


def test_a_fence_weakened_to_relaxed_is_dropped(tree):
    text = (tree / ordermutants.ALGO_DIR / "algo.hpp").read_text()
    dropped = [m for m in generate(tree) if m.site.role == "fence" and m.weaker == "relaxed"]
    assert len(dropped) == 1
    mutated = dropped[0].mutation.apply(text)
    assert "Sync::fence" not in mutated and "MUTANT: fence dropped" in mutated


def test_two_orders_on_one_line_have_distinct_keys_and_keys_ignore_line_numbers(tree):
    before = {m.key for m in generate(tree)}
    assert len(before) == len(generate(tree))
    path = tree / ordermutants.ALGO_DIR / "algo.hpp"
    path.write_text(path.read_text().replace("#pragma once\n", "#pragma once\n\n// a new comment\n\n"))
    assert {m.key for m in generate(tree)} == before


def test_a_stale_equivalent_is_reported(tree, tmp_path, capsys, monkeypatch):
    equivalents = tmp_path / "equivalents.json"
    equivalents.write_text('{"equivalents": [{"key": "no/such.hpp: x | seq_cst -> relaxed", "reason": "r"}]}')
    monkeypatch.setattr(ordermutants, "REPO_ROOT", tree)
    (tree / "models").mkdir()
    (tree / "models" / "CMakeLists.txt").write_text("")
    assert ordermutants.main(["--list", "--equivalents", str(equivalents)]) == 2
    assert "STALE equivalent" in capsys.readouterr().err


def test_the_shipped_algorithms_generate_mutants_and_the_equivalents_are_fresh():
    mutants = generate(ordermutants.REPO_ROOT)
    assert len(mutants) > 40
    keys = {m.key for m in mutants}
    for entry in ordermutants.load_equivalents(ordermutants.DEFAULT_EQUIVALENTS):
        assert entry.key in keys, f"stale equivalent: {entry.key}"


def test_suite_mutants_passes_its_options_through(run_suite):
    listed = run_suite("mutants", "--models", "--list")
    assert listed.returncode == 0 and "memory orders in runtime/include/goro/algo" in listed.stdout
    unknown = run_suite("mutants", "--only", "no-such-mutant")
    assert unknown.returncode == 2 and "no mutation named no-such-mutant" in unknown.stderr
    assert run_suite("mutants", "--models", "--sample", "0").returncode == 2


def test_runtime_spec_names_the_call_by_line_and_column_only_where_the_line_has_two(tree):
    mutants = generate(tree)
    store = next(m for m in mutants if "x_.store(1" in m.site.context and m.weaker == "relaxed")
    # "algo.hpp" is not under runtime/include in the fixture's layout: spec paths are relative to it.
    assert store.runtime_spec() == "goro/algo/algo.hpp:6:0:1:relaxed"
    second = next(m for m in mutants if "bool both" in m.site.context and m.site.slot == 2)
    line = HEADER.splitlines()[second.site.line - 1]
    # GCC's std::source_location names the column of the call's '(' (1-based).
    assert second.runtime_spec() == f"goro/algo/algo.hpp:12:{line.index('y_.load(') + len('y_.load(')}:1:relaxed"


def test_runtime_spec_of_a_cas_takes_the_failure_order_down_and_a_fence_is_dropped(tree):
    mutants = generate(tree)
    cas = next(m for m in mutants if m.site.role == "cas-success" and m.weaker == "relaxed")
    assert cas.runtime_spec() == "goro/algo/algo.hpp:10:0:1:relaxed;goro/algo/algo.hpp:10:0:2:relaxed"
    failure = next(m for m in mutants if m.site.role == "cas-failure")
    assert failure.runtime_spec() == "goro/algo/algo.hpp:10:0:2:relaxed"
    fence = next(m for m in mutants if m.site.role == "fence" and m.weaker == "relaxed")
    assert fence.runtime_spec() == "goro/algo/algo.hpp:11:0:1:drop"


def test_every_runtime_spec_of_the_shipped_algorithms_is_one_the_policy_parses():
    spec = re.compile(r"^goro/algo/\w+\.hpp:[1-9]\d*:\d+:[12]:(relaxed|acquire|release|acq_rel|seq_cst|drop)$")
    for m in generate(ordermutants.REPO_ROOT):
        parts = m.runtime_spec().split(";")
        assert 1 <= len(parts) <= 4 and all(spec.match(p) for p in parts), m.runtime_spec()


def test_the_mutants_come_in_the_same_order_in_every_process():
    """--sample draws from the generated list, so --seed-from-commit picks the same mutants on
    every run of a commit only if the list's order does not depend on string hashing."""
    import os
    import subprocess
    import sys
    script = "from suite.run import ordermutants\nfor m in ordermutants.generate(ordermutants.REPO_ROOT): print(m.key)"
    orders = {subprocess.run([sys.executable, "-c", script], cwd=ordermutants.REPO_ROOT, check=True,
                             capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
              for seed in (1, 2, 3, 4)}
    assert len(orders) == 1
