"""The results store: records in SQLite (WAL, one transaction per write, versioned schema).

Opening is two-phase so nothing already stored is ever damaged: the file is first inspected
read-only (SQLite header, `PRAGMA application_id`, schema version, integrity quick_check); only a
file that is ours — or absent, empty, or an SQLite database with no tables yet — is then opened
for writing. Migrations run in one transaction each; a store written by a newer suite is refused
rather than guessed at. Readers open with create=False: looking a record up never creates a file.

Concurrent CI jobs: several processes may create the same new store at the same moment. Each
migration step re-reads the schema version inside its BEGIN IMMEDIATE transaction, so exactly one
process creates the tables and the others find them; a database that another process has just
created but not yet migrated (no tables, application_id still 0) counts as empty, not foreign.
Writers wait up to BUSY_TIMEOUT_SECONDS for the write lock.

Schema (version 3):
  meta(key, value)                 — 'schema_version'
  records(id, uuid, created, label, kind, machine_id, git_sha, git_branch, git_dirty,
          context_json, gbench_json)  — gbench_json is the list of untouched runs
  samples(record_id, benchmark, repetition, real_time_ns, cpu_time_ns, items_per_second)
                                   — derived index for history queries (added in version 2)
Version 3 rewrote machine_id (column and context) to today's id, which no longer hashes the
kernel release (context.rehash_machine_id), so old and new records of one machine are one history.
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterator

from .context import rehash_machine_id
from .record import Record

APPLICATION_ID = 0x676F726F  # "goro"
SCHEMA_VERSION = 3
SQLITE_MAGIC = b"SQLite format 3\x00"
# How long a writer waits for another job's write lock. A write holds the lock for one record's
# rows (milliseconds), a migration for the whole store once; but CI machines run several jobs on
# few cores and a job may be descheduled while it holds the lock, so the wait is generous: a
# minute of waiting costs less than a benchmark run lost to "database is locked".
BUSY_TIMEOUT_SECONDS = 60.0


class StoreError(RuntimeError):
    """StoreError means the store file cannot be used (corrupt, foreign, too new)."""


def _migrate_to_1(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("""CREATE TABLE records (
        id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, created TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'bench',
        machine_id TEXT NOT NULL, git_sha TEXT NOT NULL, git_branch TEXT, git_dirty INTEGER,
        context_json TEXT NOT NULL, gbench_json TEXT NOT NULL)""")
    db.execute("CREATE INDEX records_machine ON records(machine_id, created)")


def _migrate_to_2(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE samples (
        record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        benchmark TEXT NOT NULL, repetition INTEGER NOT NULL, real_time_ns REAL NOT NULL,
        cpu_time_ns REAL NOT NULL, items_per_second REAL)""")
    db.execute("CREATE INDEX samples_benchmark ON samples(benchmark, record_id)")
    for record_id, gbench_json in db.execute("SELECT id, gbench_json FROM records").fetchall():
        _index_samples(db, record_id, Record(gbench_runs=json.loads(gbench_json)))


def _migrate_to_3(db: sqlite3.Connection) -> None:
    for record_id, context_json in db.execute("SELECT id, context_json FROM records").fetchall():
        context = json.loads(context_json)
        machine = context.get("machine")
        if isinstance(machine, dict) and rehash_machine_id(machine):
            db.execute("UPDATE records SET machine_id=?, context_json=? WHERE id=?",
                       (machine["machine_id"], json.dumps(context), record_id))


# MIGRATIONS[v] brings a store from version v to v + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_to_1, 1: _migrate_to_2,
                                                                2: _migrate_to_3}


def _index_samples(db: sqlite3.Connection, record_id: int, record: Record) -> None:
    for name, samples in record.samples().items():
        items = samples.counters.get("items_per_second", [])
        for index, (real, cpu) in enumerate(zip(samples.real_time_ns, samples.cpu_time_ns)):
            db.execute("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?)",
                       (record_id, name, index, real, cpu,
                        items[index] if index < len(items) else None))


def inspect(path: Path) -> int:
    """inspect() returns the schema version of an existing store (0 for an absent or empty
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
            return _version(db, path)
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        if _is_busy(error):
            raise
        raise StoreError(f"{path}: unreadable results store ({error}); refusing to touch it") from None


def _version(db: sqlite3.Connection, path: Path) -> int:
    """_version() reads the schema version through an open connection, inside one transaction
    (one snapshot): 0 for a database without any table (new, or being created by another process
    right now); StoreError when foreign, versionless or newer than this suite."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id == 0 and db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:
        return 0
    if application_id != APPLICATION_ID:
        raise StoreError(f"{path}: an SQLite database that is not a goro results store "
                         f"(application_id {application_id:#x}); refusing to touch it")
    try:
        version = int(db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
    except (sqlite3.DatabaseError, TypeError, ValueError):
        raise StoreError(f"{path}: results store without a schema version; refusing to touch it") \
            from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: schema version {version} is newer than this suite "
                         f"({SCHEMA_VERSION}); update the suite")
    return version


