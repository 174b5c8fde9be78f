"""What every benchmark shares: where to build, which backends, and how a figure is printed.

Each benchmark prints rows of *figure, baseline, ratio, target*, measured in the same run so
the ratio holds even when the machine is busy. PostgreSQL runs beside SQLite when
``VIOLETA_TEST_POSTGRES`` (a libpq connection string) is set; each run gets its own schema,
dropped afterwards.
"""

from __future__ import annotations

import os
import resource
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from violeta.settings import Settings

POSTGRES_ENV = "VIOLETA_TEST_POSTGRES"


@dataclass(frozen=True)
class Row:
    bench: str
    backend: str
    what: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_what: str = ""
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.figure / self.baseline

    def line(self) -> str:
        base = "" if self.baseline is None else f"{self.baseline:10.2f}"
        ratio = "" if self.ratio is None else f"{self.ratio:6.2f}"
        return (
            f"| {self.bench} | {self.backend} | {self.what} | {self.figure:.2f} {self.unit} "
            f"| {base.strip()} {self.baseline_what} | {ratio.strip()} | {self.target} |"
        )


HEADER = (
    "| bench | backend | what | figure | baseline | ratio | target |\n|---|---|---|---|---|---|---|"
)


def print_rows(rows: list[Row]) -> None:
    print(HEADER)
    for row in rows:
        print(row.line(), flush=True)


def backends(wanted: str) -> list[str]:
    if wanted != "auto":
        return [wanted]
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


@contextmanager
def storage(backend: str, data: Path, *, keep_schema: str = "") -> Iterator[Settings]:
    """Settings for a fresh institute on ``backend``; ``keep_schema`` reuses a named one."""
    if backend == "sqlite":
        yield Settings(data=data, sqlite_synchronous="NORMAL")
        return
    conninfo = os.environ[POSTGRES_ENV]
    schema = keep_schema or f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    try:
        yield Settings(data=data, backend="postgres", postgres=conninfo, postgres_schema=schema)
    finally:
        if not keep_schema:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
