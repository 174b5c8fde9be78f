"""Serving a frozen release: requests per second on a real uvicorn on loopback.

Builds a synthetic views store (3 years, 10 zones, attentions, activities), freezes one
release with ``publish_due``, starts ``violeta``'s API (``api.main.serve``) on 127.0.0.1 in a
child process and sends a bounded number of GET requests from this one (keep-alive HTTP/1.1).
Prints the figure for a table of the release (JSON and CSV), the target (500 req/s) and the ratio to
``/v1/salud`` on the same server (target 0.8). Both processes share this machine's cores.

On PostgreSQL (``--backend postgres``, or ``auto`` with ``VIOLETA_TEST_POSTGRES`` set) the same
rows go into a schema of their own on that server, the release is computed and frozen there,
and the API reads it from there (``VIOLETA_BACKEND=postgres``); the schema is dropped
afterwards. A release is read once and then served from memory, so what the backend changes
is computing it and the list of releases read again every few seconds.

    python bench/api.py [--requests N] [--concurrency N] [--rounds N] [--backend B]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import POSTGRES_ENV, backends
from projections.releases import Release, ReleaseStore, information_loss, publish_due
from projections.statistics import PostgresReader, SQLiteReader
from projections.storage import PostgresViewStore, Statement
from projections.views import SCHEMA

ROOT = Path(__file__).resolve().parents[1]
# What the release is computed from: the rows _store writes, copied as they are to PostgreSQL.
FILLED_TABLES = (
    "zones_view",
    "stats_cases",
    "stats_attentions",
    "stats_activities",
    "activity_targets",
)
RELEASE_DAY = date(2026, 1, 20)
SERVER = """
import sys
from pathlib import Path
from api.main import serve
from api.settings import ApiSettings
serve(ApiSettings(data=Path(sys.argv[1]), api_limite="100000000/minute"), "127.0.0.1",
      int(sys.argv[2]))
