"""Serving a frozen release: requests per second on a real uvicorn on loopback.

Builds a synthetic views store (3 years, 10 zones, attentions, activities), freezes one
release with ``publish_due``, starts ``violeta``'s API (``api.main.serve``) on 127.0.0.1 in a
child process and sends a bounded number of GET requests from this one (keep-alive HTTP/1.1).
Prints the figure for a table of the release (JSON and CSV), the target (500 req/s) and the ratio to
``/v1/salud`` on the same server (target 0.8). Both processes share this machine's cores.

    python bench/api.py [--requests N] [--concurrency N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from projections.releases import ReleaseStore, information_loss, publish_due
from projections.statistics import SQLiteReader
from projections.views import SCHEMA

ROOT = Path(__file__).resolve().parents[1]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="violeta-bench-api-") as folder:
        data = Path(folder)
        _store(data / "vistas.sqlite")
        started = time.perf_counter()
        release = publish_due(
            SQLiteReader(data / "vistas.sqlite"),
            ReleaseStore(path=data / "vistas.sqlite"),
            date(2026, 1, 20),
        )
        if release is None:
            raise SystemExit("no release was due")
        print(f"release computed, protected and audited in {time.perf_counter() - started:.1f} s")
        for line in information_loss(release):
            print("  " + line)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our interpreter, our script
            [sys.executable, "-c", SERVER, str(data), str(port)],
            cwd=ROOT,
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
            for _ in range(args.rounds):
                for path in paths:
                    health = asyncio.run(_load(base, "/v1/salud", args.requests, args.concurrency))
                    rate = asyncio.run(_load(base, path, args.requests, args.concurrency))
                    rates["/v1/salud"].append(health)
                    rates[path].append(rate)
                    ratios[path].append(rate / health)
            print(f"/v1/salud (baseline): {statistics.median(rates['/v1/salud']):.0f} req/s")
            for path in paths:
                print(
                    f"{path}: {statistics.median(rates[path]):.0f} req/s (target 500), ratio to "
                    f"/v1/salud {statistics.median(ratios[path]):.2f} (target 0.80), median of "
                    f"{args.rounds} rounds"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
