"""Where frozen releases are kept: the ``releases`` table of the view store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from projections.releases.model import Release
from projections.statistics import RELEASES_DDL

_SELECT_RELEASE = (
    "SELECT number, published_at, period_from, period_to, k, body, internal FROM releases "
)


class ReleaseStore:
    """Writes frozen releases into the ``releases`` table of the view store.

    The table is not part of the projections' schema, so rebuilding the views never drops a
    release: what was published stays as it was published.
    """

    def __init__(
        self, *, path: Path | None = None, conninfo: str = "", schema: str = "violeta"
    ) -> None:
        if (path is None) == (not conninfo):
            raise ValueError("ReleaseStore necesita una ruta de SQLite o una conexión PostgreSQL")
        self.path = path
        self.conninfo = conninfo
        self.schema = schema

    def _run(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        if self.path is not None:
            lite = sqlite3.connect(self.path, timeout=30)
            try:
                with lite:
                    for text, params in statements:
                        rows = lite.execute(text, tuple(params)).fetchall()
            finally:
                lite.close()
            return rows
        with psycopg.connect(self.conninfo, connect_timeout=5) as connection:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.schema))
                )
                for text, params in statements:
                    cursor.execute(text.replace("?", "%s"), tuple(params))
                    rows = cursor.fetchall() if cursor.description else []
            connection.commit()
        return rows

    def latest(self) -> Release | None:
        return self._one(_SELECT_RELEASE + "ORDER BY number DESC LIMIT 1", ())

    def get(self, number: int) -> Release | None:
        return self._one(_SELECT_RELEASE + "WHERE number = ?", (number,))

    def _one(self, query: str, params: Sequence[Any]) -> Release | None:
        rows = self._run([(RELEASES_DDL, ()), (query, params)])
        if not rows:
            return None
        number, at, first, last, k, body, internal = rows[0]
        return Release(
            int(number),
            str(at),
            str(first),
            str(last),
            int(k),
            json.loads(body),
            json.loads(internal),
        )

    def save(self, release: Release) -> None:
        self._run(
            [
                (RELEASES_DDL, ()),
                (
                    "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        release.number,
                        release.published_at,
                        release.period_from,
                        release.period_to,
                        release.k,
                        json.dumps(release.body, ensure_ascii=False, separators=(",", ":")),
                        json.dumps(release.real, separators=(",", ":")),
                    ),
                ),
            ]
        )


def earlier_releases(store: ReleaseStore, previous: Release) -> list[Release]:
    """The releases before ``previous`` with its threshold, newest first: each protected group
    of the next release is audited with those of them that matter (``protection._chosen_links``)."""
    found: list[Release] = []
    for number in range(previous.number - 1, 0, -1):
        release = store.get(number)
        if release is not None and release.k == previous.k:
            found.append(release)
    return found
