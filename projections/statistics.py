"""The read side of the published statistics: frozen releases, and the readers of the view store.

This module is what the public API sees of the projections. It imports nothing of ours: the API
must not reach the keyring or the domain, not even indirectly. The API reads one table, and of it
only the public columns: ``releases (number, published_at, period_from, period_to, k, body)``.
The live counts are never served; they reach the public only through a release computed by
``projections.releases``. Every other table of that store holds sealed personal data, so the SQL
below is fixed here and never built from a caller's text.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import psycopg
from psycopg import sql

MIN_K = 3
DEFAULT_K = 5
METHOD_VERSION = "violeta-sdc-1"

RELEASES_TABLE = "releases"
# ``internal`` holds the true values of suppressed cells for the next release's joint audit;
# no query of this module reads it.
RELEASES_DDL = (
    "CREATE TABLE IF NOT EXISTS releases ("
    "number INTEGER PRIMARY KEY, published_at TEXT NOT NULL, period_from TEXT NOT NULL, "
    "period_to TEXT NOT NULL, k INTEGER NOT NULL, body TEXT NOT NULL, internal TEXT NOT NULL)"
)
_LIST = "SELECT number, published_at, period_from, period_to, k FROM releases ORDER BY number"
_BODY = "SELECT body FROM releases WHERE number = ?"
_LATEST = "SELECT max(number) FROM releases"

_MONTH = re.compile(r"([1-9][0-9]{3})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1000 <= self.year <= 9999:
            raise ValueError(
                f"Mes inválido «{self.year:04d}-{self.month:02d}»: año de 1000 a 9999, "
                "mes de 01 a 12"
            )

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text)
        if match is None:
            raise ValueError(
                f"Mes inválido «{text[:12]}»: use el formato AAAA-MM con mes de 01 a 12, "
                "p. ej. 2024-03"
            )
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class StoreUnavailable(Exception):
    """The view store exists but cannot be read now (locked, server down, timeout)."""


class ViewReader(Protocol):
    """Runs one fixed query; an absent store, or one without all ``tables``, reads as no rows."""

    def fetch(
        self, query: str, params: Sequence[str], tables: Sequence[str]
    ) -> list[tuple[Any, ...]]: ...


class SQLiteReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fetch(
        self, query: str, params: Sequence[str], tables: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        if not self.path.is_file():
            return []
        # mode=ro: the API can neither write the views nor create the file by accident.
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            connection = sqlite3.connect(uri, uri=True, timeout=5)
            try:
                marks = ", ".join("?" for _ in tables)
                present = connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "  # noqa: S608
                    f"AND name IN ({marks})",
                    tuple(tables),
                ).fetchone()[0]
                if present < len(set(tables)):
                    return []
                return connection.execute(query, tuple(params)).fetchall()
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error


class PostgresReader:
    def __init__(self, conninfo: str, schema: str) -> None:
        self.conninfo = conninfo
        self.schema = schema

    def fetch(
        self, query: str, params: Sequence[str], tables: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        try:
            return self._fetch(query, params, tables)
        except psycopg.Error as error:
            # The message of a connection error can quote the conninfo; keep only the class.
            raise StoreUnavailable(type(error).__name__) from error

    def _fetch(
        self, query: str, params: Sequence[str], tables: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.conninfo, connect_timeout=5) as connection:
            connection.read_only = True
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.schema))
                )
                cursor.execute("SET LOCAL statement_timeout = '5s'")
                cursor.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
                    (self.schema, list(tables)),
                )
                row = cursor.fetchone()
                if row is None or row[0] < len(set(tables)):
                    return []
                cursor.execute(query.replace("?", "%s"), tuple(params))
                return cursor.fetchall()


@dataclass(frozen=True)
class ReleaseSummary:
    number: int
    published_at: str
    period_from: str
    period_to: str
    k: int


def releases(reader: ViewReader) -> tuple[ReleaseSummary, ...]:
    return tuple(
        ReleaseSummary(int(number), str(at), str(first), str(last), int(k))
        for number, at, first, last, k in reader.fetch(_LIST, (), (RELEASES_TABLE,))
    )


def latest_release(reader: ViewReader) -> int | None:
    rows = reader.fetch(_LATEST, (), (RELEASES_TABLE,))
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def release_body(reader: ViewReader, number: int) -> dict[str, Any] | None:
    rows = reader.fetch(_BODY, (str(number),), (RELEASES_TABLE,))
    if not rows:
        return None
    body: dict[str, Any] = json.loads(rows[0][0])
    return body
