"""Execution traces (issue 16): the reader and its analysis on hand-written traces, the trace
command's errors, and — with a built goro_bench — a traced ping-pong at 2 workers that is valid
Chrome trace-event JSON and whose report page renders in headless Chromium."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.analysis import trace as tracing
from suite.base.paths import cpp_bench_binary
from suite.tests.conftest import REPO_ROOT, suite
from suite.tests.test_html import CHROMIUM, _Links, chromium_screenshot


def write(path: Path, events: list[dict], workers: int = 2, **other) -> Path:
    path.write_text(json.dumps({"otherData": {"policy": "go", "workers": workers, "dropped": 0, **other},
                                "traceEvents": events}), encoding="utf-8")
    return path


def run(tid, ts, dur, g, end, reason=None):
    args = {"g": g, "end": end, **({"reason": reason} if reason else {})}
    return {"ph": "X", "pid": 1, "tid": tid, "ts": ts, "dur": dur, "name": f"G{g}", "cat": "run", "args": args}


def instant(tid, ts, name, **args):
    return {"ph": "i", "s": "t", "pid": 1, "tid": tid, "ts": ts, "name": name, "cat": name, "args": args}


def idle(tid, ts, dur, name, **args):
    return {"ph": "X", "pid": 1, "tid": tid, "ts": ts, "dur": dur, "name": name, "cat": "idle", "args": args}


# Worker 0 spawns G2 and parks G1 on a receive; worker 1 steals G2, whose send readies G1 on
# worker 1 while worker 0 sleeps; worker 1 wakes worker 0, which runs G1 (a hand-off) to the end.
STORY = [
    run(0, 0, 10, 1, "park", "chan recv"),
    instant(0, 2, "spawn", g=2, parent=1),
    idle(0, 10, 5, "spin", found=False),
    idle(0, 15, 25, "sleep", timed=False),
    instant(1, 5, "steal", victim=0),
    run(1, 6, 4, 2, "yield"),
    run(1, 12, 8, 2, "exit"),
    instant(1, 14, "ready", g=1, by=2),
    instant(1, 15, "wake", target=0),
    run(0, 40, 10, 1, "exit"),
    {"ph": "M", "pid": 1, "tid": 0, "name": "thread_name", "args": {"name": "worker 0"}},
]


def test_the_reader_loads_slices_and_instants_in_time_order(tmp_path):
    trace = tracing.load(write(tmp_path / "t.json", STORY))
    assert (trace.policy, trace.workers, trace.dropped) == ("go", 2, 0)
    assert [s.kind for s in trace.slices] == ["run", "run", "spin", "run", "sleep", "run"]
    assert trace.slices[0].reason == "chan recv" and trace.slices[-1].ended == "exit"
    assert [i.name for i in trace.instants] == ["spawn", "steal", "ready", "wake"]
    assert (trace.start, trace.end) == (0, 50)


def test_utilisation_splits_each_workers_window(tmp_path):
    rows = tracing.utilisation(tracing.load(write(tmp_path / "t.json", STORY)))
    assert [(u.running, u.spinning, u.sleeping) for u in rows] == [(0.4, 0.1, 0.5), (0.24, 0.0, 0.0)]
    assert rows[1].other == pytest.approx(0.76)


def test_runqueue_waits_pair_each_run_with_what_made_it_runnable(tmp_path):
    waits = tracing.runqueue_waits(tracing.load(write(tmp_path / "t.json", STORY)))
    assert [(w.goroutine, w.cause, w.microseconds, w.from_worker, w.to_worker) for w in waits] == [
        (2, "spawn", 4, 0, 1), (2, "yield", 2, 1, 1), (1, "ready", 26, 1, 0)]


def test_summary_counts_steals_wakes_parks_and_handoffs(tmp_path):
    s = tracing.summary(tracing.load(write(tmp_path / "t.json", STORY)))
    assert (s.runs, s.sleeps, s.spins, s.spins_empty) == (4, 1, 1, 1)
    assert dict(s.parks) == {"chan recv": 1}
    assert dict(s.steals) == {(1, 0): 1} and dict(s.wakes) == {(1, 0): 1}
    assert (s.readies, s.handoffs) == (1, 1)


@pytest.mark.parametrize("text, says", [
    ("not json", "not JSON"),
    ('{"traceEvents": 3}', "no traceEvents"),
    ('{"traceEvents": []}', "otherData"),
    ('{"otherData": {"policy": "go", "workers": 1}, "traceEvents": [{"ph": "X", "pid": 1, "tid": 0, "ts": 1, "name": "G1", "cat": "run"}]}',
     "'dur'"),
    ('{"otherData": {"policy": "go", "workers": 1}, "traceEvents": [{"ph": "X", "pid": 1, "ts": 1, "dur": 1, "name": "x"}]}',
     "no 'tid'"),
    ('{"otherData": {"policy": "go", "workers": 1}, "traceEvents": [{"ph": "B", "pid": 1, "tid": 0, "ts": 1, "name": "x"}]}',
     "phase 'B'"),
    ('{"otherData": {"policy": "go", "workers": 1}, "traceEvents": [{"ph": "i", "pid": 1, "tid": 0, "ts": -1, "name": "ready"}]}',
     "'ts' must be"),
])
def test_the_reader_refuses_what_is_not_a_goro_trace(tmp_path, text, says):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tracing.TraceError, match=says):
        tracing.load(path)


def test_trace_without_a_binary_is_a_usage_error(tmp_path):
    result = suite("trace", "chan_pingpong", "--no-build", "--root", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no benchmark binary" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- a real traced run

needs_bench = pytest.mark.skipif(not cpp_bench_binary(REPO_ROOT).is_file(),
                                 reason="build/release/benches/goro_bench is not built")


@needs_bench
def test_trace_of_an_unknown_workload_lists_the_known_ones(tmp_path):
    result = suite("trace", "no_such_workload", "--no-build", "--out", str(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "chan_pingpong" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def traced_pingpong(tmp_path_factory) -> Path:
    """traced_pingpong is a report directory holding one traced chan_pingpong at 2 workers."""
    if not cpp_bench_binary(REPO_ROOT).is_file():
        pytest.skip("build/release/benches/goro_bench is not built")
    out = tmp_path_factory.mktemp("traced")
    result = suite("trace", "chan_pingpong", "--policy", "go", "--workers", "2", "--no-build", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    page = Path(result.stdout.strip().splitlines()[-1])
    assert page == (out / "trace_chan_pingpong-goro-go-w2.html").resolve()
    return out


def test_the_trace_file_is_valid_chrome_trace_event_json(traced_pingpong):
    """The schema Perfetto and chrome://tracing load: every event has ph, pid, tid, name and
    (but metadata) ts; a slice is "X" with dur, or a B/E pair; ts and dur are numbers ≥ 0."""
    document = json.loads((traced_pingpong / "traces" / "chan_pingpong-goro-go-w2.json").read_text())
    events = document["traceEvents"]
    assert len(events) > 1000
    open_begins: dict[tuple, int] = {}
    for event in events:
        assert {"ph", "pid", "tid", "name"} <= event.keys(), event
        assert event["ph"] in ("X", "B", "E", "i", "M"), event
        if event["ph"] == "M":
            continue
        assert isinstance(event["ts"], (int, float)) and event["ts"] >= 0, event
        if event["ph"] == "X":
            assert isinstance(event["dur"], (int, float)) and event["dur"] >= 0, event
        if event["ph"] in ("B", "E"):
            key = (event["pid"], event["tid"])
            open_begins[key] = open_begins.get(key, 0) + (1 if event["ph"] == "B" else -1)
            assert open_begins[key] >= 0, f"E without B: {event}"
    assert not any(open_begins.values()), "B without E"
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {"worker 0", "worker 1"} <= names
    runs = [e for e in events if e["ph"] == "X" and e.get("cat") == "run"]
    assert len(runs) > 1000
    # A full ring drops and counts (the workers never wait for the tracer); the rings are sized
    # so that only a flusher starved of a core for ~100 ms drops anything: a rare few, not many.
    assert document["otherData"]["dropped"] * 100 <= len(events), document["otherData"]["dropped"]


def test_the_trace_page_links_resolve_and_it_is_listed(traced_pingpong):
    page = traced_pingpong / "trace_chan_pingpong-goro-go-w2.html"
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    local = [t for t in parser.targets if not t.endswith(".html")]
    assert {"traces/chan_pingpong-goro-go-w2.timeline.svg", "traces/chan_pingpong-goro-go-w2.waits.svg",
            "traces/chan_pingpong-goro-go-w2.json"} <= set(local)
    for target in local:
        assert (traced_pingpong / target).is_file(), target
    text = page.read_text()
    assert "Utilisation" in text and "worker 1" in text and "parks: chan send" in text
    assert "<script" not in text
    timeline = (traced_pingpong / "traces" / "chan_pingpong-goro-go-w2.timeline.svg").read_text()
    assert "worker 0" in timeline and "worker 1" in timeline
    assert "trace_chan_pingpong-goro-go-w2.html" in (traced_pingpong / "traces.html").read_text()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_chromium_renders_the_trace_page_with_its_timeline(traced_pingpong, tmp_path):
    """The timeline is drawn, not a broken image: the screenshot holds the lanes' colours — the
    sleep grey and at least one goroutine colour — over thousands of pixels."""
    import numpy as np
    from suite.render import traceplots
    pixels = chromium_screenshot(traced_pingpong / "trace_chan_pingpong-goro-go-w2.html", tmp_path / "shot.png",
                                tmp_path / "profile", height=1900)
    rgb = pixels[..., :3]

    def near(colour: str) -> int:
        target = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        return int((np.abs(rgb - target).max(axis=2) < 0.04).sum())
    assert near(traceplots.SLEEP_COLOUR) + max(near(c) for c in traceplots.GOROUTINE_COLOURS) > 2000
    assert max(near(c) for c in traceplots.GOROUTINE_COLOURS) > 500, "no goroutine run drawn"
