"""The results store: records in SQLite (the default, one file) or PostgreSQL (the history a CI
fleet shares, selected by a `postgresql://` URL).

One schema, one list of migrations and one set of queries serve both databases; what differs is
a Dialect: how to connect and recognise a store as ours, the placeholder, the id column's type,
how a new row's id comes back, how a transaction starts and how migrations are serialised.
Queries are written once with `?` placeholders; a Session hands them to the dialect's driver.

Schema (version 3), the same tables and columns on both:
  meta(key, value)                 — 'schema_version'; on PostgreSQL also ('application', 'goro')
  records(id, uuid, created, label, kind, machine_id, git_sha, git_branch, git_dirty,
          context_json, gbench_json)  — gbench_json is the list of untouched runs
  samples(record_id, benchmark, repetition, real_time_ns, cpu_time_ns, items_per_second)
                                   — derived index for history queries (added in version 2)
Version 3 rewrote machine_id (column and context) to today's id, which no longer hashes the
kernel release (context.rehash_machine_id), so old and new records of one machine are one history.
MIGRATIONS[v] brings a store from version v to v + 1, each step in one transaction that first
re-reads the version (another process may have migrated since we looked); a store written by a
newer suite is refused rather than guessed at.

Nothing already stored is ever damaged: a file or database that is not ours is refused untouched,
and opening for reading (create=False) never creates anything.
- SQLite: the file is first inspected read-only (SQLite header, `PRAGMA application_id`, schema
  version, integrity quick_check); only a file that is ours — or absent, empty, or an SQLite
  database with no tables yet (another process is creating it) — is then opened for writing, in
  WAL mode. A write is one BEGIN IMMEDIATE transaction; writers wait up to BUSY_TIMEOUT_SECONDS for
  another job's write lock, which also serialises migrations.
- PostgreSQL: a schema with tables but no goro `meta` row is foreign. A migration step holds the
  transaction-level advisory lock pg_advisory_xact_lock(APPLICATION_ID), so concurrent creators
  serialise and exactly one creates the tables; ids come from a sequence (BIGSERIAL). Lock order:
  the advisory lock, then tables. psycopg2 (Debian's python3-psycopg2) is imported when a
  PostgreSQL store is opened, never before.

Selectors (get) behave the same on both: a record id, 'latest', 'latest~N', a uuid, or a git sha
prefix compared as text (case-insensitively, as git reads a sha): no character is a wildcard.
"""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, Union

from .context import rehash_machine_id
from .record import Record

APPLICATION_ID = 0x676F726F  # "goro": SQLite's application_id, PostgreSQL's advisory lock key
APPLICATION = ("application", "goro")  # PostgreSQL: the meta row that marks a database as ours
SCHEMA_VERSION = 3
SQLITE_MAGIC = b"SQLite format 3\x00"
URL_PREFIXES = ("postgresql://", "postgres://")
# How long an SQLite writer waits for another job's write lock. A write holds the lock for one
# record's rows (milliseconds), a migration for the whole store once; but CI machines run several
# jobs on few cores and a job may be descheduled while it holds the lock, so the wait is generous:
# a minute of waiting costs less than a benchmark run lost to "database is locked".
BUSY_TIMEOUT_SECONDS = 60.0
ID_LIMIT = 2 ** 63 - 1  # both databases' largest id: a larger number selects nothing
COLUMNS = "id, uuid, created, label, kind, context_json, gbench_json"

Location = Union[str, Path]


class StoreError(RuntimeError):
    """StoreError means the store cannot be used (corrupt, foreign, too new, unreachable)."""


def is_url(location: object) -> bool:
    """is_url() tells a PostgreSQL URL from an SQLite path."""
    return isinstance(location, str) and location.startswith(URL_PREFIXES)


def _one_line(error: BaseException) -> str:
    """_one_line() is a driver message on one line (libpq adds indented hint lines)."""
    return " ".join(str(error).split())


def _absent(where: str) -> StoreError:
    return StoreError(f"{where}: no results store here yet (`scripts/suite bench` or "
                      "`scripts/suite store import` creates it)")


