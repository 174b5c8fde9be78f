"""The attacks of issue 11, played through the application service, the projector and the API.

Before releases, a cell published as 5 turned "suppressed" on the next request after one woman
withdrew her consent, and a small zone's cell changed right after a case was opened there: any
poller learnt both. Now the API serves frozen releases: neither change shows until the next
scheduled release, which is protected and audited together with the previous one.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from projections.releases import publish_data_dir
from tests.support.factories import CORTAZAR, TIERRA_FRIA, a_client, an_intake, initialized
from violeta.settings import Settings

EL_HUIZACHE = "110110022"
_SUFFIXES = (
    "alfa",
    "beta",
    "gama",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "teta",
    "iota",
    "kapa",
    "lambda",
    "mi",
)
CANARIES = [f"Canario{suffix} Apellidoprueba Sintetica" for suffix in _SUFFIXES]


def _zone_year(client: TestClient, zone: str, year: str) -> dict[str, Any]:
    response = client.get("/v1/expedientes", params={"tabla": "por_zona_y_anio", "zona": zone})
    assert response.status_code == 200, response.text
    rows = [r for r in response.json()["filas"] if r["dimensiones"]["anio"] == year]
    return dict(rows[0])


def _open(coordinator: Any, name: str, zone: str, day: str) -> Any:
    client_id = coordinator.register_client(
        a_client(name, zone=zone, registered_on=day), confirm_not_duplicate=True
    )
    coordinator.open_case(client_id, an_intake(opened_on=day))
    return client_id


def test_withdrawal_and_a_new_small_zone_case_wait_for_the_next_release(data_dir: Path) -> None:
    with initialized(Settings(data=data_dir)) as (_, coordinator):
        for n in range(7):
            _open(coordinator, CANARIES[n], CORTAZAR, "05/10/2026")
        huizache = [
            _open(coordinator, CANARIES[7 + n], EL_HUIZACHE, "12/10/2026") for n in range(5)
        ]
        coordinator._refresh_read_side()  # as an idle terminal or the follower would
        assert publish_data_dir(data_dir, today=date(2026, 11, 16)) is not None

        api = TestClient(create_app(ApiSettings(data=data_dir)))
        first = api.get("/v1/expedientes?tabla=por_zona_y_anio").content
        assert _zone_year(api, EL_HUIZACHE, "2026")["valor"] == 5

        # One woman of El Huizache opposes being counted; a woman of Tierra Fría comes in.
        coordinator.set_statistics_consent(huizache[0], False)
        _open(coordinator, "Otra Prueba Sintetica", TIERRA_FRIA, "20/11/2026")
        coordinator._refresh_read_side()
        for day in (date(2026, 11, 17), date(2026, 11, 30), date(2026, 12, 15)):
            assert publish_data_dir(data_dir, today=day) is None
            # A new process, as a poller would meet after a restart: still the same bytes.
            fresh = TestClient(create_app(ApiSettings(data=data_dir)))
            assert fresh.get("/v1/expedientes?tabla=por_zona_y_anio").content == first

        second = publish_data_dir(data_dir, today=date(2026, 12, 16))
        assert second is not None
        audit = second.body["perdida_de_informacion"]["expedientes"]["auditoria"]
        assert audit["aprobada"] is True
        assert audit["auditorias_conjuntas"] >= 1
        fresh = TestClient(create_app(ApiSettings(data=data_dir)))
        now = _zone_year(fresh, EL_HUIZACHE, "2026")
        assert (now["valor"], now["marca"]) == (None, "<5")
        assert _zone_year(fresh, TIERRA_FRIA, "2026")["valor"] is None
        assert fresh.get("/v1/expedientes?publicacion=1&tabla=por_zona_y_anio").content == first


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_violeta_api_serves_everything_with_the_key_store_removed_and_no_canary_leaks(
    data_dir: Path,
) -> None:
    with initialized(Settings(data=data_dir)) as (_, coordinator):
        for n, name in enumerate(CANARIES):
            _open(coordinator, name, CORTAZAR if n % 3 else TIERRA_FRIA, "05/10/2026")
        coordinator.refresh()
    assert publish_data_dir(data_dir, today=date(2026, 11, 16)) is not None
    keys = sorted(data_dir.glob("llaves.sqlite*"))
    assert keys
    for path in keys:
        path.unlink()
    shutil.rmtree(data_dir / "llaves", ignore_errors=True)

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "violeta", "api", "--data", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/v1/salud", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "la API no arrancó"
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                time.sleep(0.2)
        paths = [
            "/",
            "/estilo.css",
            "/v1/metadatos",
            "/v1/publicaciones",
            "/v1/salud",
            "/v1/openapi.json",
        ]
        paths += [
            f"/informe/{name}.svg"
            for name in (
                "expedientes_por_mes",
                "expedientes_por_zona",
                "atenciones_por_area",
                "actividades_meta",
                "zonas_prioritarias_mapa",
            )
        ]
        schema = httpx.get(f"{base}/v1/openapi.json").json()
        for path, operation in schema["paths"].items():
            tables = next(
                (
                    p["schema"].get("enum", [])
                    for p in operation["get"].get("parameters", [])
                    if p["name"] == "tabla"
                ),
                [],
            )
            for table in tables or [None]:
                query = "" if table is None else f"?tabla={table}"
                paths += [path + query, path + (query + "&" if query else "?") + "formato=csv"]
        for path in paths:
            response = httpx.get(base + path, timeout=10)
            assert response.status_code == 200, (path, response.text[:200])
            text = response.text.lower()
            for name in CANARIES:
                for word in name.lower().split():
                    if word.startswith("canario") or word == "apellidoprueba":
                        assert word not in text, (path, word)
    finally:
        server.terminate()
        server.wait(timeout=10)
