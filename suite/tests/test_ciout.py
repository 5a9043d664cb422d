"""CI outputs of `gate` and `compare` (suite/render/ciout.py): JSON, Markdown, JUnit, step summary."""
from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from suite import gatecmd
from suite.cli import parser
from suite.tests import synth
from suite.tests.test_gate import _binary

PLANTED = "chan_pingpong/thread/workers:1"
TARGET = "chan_pingpong/goro/go/workers:1"


@pytest.fixture(scope="module")
def gated(tmp_path_factory) -> dict[str, Path]:
    """gated is one in-process gate run with a planted 30% regression and every CI output."""
    root = tmp_path_factory.mktemp("gate")
    base = _binary(root, "base")
    head = _binary(root, "head", {"FAKE_BENCH_SLOWDOWN": "chan_pingpong/thread=1.3"})
    outputs = {k: root / f"gate.{k}" for k in ("json", "md", "xml")}
    summary = root / "step-summary.md"
    summary.write_text("earlier step\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        args = parser().parse_args([
            "gate", "--base-binary", str(base), "--head-binary", str(head), "--filter",
            "chan_pingpong", "--repetitions", "6", "--json", str(outputs["json"]),
            "--markdown", str(outputs["md"]), "--junit", str(outputs["xml"]),
            "--save", "--store", str(root / "s.sqlite")])
        outputs["code"] = gatecmd.main(args)  # type: ignore[assignment]
    outputs["summary"] = summary
    outputs["store"] = root / "s.sqlite"
    return outputs


def test_gate_json_has_verdicts_ratios_cis_exit_code_commits_and_machine(gated):
    assert gated["code"] == 1
    doc = json.loads(gated["json"].read_text())
    assert (doc["format"], doc["command"], doc["exit_code"], doc["status"]) == \
        ("goro-verdicts", "gate", 1, "regression")
    assert doc["regressions"] == [PLANTED]
    rows = {r["name"]: r for r in doc["rows"]}
    assert len(rows) == 4 and rows[PLANTED]["confirmed"] and rows[PLANTED]["gated_regression"]
    assert 1.25 < rows[PLANTED]["ratio"] < 1.35
    assert rows[PLANTED]["ci_low"] <= rows[PLANTED]["ratio"] <= rows[PLANTED]["ci_high"]
    assert all(r["verdict"] == "~" for n, r in rows.items() if n != PLANTED)
    assert doc["machine"]["machine_id"] and doc["base"]["binary"].endswith("base")
    assert {"commit", "describe", "machine_id"} <= doc["head"].keys()
    groups = {g["group"]: g for g in doc["geomeans"]}
    assert set(groups) == {"all", "goro", "thread", "fiber"}
    assert groups["thread"]["ratio"] == pytest.approx(rows[PLANTED]["ratio"])


def test_gate_junit_has_one_testcase_per_benchmark_and_fails_the_regression(gated):
    root = ElementTree.parse(gated["xml"]).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert suite.get("tests") == "4" == str(len(cases))
    assert suite.get("failures") == "1" and suite.get("errors") == "0"
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == [PLANTED]
    assert "confirmed regression" in failed[0].find("failure").get("message")
    assert all(c.get("classname") == "goro.gate.chan_pingpong" for c in cases)


def test_gate_markdown_puts_the_regression_first_then_geomeans_then_details(gated):
    text = gated["md"].read_text()
    lines = text.splitlines()
    assert lines[0] == "### goro benchmark gate: 1 confirmed regression (exit 1)"
    table = [l for l in lines if l.startswith("| `")]
    assert PLANTED in table[0] and "| **1." in table[0] and "REGRESSION (confirmed)" in table[0]
    assert "3 benchmarks unchanged" in text
    assert "| thread | 1 |" in text and "| all | 4 |" in text
    assert text.index("| backend family") < text.index("<details>") < text.index("</details>")
    assert "µs" in text or "ns" in text