class Session:
    """Session runs the store's queries (written with `?` placeholders) on one cursor of a
    dialect's connection, inside whatever transaction the cursor is in."""

    def __init__(self, dialect: "Dialect", cursor: Any) -> None:
        self.dialect, self.cursor = dialect, cursor

    def execute(self, query: str, args: Sequence[Any] = ()) -> Any:
        # Without arguments a query goes to the driver as written: psycopg2 reads '%' as a
        # placeholder only when it is given arguments.
        if args:
            self.cursor.execute(self.dialect.sql(query), tuple(args))
        else:
            self.cursor.execute(query)
        return self.cursor

    def rows(self, query: str, args: Sequence[Any] = ()) -> list[tuple]:
        return self.execute(query, args).fetchall()

    def many(self, query: str, rows: list[tuple]) -> None:
        if rows:
            self.cursor.executemany(self.dialect.sql(query), rows)

    def insert(self, query: str, args: Sequence[Any]) -> int:
        """insert() runs one INSERT and returns the new row's id."""
        return self.dialect.inserted_id(self.cursor, self.dialect.sql(query), tuple(args))


# ---- The schema and its migrations, once for both dialects. ----

def _migrate_to_1(session: Session) -> None:
    session.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    session.execute(f"""CREATE TABLE records (
        id {session.dialect.id_column}, uuid TEXT NOT NULL UNIQUE, created TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'bench',
        machine_id TEXT NOT NULL, git_sha TEXT NOT NULL, git_branch TEXT, git_dirty INTEGER,
        context_json TEXT NOT NULL, gbench_json TEXT NOT NULL)""")
    session.execute("CREATE INDEX records_machine ON records(machine_id, created)")


def _migrate_to_2(session: Session) -> None:
    real = session.dialect.real
    session.execute(f"""CREATE TABLE samples (
        record_id {session.dialect.id_reference} NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        benchmark TEXT NOT NULL, repetition INTEGER NOT NULL, real_time_ns {real} NOT NULL,
        cpu_time_ns {real} NOT NULL, items_per_second {real})""")
    session.execute("CREATE INDEX samples_benchmark ON samples(benchmark, record_id)")
    for record_id, gbench_json in session.rows("SELECT id, gbench_json FROM records"):
        _index_samples(session, int(record_id), Record(gbench_runs=json.loads(gbench_json)))


def _migrate_to_3(session: Session) -> None:
    for record_id, context_json in session.rows("SELECT id, context_json FROM records"):
        context = json.loads(context_json)
        machine = context.get("machine")
        if isinstance(machine, dict) and rehash_machine_id(machine):
            session.execute("UPDATE records SET machine_id=?, context_json=? WHERE id=?",
                            (machine["machine_id"], json.dumps(context), record_id))


# MIGRATIONS[v] brings a store from version v to v + 1.
MIGRATIONS: dict[int, Callable[[Session], None]] = {0: _migrate_to_1, 1: _migrate_to_2,
                                                    2: _migrate_to_3}
assert len(MIGRATIONS) == SCHEMA_VERSION


def _index_samples(session: Session, record_id: int, record: Record) -> None:
    rows = []
    for name, samples in record.samples().items():
        items = samples.counters.get("items_per_second", [])
        for index, (real, cpu) in enumerate(zip(samples.real_time_ns, samples.cpu_time_ns)):
            rows.append((record_id, name, index, real, cpu,
                         items[index] if index < len(items) else None))
    session.many("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?)", rows)


def _flag(value: object) -> int | None:
    """_flag() is git_dirty as the column keeps it: 1, 0, or NULL when unknown (context_json
    keeps whatever the record said)."""
    return int(value) if isinstance(value, (bool, int)) else None


# ---- The dialects: what differs between the two databases. ----

