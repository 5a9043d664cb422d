"""The results store: the same selectors, round trips and migrations on SQLite and on a real
PostgreSQL server (one table of cases, run against both), and refusing corrupt or foreign SQLite
files untouched (suite/tests/test_pgstore.py has PostgreSQL's own refusals and locking)."""
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


def _record(seed: int = 1, sha: str = "abc123", kind: str = "bench") -> Record:
    return Record(gbench_runs=[synth.document(seed=seed, repetitions=4)], kind=kind,
                  context={"machine": {"machine_id": "m1"}, "git": {"sha": sha, "dirty": False}})


BACKENDS = ("sqlite", "postgresql")


def new_store(backend: str, request, tmp_path: Path) -> str | Path:
    """new_store() is the location of a store that does not exist yet, of the given backend."""
    if backend == "postgresql":
        return request.getfixturevalue("pg_server").new_database()
    return tmp_path / "s.sqlite"


def _uuid(index: int) -> str:
    return f"{index:032x}"


# The records the selector table looks at, stored in this order (ids 1..6 on both databases).
SELECTOR_RECORDS = (("1234567890abcdef", "bench"), ("2%_99", "bench"), ("a_c777", "bench"),
                    ("abc123", "bench"), ("abc999", "gate"), ("3fff", "bench"))

