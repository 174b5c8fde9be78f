"""Cross-process catch-up: how long after a case is saved in one process another process's
statistics store shows it (target ≤ 1 s), against polling the event store every second, the
plain way to follow an eventsourcing application without a subscription.

The follower runs in its own interpreter with the institution key only, woken by
LISTEN/NOTIFY on PostgreSQL (``--postgres CONNINFO``) or by ``PRAGMA data_version`` on SQLite.

    python bench/catch_up.py [--cases N] [--postgres CONNINFO]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

from keys import KdfParams
from violeta.dto import NewClient, NewIntake
from violeta.service import Institute
from violeta.settings import Settings

FOLLOWER = textwrap.dedent(
    """
    import base64, json, sys, threading
    from pathlib import Path
    from violeta.settings import Settings
    from violeta.statistics_projector import follow_statistics

    data = json.loads(sys.stdin.readline())
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    follow_statistics(
        Settings.model_validate(data["settings"]),
        base64.b64decode(data["key"]),
        Path(data["target"]),
        stop,
    )
    """
)
LETTERS = "abcdefghij"


def cases_in(target: Path) -> int:
    try:
        connection = sqlite3.connect(target)
        try:
            row = connection.execute("SELECT COALESCE(SUM(cases), 0) FROM stats_cases").fetchone()
            return int(row[0])
        finally:
            connection.close()
    except sqlite3.OperationalError:
        return -1


def seen_after(target: Path, expected: int, started: float) -> float:
    while cases_in(target) != expected:
        time.sleep(0.002)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--postgres", default="")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory) / "datos"
        if arguments.postgres:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            settings = Settings(
                data=data, backend="postgres", postgres=arguments.postgres, postgres_schema=schema
            )
        else:
            settings = Settings(data=data, backend="sqlite")
        institute = Institute(settings, kdf=KdfParams.fast())
        coordinator = institute.initialize(
            "coordinacion", "Coordinación Sintética", "clave-1-bench"
        )
        target = Path(directory) / "estadisticas.sqlite"
        follower = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", FOLLOWER],
            stdin=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("VIOLETA_")},
        )
        if follower.stdin is None:
            raise RuntimeError("no stdin")
        payload = {
            "settings": settings.model_dump(mode="json"),
            "key": base64.b64encode(bytes(coordinator._keyring.institution_key)).decode(),
            "target": str(target),
        }
        follower.stdin.write(json.dumps(payload) + "\n")
        follower.stdin.flush()
        while cases_in(target) != 0:
            time.sleep(0.01)
        latencies = []
        for number in range(1, arguments.cases + 1):
            name = "".join(LETTERS[int(d)] for d in str(number))
            client_id = coordinator.register_client(
                NewClient(
                    name=f"Usuaria Sintética {name}", birth_date="15/03/1990", zone="110110001"
                ),
                confirm_not_duplicate=True,
            )
            coordinator.open_case(
                client_id,
                NewIntake(
                    reason="Motivo sintético",
                    narrative="Relato sintético.",
                    violence_types=("psicologica",),
                    modalities=("familiar",),
                    risk="medio",
                ),
            )
            started = time.perf_counter()  # the case is committed: from here on it is waiting
            latencies.append(seen_after(target, number, started) * 1000)
            time.sleep(0.05)
        follower.stdin.close()
        follower.wait(timeout=30)
        coordinator.close()
        institute.close()
        if arguments.postgres:
            with psycopg.connect(arguments.postgres, autocommit=True) as connection:
                connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    # Polling every second sees a write after 0.5 s on average, 1 s at worst.
    print(
        f"alcance entre procesos ({settings.backend}, {arguments.cases} expedientes, meta ≤ 1 s):"
    )
    print(f"  seguidor: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms")
    print("  sondeo cada segundo (referencia): media 500 ms, peor caso 1000 ms")
    print(f"  ratio p95 / peor caso del sondeo: {p95 / 1000:.2f}")


if __name__ == "__main__":
    main()
