"""What a citizen reads in the schema is Spanish, and only the Spanish paths exist."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# FastAPI's English defaults, which must all have been replaced.
ENGLISH_DEFAULTS = ("Successful Response", "Validation Error", "HTTPValidationError")
PATHS = {
    "/v1/expedientes",
    "/v1/atenciones",
    "/v1/actividades",
    "/v1/canalizaciones",
    "/v1/ordenes-de-proteccion",
    "/v1/zonas-prioritarias",
    "/v1/metadatos",
    "/v1/publicaciones",
    "/v1/salud",
}


def _schema(client: TestClient) -> dict[str, Any]:
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def test_openapi_title_and_description_are_spanish(client: TestClient) -> None:
    info = _schema(client)["info"]
    assert "Estadísticas públicas" in info["title"]
    assert "solo lectura" in info["description"]


def test_every_operation_has_a_spanish_summary_description_and_responses(
    client: TestClient,
) -> None:
    paths = _schema(client)["paths"]
    assert set(paths) == PATHS
    for path, operations in paths.items():
        assert set(operations) == {"get"}, path
        operation = operations["get"]
        assert operation["summary"]
        assert any(word in operation["description"] for word in (" los ", " la ", " el "))
        for response in operation["responses"].values():
            assert response["description"] not in ENGLISH_DEFAULTS
        for parameter in operation.get("parameters", []):
            assert parameter["description"], parameter["name"]


def test_every_response_field_is_described(client: TestClient) -> None:
    for name, model in _schema(client)["components"]["schemas"].items():
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{name}.{field}"


def test_the_schema_contains_none_of_fastapis_english_defaults(client: TestClient) -> None:
    text = client.get("/v1/openapi.json").text
    for english in ENGLISH_DEFAULTS:
        assert english not in text


def test_no_interactive_docs_pages_that_load_third_party_scripts(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
