"""Memory-order mutants of a header of your own (`mutants --models --header FILE --model EXE`): the
same weakenings as goro's headers, keyed by the header's name, run against the kit's model
executable; each killed, listed by you as equivalent, or reported SURVIVED; bad input is one
message and exit 2. A small Python program stands in for the kit's Relacy executable."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from suite.run import ordermutants

HEADER = """// my_queue.hpp — a header outside goro's tree
#pragma once
template <class Sync, class T> class MyQueue {
 public:
  bool push(T* p) {
    tail_.store(1, std::memory_order_release);
    return head_.load(std::memory_order_acquire) == 0;
  }
};
"""

# A stand-in for the kit's model: the mutant that weakens the release store is "found" (exit 1,
# a driver line naming a scenario), every other mutant passes; each applied mutant is counted.
FAKE_MODEL = r'''#!{python}
import os, sys
spec = os.environ.get("GORO_ORDER_MUTANT", "")
if spec:
    print(f"order_mutant: GORO_ORDER_MUTANT={{spec}} applied 3 times")
if spec.startswith("my_queue.hpp:6:"):
    print('model_my_queue scenario=owner_vs_thief variant=faithful scheduler=random failed_at_iteration=7 '
          'result="USER ASSERT FAILED" kind=assertion time=0.01s')
    sys.exit(1)
sys.exit(0)
'''


@pytest.fixture
def kit(tmp_path: Path) -> tuple[Path, Path]:
    header = tmp_path / "src" / "my_queue.hpp"
    header.parent.mkdir()
    header.write_text(HEADER)
    model = tmp_path / "build" / "my_queue_model"
    model.parent.mkdir()
    model.write_text(FAKE_MODEL.format(python=sys.executable))
    model.chmod(0o755)
    return header, model


def test_a_header_of_your_own_gets_the_same_weakenings_keyed_by_its_name(kit):
    header, _ = kit
    mutants = ordermutants.generate(ordermutants.REPO_ROOT, {header.name: header})
    assert [(m.site.role, m.site.order, m.weaker) for m in mutants] == [("store", "release", "relaxed"),
                                                                       ("load", "acquire", "relaxed")]
    assert mutants[0].key == "my_queue.hpp: tail_.store(1, std::memory_order_release); | release -> relaxed"
    assert mutants[0].runtime_spec() == "my_queue.hpp:6:0:1:relaxed"  # a path suffix of the compiled header


def test_each_mutant_is_killed_or_survives_against_the_kit_model(kit, tmp_path, capsys):
    header, model = kit
    out = tmp_path / "orders.json"
    status = ordermutants.main(["--header", str(header), "--model", str(model), "--json", str(out), "--jobs", "1"])
    assert status == 1  # the acquire load's weakening survived: listed for review
    document = json.loads(out.read_text())
    assert (document["generated"], document["killed"], document["survived"]) == (2, 1, 1)
    verdicts = {m["where"]: (m["status"], m["detail"]) for m in document["mutants"]}
    assert verdicts["my_queue.hpp:6 store release -> relaxed"] == \
        ("killed", "my_queue_model: owner_vs_thief assertion at iteration 7")
    assert verdicts["my_queue.hpp:7 load acquire -> relaxed"][0] == "SURVIVED"


def test_a_survivor_you_listed_as_equivalent_passes(kit, tmp_path):
    header, model = kit
    listed = tmp_path / "equivalents.json"
    listed.write_text(json.dumps({"equivalents": [{
        "key": "my_queue.hpp: return head_.load(std::memory_order_acquire) == 0; | acquire -> relaxed",
        "reason": "head_ publishes nothing the push reads", "kind": "equivalent"}]}))
    assert ordermutants.main(["--header", str(header), "--model", str(model), "--equivalents", str(listed),
                              "--jobs", "1"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["--header", "nowhere/my_queue.hpp", "--model", "x"], "--header nowhere/my_queue.hpp: no such file"),
    (["--model", "x"], "--model runs the mutants of a header of your own: give --header FILE too"),
    (["--header", "{header}"], "needs --model EXE: the kit's model executable built from it"),
    (["--header", "{header}", "--model", "{tmp}/missing_model"], "not an executable (build it first"),
    (["--header", "{header}", "--model", "{model}", "--textual"], "--header runs its mutants at run time only"),
    (["--header", "{header}", "--model", "{model}", "--equivalents", "{tmp}/none.json"], "none.json: no such file"),
])
def test_bad_input_is_one_message_and_exit_2(kit, tmp_path, capsys, argv, message):
    header, model = kit
    argv = [a.format(header=header, model=model, tmp=tmp_path) for a in argv]
    assert ordermutants.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_header_with_no_explicit_order_has_nothing_to_weaken(kit, tmp_path, capsys):
    _, model = kit
    plain = tmp_path / "plain.hpp"
    plain.write_text("#pragma once\nstruct Plain { int x = 0; };\n")
    assert ordermutants.main(["--header", str(plain), "--model", str(model)]) == 2
    assert "no explicit std::memory_order in" in capsys.readouterr().err


def test_the_page_shows_a_header_run_apart_from_goros_own_mutants(kit, tmp_path):
    """The test command saves goro's sampled mutants and a header's run side by side: the page's
    summary still counts goro's algo/ mutants, and the header's run names the header."""
    import html
    import re

    from suite.render import verification as page
    from suite.results.verification import load

    header, model = kit
    results = tmp_path / "results"
    ordermutants.main(["--header", str(header), "--model", str(model), "--json", str(results / "z-header.json"),
                       "--jobs", "1"])
    goro = {"kind": "memory-order-mutants", "mode": "runtime", "generated": 250, "run": 3, "sampled": True,
            "seed": 7, "seconds": 9.0, "stale_equivalents": [],
            "mutants": [{"key": f"k{i}", "where": f"chan.hpp:{i} load acquire -> relaxed", "spec": "",
                         "status": "killed", "detail": "model_chan", "applied": 1, "seconds": 1.0} for i in range(3)]}
    (results / "a-goro.json").write_text(json.dumps(goro))
    page.write(load(results), tmp_path / "report", command="scripts/suite report")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ",
                                         (tmp_path / "report" / page.PAGE).read_text(encoding="utf-8"))).split())
    assert "3 run of 250 generated (a sample, seed 7): 3 killed" in text
    assert "of my_queue.hpp , a header checked by the verification kit" in text
    assert "my_queue.hpp:7 load acquire -> relaxed SURVIVED" in text
