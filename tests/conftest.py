"""Fixtures shared by every test layer: the two storage backends.

PostgreSQL comes from ``VIOLETA_TEST_POSTGRES`` (a libpq connection string, set by
``make test`` after ``.ci/postgres.sh``). Each test gets its own schema, dropped afterwards.
With ``CI=true`` a missing PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

POSTGRES_ENV = "VIOLETA_TEST_POSTGRES"


@dataclass(frozen=True)
class PostgresTarget:
    conninfo: str
    schema: str


def _postgres_conninfo() -> str:
    conninfo = os.environ.get(POSTGRES_ENV, "")
    if conninfo:
        return conninfo
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"CI=true pero {POSTGRES_ENV} no está definido: PostgreSQL es obligatorio en CI"
        )
    pytest.skip(f"{POSTGRES_ENV} no está definido: se omite PostgreSQL fuera de CI")


@pytest.fixture
def postgres_target() -> Iterator[PostgresTarget]:
    conninfo = _postgres_conninfo()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield PostgresTarget(conninfo=conninfo, schema=schema)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Parametrizes a test over both storage backends; use with ``storage_target``."""
    return str(request.param)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "datos"
    path.mkdir()
    return path


@pytest.fixture(scope="session", autouse=True)
def no_name_at_rest_after_the_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After every test of this process: the canary byte-scan over every data directory and
    backup the tests created (tests/support/canary_scan.py). A leak fails the run."""
    from tests.support.canary_scan import leaks, stores_under

    yield
    root = tmp_path_factory.getbasetemp()
    found = leaks(stores_under(root))
    if found:
        pytest.fail(
            "Nombres sintéticos en claro en datos o respaldos creados por las pruebas:\n"
            + "\n".join(found[:50]),
            pytrace=False,
        )
