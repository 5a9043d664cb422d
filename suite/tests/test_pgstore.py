"""The PostgreSQL results store against a real server the tests start (suite/tests/pgserver.py):
round trips, the same schema as SQLite, migrations, refusals, concurrent creators and writers."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from suite.results import store as sqlite_store
from suite.results.record import Record
from suite.tests import pgserver, synth
from suite.tests.conftest import REPO_ROOT

if pgserver.binaries() is None:
    pytest.skip("PostgreSQL server binaries are absent (Debian package postgresql); "
                "the PostgreSQL store is untested here", allow_module_level=True)
psycopg2 = pytest.importorskip("psycopg2", reason="python3-psycopg2 is not installed")

from suite.results.pgstore import PgStore, is_url  # noqa: E402  (after the skips: needs psycopg2)


@pytest.fixture(scope="module")
def server():
    """server is one throw-away PostgreSQL for the module (a fresh database per test)."""
    running = pgserver.Server()
    yield running
    running.stop()


@pytest.fixture
def url(server) -> str:
    """url is an empty database of its own."""
    return server.new_database()


def _record(seed: int = 1, kind: str = "bench", sha: str = "abc123") -> Record:
    return Record(gbench_runs=[synth.document(seed=seed, repetitions=4)], kind=kind,
                  context={"machine": {"machine_id": "m1"}, "git": {"sha": sha, "dirty": False}})


def _tables(url: str) -> dict[str, list[str]]:
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
        rows = cursor.fetchall()
    connection.close()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def test_urls_select_postgresql():
    assert is_url("postgresql://u@h/db") and is_url("postgres:///db?host=/tmp")
    assert not is_url("results/goro.sqlite")


def test_round_trip_and_selectors(url):
    with PgStore(url) as store:
        first, second = _record(1), _record(2, sha="def456")
        store.add(first)
        store.add(second)
        gate = _record(3, kind="gate", sha="def456")
        store.add(gate)
        assert store.get("latest").uuid == second.uuid
        assert store.get("latest~1").uuid == first.uuid
        assert store.get(str(first.id)).uuid == first.uuid
        assert store.get("def4").uuid == second.uuid
        assert store.get(gate.uuid).kind == "gate"
        assert store.has_uuid(first.uuid) and not store.has_uuid("nope")
        again = store.get("latest")
        assert again.gbench_runs == second.gbench_runs and again.machine_id == "m1"
        assert [r.uuid for r in store.records(kind="gate")] == [gate.uuid]
        assert len(list(store.records(machine_id="m1"))) == 3
        with pytest.raises(sqlite_store.StoreError):
            store.get("nothing-like-this")
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM samples")
        assert cursor.fetchone()[0] == 3 * 4 * len(synth.NAMES)
    connection.close()


def test_same_tables_and_columns_as_sqlite(url, tmp_path):
    with PgStore(url):
        pass
    with sqlite_store.Store(tmp_path / "s.sqlite") as store:
        names = [r[0] for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        sqlite_tables = {n: [c[1] for c in store.db.execute(f"PRAGMA table_info({n})")]
                         for n in names}
    assert _tables(url) == sqlite_tables


def test_migration_from_version_1(url):
    from suite.results import pgstore
    import json
    connection = psycopg2.connect(url)
    record = _record()
    with connection, connection.cursor() as cursor:
        pgstore.MIGRATIONS[0](cursor)
        cursor.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        cursor.execute("INSERT INTO records (uuid, created, machine_id, git_sha, context_json, "
                       "gbench_json) VALUES (%s, %s, 'm1', 'abc', %s, %s)",
                       (record.uuid, record.created, json.dumps(record.context),
                        json.dumps(record.gbench_runs)))
    connection.close()
    with PgStore(url) as store:
        assert store.get("latest").uuid == record.uuid
        count = store._fetch("SELECT COUNT(*) FROM samples")[0][0]
        version = store._fetch("SELECT value FROM meta WHERE key='schema_version'")[0][0]
    assert count == 4 * len(synth.NAMES) and version == str(sqlite_store.SCHEMA_VERSION)


@pytest.mark.parametrize("kind", ["foreign-tables", "foreign-meta", "newer"])
def test_bad_database_is_refused_untouched(url, kind):
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        if kind == "foreign-tables":
            cursor.execute("CREATE TABLE precious (x INTEGER)")
            cursor.execute("INSERT INTO precious VALUES (42)")
        elif kind == "foreign-meta":
            cursor.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            cursor.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    connection.close()
    if kind == "newer":
        with PgStore(url) as store:
            store.add(_record())
        connection = psycopg2.connect(url)
        with connection, connection.cursor() as cursor:
            cursor.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
        connection.close()
    before = _tables(url)
    with pytest.raises(sqlite_store.StoreError, match="refusing|newer"):
        PgStore(url)
    assert _tables(url) == before


def test_a_reader_never_creates_the_tables(url):
    with pytest.raises(sqlite_store.StoreError, match="no results store here yet"):
        PgStore(url, create=False)
    assert _tables(url) == {}


def test_unreachable_server_is_a_store_error(server):
    with pytest.raises(sqlite_store.StoreError, match="cannot connect"):
        PgStore(f"postgresql:///postgres?host={server.root}&port=1&user={server.user}")


WRITER = textwrap.dedent("""
    import sys
    from suite.results.pgstore import PgStore
    from suite.results.record import Record
    from suite.tests import synth
    url, worker = sys.argv[1], int(sys.argv[2])
    for index in range(5):
        with PgStore(url) as store:
            store.add(Record(gbench_runs=[synth.document(seed=worker * 10 + index, repetitions=2)],
                             context={"machine": {"machine_id": f"w{worker}"}}))
