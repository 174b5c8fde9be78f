"""HTTP behaviour of the public API: read-only methods, headers, rate limit, proxies, errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.security import SECURITY_HEADERS

PATHS = ("/v1/metadatos", "/v1/expedientes", "/v1/openapi.json", "/v1/salud")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_every_method_but_get_and_head_is_405_in_spanish(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/expedientes")
    assert response.status_code == 405
    assert "solo lectura" in response.json()["detalle"]
    assert response.headers["allow"] == "GET, HEAD"


def test_a_cors_preflight_gets_no_access_control_headers(client: TestClient) -> None:
    response = client.options(
        "/v1/expedientes",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 405
    assert not any(name.startswith("access-control") for name in response.headers)
    got = client.get("/v1/expedientes", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in got.headers


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/v1/expedientes")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"


def test_unknown_paths_are_404_in_spanish(client: TestClient) -> None:
    response = client.get("/v1/clientes")
    assert response.status_code == 404
    assert response.json() == {"detalle": "Recurso no encontrado."}


@pytest.mark.parametrize("old", ["/v1/stats/cases?group_by=zone", "/v1/metadata"])
def test_the_old_english_paths_are_gone(client: TestClient, old: str) -> None:
    assert client.get(old).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        *(("GET", path) for path in PATHS),
        ("GET", "/v1/expedientes?formato=csv"),
        ("GET", "/v1/expedientes?tabla=nada"),
        ("GET", "/no-existe"),
        ("HEAD", "/v1/metadatos"),
        ("DELETE", "/v1/metadatos"),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_the_rate_limit_answers_429_in_spanish_with_retry_after(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_limite="3/minute")
    # One bucket per address across endpoints: hopping between them does not reset it.
    paths = ("/v1/metadatos", "/v1/expedientes", "/v1/atenciones")
    assert [client.get(path).status_code for path in paths] == [200, 200, 200]

    response = client.get("/v1/metadatos")

    assert response.status_code == 429
    assert response.json()["detalle"] == (
        "Demasiadas solicitudes: el límite es de 3 solicitudes por minuto por dirección. "
        "Intente de nuevo más tarde."
    )
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/v1/openapi.json", "/no-existe", "/v1/salud"])
def test_every_path_is_rate_limited_including_the_openapi_document(
    make_client: Callable[..., TestClient], path: str
) -> None:
    client = make_client(api_limite="2/minute")
    statuses = [client.get(path).status_code for _ in range(6)]
    assert statuses[0] != 429
    # The sliding-window counter weighs the previous minute's hits by the share of it still
    # in the window: just after a minute turns, two hits weigh a little under two and a third
    # passes. However the minute falls, no more than three of six quick requests pass.
    assert statuses.count(429) >= 3, statuses


def test_the_rate_limit_counts_each_client_address_separately(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_limite="1/minute")
    assert client.get("/v1/metadatos").status_code == 200
    assert client.get("/v1/metadatos").status_code == 429
    other = TestClient(client.app, client=("203.0.113.7", 50000))
    assert other.get("/v1/metadatos").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_limite="1/minute")
    assert client.get("/v1/salud").status_code == 200
    for n in range(3):
        forged = {"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"198.51.100.{n}"}
        assert client.get("/v1/salud", headers=forged).status_code == 429


def test_serve_trusts_proxy_headers_only_from_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from api import main
    from api.settings import ApiSettings

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(main.uvicorn, "run", lambda app, **kw: calls.append(kw))
    main.serve(ApiSettings(data=tmp_path), "127.0.0.1", 8000)
    main.serve(ApiSettings(data=tmp_path, api_proxies="10.0.0.5"), "127.0.0.1", 8000)
    assert calls[0]["proxy_headers"] is False
    assert calls[1]["proxy_headers"] is True
    assert calls[1]["forwarded_allow_ips"] == "10.0.0.5"


def test_a_huge_parameter_is_never_echoed_back(client: TestClient) -> None:
    huge = "A" * 60_000  # httpx refuses URLs past 65,536 characters
    for query in (f"tabla={huge}", f"anio={huge}", f"formato={huge}"):
        response = client.get(f"/v1/expedientes?{query}")
        assert response.status_code == 422
        assert len(response.content) < 500
        assert "A" * 30 not in response.text
    # An unknown parameter is ignored, never echoed.
    assert "A" * 30 not in client.get(f"/v1/expedientes?{huge}=1").text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("tabla=nada", "tabla"),
        ("anio=24", "anio"),
        ("zona=abc", "zona"),
        ("publicacion=0", "publicacion"),
        ("publicacion=uno", "publicacion"),
        ("formato=xls", "formato"),
    ],
)
def test_bad_parameters_are_422_in_spanish_naming_the_field(
    client: TestClient, query: str, field: str
) -> None:
    response = client.get(f"/v1/expedientes?{query}")
    assert response.status_code == 422
    assert f"«{field}»" in response.json()["detalle"]


def test_a_100_kb_parameter_sent_straight_to_the_app_is_quoted_only_by_a_prefix(
    client: TestClient,
) -> None:
    # The attack: a 422 echoed a 100 KB parameter whole. httpx refuses such a URL, so
    # the request goes to the ASGI app directly, as uvicorn would hand it over.
    import asyncio

    huge = b"B" * 100_000
    messages: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/v1/expedientes",
        "raw_path": b"/v1/expedientes",
        "query_string": b"tabla=" + huge,
        "headers": [(b"host", b"testserver")],
        "client": ("198.51.100.9", 1234),
        "server": ("testserver", 80),
        "root_path": "",
    }
    asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(
        m.get("body", b"")  # type: ignore[misc]
        for m in messages
        if m["type"] == "http.response.body"
    )
    assert status == 422
    assert len(body) < 500
    assert b"B" * 30 not in body
    assert "«tabla»" in body.decode()
