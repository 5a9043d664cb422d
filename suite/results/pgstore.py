"""The results store on PostgreSQL: the history a CI fleet shares (store.py is the embedded one).

Selected by a `postgresql://` (or `postgres://`) URL as --store or $GORO_STORE; SQLite stays the
default. Same schema as store.py — tables meta, records, samples with the same columns, the same
version numbers reached by one migration per version — and the same Record API (add, has_uuid,
get, records), so every command works on either.

Refusals, as for SQLite (nothing is written to a database that is not ours):
- a database whose current schema has tables but no goro `meta` row ('application', 'goro') is
  foreign: refused untouched;
- a schema version newer than this suite's is refused (update the suite);
- opening for reading (create=False) never creates tables.
Concurrency: every write is one transaction. A migration step takes the transaction-level
advisory lock pg_advisory_xact_lock(APPLICATION_ID) and re-reads the version under it, so
concurrent creators serialise and exactly one creates the tables; record ids come from a sequence
(BIGSERIAL), so concurrent writers never collide. Lock order: the advisory lock, then tables.

psycopg2 (Debian's python3-psycopg2) is imported when a PostgreSQL store is opened, never before.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator

from .context import rehash_machine_id
from .record import Record
from .store import APPLICATION_ID, SCHEMA_VERSION, StoreError

URL_PREFIXES = ("postgresql://", "postgres://")
APPLICATION = ("application", "goro")


def is_url(location: object) -> bool:
    """is_url() tells a PostgreSQL URL from an SQLite path."""
    return isinstance(location, str) and location.startswith(URL_PREFIXES)


def _migrate_to_1(cursor: Any) -> None:
    cursor.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    cursor.execute("INSERT INTO meta VALUES (%s, %s)", APPLICATION)
    cursor.execute("""CREATE TABLE records (
        id BIGSERIAL PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, created TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'bench',
        machine_id TEXT NOT NULL, git_sha TEXT NOT NULL, git_branch TEXT, git_dirty INTEGER,
        context_json TEXT NOT NULL, gbench_json TEXT NOT NULL)""")
    cursor.execute("CREATE INDEX records_machine ON records(machine_id, created)")


def _migrate_to_2(cursor: Any) -> None:
    cursor.execute("""CREATE TABLE samples (
        record_id BIGINT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        benchmark TEXT NOT NULL, repetition INTEGER NOT NULL, real_time_ns DOUBLE PRECISION NOT NULL,
        cpu_time_ns DOUBLE PRECISION NOT NULL, items_per_second DOUBLE PRECISION)""")
    cursor.execute("CREATE INDEX samples_benchmark ON samples(benchmark, record_id)")
    cursor.execute("SELECT id, gbench_json FROM records")
    for record_id, gbench_json in cursor.fetchall():
        _index_samples(cursor, record_id, Record(gbench_runs=json.loads(gbench_json)))


def _migrate_to_3(cursor: Any) -> None:
    """Version 3 as in store.py: machine ids no longer hash the kernel release."""
    cursor.execute("SELECT id, context_json FROM records")
    for record_id, context_json in cursor.fetchall():
        context = json.loads(context_json)
        machine = context.get("machine")
        if isinstance(machine, dict) and rehash_machine_id(machine):
            cursor.execute("UPDATE records SET machine_id=%s, context_json=%s WHERE id=%s",
                           (machine["machine_id"], json.dumps(context), record_id))


# MIGRATIONS[v] brings a store from version v to v + 1 (the versions of store.MIGRATIONS).
MIGRATIONS: dict[int, Callable[[Any], None]] = {0: _migrate_to_1, 1: _migrate_to_2,
                                                2: _migrate_to_3}
assert len(MIGRATIONS) == SCHEMA_VERSION, "a store.py migration has no PostgreSQL twin"


def _index_samples(cursor: Any, record_id: int, record: Record) -> None:
    rows = []
    for name, samples in record.samples().items():
        items = samples.counters.get("items_per_second", [])
        for index, (real, cpu) in enumerate(zip(samples.real_time_ns, samples.cpu_time_ns)):
            rows.append((record_id, name, index, real, cpu,
                         items[index] if index < len(items) else None))
    if rows:
        cursor.executemany("INSERT INTO samples VALUES (%s, %s, %s, %s, %s, %s)", rows)


def _one_line(error: BaseException) -> str:
    """_one_line() is a driver message on one line (libpq adds indented hint lines)."""
    return " ".join(str(error).split())


def _redacted(url: str) -> str:
    """_redacted() hides a password in a URL for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


def _version(cursor: Any, where: str) -> int:
    """_version() reads the schema version: 0 for a schema without tables; StoreError when the
    tables are not ours, versionless, or newer than this suite."""
    cursor.execute("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = current_schema()")
    tables = {row[0] for row in cursor.fetchall()}
    if not tables:
        return 0
    if "meta" not in tables:
        raise StoreError(f"{where}: a database with other tables ({', '.join(sorted(tables)[:5])}) "
                         "that is not a goro results store; refusing to touch it")
    cursor.execute("SELECT key, value FROM meta WHERE key IN (%s, 'schema_version')",
                   (APPLICATION[0],))
    meta = dict(cursor.fetchall())
    if meta.get(APPLICATION[0]) != APPLICATION[1]:
        raise StoreError(f"{where}: a 'meta' table that is not a goro results store's; "
                         "refusing to touch it")
    try:
        version = int(meta["schema_version"])
    except (KeyError, ValueError):
        raise StoreError(f"{where}: results store without a schema version; refusing to touch it") \
            from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where}: schema version {version} is newer than this suite "
                         f"({SCHEMA_VERSION}); update the suite")
    return version


