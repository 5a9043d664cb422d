"""The store on PostgreSQL against a real server the tests start (suite/tests/pgserver.py): the same
schema as SQLite, refusals, the advisory lock, concurrent creators and writers, and a report read
from PostgreSQL. test_store.py runs the selectors, round trips and migrations on both databases."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from suite.results import store as store_module
from suite.results.record import Record
from suite.results.store import Store, StoreError, is_url
from suite.tests import synth
from suite.tests.conftest import REPO_ROOT

psycopg2 = pytest.importorskip("psycopg2", reason="python3-psycopg2 is not installed")


@pytest.fixture
def server(pg_server):
    """server is the run's throw-away PostgreSQL (conftest.pg_server)."""
    return pg_server


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


def test_same_tables_and_columns_as_sqlite(url, tmp_path):
    with Store(url):
        pass
    with Store(tmp_path / "s.sqlite") as store:
        names = [r[0] for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        sqlite_tables = {n: [c[1] for c in store.db.execute(f"PRAGMA table_info({n})")]
                         for n in names}
    assert _tables(url) == sqlite_tables


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
        with Store(url) as store:
            store.add(_record())
        connection = psycopg2.connect(url)
        with connection, connection.cursor() as cursor:
            cursor.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
        connection.close()
    before = _tables(url)
    with pytest.raises(StoreError, match="refusing|newer"):
        Store(url)
    assert _tables(url) == before


def test_a_reader_never_creates_the_tables(url):
    with pytest.raises(StoreError, match="no results store here yet"):
        Store(url, create=False)
    assert _tables(url) == {}


def test_unreachable_server_is_a_store_error(server):
    with pytest.raises(StoreError, match="cannot connect"):
        Store(f"postgresql:///postgres?host={server.root}&port=1&user={server.user}")


WRITER = textwrap.dedent("""
    import sys
    from suite.results.store import Store
    from suite.results.record import Record
    from suite.tests import synth
    url, worker = sys.argv[1], int(sys.argv[2])
    for index in range(5):
        with Store(url) as store:
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
    with Store(url) as store:
        records = list(store.records())
    assert len(records) == 20 and len({r.id for r in records}) == 20
    assert {r.machine_id for r in records} == {"w0", "w1", "w2", "w3"}


def test_a_creator_migrates_only_under_the_advisory_lock(url):
    """Migrations are serialised by pg_advisory_xact_lock: while another session holds the lock,
    a creator opening a brand-new database waits and creates no table; once the lock is released
    it migrates and succeeds. (Without the lock, concurrent creators run the same step twice —
    the race the concurrent test above can only hit by chance.)"""
    holder = psycopg2.connect(url)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (store_module.APPLICATION_ID,))
        creator = subprocess.Popen([sys.executable, "-c", "import sys\n"
                                    "from suite.results.store import Store\n"
                                    "Store(sys.argv[1]).close()", url],
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
    with Store(url) as store:
        assert list(store.records()) == []


def test_sqlite_is_still_the_default(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
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
