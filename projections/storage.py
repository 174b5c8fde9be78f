"""The read-model store: one SQLite file or one PostgreSQL schema, with tracking records.

Built on the library's tracking recorders so that every batch of view changes is committed in
the same transaction as the position it brings the view to (exactly-once). View SQL is written
once with ``?`` placeholders and portable types; the PostgreSQL flavour translates both.
"""

from __future__ import annotations

import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import psycopg
from eventsourcing.persistence import InterfaceError, InternalError, OperationalError
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import (
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteDatastore,
    SQLiteTrackingRecorder,
)
from psycopg.conninfo import conninfo_to_dict
from psycopg.sql import SQL, Composed


class Statement(NamedTuple):
    """One SQL statement of a projection. A named tuple: a frozen dataclass's ``__init__``
    took a microsecond more, and a terminal's read after a round of work makes forty-odd."""

    sql: str
    params: tuple[Any, ...] = ()


class Row(Protocol):
    def __getitem__(self, key: str) -> Any: ...

    def keys(self) -> Any: ...


CREATION_ATTEMPTS = 8
# A views connection's page cache (KiB) while a rebuild writes (SQLite's default is 2 MB):
# its batches touch pages all over every table, re-read and spilled many times otherwise.
BULK_CACHE_KIB = 65536
# While a rebuild writes: SQLite copies its log into the file inside the commit that takes it
# past this many pages (1,000 otherwise), so the pages a batch rewrites that the next batches
# rewrite again (B-tree interiors, the statistics' rows) are copied and flushed once, at the
# end (a truncating checkpoint), instead of after every batch: at 30,000 cases the commits
# were a fifth of the rebuild's time.
BULK_AUTOCHECKPOINT_PAGES = 50_000
DEFAULT_AUTOCHECKPOINT_PAGES = 1000
DEFAULT_CACHE_KIB = 2000
# Prepared statements kept per views connection: every statement the projections run, and more.
STATEMENT_CACHE = 256


class StaleBatch(Exception):
    """Another process already applied part of this batch; the caller re-reads its position."""


