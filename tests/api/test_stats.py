"""GET /v1/stats/cases over a synthetic SQLite views store."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import CANARY


def _cells(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/stats/cases?{query}")
    assert response.status_code == 200, response.text
    cells: list[dict[str, Any]] = response.json()["celdas"]
    return cells


def _by(cells: list[dict[str, Any]], *fields: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(cell[field] for field in fields): cell for cell in cells}


def test_zone_month_cell_with_seven_cases_is_exact_and_carries_the_zone_name(
    client: TestClient,
) -> None:
    cell = _by(_cells(client, "group_by=zone,month"), "clave_zona", "mes")[("110110001", "2024-01")]
    assert cell == {
        "clave_zona": "110110001",
        "nombre_zona": "Cortazar",
        "mes": "2024-01",
        "casos": 7,
        "suprimido": False,
        "motivo": None,
    }


def test_zone_month_cell_with_two_cases_is_suppressed_never_zero_nor_two(
    client: TestClient,
) -> None:
    response = client.get("/v1/stats/cases?group_by=zone,month")
    cell = _by(response.json()["celdas"], "clave_zona", "mes")[("110110054", "2024-01")]
    assert cell["casos"] is None
    assert cell["suprimido"] is True
    assert cell["motivo"] == "menor_que_umbral"
    assert cell["nombre_zona"] == "Tierra Fría"


def test_a_cell_at_exactly_k_is_published(client: TestClient) -> None:
    cell = _by(_cells(client, "group_by=zone,month"), "clave_zona", "mes")[("110110006", "2024-02")]
    assert (cell["casos"], cell["suprimido"]) == (5, False)


def test_group_by_zone_sums_months_and_hides_zones_that_contain_a_suppressed_month(
    client: TestClient,
) -> None:
    cells = _by(_cells(client, "group_by=zone"), "clave_zona")
    assert cells[("110110001",)]["casos"] == 6 + 7 + 12 + 9
    assert cells[("110110001",)]["mes"] is None
    assert cells[("110110006",)]["casos"] == 5
    # 2 cases in January: a total would reveal it next to the published zone×month table.
    for code in ("110110054", "110110022"):
        assert cells[(code,)]["casos"] is None
        assert cells[(code,)]["motivo"] == "protege_celda_suprimida"


def test_group_by_month_sums_zones_and_hides_months_that_contain_a_suppressed_zone(
    client: TestClient,
) -> None:
    cells = _by(_cells(client, "group_by=month"), "mes")
    assert cells[("2023-12",)]["casos"] == 6
    assert cells[("2024-02",)]["casos"] == 12 + 5
    assert cells[("2024-01",)]["suprimido"] is True
    assert cells[("2024-03",)]["suprimido"] is True
    assert all(cell["clave_zona"] is None for cell in cells.values())


def test_no_published_count_is_below_k_in_any_grouping(client: TestClient) -> None:
    for grouping in ("zone", "month", "zone,month", "month,zone"):
        for cell in _cells(client, f"group_by={grouping}"):
            assert cell["casos"] is None or cell["casos"] >= 5


def test_desde_and_hasta_bound_the_months_inclusively(client: TestClient) -> None:
    cells = _cells(client, "group_by=zone,month&desde=2024-01&hasta=2024-02")
    assert {cell["mes"] for cell in cells} == {"2024-01", "2024-02"}
    zones = _by(_cells(client, "group_by=zone&desde=2024-02"), "clave_zona")
    assert zones[("110110001",)]["casos"] == 12 + 9
    assert ("110110054",) not in zones


def test_a_higher_threshold_suppresses_more(make_client: Callable[..., TestClient]) -> None:
    client = make_client(umbral_k=8)
    response = client.get("/v1/stats/cases?group_by=zone,month")
    assert response.json()["umbral_k"] == 8
    cell = _by(response.json()["celdas"], "clave_zona", "mes")[("110110001", "2024-01")]
    assert cell["casos"] is None


def test_json_carries_the_period_threshold_and_notes(client: TestClient) -> None:
    body = client.get("/v1/stats/cases?group_by=month,zone&desde=2024-01").json()
    assert body["agrupacion"] == ["zone", "month"]
    assert body["periodo"] == {"desde": "2024-01", "hasta": None}
    assert body["umbral_k"] == 5
    assert any("no suman el total de expedientes" in note for note in body["notas"])
    assert any("no publica totales" in note for note in body["notas"])


def _csv(client: TestClient, query: str) -> tuple[list[str], list[list[str]]]:
    response = client.get(f"/v1/stats/cases?{query}&formato=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(line for line in lines if line[:1] != "#"))))
    return comments, rows


def test_csv_has_spanish_headers_and_marks_small_cells_as_below_k(client: TestClient) -> None:
    _, rows = _csv(client, "group_by=zone,month")
    assert rows[0] == ["clave_zona", "zona", "mes", "casos"]
    body = {(row[0], row[2]): row for row in rows[1:]}
    assert body[("110110054", "2024-01")] == ["110110054", "Tierra Fría", "2024-01", "<5"]
    assert body[("110110001", "2024-01")][3] == "7"
    assert body[("110110022", "2024-03")][3] == "<5"


def test_csv_marks_zone_totals_that_would_reveal_a_small_cell_as_confidential(
    client: TestClient,
) -> None:
    _, rows = _csv(client, "group_by=zone")
    assert rows[0] == ["clave_zona", "zona", "casos"]
    body = {row[0]: row[2] for row in rows[1:]}
    assert body == {
        "110110001": "34",
        "110110006": "5",
        "110110022": "confidencial",
        "110110054": "confidencial",
    }


def test_csv_header_comments_state_method_threshold_period_and_types_rule(
    client: TestClient,
) -> None:
    comments, _ = _csv(client, "group_by=month&desde=2024-01&hasta=2024-03")
    header = "\n".join(comments)
    assert "Metodología" in header
    assert "k = 5" in header
    assert "Periodo: 2024-01 a 2024-03" in header
    assert (
        "un expediente puede registrar varios tipos y modalidades de violencia; los conteos "
        "por tipo no suman el total de expedientes" in header.lower()
    )
    assert "no publica totales" in header


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("", "Falta el parámetro «group_by»"),
        ("group_by=", "no puede estar vacío"),
        ("group_by=zona", "Agrupación desconocida"),
        ("group_by=zone,zone", "repite"),
        ("group_by=zone&desde=2024-13", "Mes inválido"),
        ("group_by=zone&hasta=marzo", "AAAA-MM"),
        ("group_by=zone&desde=2024-05&hasta=2024-01", "posterior"),
        ("group_by=zone&formato=xlsx", "Valor no permitido para «formato»"),
    ],
)
def test_invalid_queries_are_422_with_a_spanish_message(
    client: TestClient, query: str, fragment: str
) -> None:
    response = client.get(f"/v1/stats/cases?{query}")
    assert response.status_code == 422
    assert fragment in response.json()["detalle"]


def test_a_data_dir_without_views_yet_answers_empty_tables(tmp_path: Path) -> None:
    from api.main import create_app
    from api.settings import ApiSettings

    client = TestClient(create_app(ApiSettings(data=tmp_path, umbral_k=5)))
    response = client.get("/v1/stats/cases?group_by=zone")
    assert response.status_code == 200
    assert response.json()["celdas"] == []
    assert list(tmp_path.iterdir()) == []


def test_the_api_reads_only_the_published_columns_of_the_two_statistics_tables(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: set[tuple[str, str]] = set()
    connect = sqlite3.connect

    def watched(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)

        def record(action: int, table: str | None, column: str | None, *_: object) -> int:
            if action == sqlite3.SQLITE_READ and table:
                reads.add((table, column or ""))
            return sqlite3.SQLITE_OK

        connection.set_authorizer(record)
        return connection

    monkeypatch.setattr(sqlite3, "connect", watched)
    for query in ("group_by=zone", "group_by=month", "group_by=zone,month&formato=csv"):
        response = client.get(f"/v1/stats/cases?{query}")
        assert CANARY not in response.text
    allowed = {
        ("stats_cases", "month"),
        ("stats_cases", "zone"),
        ("stats_cases", "cases"),
        ("zones_view", "code"),
        ("zones_view", "name"),
        ("zones_view", "kind"),
        ("zones_view", "women"),
        ("sqlite_master", "type"),
        ("sqlite_master", "name"),
    }
    assert reads
    assert reads <= allowed


def test_an_unreachable_postgres_answers_503_in_spanish_without_the_conninfo() -> None:
    from api.main import create_app
    from api.settings import ApiSettings

    settings = ApiSettings(
        backend="postgres",
        postgres="host=127.0.0.1 port=1 user=nadie password=secreto-no-publicar dbname=x",
        umbral_k=5,
    )
    client = TestClient(create_app(settings))
    response = client.get("/v1/stats/cases?group_by=zone")
    assert response.status_code == 503
    assert "no está disponible" in response.json()["detalle"]
    assert "secreto-no-publicar" not in response.text
