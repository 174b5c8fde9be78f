"""The read side of the statistics store, and the disclosure control applied before publishing.

This module is what the public API sees of the projections. It imports nothing of ours: the API
must not reach the keyring or the domain, not even indirectly. It reads only two tables of the
view store, and only these columns: ``stats_cases (month, zone, cases)`` and
``zones_view (code, name, kind, women)``. Every other table of that store holds sealed personal
data, so the SQL below is fixed here and never built from a caller's text.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import psycopg
from psycopg import sql

MIN_K = 3
DEFAULT_K = 5
DIMENSIONS: tuple[str, ...] = ("zone", "month")
FINEST: tuple[str, ...] = DIMENSIONS

_TABLES = ("stats_cases", "zones_view")
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
                f"Mes inválido «{text}»: use el formato AAAA-MM con mes de 01 a 12, p. ej. 2024-03"
            )
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class CaseCell:
    """A raw count: never leaves the process without going through ``publish``."""

    zone: str | None
    month: str | None
    cases: int


class Suppression(Enum):
    # The cell itself counts between 1 and k-1 cases.
    BELOW_THRESHOLD = "menor_que_umbral"
    # The cell sums zone×month cells of which at least one is suppressed: publishing it would
    # let that cell be recovered by subtracting the published ones.
    PROTECTS_SUPPRESSED = "protege_celda_suprimida"


@dataclass(frozen=True)
class PublishedCell:
    zone: str | None
    month: str | None
    cases: int | None
    suppression: Suppression | None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None


@dataclass(frozen=True)
class Zone:
    code: str
    name: str
    kind: str
    women: int | None


class StoreUnavailable(Exception):
    """The view store exists but cannot be read now (locked, server down, timeout)."""


class ViewReader(Protocol):
    """Runs one of this module's fixed queries; an absent store or table reads as no rows."""

    def fetch(self, query: str, params: Sequence[str]) -> list[tuple[Any, ...]]: ...


class SQLiteReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fetch(self, query: str, params: Sequence[str]) -> list[tuple[Any, ...]]:
        if not self.path.is_file():
            return []
        # mode=ro: the API can neither write the views nor create the file by accident.
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            connection = sqlite3.connect(uri, uri=True, timeout=5)
            try:
                present = connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
                    _TABLES,
                ).fetchone()[0]
                if present < len(_TABLES):
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

    def fetch(self, query: str, params: Sequence[str]) -> list[tuple[Any, ...]]:
        try:
            return self._fetch(query, params)
        except psycopg.Error as error:
            # The message of a connection error can quote the conninfo; keep only the class.
            raise StoreUnavailable(type(error).__name__) from error

    def _fetch(self, query: str, params: Sequence[str]) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.conninfo, connect_timeout=5) as connection:
            connection.read_only = True
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.schema))
                )
                cursor.execute("SET LOCAL statement_timeout = '5s'")
                cursor.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
                    (self.schema, list(_TABLES)),
                )
                row = cursor.fetchone()
                if row is None or row[0] < len(_TABLES):
                    return []
                cursor.execute(query.replace("?", "%s"), tuple(params))
                return cursor.fetchall()


def check_k(k: int) -> int:
    if k < MIN_K:
        raise ValueError(
            f"El umbral de supresión k debe ser al menos {MIN_K} (se recibió {k}): "
            "un umbral menor permitiría identificar a una usuaria."
        )
    return k


def check_group_by(group_by: Iterable[str]) -> tuple[str, ...]:
    """The grouping in canonical order; rejects unknown or repeated dimensions."""
    requested = list(group_by)
    unknown = [name for name in requested if name not in DIMENSIONS]
    if unknown:
        raise ValueError(
            f"Agrupación desconocida: {', '.join(unknown)}. Valores permitidos: zone, month"
        )
    if len(set(requested)) != len(requested):
        raise ValueError("La agrupación repite un valor")
    return tuple(name for name in DIMENSIONS if name in requested)


def case_counts(
    reader: ViewReader,
    group_by: tuple[str, ...],
    since: Month | None = None,
    until: Month | None = None,
) -> tuple[CaseCell, ...]:
    """Raw case counts summed over ``group_by`` for the months in [since, until]."""
    dimensions = check_group_by(group_by)
    conditions: list[str] = []
    params: list[str] = []
    if since is not None:
        conditions.append("month >= ?")
        params.append(str(since))
    if until is not None:
        conditions.append("month <= ?")
        params.append(str(until))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    columns = ", ".join(dimensions)
    grouping = f" GROUP BY {columns} ORDER BY {columns}" if dimensions else ""
    select = f"{columns}, " if dimensions else ""
    query = f"SELECT {select}SUM(cases) FROM stats_cases{where}{grouping}"  # noqa: S608 - fixed names
    cells = []
    for row in reader.fetch(query, params):
        if row[-1] is None:  # SUM over no rows, when nothing is grouped
            continue
        values = dict(zip(dimensions, row, strict=False))
        cells.append(CaseCell(values.get("zone"), values.get("month"), int(row[-1])))
    return tuple(cells)


def suppress(cases: int, k: int) -> int | None:
    """Primary suppression of one count: ``None`` when it holds 1 to k-1 cases."""
    check_k(k)
    if cases < 0:
        raise ValueError(f"Conteo negativo: {cases}")
    return None if 0 < cases < k else cases


def publish(
    finest: Iterable[CaseCell], group_by: tuple[str, ...], k: int
) -> tuple[PublishedCell, ...]:
    """Disclosure control: the only way a count leaves for the public.

    ``finest`` are zone×month counts. Each is suppressed when it holds 1 to k-1 cases. A coarser
    cell (per zone, per month) is published only when none of its zone×month cells is
    suppressed; otherwise its exact value minus the published ones would give the suppressed
    cell away. So every published figure is a sum of published zone×month figures.
    """
    check_k(k)
    dimensions = check_group_by(group_by)
    totals: dict[tuple[str | None, str | None], int] = {}
    hiding: set[tuple[str | None, str | None]] = set()
    for cell in finest:
        if cell.zone is None or cell.month is None:
            raise ValueError("publish necesita celdas por zona y mes")
        key = (
            cell.zone if "zone" in dimensions else None,
            cell.month if "month" in dimensions else None,
        )
        totals[key] = totals.get(key, 0) + cell.cases
        if suppress(cell.cases, k) is None:
            hiding.add(key)
    published = []
    for key in sorted(totals, key=lambda key: (key[0] or "", key[1] or "")):
        zone, month = key
        if key not in hiding:
            published.append(PublishedCell(zone, month, totals[key], None))
        elif dimensions == FINEST:
            published.append(PublishedCell(zone, month, None, Suppression.BELOW_THRESHOLD))
        else:
            published.append(PublishedCell(zone, month, None, Suppression.PROTECTS_SUPPRESSED))
    return tuple(published)


def published_case_counts(
    reader: ViewReader,
    group_by: tuple[str, ...],
    since: Month | None,
    until: Month | None,
    k: int,
) -> tuple[PublishedCell, ...]:
    # One read of the finest cells, so values and suppression come from the same snapshot.
    return publish(case_counts(reader, FINEST, since, until), group_by, k)


def zones(reader: ViewReader) -> tuple[Zone, ...]:
    rows = reader.fetch("SELECT code, name, kind, women FROM zones_view ORDER BY code", ())
    return tuple(
        Zone(str(code), str(name), str(kind), None if women is None else int(women))
        for code, name, kind, women in rows
    )
