"""Read-side query latency at institute scale: the priority-zone ranking and the audit trail.

A real institute is initialized, then its view store is filled directly with what 30,000 women
attended over five years leave there (their case counts, which case adds to which cell, and an
access trail of ten reads per woman by fifteen staff), because building that through the
service would take hours on this machine and the queries read only the views. Each query then
runs through the application service, as the terminal app calls it (the trail's reads record
their own access event, which the figure includes), and, as the baseline, the same SQL straight
on the SQLite file with no service around it (the ranking's baseline is its SQL alone, without
the statistics). The target is p95 < 20 ms.

    python bench/read_side.py [--women N] [--runs N]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

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


def fill(views: Path, women: int, staff_ids: list[str], rng: random.Random) -> list[str]:
    """The view rows of ``women`` women (one case each, some two) and their access trail."""
    connection = sqlite3.connect(views)
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
    with connection:
        connection.executemany("INSERT INTO stats_membership VALUES (?, ?, ?, ?, ?)", membership)
        connection.executemany(
            "INSERT INTO stats_cases VALUES (?, ?, ?)", [(m, z, n) for (m, z), n in cells.items()]
        )
        connection.executemany(
            "INSERT INTO stats_women_12m VALUES (?, ?, ?, ?)",
            [(m, z, add_months(m, -11), len(w)) for (m, z), w in attended.items()],
        )
        connection.executemany("INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", log)
        connection.executemany(
            "INSERT INTO access_facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", facts
        )
        connection.executemany("INSERT INTO access_subjects VALUES (?, ?)", subjects)
        connection.execute("ANALYZE")
    connection.close()
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
    arguments = parser.parse_args()
    rng = random.Random(20261201)
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(data=Path(directory) / "datos", backend="sqlite")
        institute = Institute(settings, kdf=KdfParams.fast())
        coordinator, _recovery = institute.initialize(
            "coordinacion", "Coordinación Sintética", "clave-bench-1"
        )
        staff_ids = [str(uuid4()) for _ in range(STAFF)]
        started = time.perf_counter()
        clients = fill(settings.views_path, arguments.women, staff_ids, rng)
        print(
            f"vistas con {arguments.women} mujeres y {len(clients) * ACCESSES_PER_WOMAN} accesos "
            f"en {time.perf_counter() - started:.1f} s"
        )
        raw = sqlite3.connect(settings.views_path)
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
                    ).fetchall(),
                    raw.execute(
                        "SELECT zone, women FROM stats_women_12m WHERE last_month = ?",
                        ("2025-12",),
                    ).fetchall(),
                    raw.execute("SELECT code, name, women FROM zones_view").fetchall(),
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
                ).fetchall(),
            ),
            (
                "bitácora de una persona en un día",
                lambda: coordinator.audit_trail(staff_id=UUID(some_staff), day="20/01/2021"),
                lambda: raw.execute(
                    "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "
                    "WHERE f.staff_id = ? AND f.local_day = ? ORDER BY f.seq DESC LIMIT 200",
                    (some_staff, day),
                ).fetchall(),
            ),
            (
                "bitácora: denegados recientes",
                lambda: coordinator.audit_trail(outcome="denegado", limit=50),
                lambda: raw.execute(
                    "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "
                    "WHERE f.outcome = ? ORDER BY f.seq DESC LIMIT 50",
                    ("denegado",),
                ).fetchall(),
            ),
        ]
        started = time.perf_counter()
        first = coordinator.sweep_anomalies()
        print(
            f"primera revisión de anomalías sobre todo el historial: {first} alertas en "
            f"{time.perf_counter() - started:.1f} s (una sola vez)"
        )
        print(
            f"latencia con {arguments.women} mujeres, {arguments.runs} repeticiones "
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
