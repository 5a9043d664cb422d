"""The machine context: machine_id names the hardware, not the software it runs today."""
from __future__ import annotations

from reports import context


def test_machine_id_survives_a_kernel_update(monkeypatch):
    monkeypatch.setattr(context.platform, "release", lambda: "6.1.0-17-amd64")
    before = context.machine()
    monkeypatch.setattr(context.platform, "release", lambda: "6.1.0-28-amd64")
    after = context.machine()
    assert before["kernel"] == "6.1.0-17-amd64" and after["kernel"] == "6.1.0-28-amd64"
    assert before["machine_id"] == after["machine_id"]
    assert len(after["machine_id"]) == 16


def test_machine_id_changes_with_the_hardware(monkeypatch):
    base = context.machine()
    monkeypatch.setattr(context.os, "cpu_count", lambda: (base["cores"] or 1) * 2)
    assert context.machine()["machine_id"] != base["machine_id"]
