"""Read-side query latency at institute scale: the priority-zone ranking and the audit trail.

A real institute is initialized, then its view store is filled directly with what 30,000 women
attended over five years leave there (their case counts, which case adds to which cell, and an
access trail of ten reads per woman by fifteen staff), because building that through the
service would take hours on this machine and the queries read only the views. Each query then
runs through the application service, as the terminal app calls it (the trail's reads record
their own access event, which the figure includes), and, as the baseline, the same SQL straight
on the views with no service around it (the ranking's baseline is its SQL alone, without
the statistics). The target is p95 < 20 ms.

    python bench/read_side.py [--women N] [--runs N] [--backend auto|sqlite|postgres]

With ``VIOLETA_TEST_POSTGRES`` set (``--backend auto``) the same runs on PostgreSQL too, after
SQLite: the views filled in a schema of their own (by COPY), dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backends, storage
from keys import KdfParams
from projections.stats_tables import add_months
from violeta.service import Institute
from violeta.settings import Settings

MEXICO = ZoneInfo("America/Mexico_City")
ZONES = [
    "110110001",
    "110110054",
    "110110006",
    "110110022",
    "110110031",
    "110110038",
    "110110057",
    "110110077",
    "110110000",
]
MONTHS = [f"{year}-{month:02d}" for year in range(2021, 2026) for month in range(1, 13)]
STAFF = 15
ACCESSES_PER_WOMAN = 10
TARGET_MS = 20.0


class Raw:
    """The views' own database, without the service: SQLite's file or PostgreSQL's schema."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = settings.backend == "postgres"
        if self.postgres:
            self._pg = psycopg.connect(settings.postgres, autocommit=True)
            self._pg.execute(f'SET search_path TO "{settings.postgres_schema}"')
        else:
            self._sqlite = sqlite3.connect(settings.views_path)

    def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            with self._pg.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in rows[0])
            with self._sqlite:
                self._sqlite.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 - a table of this file

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.postgres:
            cursor = self._pg.execute(sql.replace("?", "%s"), tuple(params))
            return cursor.fetchall() if cursor.description else []
        with self._sqlite:
            return self._sqlite.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        (self._pg if self.postgres else self._sqlite).close()


def fill(raw: Raw, women: int, staff_ids: list[str], rng: random.Random) -> list[str]:
    """The view rows of ``women`` women (one case each, some two) and their access trail."""
    clients = [str(uuid4()) for _ in range(women)]
    membership = []
    cells: dict[tuple[str, str], int] = {}
    attended: dict[tuple[str, str], set[str]] = {}
    weights = [71, 4, 3, 2, 2, 2, 2, 2, 12]
    for client in clients:
        zone = rng.choices(ZONES, weights=weights)[0]
        for _ in range(1 + (rng.random() < 0.2)):
            month = rng.choice(MONTHS)
            membership.append((str(uuid4()), client, month, zone, 1))
            cells[(month, zone)] = cells.get((month, zone), 0) + 1
            for offset in range(12):
                attended.setdefault((add_months(month, offset), zone), set()).add(client)
    start = datetime(2021, 1, 4, 15, tzinfo=UTC)
    log, facts, subjects = [], [], []
    for seq in range(1, women * ACCESSES_PER_WOMAN + 1):
        at = start + timedelta(seconds=seq * 15)
        local = at.astimezone(MEXICO)
        access = str(uuid4())
        staff = rng.choice(staff_ids)
        outcome = "denegado" if rng.random() < 0.01 else "concedido"
        log.append(
            (
                access,
                at.isoformat(),
                staff,
                "trabajo_social",
                "ver",
                "identificacion",
                outcome,
                0,
                "ver identificación de la usuaria",
                None,  # no break-the-glass reason (one would be sealed with her key)
            )
        )
        facts.append(
            (
                seq,
                access,
                at.isoformat(),
                staff,
                "trabajo_social",
                "ver",
                "identificacion",
                outcome,
                0,
                local.date().isoformat(),
                local.weekday(),
                local.hour * 60 + local.minute,
                1,
            )
        )
        subjects.append((access, rng.choice(clients)))
    raw.insert("stats_membership", membership)
    raw.insert("stats_cases", [(m, z, n) for (m, z), n in cells.items()])
    raw.insert(
        "stats_women_12m", [(m, z, add_months(m, -11), len(w)) for (m, z), w in attended.items()]
    )
    raw.insert("access_log", log)
    raw.insert("access_facts", facts)
    raw.insert("access_subjects", subjects)
    raw.execute("ANALYZE")
    return clients


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    call()  # warm
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begin) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--women", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--backend", default="auto", choices=("auto", "sqlite", "postgres"))
    arguments = parser.parse_args()
    for backend in backends(arguments.backend):
        run(backend, arguments)