"""


def _store(path: Path) -> None:
    rng = random.Random(2026)
    zones = [
        (f"1101100{n:02d}", f"Zona {n}", 40 if n == 1 else rng.randint(1, 6)) for n in range(1, 11)
    ]
    connection = sqlite3.connect(path)
    for statement in SCHEMA:
        connection.execute(statement)
    connection.executemany(
        "INSERT INTO zones_view VALUES (?, ?, 'U', 1000)", [(c, n) for c, n, _ in zones]
    )
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            key = f"{year}-{month:02d}"
            for code, _, rate in zones:
                cases = sum(rng.random() < 0.5 for _ in range(rate * 2))
                if cases:
                    connection.execute(
                        "INSERT INTO stats_cases VALUES (?, ?, ?)", (key, code, cases)
                    )
            for area, kind in (
                ("juridica", "asesoria"),
                ("psicologica", "sesion"),
                ("trabajo_social", "gestion"),
                ("trabajo_social", "visita"),
            ):
                connection.execute(
                    "INSERT INTO stats_attentions VALUES (?, ?, ?, ?)",
                    (key, area, kind, rng.randint(1, 40)),
                )
            connection.execute(
                "INSERT INTO stats_activities VALUES (?, ?, 'taller', 2, 40)", (key, zones[0][0])
            )
        connection.execute("INSERT INTO activity_targets VALUES (?, 'taller', 20)", (year,))
    connection.commit()
    connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _connection(host: str, port: int, path: str, count: int) -> None:
    """One keep-alive connection sending ``count`` requests, one after another.

    A bare HTTP/1.1 client on asyncio streams, so the load generator costs far less CPU than
    the server it measures (both share this machine's cores).
    """
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    try:
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            if status != b"200":
                raise RuntimeError(f"{path}: {status.decode()}")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
    finally:
        writer.close()


async def _load(base: str, path: str, requests: int, concurrency: int) -> float:
    host, port = base.removeprefix("http://").split(":")
    await _connection(host, int(port), path, concurrency)  # warm-up: caches filled
    started = time.perf_counter()
    share = requests // concurrency
    await asyncio.gather(*(_connection(host, int(port), path, share) for _ in range(concurrency)))
    return share * concurrency / (time.perf_counter() - started)


@contextmanager
def _postgres_schema(path: Path) -> Iterator[tuple[str, str]]:
    """A fresh schema holding the rows of the SQLite file at ``path``; dropped afterwards."""
    conninfo = os.environ[POSTGRES_ENV]
    schema = f"bench_api_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        views = PostgresViewStore(conninfo, schema, SCHEMA)
        try:
            source = sqlite3.connect(path)
            statements = [
                Statement(
                    f"INSERT INTO {table} VALUES ({', '.join('?' for _ in row)})",  # noqa: S608 - fixed names
                    tuple(row),
                )
                for table in FILLED_TABLES
                for row in source.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            ]
            source.close()
            views.execute(statements)
        finally:
            views.close()
        yield conninfo, schema
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _publish(backend: str, data: Path, target: tuple[str, str] | None) -> Release | None:
    if backend == "postgres" and target is not None:
        conninfo, schema = target
        return publish_due(
            PostgresReader(conninfo, schema),
            ReleaseStore(conninfo=conninfo, schema=schema),
            RELEASE_DAY,
        )
    return publish_due(
        SQLiteReader(data / "vistas.sqlite"), ReleaseStore(path=data / "vistas.sqlite"), RELEASE_DAY
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", default="auto", choices=("auto", "sqlite", "postgres"))
    args = parser.parse_args()
    for backend in backends(args.backend):
        measure(backend, args.requests, args.concurrency, args.rounds)


def measure(backend: str, requests: int, concurrency: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="violeta-bench-api-") as folder:
        data = Path(folder)
        _store(data / "vistas.sqlite")
        with contextlib.ExitStack() as stack:
            target = (
                stack.enter_context(_postgres_schema(data / "vistas.sqlite"))
                if backend == "postgres"
                else None
            )
            _serve_and_load(backend, data, target, requests, concurrency, rounds)


def _serve_and_load(
    backend: str,
    data: Path,
    target: tuple[str, str] | None,
    requests: int,
    concurrency: int,
    rounds: int,
) -> None:
    print(f"api ({backend}):")
    started = time.perf_counter()
    release = _publish(backend, data, target)
    if release is None:
        raise SystemExit("no release was due")
    print(f"release computed, protected and audited in {time.perf_counter() - started:.1f} s")
    for line in information_loss(release):
        print("  " + line)
    port = _free_port()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("VIOLETA_")
    }
    if target is not None:
        environment |= {
            "VIOLETA_BACKEND": "postgres",
            "VIOLETA_POSTGRES": target[0],
            "VIOLETA_POSTGRES_SCHEMA": target[1],
        }
    server = subprocess.Popen(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", SERVER, str(data), str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/v1/salud", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the API did not start") from None
                time.sleep(0.2)
        paths = (
            "/v1/expedientes?tabla=por_zona_y_anio",
            "/v1/atenciones?formato=csv",
            "/v1/zonas-prioritarias",
            "/",
        )
        # Rounds alternate the baseline with each path, so the load of other processes
        # on this shared machine weighs on both; the median round is printed.
        rates: dict[str, list[float]] = {path: [] for path in ("/v1/salud", *paths)}
        ratios: dict[str, list[float]] = {path: [] for path in paths}
        for _ in range(rounds):
            for path in paths:
                health = asyncio.run(_load(base, "/v1/salud", requests, concurrency))
                rate = asyncio.run(_load(base, path, requests, concurrency))
                rates["/v1/salud"].append(health)
                rates[path].append(rate)
                ratios[path].append(rate / health)
        print(f"/v1/salud (baseline): {statistics.median(rates['/v1/salud']):.0f} req/s")
        for path in paths:
            print(
                f"{path}: {statistics.median(rates[path]):.0f} req/s (target 500), ratio to "
                f"/v1/salud {statistics.median(ratios[path]):.2f} (target 0.80), median of "
                f"{rounds} rounds"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
