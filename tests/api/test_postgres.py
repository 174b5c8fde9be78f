"""The same release, computed and served from a PostgreSQL schema instead of the SQLite file."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.main import create_app
from api.settings import ApiSettings
from projections.releases import ReleaseStore, publish_due
from projections.statistics import PostgresReader, SQLiteReader, release_body, releases
from projections.storage import _postgres_ddl
from projections.views import SCHEMA
from tests.api.conftest import (
    ACTIVITIES,
    ATTENTIONS,
    CASES,
    RELEASE_DAY,
    RELEASED_AT,
    TARGETS,
    ZONES,
    publish,
    write_views,
)
from tests.conftest import PostgresTarget

pytestmark = pytest.mark.postgres


def _fill(target: PostgresTarget) -> None:
    with psycopg.connect(target.conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(target.schema)))
        for statement in SCHEMA:
            connection.execute(_postgres_ddl(statement))  # type: ignore[arg-type]
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO zones_view VALUES (%s, %s, %s, %s)", ZONES)
            cursor.executemany("INSERT INTO stats_cases VALUES (%s, %s, %s)", CASES)
            cursor.executemany("INSERT INTO stats_attentions VALUES (%s, %s, %s, %s)", ATTENTIONS)
            cursor.executemany(
                "INSERT INTO stats_activities VALUES (%s, %s, %s, %s, %s)", ACTIVITIES
            )
            cursor.executemany("INSERT INTO activity_targets VALUES (%s, %s, %s)", TARGETS)


def test_a_release_computed_on_postgres_equals_the_sqlite_one(
    postgres_target: PostgresTarget, tmp_path: Path
) -> None:
    _fill(postgres_target)
    reader = PostgresReader(postgres_target.conninfo, postgres_target.schema)
    store = ReleaseStore(conninfo=postgres_target.conninfo, schema=postgres_target.schema)
    assert publish_due(reader, store, RELEASE_DAY, published_at=RELEASED_AT) is not None
    write_views(tmp_path / "vistas.sqlite")
    publish(tmp_path / "vistas.sqlite")
    assert release_body(reader, 1) == release_body(SQLiteReader(tmp_path / "vistas.sqlite"), 1)
    assert releases(reader)[0].period_to == "2024-03"

    settings = ApiSettings(
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
        api_limite="1000/minute",
    )
    client = TestClient(create_app(settings))
    rows = client.get("/v1/expedientes?tabla=por_zona_y_anio").json()["filas"]
    small = next(r for r in rows if r["dimensiones"] == {"zona": "110110054", "anio": "2024"})
    assert small["marca"] == "<5"


def test_a_postgres_schema_without_releases_yet_reads_as_empty(
    postgres_target: PostgresTarget,
) -> None:
    assert releases(PostgresReader(postgres_target.conninfo, postgres_target.schema)) == ()
