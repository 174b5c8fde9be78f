"""A synthetic views store, built with the projector's DDL, a frozen release, and the API."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from projections.releases import ReleaseStore, publish_due
from projections.statistics import SQLiteReader
from projections.views import SCHEMA

# Rows of shared/data/cortazar_localidades_inegi2020.csv (cvegeo, localidad, ámbito, mujeres).
ZONES = [
    ("110110001", "Cortazar", "U", 35473),
    ("110110054", "Tierra Fría", "U", 2178),
    ("110110006", "Cañada de Caracheo", "U", 1282),
    ("110110022", "El Huizache", "R", 1002),
]
# Synthetic counts: (month, zone, cases).
CASES = [
    ("2023-12", "110110001", 6),
    ("2024-01", "110110001", 7),
    ("2024-01", "110110054", 2),
    ("2024-02", "110110001", 12),
    ("2024-02", "110110006", 5),
    ("2024-03", "110110001", 9),
    ("2024-03", "110110022", 4),
    # April 2024 is still open on the release day below: never published.
    ("2024-04", "110110001", 3),
]
ATTENTIONS = [
    ("2024-01", "juridica", "asesoria", 11),
    ("2024-01", "psicologica", "sesion", 2),
    ("2024-02", "juridica", "asesoria", 8),
    ("2024-02", "psicologica", "sesion", 9),
    ("2024-03", "trabajo_social", "gestion", 6),
]
ACTIVITIES = [("2024-02", "110110001", "taller", 2, 35), ("2024-03", "110110054", "platica", 1, 3)]
TARGETS = [(2024, "taller", 10)]
RELEASE_DAY = date(2024, 4, 20)
RELEASED_AT = datetime(2024, 4, 20, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
# A table the API must never read: the store also holds sealed personal data.
CANARY = "CANARIO-NOMBRE-PERSONAL"


def write_views(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        for statement in SCHEMA:
            connection.execute(statement)
        connection.executemany("INSERT INTO zones_view VALUES (?, ?, ?, ?)", ZONES)
        connection.executemany("INSERT INTO stats_cases VALUES (?, ?, ?)", CASES)
        connection.executemany("INSERT INTO stats_attentions VALUES (?, ?, ?, ?)", ATTENTIONS)
        connection.executemany("INSERT INTO stats_activities VALUES (?, ?, ?, ?, ?)", ACTIVITIES)
        connection.executemany("INSERT INTO activity_targets VALUES (?, ?, ?)", TARGETS)
        connection.execute(
            "INSERT INTO clients_view VALUES ('c1', ?, '110110001', '30-39', '2024-01-01', "
            "NULL, 0)",
            (CANARY.encode(),),
        )
        connection.commit()
    finally:
        connection.close()


def publish(path: Path, day: date = RELEASE_DAY) -> None:
    publish_due(SQLiteReader(path), ReleaseStore(path=path), day, published_at=RELEASED_AT)


@pytest.fixture
def views_dir(data_dir: Path) -> Path:
    write_views(data_dir / "vistas.sqlite")
    publish(data_dir / "vistas.sqlite")
    return data_dir


@pytest.fixture
def make_client(views_dir: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        defaults: dict[str, object] = {"data": views_dir, "backend": "sqlite"}
        settings = ApiSettings(**{**defaults, "api_limite": "1000/minute", **overrides})
        client = TestClient(create_app(settings))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
