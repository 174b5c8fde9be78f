"""HTTP behaviour of the public API: metadata, read-only methods, headers, rate limit."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.security import SECURITY_HEADERS

PATHS = ("/v1/metadata", "/v1/stats/cases?group_by=zone", "/v1/openapi.json")


def test_metadata_states_methodology_threshold_rule_sources_and_notes(
    client: TestClient,
) -> None:
    body = client.get("/v1/metadata").json()
    assert body["umbral_k"] == 5
    assert "expedientes" in body["metodologia"]
    assert "1 a 4" in body["regla_supresion"]
    assert "nunca como cero" in body["regla_supresion"]
    assert "no publica totales" in body["totales"]
    assert "INEGI" in body["fuente_zonas"]
    assert "2020" in body["fuente_zonas"]
    assert body["zona_horaria"] == "America/Mexico_City"
    assert any("no suman el total de expedientes" in note for note in body["notas"])


def test_metadata_shows_generation_time_as_dd_mm_yyyy_in_mexico_city(client: TestClient) -> None:
    body = client.get("/v1/metadata").json()
    assert re.fullmatch(
        r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} \(hora del centro de México\)", body["generado"]
    )
    # Mexico City has kept UTC-6 all year since 2022.
    assert body["generado_iso"].endswith("-06:00")
    day, month, year = body["generado"][:10].split("/")
    assert body["generado_iso"][:10] == f"{year}-{month}-{day}"


def test_metadata_reports_the_configured_threshold(make_client: Callable[..., TestClient]) -> None:
    body = make_client(umbral_k=10).get("/v1/metadata").json()
    assert body["umbral_k"] == 10
    assert "1 a 9" in body["regla_supresion"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writing_methods_are_405_in_spanish(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/stats/cases?group_by=zone")
    assert response.status_code == 405
    assert "solo lectura" in response.json()["detalle"]
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/v1/stats/cases?group_by=zone")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"


def test_options_lists_the_allowed_methods(client: TestClient) -> None:
    response = client.options("/v1/metadata")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


def test_unknown_paths_are_404_in_spanish(client: TestClient) -> None:
    response = client.get("/v1/clientes")
    assert response.status_code == 404
    assert response.json() == {"detalle": "Recurso no encontrado."}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        *(("GET", path) for path in PATHS),
        ("GET", "/v1/stats/cases?group_by=zone&formato=csv"),
        ("GET", "/v1/stats/cases?group_by=nada"),
        ("GET", "/no-existe"),
        ("HEAD", "/v1/metadata"),
        ("OPTIONS", "/v1/metadata"),
        ("DELETE", "/v1/metadata"),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    assert response.headers["x-frame-options"] == "DENY"


def test_the_rate_limit_answers_429_in_spanish_with_retry_after(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_limite="3/minute")
    # One bucket per address across endpoints: hopping between them does not reset it.
    paths = ("/v1/metadata", "/v1/stats/cases?group_by=zone", "/v1/stats/cases?group_by=month")
    assert [client.get(path).status_code for path in paths] == [200, 200, 200]

    response = client.get("/v1/metadata")

    assert response.status_code == 429
    assert response.json()["detalle"] == (
        "Demasiadas solicitudes: el límite es de 3 solicitudes por minuto por dirección. "
        "Intente de nuevo más tarde."
    )
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_rate_limit_counts_each_client_address_separately(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_limite="1/minute")
    assert client.get("/v1/metadata").status_code == 200
    assert client.get("/v1/metadata").status_code == 429
    other = TestClient(client.app, client=("203.0.113.7", 50000))
    assert other.get("/v1/metadata").status_code == 200