class ViewStore(Protocol):
    @property
    def tracking_table(self) -> str:
        """The table holding each projection's position."""
        ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def apply(
        self, statements: Sequence[Statement], application_name: str, after: int, last: int
    ) -> None:
        """Applies the statements and moves the position from exactly ``after`` to ``last``
        in one transaction; raises ``StaleBatch`` (and changes nothing) when the position is
        not ``after``."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def execute(self, statements: Sequence[Statement]) -> None:
        """Runs statements in one transaction outside the tracked projection: work that any
        position of the views allows (indexing a client whose tokens were deferred)."""

    def reset(self, keep: Sequence[str] = ()) -> None:
        """Drops every view table but those in ``keep``, and the tracking position."""
        ...

    def purge_freed_pages(self) -> None: ...

    def bulk(self) -> AbstractContextManager[None]:
        """While a rebuild applies its large batches: settings that make them cheaper and
        change nothing of what they write or of its consistency."""
        ...

    def close(self) -> None: ...


def _apply(
    cursor: Any,
    tracking_table: str,
    statements: Iterable[Statement],
    application_name: str,
    after: int,
    last: int,
    translate: Any,
    *,
    pipelined: bool = False,
) -> None:
    # Moving the position from exactly ``after`` to ``last`` is what makes a batch
    # exactly-once: it is refused when another process applied any of it meanwhile, and when
    # the views are not where the caller thought (a rebuild elsewhere), so nothing is applied
    # twice and no gap is ever recorded. It also takes the row lock first.
    if after == 0:
        try:
            cursor.execute(
                translate(f"INSERT INTO {tracking_table} VALUES (?, ?)"),  # noqa: S608 - our table name
                (application_name, last),
            )
        except (sqlite3.IntegrityError, psycopg.IntegrityError) as error:
            raise StaleBatch from error
    else:
        cursor.execute(
            translate(
                f"UPDATE {tracking_table} SET notification_id = ? "  # noqa: S608 - our table name
                "WHERE application_name = ? AND notification_id = ? RETURNING notification_id"
            ),
            (last, application_name, after),
        )
        if cursor.fetchone() is None:
            raise StaleBatch
    _run(cursor, statements, translate, pipelined=pipelined)


def _run(
    cursor: Any, statements: Iterable[Statement], translate: Any, *, pipelined: bool = False
) -> None:
    # Runs of the same statement (one chain link per event, one row per search token) go to
    # the driver at once; order is kept, so later statements still see earlier ones. On
    # PostgreSQL they go down one pipeline: one round trip for the batch, not one per run.
    pipeline = getattr(cursor.connection, "pipeline", None) if pipelined else None
    with pipeline() if pipeline is not None else nullcontext():
        for sql, run in groupby(statements, key=attrgetter("sql")):
            rows = [statement.params for statement in run]
            if pipelined and len(rows) > 1 and _PLAIN_INSERT.fullmatch(sql):
                _insert_rows(cursor, sql, rows, translate)
            else:
                cursor.executemany(translate(sql), rows)


# A run of plain inserts (one search token, one access-log row each…): on PostgreSQL each
# statement is one execution on the server, so a run goes as statements of many rows each.
# Only where that is the same as one row after another: VALUES, and no conflict or DO NOTHING.
_PLAIN_INSERT = re.compile(
    r"INSERT INTO \w+ (\([\w, ]+\) )?VALUES \((\?, )*\?\)"
    r"( ON CONFLICT( \([\w, ]+\))? DO NOTHING)?"
)
_ROWS_PER_INSERT = 100


def _insert_rows(cursor: Any, sql: str, rows: list[tuple[Any, ...]], translate: Any) -> None:
    head, _, tail = sql.partition(" VALUES ")
    one, _, conflict = tail.partition(")")
    one += ")"
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        many = f"{head} VALUES {', '.join([one] * len(chunk))}{conflict}"
        cursor.execute(translate(many), tuple(value for row in chunk for value in row))


class PreparedSQLitePool(SQLiteConnectionPool):
    """Connections as the library opens them (autocommit, WAL), but keeping
    ``STATEMENT_CACHE`` prepared statements, with ``pragmas`` run on each new connection.

    The library's connection caches one statement (``cached_statements=True``), so every
    run of a different statement was compiled again, 40,000 times in a rebuild of 12,000
    events; the views and the event store each run a few dozen statements over and over."""

    def __init__(self, *, pragmas: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pragmas = tuple(pragmas)

    def _create_connection(self) -> SQLiteConnection:
        try:
            sqlite_connection = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # autocommit: transactions begin explicitly
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or 5,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        sqlite_connection.row_factory = sqlite3.Row
        if not self.is_journal_mode_wal:
            sqlite_connection.execute("PRAGMA journal_mode=WAL")
            self.is_journal_mode_wal = True
        connection = SQLiteConnection(sqlite_conn=sqlite_connection, max_age=self.max_age)
        cursor = connection.cursor()
        for pragma in self._pragmas:
            cursor.execute(f"PRAGMA {pragma}")  # outside any transaction
        return connection


# Views are derived data, rebuilt from the event store at will; trading the last transactions'
# durability on power loss for one fsync less per batch is sound there. WAL with
# synchronous=NORMAL still never corrupts the file or splits a transaction, so a view and its
# tracking record stay consistent and the projector simply re-applies. What a deletion or an
# update frees (an erased client's search tokens and sealed name) is overwritten with zeros at
# once, in the page and in the free list, so an erasure needs no VACUUM of the whole file: see
# purge_freed_pages.
VIEW_PRAGMAS = ("synchronous=NORMAL", "secure_delete=ON")
# How long after a write the views' write-ahead log is copied into the file (off the writer's
# thread; writes meanwhile are copied by the same checkpoint).
CHECKPOINT_DELAY_S = 0.05
# How long an erasure's truncating checkpoint may wait for another one to finish.
PURGE_PATIENCE_S = 30.0
_log = logging.getLogger(__name__)


class Checkpointer:
    """Copies the views' write-ahead log into the file shortly after each write, on its own
    thread and connection (a passive checkpoint: it never waits for, nor blocks, a reader or
    a writer). Without it SQLite checkpoints inside whichever commit takes the log past its
    1,000 pages, a terminal's command, and an erasure's truncating checkpoint
    (``purge_freed_pages``) had everything written since the last one to copy: a round of
    everyone's work, more pages in a larger file. The log's size limit stays as a safety
    net. The thread starts at the first write and ends with ``close``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        # Held while a checkpoint runs: an erasure's purge takes it, so that this process's
        # own passive checkpoint never makes the truncating one answer busy.
        self.running = threading.Lock()

    def written(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None and not self._stop.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name=f"checkpoint {self._path.name}", daemon=True
                    )
                    self._thread.start()
        # Already set: the copy to come (it clears the flag before it starts) takes this write
        # too, and setting it again would cost a lock and a notify per commit.
        if not self._wake.is_set():
            self._wake.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while True:
                self._wake.wait()
                if self._stop.wait(CHECKPOINT_DELAY_S):
                    return
                self._wake.clear()  # what is written from here on wakes it again
                with self.running:
                    try:
                        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    except sqlite3.Error as error:  # the next write tries again
                        _log.debug("passive checkpoint of the views failed: %s", error)
        finally:
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._start:
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)


