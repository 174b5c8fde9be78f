"""A case registered through the application service is counted by the keyless API."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import VIEWS_FILENAME as API_VIEWS_FILENAME
from api.settings import ApiSettings
from projections.releases import publish_data_dir
from tests.support.factories import TIERRA_FRIA, a_client, an_intake, initialized
from violeta.settings import VIEWS_FILENAME, Settings


def test_the_api_reads_the_views_file_the_service_writes() -> None:
    assert API_VIEWS_FILENAME == VIEWS_FILENAME


def test_cases_opened_in_the_service_are_counted_with_suppression(data_dir: Path) -> None:
    with initialized(Settings(data=data_dir)) as (_, coordinator):
        for _ in range(6):
            client_id = coordinator.register_client(a_client(), confirm_not_duplicate=True)
            coordinator.open_case(client_id, an_intake())
        client_id = coordinator.register_client(
            a_client(zone=TIERRA_FRIA), confirm_not_duplicate=True
        )
        coordinator.open_case(client_id, an_intake())
        coordinator.refresh()

    client = TestClient(create_app(ApiSettings(data=data_dir)))
    # Nothing is public until the month closed and its release was computed.
    assert client.get("/v1/expedientes").status_code == 404
    release = publish_data_dir(data_dir, today=date(2026, 12, 16))
    assert release is not None
    # A fresh process (the cached list of releases is read again every few seconds).
    client = TestClient(create_app(ApiSettings(data=data_dir)))
    response = client.get("/v1/expedientes", params={"tabla": "por_zona_y_anio"})
    assert response.status_code == 200
    rows = response.json()["filas"]
    cells = {(row["dimensiones"]["zona"], row["dimensiones"]["anio"]): row for row in rows}
    assert cells[(TIERRA_FRIA, "2026")]["marca"] == "<5"
    assert cells[(TIERRA_FRIA, "2026")]["valor"] is None
    assert all(row["valor"] in (None, 0) or row["valor"] >= 5 for row in rows)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_violeta_api_command_serves_the_statistics(data_dir: Path) -> None:
    with initialized(Settings(data=data_dir)) as (_, coordinator):
        coordinator.open_case(coordinator.register_client(a_client()), an_intake())
        coordinator.refresh()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "violeta", "api", "--data", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/metadatos", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "la API no arrancó"
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        server.terminate()
        server.wait(timeout=10)