def _is_busy(error: sqlite3.Error) -> bool:
    """_is_busy() tells a transient lock conflict with another process from a real failure."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


class Store:
    """Store is an open results store; use as a context manager."""

    def __init__(self, path: Path, create: bool = True) -> None:
        """Store(path) opens the store, creating it when absent; Store(path, create=False) is
        for readers and raises StoreError instead of creating anything."""
        self.path = path
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                self._open(create)
                return
            except sqlite3.DatabaseError as error:
                self._close_quietly()
                # Switching a new file to WAL takes an exclusive lock that SQLite does not wait
                # for; another creator holding it is transient, so try again until the deadline.
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise StoreError(f"{path}: {error}") from None
                time.sleep(0.05)

    def _open(self, create: bool) -> None:
        self.db: sqlite3.Connection | None = None
        version = inspect(self.path)
        if version == 0 and not create:
            raise StoreError(f"{self.path}: no results store here yet (`scripts/suite bench` or "
                             "`scripts/suite store import` creates it)")
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
        self._migrate(version)

    def _close_quietly(self) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
            self.db = None

    def _migrate(self, version: int) -> None:
        """_migrate() runs the missing migrations, each in its own transaction that first
        re-reads the version: another process may have migrated since we looked."""
        while version < SCHEMA_VERSION:
            with self.transaction():
                version = _version(self.db, self.path)
                if version >= SCHEMA_VERSION:
                    break
                MIGRATIONS[version](self.db)
                if version == 0:
                    self.db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                version += 1
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                                (str(version),))

    def transaction(self) -> "_Transaction":
        """transaction() is a BEGIN IMMEDIATE … COMMIT block (ROLLBACK on any exception)."""
        return _Transaction(self.db)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """close() closes the connection (the WAL is checkpointed by SQLite)."""
        self._close_quietly()

    def add(self, record: Record) -> int:
        """add() stores a record and its sample index in one transaction; returns its id."""
        git = record.context.get("git", {})
        try:
            with self.transaction():
                cursor = self.db.execute(
                    "INSERT INTO records (uuid, created, label, kind, machine_id, git_sha, "
                    "git_branch, git_dirty, context_json, gbench_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.uuid, record.created, record.label, record.kind, record.machine_id,
                     record.git_sha, git.get("branch"), git.get("dirty"),
                     json.dumps(record.context), json.dumps(record.gbench_runs)))
                record_id = int(cursor.lastrowid or 0)
                _index_samples(self.db, record_id, record)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot store {record.describe()} ({error})") from None
        record.id = record_id
        return record_id

    def has_uuid(self, uuid: str) -> bool:
        """has_uuid() tells whether a record (e.g. an imported one) is already stored."""
        return self.db.execute("SELECT 1 FROM records WHERE uuid=?", (uuid,)).fetchone() is not None

    def _row_to_record(self, row: tuple) -> Record:
        record_id, uuid, created, label, kind, context_json, gbench_json = row
        return Record(gbench_runs=json.loads(gbench_json), context=json.loads(context_json),
                      label=label, kind=kind, uuid=uuid, created=created, id=record_id)

    _COLUMNS = "id, uuid, created, label, kind, context_json, gbench_json"

    def get(self, selector: str) -> Record:
        """get() finds a record by id ('12'), 'latest', 'latest~N', a uuid or a git sha prefix
        (the newest record of that commit; an all-digit selector that is no record id is tried
        as a sha prefix too); StoreError when nothing matches. 'latest' and a sha prefix skip
        gate results (kind 'gate': verdicts, no samples) — they select measurements."""
        row = None
        if selector == "latest" or selector.startswith("latest~"):
            offset = selector.partition("~")[2] or "0"
            if not offset.isdigit():
                raise StoreError(f"bad selector {selector!r}: expected latest~N with N a number")
            row = self.db.execute(f"SELECT {self._COLUMNS} FROM records WHERE kind != 'gate' "
                                  "ORDER BY id DESC LIMIT 1 OFFSET ?", (int(offset),)).fetchone()
        else:
            if selector.isdigit():
                row = self.db.execute(f"SELECT {self._COLUMNS} FROM records WHERE id=?",
                                      (int(selector),)).fetchone()
            if row is None and selector:
                # LIKE with the prefix escaped: '%' and '_' in a selector are literal characters.
                prefix = selector.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                row = self.db.execute(f"SELECT {self._COLUMNS} FROM records WHERE uuid=? OR "
                                      "(git_sha LIKE ? ESCAPE '\\' AND kind != 'gate') "
                                      "ORDER BY id DESC LIMIT 1",
                                      (selector, prefix + "%")).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no record matches {selector!r}")
        return self._row_to_record(row)

    def records(self, machine_id: str | None = None, kind: str | None = None) -> Iterator[Record]:
        """records() iterates stored records oldest first, optionally for one machine/kind."""
        query = f"SELECT {self._COLUMNS} FROM records WHERE 1=1"
        args: list[str] = []
        if machine_id:
            query += " AND machine_id=?"
            args.append(machine_id)
        if kind:
            query += " AND kind=?"
            args.append(kind)
        for row in self.db.execute(query + " ORDER BY id", args).fetchall():
            yield self._row_to_record(row)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
