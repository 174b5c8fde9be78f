"""A synthetic views store, built with the projector's DDL, and the API over it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings

STATS_DDL = (
    "CREATE TABLE stats_cases (month TEXT NOT NULL, zone TEXT NOT NULL, "
    "cases INTEGER NOT NULL, PRIMARY KEY (month, zone))"
)
ZONES_DDL = (
    "CREATE TABLE zones_view (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, "
    "women INTEGER)"
)
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
]
# A table the API must never read: the store also holds sealed personal data.
CANARY = "CANARIO-NOMBRE-PERSONAL"


def write_views(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(STATS_DDL)
        connection.execute(ZONES_DDL)
        connection.execute("CREATE TABLE clients_view (client_id TEXT PRIMARY KEY, name BLOB)")
        connection.executemany("INSERT INTO zones_view VALUES (?, ?, ?, ?)", ZONES)
        connection.executemany("INSERT INTO stats_cases VALUES (?, ?, ?)", CASES)
        connection.execute("INSERT INTO clients_view VALUES ('c1', ?)", (CANARY.encode(),))
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def views_dir(data_dir: Path) -> Path:
    write_views(data_dir / "vistas.sqlite")
    return data_dir


@pytest.fixture
def make_client(views_dir: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        defaults: dict[str, object] = {"data": views_dir, "backend": "sqlite", "umbral_k": 5}
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