class SQLiteViewStore(SQLiteTrackingRecorder):
    def __init__(self, path: Path, schema: Sequence[str]) -> None:
        self.path = path
        self._schema = list(schema)
        self._cache_kib = DEFAULT_CACHE_KIB
        self._cache_sizes: dict[int, int] = {}
        self._bulk = False
        # SQLite gives the -wal and -shm files the database file's mode: create it private.
        path.touch(mode=0o600, exist_ok=True)
        datastore = SQLiteDatastore(str(path), lock_timeout=30)
        datastore.pool = PreparedSQLitePool(
            pragmas=VIEW_PRAGMAS, db_name=str(path), lock_timeout=30
        )
        super().__init__(datastore)
        self.create_table()
        self.checkpointer = Checkpointer(path)
        self._purger: sqlite3.Connection | None = None  # purge_freed_pages's, kept

    @property
    def tracking_table(self) -> str:
        return "tracking"

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self._schema]

    def apply(
        self, statements: Sequence[Statement], application_name: str, after: int, last: int
    ) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self._size_cache(cursor)
            _apply(cursor, "tracking", statements, application_name, after, last, _same)
        if not self._bulk:
            self.checkpointer.written()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        # A rebuild's batches are checkpointed by SQLite itself (BULK_AUTOCHECKPOINT_PAGES):
        # nobody waits for them meanwhile, and a copy every few batches would only add fsyncs.
        self._cache_kib = BULK_CACHE_KIB
        self._bulk = True
        try:
            yield
        finally:
            self._cache_kib = DEFAULT_CACHE_KIB
            self._bulk = False
        self.purge_freed_pages()  # its log copied into the file and emptied

    def _size_cache(self, cursor: Any) -> None:
        # Per connection; one used in a rebuild gets the default back at its next batch.
        connection = cursor.sqlite_cursor.connection
        if self._cache_sizes.get(id(connection), DEFAULT_CACHE_KIB) != self._cache_kib:
            pages = BULK_AUTOCHECKPOINT_PAGES if self._bulk else DEFAULT_AUTOCHECKPOINT_PAGES
            cursor.execute(f"PRAGMA cache_size=-{self._cache_kib}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={pages}")
            self._cache_sizes[id(connection)] = self._cache_kib

    def execute(self, statements: Sequence[Statement]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            _run(cursor, statements, _same)
        self.checkpointer.written()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        # One statement outside BEGIN is its own read transaction: one consistent snapshot.
        with (
            self.datastore.get_connection(commit=False) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, tuple(params))
            rows: list[Row] = cursor.fetchall()
            return rows

    def reset(self, keep: Sequence[str] = ()) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for table in _tables(self._schema):
                if table not in keep:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute("DROP TABLE IF EXISTS tracking")
        self._rewrite_file()
        self.tracking_table_exists = False
        self.create_table()

    def purge_freed_pages(self) -> None:
        """Makes sure deleted rows (an erased client's search tokens and sealed name) linger
        nowhere: every views connection zeroes what it frees (``secure_delete``), which leaves
        the older images of the changed pages in the write-ahead log and, until a checkpoint
        copies the zeroed pages over them, in the file. A truncating checkpoint does both,
        and costs what changed since the last checkpoint (the ``Checkpointer`` keeps that to
        the last moments' writes), not the size of the file.

        Only one checkpoint runs at a time: one already running elsewhere (another process's)
        makes this one answer busy without doing anything, so it is asked again until it is
        done; this process's own passive checkpoint is waited for first.

        The connection is kept for the next erasure: a new one flushed the folder as well as
        the log the first time it flushed the log (SQLite does so for a log it may have just
        created), one more disk flush per approval."""
        deadline = time.monotonic() + PURGE_PATIENCE_S
        with self.checkpointer.running:
            if self._purger is None:
                self._purger = sqlite3.connect(
                    self.path,
                    timeout=PURGE_PATIENCE_S,
                    isolation_level=None,
                    check_same_thread=False,
                )
            while self._purger.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                if time.monotonic() > deadline:
                    raise OperationalError(
                        "the views' write-ahead log could not be emptied after an erasure"
                    )
                time.sleep(0.01)

    def _rewrite_file(self) -> None:
        """After a reset: gives the dropped tables' pages back (a rebuild is rare)."""
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA secure_delete=ON")
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()

    def close(self) -> None:
        self.checkpointer.close()
        with self.checkpointer.running:
            if self._purger is not None:
                self._purger.close()
                self._purger = None
        self.datastore.close()


class PostgresViewStore(PostgresTrackingRecorder):
    def __init__(self, conninfo: str, schema: str, tables: Sequence[str]) -> None:
        params = conninfo_to_dict(conninfo)
        datastore = PostgresDatastore(
            dbname=str(params.get("dbname", "")),
            host=str(params.get("host", "127.0.0.1")),
            port=str(params.get("port", "5432")),
            user=str(params.get("user", "")),
            password=str(params.get("password", "")),
            schema=schema,
            pool_size=2,
            max_overflow=2,
        )
        self._schema = [_postgres_ddl(statement) for statement in tables]
        self._bulk = False
        super().__init__(datastore, tracking_table_name="violeta_view_tracking")
        # The library runs these with the search path set (see _create_table), so the view
        # tables land in this institute's schema.
        self.sql_create_statements.extend(Composed([SQL(ddl)]) for ddl in self._schema)
        self._create_missing()

    def _create_missing(self) -> None:
        """Creates the tables and indexes, unless every one exists already (every login but
        the first): CREATE … IF NOT EXISTS still locks each table, and a terminal starting
        while another applies a batch could deadlock with it. When it does run, a deadlock
        or a concurrent catalogue update is retried after a short random pause."""
        names = [*_tables(self._schema), *_indexes(self._schema), self.tracking_table_name]
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT COUNT(*) AS n FROM pg_class JOIN pg_namespace "
                "ON pg_namespace.oid = pg_class.relnamespace "
                "WHERE pg_namespace.nspname = %s AND pg_class.relname = ANY(%s)",
                (self.datastore.schema, names),
            )
            row = cursor.fetchone()
        if row is not None and int(row["n"]) == len(set(names)):
            return
        for attempt in range(1, CREATION_ATTEMPTS + 1):
            try:
                self.create_table()
            except (OperationalError, InternalError) as error:
                if attempt == CREATION_ATTEMPTS:
                    raise
                if "deadlock" not in str(error) and "concurrently" not in str(error):
                    raise
                time.sleep(secrets.randbelow(50 * attempt + 1) / 1000)
            else:
                return

    @property
    def tracking_table(self) -> str:
        return self.tracking_table_name

    @contextmanager
    def _transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            cursor.execute(f'SET LOCAL search_path TO "{self.datastore.schema}"')
            yield cursor

    def _create_table(self, curs: Any) -> None:
        curs.execute(f'SET LOCAL search_path TO "{self.datastore.schema}"')
        super()._create_table(curs)

    def apply(
        self, statements: Sequence[Statement], application_name: str, after: int, last: int
    ) -> None:
        with self._transaction(commit=True) as cursor:
            if self._bulk:
                # Derived data, its position in the same transaction: a server crash may
                # lose the last batches (applied again), never split one.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            _apply(
                cursor,
                self.tracking_table_name,
                statements,
                application_name,
                after,
                last,
                _postgres_sql,
                pipelined=True,
            )

    def execute(self, statements: Sequence[Statement]) -> None:
        with self._transaction(commit=True) as cursor:
            _run(cursor, statements, _postgres_sql)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        self._bulk = True
        try:
            yield
        finally:
            self._bulk = False

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._transaction(commit=False) as cursor:
            cursor.execute(_postgres_sql(sql), tuple(params))
            rows: list[Row] = cursor.fetchall()
            return rows

    def reset(self, keep: Sequence[str] = ()) -> None:
        with self._transaction(commit=True) as cursor:
            for table in _tables(self._schema):
                if table not in keep:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.tracking_table_name}")
        self.tracking_table_exists = False
        self.create_table()

    def purge_freed_pages(self) -> None:
        with self.datastore.get_connection() as connection:
            connection.autocommit = True
            for table in _tables(self._schema):
                connection.execute(f'VACUUM "{self.datastore.schema}".{table}')
            connection.autocommit = False

    def close(self) -> None:
        self.datastore.close()


def _same(sql: str) -> str:
    return sql


def _postgres_sql(sql: str) -> str:
    return sql.replace("?", "%s")


def _postgres_ddl(statement: str) -> str:
    # WITHOUT ROWID keeps a SQLite table in its primary key's B-tree (one page to write per
    # row, not two); PostgreSQL has no rowid to drop.
    return (
        statement.replace(" BLOB", " BYTEA")
        .replace(" INTEGER", " BIGINT")
        .replace(" WITHOUT ROWID", "")
    )


def _indexes(schema: Sequence[str]) -> list[str]:
    prefix = "CREATE INDEX IF NOT EXISTS "
    return [s[len(prefix) :].split(" ", 1)[0] for s in schema if s.startswith(prefix)]


def _tables(schema: Sequence[str]) -> list[str]:
    prefix = "CREATE TABLE IF NOT EXISTS "
    return [
        s[len(prefix) :].split(" ", 1)[0].split("(", 1)[0] for s in schema if s.startswith(prefix)
    ]


def open_readonly_sqlite(path: Path) -> sqlite3.Connection:
    """For processes that only read views (the API): no writes, no table creation."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return connection