class Dialect:
    """Dialect is one database's way of doing what the store asks; `where` names it in messages
    and `db` is the open connection (None before connect() and after close())."""
    id_column: str      # records.id: a primary key the database numbers itself
    id_reference: str   # the type of a column that refers to records.id
    real: str           # a double-precision float
    errors: tuple[type[BaseException], ...] = ()  # the driver's errors, reported as StoreError
    where: str
    db: Any = None

    def sql(self, query: str) -> str:
        """sql() is a `?`-placeholder query in the driver's own placeholder style."""
        return query

    def connect(self, create: bool) -> int:
        """connect() opens the database and returns its schema version (0: no store yet);
        StoreError when it is not ours or newer, or (create=False) when there is no store."""
        raise NotImplementedError

    def version(self, cursor: Any) -> int:
        """version() reads the schema version inside the cursor's transaction (see connect)."""
        raise NotImplementedError

    def transaction(self) -> Any:
        """transaction() is a context manager: a cursor in a write transaction, committed at the
        end, rolled back on an exception."""
        raise NotImplementedError

    def reading(self) -> Any:
        """reading() is a context manager: a cursor for reads."""
        raise NotImplementedError

    def lock_for_migration(self, cursor: Any) -> None:
        """lock_for_migration() serialises migration steps between processes (in a transaction)."""

    def mark_ours(self, cursor: Any) -> None:
        """mark_ours() marks a newly created store as goro's (right after migration 0 → 1)."""

    def inserted_id(self, cursor: Any, query: str, args: tuple) -> int:
        """inserted_id() runs an INSERT into records and returns the new id."""
        raise NotImplementedError

    def transient(self, error: BaseException) -> bool:
        """transient() tells a lock conflict worth retrying from a real failure."""
        return False

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class SQLite(Dialect):
    """SQLite: one file, WAL, BEGIN IMMEDIATE writes, and a busy wait for other writers."""
    id_column = "INTEGER PRIMARY KEY"
    id_reference = "INTEGER"
    real = "REAL"
    errors = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path, self.where = path, str(path)

    def connect(self, create: bool) -> int:
        version = inspect(self.path)
        if version == 0 and not create:
            raise _absent(self.where)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            reason = "exists and is not a directory" if isinstance(error, FileExistsError) \
                else error.strerror
            raise StoreError(f"{self.path.parent}: cannot create the store's directory "
                             f"({reason})") from None
        self.db = sqlite3.connect(str(self.path), isolation_level=None,
                                  timeout=BUSY_TIMEOUT_SECONDS)
        self.db.execute("PRAGMA foreign_keys=ON")
        if self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch to WAL journal mode")
        return version

    def version(self, cursor: Any) -> int:
        return _sqlite_version(cursor, self.where)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        cursor = self.db.cursor()
        cursor.execute("BEGIN IMMEDIATE")  # the write lock, taken now: a migration step holds it
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Any]:
        yield self.db.cursor()  # autocommit: each read is its own snapshot

    def mark_ours(self, cursor: Any) -> None:
        cursor.execute(f"PRAGMA application_id={APPLICATION_ID}")

    def inserted_id(self, cursor: Any, query: str, args: tuple) -> int:
        cursor.execute(query, args)
        return int(cursor.lastrowid or 0)

    def transient(self, error: BaseException) -> bool:
        # Switching a new file to WAL takes an exclusive lock that SQLite does not wait for;
        # another creator holding it is transient.
        return _is_busy(error)


class PostgreSQL(Dialect):
    """PostgreSQL: a database (its current schema) on a server, psycopg2, advisory-locked
    migrations."""
    id_column = "BIGSERIAL PRIMARY KEY"
    id_reference = "BIGINT"
    real = "DOUBLE PRECISION"

    def __init__(self, url: str) -> None:
        self.url, self.where = url, _redacted(url)

    def sql(self, query: str) -> str:
        return query.replace("%", "%%").replace("?", "%s")

    def connect(self, create: bool) -> int:
        try:
            import psycopg2
        except ImportError:
            raise StoreError("a postgresql:// store needs Debian's python3-psycopg2 "
                             "(sudo apt-get install -y python3-psycopg2)") from None
        self.errors = (psycopg2.Error,)
        try:
            self.db = psycopg2.connect(self.url, connect_timeout=30,
                                       application_name="goro scripts/suite")
        except psycopg2.Error as error:
            raise StoreError(f"{self.where}: cannot connect ({_one_line(error)})") from None
        with self.reading() as cursor:
            version = self.version(cursor)
        if version == 0 and not create:
            raise _absent(self.where)
        return version

    def version(self, cursor: Any) -> int:
        """version(): 0 for a schema without tables; StoreError when the tables are not ours,
        versionless, or newer than this suite."""
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = current_schema()")
        tables = {row[0] for row in cursor.fetchall()}
        if not tables:
            return 0
        if "meta" not in tables:
            raise StoreError(f"{self.where}: a database with other tables "
                             f"({', '.join(sorted(tables)[:5])}) that is not a goro results "
                             "store; refusing to touch it")
        cursor.execute("SELECT key, value FROM meta WHERE key IN (%s, 'schema_version')",
                       (APPLICATION[0],))
        meta = dict(cursor.fetchall())
        if meta.get(APPLICATION[0]) != APPLICATION[1]:
            raise StoreError(f"{self.where}: a 'meta' table that is not a goro results store's; "
                             "refusing to touch it")
        try:
            version = int(meta["schema_version"])
        except (KeyError, ValueError):
            raise StoreError(f"{self.where}: results store without a schema version; refusing "
                             "to touch it") from None
        return _not_newer(version, self.where)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.db, self.db.cursor() as cursor:  # psycopg2: commit, or rollback on an exception
            yield cursor

    reading = transaction  # a read is a transaction too (ended at once, never left open)

    def lock_for_migration(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))

    def mark_ours(self, cursor: Any) -> None:
        cursor.execute("INSERT INTO meta VALUES (%s, %s)", APPLICATION)

    def inserted_id(self, cursor: Any, query: str, args: tuple) -> int:
        cursor.execute(query + " RETURNING id", args)
        return int(cursor.fetchone()[0])