class PgStore:
    """PgStore is an open PostgreSQL results store; use as a context manager."""

    _COLUMNS = "id, uuid, created, label, kind, context_json, gbench_json"

    def __init__(self, url: str, create: bool = True) -> None:
        """PgStore(url) connects and migrates (creating the tables in an empty database);
        PgStore(url, create=False) is for readers and raises StoreError instead of creating."""
        try:
            import psycopg2
        except ImportError:
            raise StoreError("a postgresql:// store needs Debian's python3-psycopg2 "
                             "(sudo apt-get install -y python3-psycopg2)") from None
        self._driver = psycopg2
        self.path = _redacted(url)  # what messages name, as store.Store names its file
        try:
            self.db = psycopg2.connect(url, connect_timeout=30,
                                       application_name="goro scripts/suite")
        except psycopg2.Error as error:
            raise StoreError(f"{self.path}: cannot connect ({_one_line(error)})") from None
        try:
            with self.db, self.db.cursor() as cursor:
                version = _version(cursor, self.path)
            if version == 0 and not create:
                raise StoreError(f"{self.path}: no results store here yet (`scripts/suite bench`"
                                 " or `scripts/suite store import` creates it)")
            self._migrate()
        except psycopg2.Error as error:
            self.db.close()
            raise StoreError(f"{self.path}: {_one_line(error)}") from None
        except StoreError:
            self.db.close()
            raise

    def _migrate(self) -> None:
        """_migrate() runs one transaction per version step, each under the advisory lock with
        the version re-read, so a concurrent creator's step is never run twice."""
        while True:
            with self.db, self.db.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))
                version = _version(cursor, self.path)
                if version >= SCHEMA_VERSION:
                    return
                MIGRATIONS[version](cursor)
                cursor.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                               "DO UPDATE SET value = EXCLUDED.value", (str(version + 1),))

    def __enter__(self) -> "PgStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """close() closes the connection."""
        self.db.close()

    def add(self, record: Record) -> int:
        """add() stores a record and its sample index in one transaction; returns its id."""
        git = record.context.get("git", {})
        dirty = git.get("dirty")
        try:
            with self.db, self.db.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO records (uuid, created, label, kind, machine_id, git_sha, "
                    "git_branch, git_dirty, context_json, gbench_json) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (record.uuid, record.created, record.label, record.kind, record.machine_id,
                     record.git_sha, git.get("branch"), None if dirty is None else int(dirty),
                     json.dumps(record.context), json.dumps(record.gbench_runs)))
                record_id = int(cursor.fetchone()[0])
                _index_samples(cursor, record_id, record)
        except self._driver.Error as error:
            raise StoreError(f"{self.path}: {_one_line(error)}") from None
        record.id = record_id
        return record_id

    def has_uuid(self, uuid: str) -> bool:
        """has_uuid() tells whether a record (e.g. an imported one) is already stored."""
        return self._fetch("SELECT 1 FROM records WHERE uuid=%s", (uuid,)) != []

    def _fetch(self, query: str, args: tuple = ()) -> list[tuple]:
        try:
            with self.db, self.db.cursor() as cursor:
                cursor.execute(query, args)
                return cursor.fetchall()
        except self._driver.Error as error:
            raise StoreError(f"{self.path}: {_one_line(error)}") from None

    def _row_to_record(self, row: tuple) -> Record:
        record_id, uuid, created, label, kind, context_json, gbench_json = row
        return Record(gbench_runs=json.loads(gbench_json), context=json.loads(context_json),
                      label=label, kind=kind, uuid=uuid, created=created, id=int(record_id))

    def get(self, selector: str) -> Record:
        """get() finds a record like store.Store.get(): id, 'latest', 'latest~N', uuid or git sha
        prefix ('latest' and sha prefixes skip gate results); StoreError when nothing matches."""
        rows: list[tuple] = []
        if selector.isdigit():
            rows = self._fetch(f"SELECT {self._COLUMNS} FROM records WHERE id=%s", (int(selector),))
        if not rows and (selector == "latest" or selector.startswith("latest~")):
            offset = selector.partition("~")[2] or "0"
            if not offset.isdigit():
                raise StoreError(f"{self.path}: bad selector {selector!r} (latest~N)")
            rows = self._fetch(f"SELECT {self._COLUMNS} FROM records WHERE kind != 'gate' "
                               "ORDER BY id DESC LIMIT 1 OFFSET %s", (int(offset),))
        elif not rows:
            rows = self._fetch(f"SELECT {self._COLUMNS} FROM records WHERE uuid=%s OR "
                               "(git_sha LIKE %s AND kind != 'gate') ORDER BY id DESC LIMIT 1",
                               (selector, selector.replace("%", "") + "%"))
        if not rows:
            raise StoreError(f"{self.path}: no record matches {selector!r}")
        return self._row_to_record(rows[0])

    def records(self, machine_id: str | None = None, kind: str | None = None) -> Iterator[Record]:
        """records() iterates stored records oldest first, optionally for one machine/kind."""
        query = f"SELECT {self._COLUMNS} FROM records WHERE TRUE"
        args: list[str] = []
        if machine_id:
            query += " AND machine_id=%s"
            args.append(machine_id)
        if kind:
            query += " AND kind=%s"
            args.append(kind)
        for row in self._fetch(query + " ORDER BY id", tuple(args)):
            yield self._row_to_record(row)