def _views(backend: str, directory: Path) -> AbstractContextManager[Settings]:
    if backend == "sqlite":  # the views' file as the institute keeps it (FULL, by default)
        return nullcontext(Settings(data=directory / "datos"))
    return storage(backend, directory / "datos")


def run(backend: str, arguments: argparse.Namespace) -> None:
    rng = random.Random(20261201)
    with tempfile.TemporaryDirectory() as directory, _views(backend, Path(directory)) as settings:
        institute = Institute(settings, kdf=KdfParams.fast())
        coordinator, _recovery = institute.initialize(
            "coordinacion", "Coordinación Sintética", "clave-bench-1"
        )
        staff_ids = [str(uuid4()) for _ in range(STAFF)]
        started = time.perf_counter()
        raw = Raw(settings)
        clients = fill(raw, arguments.women, staff_ids, rng)
        print(
            f"{backend}: vistas con {arguments.women} mujeres y "
            f"{len(clients) * ACCESSES_PER_WOMAN} accesos en {time.perf_counter() - started:.1f} s"
        )
        some_client = rng.choice(clients)
        some_staff = rng.choice(staff_ids)
        day = "2021-01-20"
        workloads: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
            (
                "zonas prioritarias (12 meses, tendencia, Bayes empírico)",
                lambda: coordinator.priority_zones("2025-12"),
                lambda: (
                    raw.execute(
                        "SELECT month, zone, cases FROM stats_cases WHERE month >= ? "
                        "AND month <= ?",
                        ("2024-01", "2025-12"),
                    ),
                    raw.execute(
                        "SELECT zone, women FROM stats_women_12m WHERE last_month = ?",
                        ("2025-12",),
                    ),
                    raw.execute("SELECT code, name, women FROM zones_view"),
                ),
            ),
            (
                "bitácora de una usuaria",
                lambda: coordinator.audit_trail(client_id=UUID(some_client)),
                lambda: raw.execute(
                    "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "
                    "WHERE f.access_id IN (SELECT access_id FROM access_subjects "
                    "WHERE client_id = ?) ORDER BY f.seq DESC LIMIT 200",
                    (some_client,),
                ),
            ),
            (
                "bitácora de una persona en un día",
                lambda: coordinator.audit_trail(staff_id=UUID(some_staff), day="20/01/2021"),
                lambda: raw.execute(
                    "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "
                    "WHERE f.staff_id = ? AND f.local_day = ? ORDER BY f.seq DESC LIMIT 200",
                    (some_staff, day),
                ),
            ),
            (
                "bitácora: denegados recientes",
                lambda: coordinator.audit_trail(outcome="denegado", limit=50),
                lambda: raw.execute(
                    "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "
                    "WHERE f.outcome = ? ORDER BY f.seq DESC LIMIT 50",
                    ("denegado",),
                ),
            ),
        ]
        started = time.perf_counter()
        first = coordinator.sweep_anomalies()
        print(
            f"primera revisión de anomalías sobre todo el historial: {first} alertas en "
            f"{time.perf_counter() - started:.1f} s (una sola vez)"
        )
        print(
            f"{backend}: latencia con {arguments.women} mujeres, {arguments.runs} repeticiones "
            f"(meta p95 < {TARGET_MS:.0f} ms):"
        )
        for label, service, baseline in workloads:
            p50, p95 = timed(arguments.runs, service)
            b50, b95 = timed(arguments.runs, baseline)
            verdict = "cumple" if p95 < TARGET_MS else "NO cumple"
            print(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({verdict})")
            print(
                f"    SQL directo sin servicio: p50 {b50:.2f} ms, p95 {b95:.2f} ms; "
                f"ratio p95 {p95 / b95:.1f}"
            )
        p50, p95 = timed(arguments.runs, coordinator.alerts)
        print(f"  cola de alertas (revisa lo nuevo y lista): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        raw.close()
        coordinator.close()
        institute.close()


if __name__ == "__main__":
    main()