def _redacted(url: str) -> str:
    """_redacted() hides a password in a URL for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


def _not_newer(version: int, where: str) -> int:
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where}: schema version {version} is newer than this suite "
                         f"({SCHEMA_VERSION}); update the suite")
    return version


def inspect(path: Path) -> int:
    """inspect() returns the schema version of an existing SQLite store (0 for an absent or empty
    file) without writing anything; StoreError when the file is not a healthy goro store."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a results store")
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            raise StoreError(f"{path}: not an SQLite database (corrupt or foreign file); "
                             "refusing to touch it — move it away or pass another --store")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS,
                             isolation_level=None)
        try:
            # One read transaction, so every read below sees the same snapshot: read one by one,
            # a creator's commit in between would show tables without our application_id.
            db.execute("BEGIN")
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise StoreError(f"{path}: damaged SQLite database ({check}); refusing to touch it")
            return _sqlite_version(db, str(path))
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        if _is_busy(error):
            raise
        raise StoreError(f"{path}: unreadable results store ({error}); refusing to touch it") from None


def _sqlite_version(db: Any, where: str) -> int:
    """_sqlite_version() reads the schema version through an open connection or cursor, inside
    one transaction (one snapshot): 0 for a database without any table (new, or being created by
    another process right now); StoreError when foreign, versionless or newer than this suite."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id == 0 and db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:
        return 0
    if application_id != APPLICATION_ID:
        raise StoreError(f"{where}: an SQLite database that is not a goro results store "
                         f"(application_id {application_id:#x}); refusing to touch it")
    try:
        version = int(db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
    except (sqlite3.DatabaseError, TypeError, ValueError):
        raise StoreError(f"{where}: results store without a schema version; refusing to touch it") \
            from None
    return _not_newer(version, where)


def _is_busy(error: BaseException) -> bool:
    """_is_busy() tells a transient SQLite lock conflict with another process from a real failure."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


# ---- The store. ----

