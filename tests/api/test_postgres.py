"""The same statistics, read from a PostgreSQL schema instead of the SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.main import create_app
from api.settings import ApiSettings
from projections.statistics import (
    Month,
    PostgresReader,
    SQLiteReader,
    case_counts,
    published_case_counts,
    zones,
)
from tests.api.conftest import CASES, STATS_DDL, ZONES, ZONES_DDL, write_views
from tests.conftest import PostgresTarget

pytestmark = pytest.mark.postgres

GROUPINGS = [("zone",), ("month",), ("zone", "month"), ()]


def _postgres_ddl(statement: str) -> str:
    # As the projector translates its portable DDL.
    return statement.replace(" INTEGER", " BIGINT")


def _fill(target: PostgresTarget) -> None:
    with psycopg.connect(target.conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(target.schema)))
        connection.execute(_postgres_ddl(STATS_DDL))
        connection.execute(_postgres_ddl(ZONES_DDL))
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO zones_view VALUES (%s, %s, %s, %s)", ZONES)
            cursor.executemany("INSERT INTO stats_cases VALUES (%s, %s, %s)", CASES)


@pytest.fixture
def readers(postgres_target: PostgresTarget, tmp_path: Path) -> tuple[Any, Any]:
    _fill(postgres_target)
    write_views(tmp_path / "vistas.sqlite")
    return (
        SQLiteReader(tmp_path / "vistas.sqlite"),
        PostgresReader(postgres_target.conninfo, postgres_target.schema),
    )


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_postgres_case_counts_equal_sqlite_for_every_grouping(
    readers: tuple[Any, Any], group_by: tuple[str, ...]
) -> None:
    sqlite_reader, postgres_reader = readers
    expected = case_counts(sqlite_reader, group_by)
    assert expected
    assert case_counts(postgres_reader, group_by) == expected
    assert all(type(cell.cases) is int for cell in expected)


def test_postgres_published_counts_and_zones_equal_sqlite(readers: tuple[Any, Any]) -> None:
    sqlite_reader, postgres_reader = readers
    for group_by in GROUPINGS[:3]:
        since, until = Month.parse("2024-01"), Month.parse("2024-02")
        assert published_case_counts(
            postgres_reader, group_by, since, until, 5
        ) == published_case_counts(sqlite_reader, group_by, since, until, 5)
    assert zones(postgres_reader) == zones(sqlite_reader)
    assert zones(postgres_reader)[0].women == 35473


def test_api_on_postgres_suppresses_two_and_publishes_seven(
    postgres_target: PostgresTarget,
) -> None:
    _fill(postgres_target)
    settings = ApiSettings(
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
        umbral_k=5,
        api_limite="1000/minute",
    )
    client = TestClient(create_app(settings))

    cells = client.get("/v1/stats/cases?group_by=zone,month").json()["celdas"]

    by_key = {(cell["clave_zona"], cell["mes"]): cell for cell in cells}
    assert by_key[("110110001", "2024-01")]["casos"] == 7
    assert by_key[("110110054", "2024-01")]["casos"] is None
    assert by_key[("110110054", "2024-01")]["nombre_zona"] == "Tierra Fría"


def test_a_postgres_schema_without_views_yet_reads_as_empty(
    postgres_target: PostgresTarget,
) -> None:
    reader = PostgresReader(postgres_target.conninfo, postgres_target.schema)
    assert case_counts(reader, ("zone",)) == ()
    assert zones(reader) == ()