def test_the_markdown_is_appended_to_the_github_step_summary(gated):
    assert gated["summary"].read_text() == "earlier step\n" + gated["md"].read_text() + "\n"


def test_compare_writes_the_same_outputs(tmp_path, run_in_process):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, scale={TARGET: 1.2}))
    result = run_in_process("compare", str(a), str(b), "--json", str(tmp_path / "v.json"),
                            "--markdown", str(tmp_path / "v.md"), "--junit", str(tmp_path / "v.xml"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "geomean of r, all (14 benchmarks)" in result.stdout
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["command"] == "compare" and doc["regressions"] == [TARGET]
    suite = ElementTree.parse(tmp_path / "v.xml").getroot().find("testsuite")
    assert suite.get("tests") == str(len(synth.NAMES)) and suite.get("failures") == "1"
    assert (tmp_path / "v.md").read_text().startswith("### goro benchmark comparison: 1 regression")


def test_an_unjudgeable_compare_still_writes_its_outputs(tmp_path, run_in_process):
    a = synth.write(tmp_path / "a.json", synth.document(seed=1))
    b = synth.write(tmp_path / "b.json", synth.document(seed=2, errors={TARGET: "wrong sum"}))
    result = run_in_process("compare", str(a), str(b), "--json", str(tmp_path / "v.json"),
                            "--junit", str(tmp_path / "v.xml"))
    assert result.returncode == 2
    assert json.loads((tmp_path / "v.json").read_text())["status"] == "cannot judge"
    errors = ElementTree.parse(tmp_path / "v.xml").getroot().iter("error")
    assert [e.get("message") for e in errors] == ["failed or empty on a side"]
    missing = run_in_process("compare", str(a), str(tmp_path / "nope.json"), "--json",
                             str(tmp_path / "w.json"))
    assert missing.returncode == 2 and "nope.json" in json.loads(
        (tmp_path / "w.json").read_text())["error"]


def test_a_saved_gate_is_a_record_of_its_own_and_has_a_report_page(gated, tmp_path,
                                                                   run_in_process):
    from suite.results.record import Record
    from suite.results.store import Store
    with Store(gated["store"]) as store:
        (gate,) = list(store.records(kind="gate"))
        assert gate.gbench_runs == [] and gate.context["gate"]["regressions"] == [PLANTED]
        machine = gate.machine_id
        store.add(Record(gbench_runs=[synth.document(seed=1, repetitions=5)], context={
            "machine": {"machine_id": machine}, "git": {"sha": "f" * 40, "dirty": False}}))
        assert store.get("latest").kind == "bench"  # gate results never shadow measurements
    result = run_in_process("report", "--store", str(gated["store"]), "--record", "latest",
                       "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "out" / "gates.html").read_text()
    assert f"#{gate.id} " in page and "regression (exit 1)" in page
    assert f"<code>{PLANTED}</code>" in page and "(confirmed)" in page
    assert 'href="gates.html"' in (tmp_path / "out" / "index.html").read_text()


def test_a_regression_the_gate_did_not_confirm_is_no_failure():
    """document() with confirmed=[]: the first pass's REGRESSION row is reported, not gated."""
    from suite.render import ciout
    from suite.analysis import verdicts
    from suite.results.gbjson import Samples
    a = {TARGET: Samples(TARGET, real_time_ns=[100.0 + i * 0.1 for i in range(10)])}
    b = {TARGET: Samples(TARGET, real_time_ns=[130.0 + i * 0.1 for i in range(10)])}
    outcome = verdicts.compare(a, b, verdicts.Policy())
    assert outcome.rows[0].verdict == verdicts.REGRESSION
    doc = ciout.document("gate", outcome, 0, ciout.side("a"), ciout.side("b"), verdicts.Policy(),
                         confirmed=[])
    assert doc["regressions"] == [] and doc["rows"][0]["confirmed"] is False
    assert "(not confirmed)" in ciout.markdown(doc)
    suite = ElementTree.fromstring(ciout.junit(doc)).find("testsuite")
    assert suite.get("failures") == "0"
