"""What a rebuild's projections keep in memory during a batch, and how they write it.

During ``Projector.rebuild`` the case views (projections/views_rebuild.py), the audit trail's
read side (projections/audit_rebuild.py) and the statistics (projections/stats_rebuild.py)
gather the rows a batch changes and write each once at its end; ``Bulk`` turns those rows
into few statements, ``BatchMemory`` holds the batch protocol's steps they share.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from projections.storage import PostgresViewStore, Statement, ViewStore

Params = tuple[Any, ...]

# Rows of one statement on PostgreSQL, where each statement is one execution on the server.
ROWS_PER_STATEMENT = 1000
_ONE_ROW = re.compile(r"INSERT INTO (\w+) (?:\(([\w, ]+)\) )?VALUES \(([^)]*)\)( ON CONFLICT .*)?")
_PG_TYPES = {"TEXT": "text", "INTEGER": "bigint", "BLOB": "bytea", "REAL": "float8"}


def column_types(schema: Sequence[str]) -> dict[str, dict[str, str]]:
    """Each table's columns and their PostgreSQL types, from the views' schema."""
    tables: dict[str, dict[str, str]] = {}
    for statement in schema:
        found = re.match(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*)\)", statement)
        if found is None:
            continue
        columns = tables.setdefault(found.group(1), {})
        for part in found.group(2).split(", "):
            words = part.split()
            if len(words) >= 2 and words[1] in _PG_TYPES and words[0] != "PRIMARY":
                columns[words[0]] = _PG_TYPES[words[1]]
    return tables


class Bulk:
    """The rows of a one-row insert or upsert (``INSERT INTO t [(cols)] VALUES (?, …)
    [ON CONFLICT …]``) as statements of many rows. On PostgreSQL ``INSERT … SELECT … FROM
    unnest(CAST(%b AS type[]), …)``: one array per column (sent binary: psycopg's text
    arrays escape each element with a regular expression), so the statement stays short,
    has a parameter per column (psycopg parses again at each execution a statement of more
    than 50 parameters) and runs once for up to ``ROWS_PER_STATEMENT`` rows; no key
    twice in one upsert, which is then the same as one row after another. On SQLite one
    statement per row (the driver's executemany: a statement of many rows is compiled
    again for each new length)."""

    def __init__(self, schema: Sequence[str]) -> None:
        self._types = column_types(schema)
        self._forms: dict[str, tuple[str, int]] = {}
        self.many = False

    def rows(self, sql: str, rows: list[Params]) -> list[Statement]:
        if not self.many or len(rows) < 2:
            return [Statement(sql, row) for row in rows]
        form, width = self._form(sql)
        out = []
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            arrays = tuple([row[k] for row in chunk] for k in range(width))
            out.append(Statement(form, arrays))
        return out

    def _form(self, sql: str) -> tuple[str, int]:
        known = self._forms.get(sql)
        if known is not None:
            return known
        found = _ONE_ROW.fullmatch(sql)
        if found is None:
            raise ValueError(f"not a one-row insert: {sql}")
        table, named, values, conflict = found.groups()
        types = self._types[table]
        columns = named.split(", ") if named else list(types)
        items = values.split(", ")
        arrays: list[str] = []
        select: list[str] = []
        for column, item in zip(columns, items, strict=True):
            if item == "?":
                select.append(f"u.c{len(arrays)}")
                arrays.append(f"CAST(%b AS {types[column]}[])")  # binary: no escaping
            else:
                select.append(item)
        names = ", ".join(f"c{k}" for k in range(len(arrays)))
        form = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(select)} "  # noqa: S608 - our names
            f"FROM unnest({', '.join(arrays)}) AS u({names}){conflict or ''}"
        )
        self._forms[sql] = (form, len(arrays))
        return self._forms[sql]


class BatchMemory(ABC):
    """Rows a rebuild gathers in memory and writes once per batch: the steps of the batch
    protocol (``runner.BatchedProjection``) that the case views and the audit trail share.
    What it knows across batches stands at position ``at``; a batch that starts elsewhere
    (another process applied one meanwhile, a resumed rebuild) has it read back (``load``)."""

    def __init__(self, schema: Sequence[str]) -> None:
        self.at: int | None = None
        self.bulk = Bulk(schema)
        self._clear_batch()

    @abstractmethod
    def _clear_batch(self) -> None:
        """Forgets the batch's rows (written, or refused)."""

    @abstractmethod
    def load(self, views: ViewStore, at: int) -> None:
        """What the tables hold at position ``at``."""

    def begin_batch(self, views: ViewStore, after: int, events: Sequence[object] = ()) -> None:
        self._clear_batch()
        self.bulk.many = isinstance(views, PostgresViewStore)
        if self.at != after:
            self.load(views, after)

    def batch_applied(self, last: int) -> None:
        self.at = last
        self._clear_batch()

    def batch_refused(self) -> None:
        self.at = None  # what it knows may hold rows that were not written: read again
        self._clear_batch()
