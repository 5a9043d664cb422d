"""The HTML report: every link and image resolves, SVGs are reproducible, Chromium renders it."""
from __future__ import annotations

import html.parser
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from suite.results.record import Record
from suite.results.store import Store
from suite.tests import synth

CHROMIUM = Path("/usr/bin/chromium")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.targets.append(value)
            if key == "id" and value:
                self.ids.add(value)


def _ids(page: Path) -> set[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """report is a rendered report over a store with a short history and a planted change."""
    root = tmp_path_factory.mktemp("report")
    store_path = root / "s.sqlite"
    with Store(store_path) as store:
        for index in range(5):
            scale = {synth.NAMES[0]: 1.3 if index >= 3 else 1.0}
            document = synth.document(seed=index, repetitions=5, scale=scale,
                                      errors={"spawn_join/fiber/round_robin/workers:1":
                                              "unsupported: no spawn_join"})
            store.add(Record(gbench_runs=[document], context={
                "machine": {"machine_id": "m"}, "git": {"sha": f"{index:040d}", "dirty": False},
                "command": "scripts/suite bench"}))
    from suite.tests.conftest import suite
    result = suite("report", "--store", str(store_path), "--record", "latest", "--out",
                   str(root / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    index = Path(result.stdout.strip().splitlines()[-1])
    assert index == (root / "out" / "index.html").resolve()
    return root / "out"


def test_every_link_and_image_resolves(report):
    pages = sorted(report.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "workloads.html", "scaling.html",
                                       "designs.html", "compare.html", "history.html",
                                       "verification.html"}
    images = 0
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            parsed = urlparse(target)
            assert not parsed.scheme and not parsed.netloc, f"{page.name}: external {target}"
            linked = page.parent / parsed.path if parsed.path else page
            assert linked.is_file(), f"{page.name}: broken {target}"
            if parsed.fragment:
                assert parsed.fragment in _ids(linked), f"{page.name}: no anchor for {target}"
            images += target.endswith(".svg")
    assert images >= 8
    assert "<script" not in "".join(p.read_text() for p in pages)


def test_pages_show_machine_errors_and_change_points(report):
    index = (report / "index.html").read_text()
    assert "Machine and commands" in index and "unsupported: no spawn_join" in index
    assert "goro faster" in index
    compare = (report / "compare.html").read_text()
    assert "forest" in compare
    history = (report / "plots" / "hist_chan_pingpong_w1.svg").read_text()
    assert 'id="changepoint-goro/go-3"' in history  # the planted 30% step at record 3
    for backend in ("goro/go", "goro/steal", "thread", "fiber/shared_work", "go"):
        assert f"<!-- {backend} -->" in history, backend  # a legend entry per backend, every family


def test_svgs_are_reproducible(report, tmp_path):
    from suite.render import plots
    from suite.results.gbjson import samples
    document = synth.document(seed=3, repetitions=5)
    first = plots.distribution("chan_pingpong", samples([document]), tmp_path / "a.svg").read_text()
    second = plots.distribution("chan_pingpong", samples([document]), tmp_path / "b.svg").read_text()
    assert first == second
    assert "<dc:date>" not in first


def chromium_screenshot(page: Path, shot: Path, profile: Path, height: int = 1000):
    """chromium_screenshot() renders page in headless Chromium into shot (a PNG), checks that
    it is a real page (full size, not blank, with dark text on it) and returns its pixels
    (rows × columns × RGB(A), 0..1). The verification and trace pages' tests use it too."""
    import matplotlib.image
    import numpy as np
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", f"--screenshot={shot}",
                    f"--window-size=1200,{height}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] >= height - 100 and pixels.shape[1] >= 1100
    grey = pixels[..., :3].mean(axis=2)
    assert float(np.var(grey)) > 1e-3, "screenshot is blank"
    assert float((grey < 0.5).mean()) > 0.005, "screenshot has (almost) no dark text"
    return pixels


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("page", ["index.html", "designs.html"])
def test_chromium_renders_a_non_blank_page(report, tmp_path, page):
    chromium_screenshot(report / page, tmp_path / "shot.png", tmp_path / "profile")
