"""The machine context: machine_id names the hardware, not the software it runs today."""
from __future__ import annotations

import hashlib
import json
import sqlite3

from suite.results import context
from suite.results import store as store_module
from suite.results.record import Record, load_file, save_file
from suite.tests import synth


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


def _old_machine(kernel: str) -> dict:
    """A machine context as the suite wrote it before: the id also hashed the kernel release."""
    info = {"cpu_model": "Example CPU @ 2.0GHz", "cores": 2, "memory_gib": 8, "kernel": kernel,
            "virtualisation": "kvm", "hostname": "ci-1"}
    stable = "|".join(str(info[k]) for k in ("cpu_model", "cores", "memory_gib", "kernel",
                                              "virtualisation"))
    info["machine_id"] = hashlib.sha256(stable.encode()).hexdigest()[:16]
    return info


def test_stored_and_exported_records_of_older_suites_join_one_history(tmp_path):
    # Two records of one machine measured before and after a kernel update, stored by the
    # previous suite (schema version 2): opening the store gives both today's id.
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    session = store_module.Session(store_module.SQLite(path), db.cursor())
    for version in (0, 1):
        store_module.MIGRATIONS[version](session)
    db.execute(f"PRAGMA application_id={store_module.APPLICATION_ID}")
    db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    old_ids = []
    for seed, kernel in ((1, "6.1.0-17-amd64"), (2, "6.1.0-28-amd64")):
        machine = _old_machine(kernel)
        old_ids.append(machine["machine_id"])
        record = Record(gbench_runs=[synth.document(seed=seed, repetitions=2)],
                        context={"machine": machine})
        db.execute("INSERT INTO records (uuid, created, machine_id, git_sha, context_json, "
                   "gbench_json) VALUES (?, ?, ?, ?, ?, ?)",
                   (record.uuid, record.created, machine["machine_id"], "abc",
                    json.dumps(record.context), json.dumps(record.gbench_runs)))
    db.close()
    assert old_ids[0] != old_ids[1]  # the bug: one machine, two histories
    today = context.machine_id(_old_machine("any"))
    with store_module.Store(path) as store:
        records = list(store.records(machine_id=today))
    assert len(records) == 2
    assert [r.context["machine"]["previous_machine_id"] for r in records] == old_ids
    assert all(r.context["machine"]["kernel"] for r in records)
    export = Record(gbench_runs=[synth.document()], context={"machine": _old_machine("5.10")})
    save_file(export, tmp_path / "old-export.json")
    assert load_file(tmp_path / "old-export.json").machine_id == today