# selector → the id of the record it selects, or the StoreError it raises; every case runs on
# both databases. "before:" notes what the two stores did before they were one (PostgreSQL's LIKE
# kept '_' as a wildcard, dropped '%' and matched case-sensitively; SQLite overflowed on an id
# beyond 64 bits): 8 of these 25 cases differed from this table.
SELECTORS = [
    ("latest", 6), ("latest~0", 6), ("latest~1", 4),  # a gate result is no measurement
    ("latest~4", 1), ("latest~5", "no record matches"), ("latest~x", "latest~N"),
    ("latest~99999999999999999999", "no record matches"),  # before: OverflowError on SQLite
    ("1", 1), ("3", 3),                                # a record id wins over a sha prefix ("3fff")
    ("12345", 1),                                      # no record 12345: the sha prefix
    ("99999", "no record matches"),
    ("99999999999999999999", "no record matches"),     # before: OverflowError on SQLite
    ("2%_", 2), ("2%", 2),
    ("2_", "no record matches"),                       # before: record 2 on PostgreSQL ('_' a wildcard)
    ("%", "no record matches"),                        # before: record 6 on PostgreSQL
    ("_", "no record matches"),                        # before: record 6 on PostgreSQL
    ("a_c", 3),                                        # before: record 4 (abc123) on PostgreSQL
    ("abc", 4), ("ABC1", 4),                           # before: no match on PostgreSQL (case)
    ("abc9", "no record matches"),                     # a sha only a gate result has
    (_uuid(5), 5), (_uuid(3), 3),                      # a uuid selects any kind
    ("", "no record matches"),                         # before: record 6 on PostgreSQL
    ("\\", "no record matches"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def selector_store(request, tmp_path_factory):
    """selector_store is a store of each backend holding SELECTOR_RECORDS."""
    location = new_store(request.param, request, tmp_path_factory.mktemp("selectors"))
    with store_module.Store(location) as store:
        for index, (sha, kind) in enumerate(SELECTOR_RECORDS, start=1):
            record = _record(index, sha=sha, kind=kind)
            record.uuid = _uuid(index)
            assert store.add(record) == index
    return location


@pytest.mark.parametrize("selector, expected", SELECTORS, ids=[repr(s) for s, _ in SELECTORS])
def test_a_selector_selects_the_same_record_on_both_databases(selector_store, selector, expected):
    with store_module.Store(selector_store, create=False) as store:
        if isinstance(expected, int):
            assert store.get(selector).id == expected
            assert store.get(selector).uuid == _uuid(expected)
        else:
            with pytest.raises(store_module.StoreError, match=expected):
                store.get(selector)


@pytest.mark.parametrize("backend", BACKENDS)
def test_round_trip_keeps_gbench_json_untouched(backend, request, tmp_path):
    location = new_store(backend, request, tmp_path)
    first, second, gate = _record(1), _record(2), _record(3, kind="gate")
    second.context["machine"] = {"machine_id": "m2"}
    with store_module.Store(location) as store:
        for record in (first, second, gate):
            store.add(record)
        again = store.get("latest")
        assert store.has_uuid(first.uuid) and not store.has_uuid("nope")
        assert [r.uuid for r in store.records(kind="gate")] == [gate.uuid]
        assert [r.uuid for r in store.records(machine_id="m1")] == [first.uuid, gate.uuid]
        assert [r.id for r in store.records()] == [1, 2, 3]
        samples = store._rows("SELECT COUNT(*) FROM samples")[0][0]
    assert again.gbench_runs == second.gbench_runs and again.context == second.context
    assert again.machine_id == "m2" and set(again.samples()) == set(synth.NAMES)
    assert samples == 3 * 4 * len(synth.NAMES)


# Version 1 exactly as earlier suites created it, when SQLite (store.py) and PostgreSQL
# (pgstore.py) each had their own module: opening one must migrate it and keep every record.
VERSION_1 = {
    "sqlite": ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
               "CREATE TABLE records (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, "
               "created TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL "
               "DEFAULT 'bench', machine_id TEXT NOT NULL, git_sha TEXT NOT NULL, git_branch "
               "TEXT, git_dirty INTEGER, context_json TEXT NOT NULL, gbench_json TEXT NOT NULL)",
               "CREATE INDEX records_machine ON records(machine_id, created)",
               f"PRAGMA application_id={store_module.APPLICATION_ID}",
               "INSERT INTO meta VALUES ('schema_version', '1')"],
    "postgresql": ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                   "INSERT INTO meta VALUES ('application', 'goro')",
                   "CREATE TABLE records (id BIGSERIAL PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, "
                   "created TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL "
                   "DEFAULT 'bench', machine_id TEXT NOT NULL, git_sha TEXT NOT NULL, git_branch "
                   "TEXT, git_dirty INTEGER, context_json TEXT NOT NULL, gbench_json TEXT NOT NULL)",
                   "CREATE INDEX records_machine ON records(machine_id, created)",
                   "INSERT INTO meta VALUES ('schema_version', '1')"],
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_version_1_store_migrates_and_keeps_its_records(backend, request, tmp_path):
    import json
    location = new_store(backend, request, tmp_path)
    record = _record()
    insert = ("INSERT INTO records (uuid, created, machine_id, git_sha, context_json, gbench_json)"
              " VALUES (?, ?, 'm1', 'abc', ?, ?)")
    values = (record.uuid, record.created, json.dumps(record.context), json.dumps(record.gbench_runs))
    if backend == "sqlite":
        db = sqlite3.connect(location, isolation_level=None)
        for statement in VERSION_1[backend]:
            db.execute(statement)
        db.execute(insert, values)
        db.close()
    else:
        import psycopg2
        db = psycopg2.connect(location)
        with db, db.cursor() as cursor:
            for statement in VERSION_1[backend]:
                cursor.execute(statement)
            cursor.execute(insert.replace("?", "%s"), values)
        db.close()
    with store_module.Store(location) as store:
        assert store.get("latest").uuid == record.uuid
        count = store._rows("SELECT COUNT(*) FROM samples")[0][0]
        version = store._rows("SELECT value FROM meta WHERE key='schema_version'")[0][0]
        store.add(_record(2))
        assert [r.id for r in store.records()] == [1, 2]
    assert count == 4 * len(synth.NAMES) and version == str(store_module.SCHEMA_VERSION)
    if backend == "sqlite":
        assert store_module.inspect(location) == store_module.SCHEMA_VERSION
        with sqlite3.connect(location) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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
