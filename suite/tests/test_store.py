"""The results store: round trips, migrations, and refusing corrupt or foreign files untouched."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from suite.results import store as store_module
from suite.results.record import Record, load_file, save_file
from suite.tests import synth


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record(seed: int = 1) -> Record:
    return Record(gbench_runs=[synth.document(seed=seed, repetitions=4)],
                  context={"machine": {"machine_id": "m1"}, "git": {"sha": "abc123", "dirty": False}})


def test_round_trip_keeps_gbench_json_untouched(tmp_path):
    record = _record()
    path = tmp_path / "s.sqlite"
    with store_module.Store(path) as store:
        store.add(record)
        again = store.get("latest")
    assert again.gbench_runs == record.gbench_runs
    assert again.machine_id == "m1"
    assert set(again.samples()) == set(synth.NAMES)
    assert store_module.inspect(path) == store_module.SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_selectors(tmp_path):
    with store_module.Store(tmp_path / "s.sqlite") as store:
        first, second = _record(1), _record(2)
        store.add(first)
        store.add(second)
        assert store.get("latest").uuid == second.uuid
        assert store.get("latest~1").uuid == first.uuid
        assert store.get(str(first.id)).uuid == first.uuid
        assert store.get("abc1").uuid == second.uuid
        with pytest.raises(store_module.StoreError):
            store.get("nothing-like-this")


def test_migration_from_version_1(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    store_module.MIGRATIONS[0](db)
    db.execute(f"PRAGMA application_id={store_module.APPLICATION_ID}")
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    import json
    record = _record()
    db.execute("INSERT INTO records (uuid, created, machine_id, git_sha, context_json, gbench_json)"
               " VALUES (?, ?, ?, ?, ?, ?)", (record.uuid, record.created, "m1", "abc",
                                              json.dumps(record.context),
                                              json.dumps(record.gbench_runs)))
    db.close()
    with store_module.Store(path) as store:
        count = store.db.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
    assert count == 4 * len(synth.NAMES)
    assert store_module.inspect(path) == store_module.SCHEMA_VERSION


@pytest.mark.parametrize("kind", ["garbage", "foreign-sqlite", "truncated", "newer"])
def test_bad_store_is_refused_untouched(tmp_path, run_suite, kind):
    path = tmp_path / "s.sqlite"
    if kind == "garbage":
        path.write_bytes(b"this is not a database\n" * 200)
    elif kind == "foreign-sqlite":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE precious (x)")
        db.execute("INSERT INTO precious VALUES (42)")
        db.commit()
        db.close()
    else:
        with store_module.Store(path) as store:
            store.add(_record())
        if kind == "truncated":
            data = path.read_bytes()
            path.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
        else:
            db = sqlite3.connect(path)
            db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
            db.commit()
            db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    before = _digest(path)
    with pytest.raises(store_module.StoreError):
        store_module.Store(path)
    assert _digest(path) == before
    export = synth.write(tmp_path / "r.json", synth.document())
    result = run_suite("store", "--store", str(path), "import", str(export))
    assert result.returncode == 2
    assert "refusing" in result.stderr or "newer" in result.stderr
    assert _digest(path) == before


def test_export_import_cli(tmp_path, run_suite):
    path = tmp_path / "s.sqlite"
    with store_module.Store(path) as store:
        store.add(_record())
    out = tmp_path / "rec.json"
    assert run_suite("store", "--store", str(path), "export", "latest", str(out)).returncode == 0
    assert load_file(out).machine_id == "m1"
    other = tmp_path / "t.sqlite"
    assert run_suite("store", "--store", str(other), "import", str(out)).returncode == 0
    again = run_suite("store", "--store", str(other), "import", str(out))
    assert "already stored" in again.stdout
    listing = run_suite("store", "--store", str(other), "list")
    assert listing.returncode == 0 and listing.stdout.count("\n") == 1


def test_import_validates_all_files_first(tmp_path, run_suite):
    good = tmp_path / "good.json"
    save_file(_record(), good)
    bad = tmp_path / "bad.json"
    bad.write_text("")
    path = tmp_path / "s.sqlite"
    result = run_suite("store", "--store", str(path), "import", str(good), str(bad))
    assert result.returncode == 2 and "empty file" in result.stderr
    assert not path.exists()


def test_cross_machine_compare_refused_without_force(tmp_path, run_suite):
    a, b = _record(1), _record(2)
    b.context["machine"] = {"machine_id": "m2"}
    save_file(a, tmp_path / "a.json")
    save_file(b, tmp_path / "b.json")
    refused = run_suite("compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert refused.returncode == 2 and "different machines" in refused.stderr
    forced = run_suite("compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--force")
    assert forced.returncode == 0, forced.stdout


def _create_and_add(path: str, barrier, seed: int, results) -> None:
    """One CI job: wait for the others, then open the (new) store and add a record."""
    try:
        barrier.wait(timeout=30)
        with store_module.Store(Path(path)) as store:
            store.add(_record(seed))
        results.put("ok")
    except Exception as error:  # noqa: BLE001 — reported to the parent, which asserts on it
        results.put(f"{type(error).__name__}: {error}")


def test_concurrent_creators_all_succeed(tmp_path):
    # Several CI jobs start on a machine with no store yet and create it at the same moment;
    # before the fix, up to 3 of 4 failed with "table meta already exists" or "not a goro results
    # store" (one process had written the header but not yet the tables). 20 trials x 4 processes.
    import multiprocessing
    context = multiprocessing.get_context("fork")
    processes, trials = 4, 20
    for trial in range(trials):
        path = tmp_path / f"trial{trial}.sqlite"
        barrier, results = context.Barrier(processes), context.Queue()
        workers = [context.Process(target=_create_and_add, args=(str(path), barrier, i, results))
                   for i in range(processes)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["ok"] * processes, f"trial {trial}: {outcomes}"
        with store_module.Store(path) as store:
            assert len(list(store.records())) == processes
        assert store_module.inspect(path) == store_module.SCHEMA_VERSION


def test_writers_wait_for_a_busy_store(tmp_path):
    path = tmp_path / "s.sqlite"
    with store_module.Store(path) as store:
        store.add(_record())
        assert store_module.BUSY_TIMEOUT_SECONDS >= 30
        timeout_ms = store.db.execute("PRAGMA busy_timeout").fetchone()[0]
    assert timeout_ms == store_module.BUSY_TIMEOUT_SECONDS * 1000


def test_a_reader_never_creates_a_store(tmp_path, run_suite):
    path = tmp_path / "none" / "s.sqlite"
    with pytest.raises(store_module.StoreError, match="no results store here yet"):
        store_module.Store(path, create=False)
    export = synth.write(tmp_path / "a.json", synth.document())
    for argv in (["compare", "latest", str(export)], ["compare", "abc123", str(export)],
                 ["store", "list"], ["store", "export", "latest", str(tmp_path / "x.json")],
                 ["history", "--machine", "all"], ["designs"], ["report", "--record", "latest"]):
        result = run_suite(*argv, "--store", str(path)) if argv[0] != "store" else \
            run_suite("store", "--store", str(path), *argv[1:])
        assert result.returncode == 2, (argv, result.stdout, result.stderr)
        assert "no results store here yet" in result.stderr and "Traceback" not in result.stderr
        assert not path.exists() and not path.parent.exists(), argv


def test_all_digit_sha_prefix_and_bad_selectors(tmp_path):
    with store_module.Store(tmp_path / "s.sqlite") as store:
        first, second = _record(1), _record(2)
        first.context["git"] = {"sha": "1234567890abcdef", "dirty": False}
        second.context["git"] = {"sha": "2%_99", "dirty": False}
        store.add(first)
        store.add(second)
        assert store.get("1").uuid == first.uuid  # a record id wins over a sha prefix
        assert store.get("2").uuid == second.uuid
        assert store.get("12345").uuid == first.uuid  # no record 12345: the sha prefix
        assert store.get("2%_").uuid == second.uuid
        with pytest.raises(store_module.StoreError, match="no record matches"):
            store.get("2_")  # '_' is a literal character, not LIKE's wildcard
        with pytest.raises(store_module.StoreError, match="latest~N"):
            store.get("latest~x")
        with pytest.raises(store_module.StoreError, match="no record matches"):
            store.get("99999")


def test_a_new_empty_sqlite_file_is_not_foreign(tmp_path):
    # What a second creator sees while the first has switched the file to WAL but not yet
    # created the tables: an SQLite database with no tables and application_id 0.
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    assert path.stat().st_size > 0
    assert store_module.inspect(path) == 0
    with store_module.Store(path) as store:
        store.add(_record())
    assert store_module.inspect(path) == store_module.SCHEMA_VERSION


def test_inspect_reads_one_snapshot_while_another_process_creates_the_store(tmp_path, monkeypatch):
    # The rare interleaving the concurrent trials hit about once in 200: a reader reads
    # application_id (0: not created yet), another process commits the whole schema, the reader
    # then counts the tables (now there are some) and calls the file foreign. Here the other
    # process's commit is made to land exactly between those two reads.
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")  # the state a first creator leaves before migrating
    db.close()
    real_connect = sqlite3.connect
    state = {"interleaved": False}

    class Interleaving:
        def __init__(self, connection):
            self.connection = connection

        def execute(self, sql, *args):
            cursor = self.connection.execute(sql, *args)
            if sql == "PRAGMA application_id" and not state["interleaved"]:
                state["interleaved"] = True
                monkeypatch.setattr(store_module.sqlite3, "connect", real_connect)
                with store_module.Store(path) as other:  # the other process, start to commit
                    other.add(_record(9))
            return cursor

        def close(self):
            self.connection.close()

    def connect(*args, **kwargs):
        return Interleaving(real_connect(*args, **kwargs))
    monkeypatch.setattr(store_module.sqlite3, "connect", connect)
    with store_module.Store(path) as store:
        store.add(_record(1))
        assert len(list(store.records())) == 2
    assert state["interleaved"]