""")


@pytest.mark.parametrize("trial", range(2))
def test_concurrent_creators_and_writers_all_succeed(server, trial):
    """Four processes open the same brand-new database at once (each must migrate or find it
    migrated) and write five records each: every write lands, ids are unique."""
    url = server.new_database()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(worker)], cwd=REPO_ROOT,
                                stderr=subprocess.PIPE, text=True) for worker in range(4)]
    problems = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0] * 4, problems
    with PgStore(url) as store:
        records = list(store.records())
    assert len(records) == 20 and len({r.id for r in records}) == 20
    assert {r.machine_id for r in records} == {"w0", "w1", "w2", "w3"}


def test_a_creator_migrates_only_under_the_advisory_lock(url):
    """Migrations are serialised by pg_advisory_xact_lock: while another session holds the lock,
    a creator opening a brand-new database waits and creates no table; once the lock is released
    it migrates and succeeds. (Without the lock, concurrent creators run the same step twice —
    the race the concurrent test above can only hit by chance.)"""
    from suite.results.pgstore import APPLICATION_ID
    holder = psycopg2.connect(url)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))
        creator = subprocess.Popen([sys.executable, "-c", "import sys\n"
                                    "from suite.results.pgstore import PgStore\n"
                                    "PgStore(sys.argv[1]).close()", url],
                                   cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            creator.wait(timeout=3)
        with holder.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM information_schema.tables "
                           "WHERE table_schema = 'public'")
            assert cursor.fetchone()[0] == 0, "a table was created while the lock was held"
        holder.commit()  # ends the transaction: the advisory lock is released
        assert creator.wait(timeout=60) == 0, creator.stderr.read()
    finally:
        holder.close()
    with PgStore(url) as store:
        assert list(store.records()) == []


def test_sqlite_is_still_the_default(tmp_path):
    with sqlite_store.Store(tmp_path / "s.sqlite") as store:
        store.add(_record())
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1


def test_a_postgresql_backed_history_renders_the_report(server, tmp_path):
    """The no-server route into the shared store: records exported as files, `store import`ed
    through $GORO_STORE; then `history` and `report` read the PostgreSQL store."""
    import os
    from suite.results.record import save_file
    url = server.new_database()
    files = []
    for index in range(5):
        scale = {synth.NAMES[0]: 1.3 if index >= 3 else 1.0}
        record = Record(gbench_runs=[synth.document(seed=index, repetitions=5, scale=scale)],
                        context={"machine": {"machine_id": "m1"},
                                 "git": {"sha": f"{index:040d}", "dirty": False}})
        files.append(tmp_path / f"r{index}.json")
        save_file(record, files[-1])
    env = {**os.environ, "GORO_STORE": url}

    def suite(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "suite.cli", *args], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    imported = suite("store", "import", *map(str, files))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert suite("store", "list").stdout.count("\n") == 5
    history = suite("history", "--machine", "m1")
    assert history.returncode == 0 and "chan_pingpong/goro/go/workers:1" in history.stdout, \
        history.stdout + history.stderr
    report = suite("report", "--record", "latest", "--out", str(tmp_path / "out"))
    assert report.returncode == 0, report.stdout + report.stderr
    page = (tmp_path / "out" / "plots" / "hist_chan_pingpong_w1.svg").read_text()
    assert 'id="changepoint-goro/go-3"' in page
    assert url.split("?")[0] not in report.stderr  # nothing went wrong with the store