class Store:
    """Store is an open results store, SQLite or PostgreSQL; use as a context manager."""

    def __init__(self, location: Location, create: bool = True) -> None:
        """Store(location) opens the SQLite file or the PostgreSQL database a `postgresql://` URL
        names, creating the store when absent; Store(location, create=False) is for readers and
        raises StoreError instead of creating anything."""
        self.dialect: Dialect = PostgreSQL(location) if is_url(location) else SQLite(Path(location))
        self.path = self.dialect.where  # what messages name: the file, or the URL sans password
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                self._migrate(self.dialect.connect(create))
                return
            except StoreError:
                self.dialect.close()
                raise
            except self.dialect.errors as error:
                self.dialect.close()
                if not self.dialect.transient(error) or time.monotonic() > deadline:
                    raise StoreError(f"{self.path}: {_one_line(error)}") from None
                time.sleep(0.05)

    @property
    def db(self) -> Any:
        """db is the open driver connection (sqlite3 or psycopg2)."""
        return self.dialect.db

    def _migrate(self, version: int) -> None:
        """_migrate() runs the missing migrations, each in its own transaction that takes the
        dialect's migration lock and re-reads the version: another process may have migrated
        since we looked."""
        while version < SCHEMA_VERSION:
            with self.dialect.transaction() as cursor:
                self.dialect.lock_for_migration(cursor)
                version = self.dialect.version(cursor)
                if version >= SCHEMA_VERSION:
                    break
                session = Session(self.dialect, cursor)
                MIGRATIONS[version](session)
                if version == 0:
                    self.dialect.mark_ours(cursor)
                version += 1
                session.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) "
                                "DO UPDATE SET value = excluded.value", (str(version),))

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """close() closes the connection (SQLite checkpoints its WAL)."""
        self.dialect.close()

    def add(self, record: Record) -> int:
        """add() stores a record and its sample index in one transaction; returns its id."""
        git = record.context.get("git", {})
        try:
            with self.dialect.transaction() as cursor:
                session = Session(self.dialect, cursor)
                record_id = session.insert(
                    "INSERT INTO records (uuid, created, label, kind, machine_id, git_sha, "
                    "git_branch, git_dirty, context_json, gbench_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.uuid, record.created, record.label, record.kind, record.machine_id,
                     record.git_sha, git.get("branch"), _flag(git.get("dirty")),
                     json.dumps(record.context), json.dumps(record.gbench_runs)))
                _index_samples(session, record_id, record)
        except self.dialect.errors as error:
            raise StoreError(f"{self.path}: cannot store {record.describe()} "
                             f"({_one_line(error)})") from None
        record.id = record_id
        return record_id

    def _rows(self, query: str, args: Sequence[Any] = ()) -> list[tuple]:
        try:
            with self.dialect.reading() as cursor:
                return Session(self.dialect, cursor).rows(query, args)
        except self.dialect.errors as error:
            raise StoreError(f"{self.path}: {_one_line(error)}") from None

    def has_uuid(self, uuid: str) -> bool:
        """has_uuid() tells whether a record (e.g. an imported one) is already stored."""
        return self._rows("SELECT 1 FROM records WHERE uuid=?", (uuid,)) != []

    @staticmethod
    def _row_to_record(row: tuple) -> Record:
        record_id, uuid, created, label, kind, context_json, gbench_json = row
        return Record(gbench_runs=json.loads(gbench_json), context=json.loads(context_json),
                      label=label, kind=kind, uuid=uuid, created=created, id=int(record_id))

    def get(self, selector: str) -> Record:
        """get() finds a record by id ('12'), 'latest', 'latest~N', a uuid or a git sha prefix
        (the newest record of that commit; an all-digit selector that is no record id is tried
        as a sha prefix too); StoreError when nothing matches. 'latest' and a sha prefix skip
        gate results (kind 'gate': verdicts, no samples) — they select measurements. A sha prefix
        is compared as text, case-insensitively: '%' and '_' are characters like any other."""
        rows: list[tuple] = []
        if selector == "latest" or selector.startswith("latest~"):
            offset = selector.partition("~")[2] or "0"
            if not offset.isdigit():
                raise StoreError(f"bad selector {selector!r}: expected latest~N with N a number")
            if int(offset) <= ID_LIMIT:
                rows = self._rows(f"SELECT {COLUMNS} FROM records WHERE kind != 'gate' "
                                  "ORDER BY id DESC LIMIT 1 OFFSET ?", (int(offset),))
        else:
            if selector.isdigit() and int(selector) <= ID_LIMIT:
                rows = self._rows(f"SELECT {COLUMNS} FROM records WHERE id=?", (int(selector),))
            if not rows and selector:
                rows = self._rows(f"SELECT {COLUMNS} FROM records WHERE uuid=? OR "
                                  "(substr(lower(git_sha), 1, ?) = ? AND kind != 'gate') "
                                  "ORDER BY id DESC LIMIT 1",
                                  (selector, len(selector), selector.lower()))
        if not rows:
            raise StoreError(f"{self.path}: no record matches {selector!r}")
        return self._row_to_record(rows[0])

    def records(self, machine_id: str | None = None, kind: str | None = None) -> Iterator[Record]:
        """records() iterates stored records oldest first, optionally for one machine/kind."""
        query = f"SELECT {COLUMNS} FROM records WHERE 1=1"
        args: list[str] = []
        if machine_id:
            query += " AND machine_id=?"
            args.append(machine_id)
        if kind:
            query += " AND kind=?"
            args.append(kind)
        for row in self._rows(query + " ORDER BY id", args):
            yield self._row_to_record(row)
