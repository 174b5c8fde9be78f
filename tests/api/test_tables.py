"""The catalogue's tables from a frozen release, as JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import CANARY, publish


def _rows(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/{query}")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["filas"]
    return rows


def _find(rows: list[dict[str, Any]], **dims: str | None) -> dict[str, Any]:
    return next(r for r in rows if all(r["dimensiones"][d] == v for d, v in dims.items()))


def test_cases_by_month_carry_year_totals_and_the_grand_total(client: TestClient) -> None:
    rows = _rows(client, "expedientes?tabla=por_mes")
    assert _find(rows, anio="2024", mes="2024-01")["valor"] == 9
    assert _find(rows, anio="2023", mes=None)["valor"] == 6
    grand = _find(rows, anio=None, mes=None)
    assert grand["valor"] == 6 + 9 + 17 + 13
    assert grand["etiquetas"] == {"anio": "Total", "mes": "Total"}


def test_the_open_month_is_not_published(client: TestClient) -> None:
    rows = _rows(client, "expedientes?tabla=por_mes")
    assert not any(r["dimensiones"]["mes"] == "2024-04" for r in rows)
    release = client.get("/v1/expedientes").json()["publicacion"]
    assert release["periodo"] == {"desde": "2023-12", "hasta": "2024-03"}
    assert release["publicada"] == "20/04/2024"


def test_small_zone_totals_are_suppressed_and_protected_never_zero(client: TestClient) -> None:
    rows = _rows(client, "expedientes?tabla=por_zona_y_anio")
    small = _find(rows, zona="110110054", anio="2024")
    assert (small["valor"], small["marca"]) == (None, "<5")
    assert small["etiquetas"]["zona"] == "Tierra Fría"
    hidden = [r for r in rows if r["valor"] is None]
    assert any(r["marca"] == "confidencial" for r in hidden)
    for row in rows:
        assert row["valor"] is None or row["valor"] == 0 or row["valor"] >= 5


def test_filters_only_select_rows_of_the_published_table(client: TestClient) -> None:
    everything = _rows(client, "atenciones")
    selected = _rows(client, "atenciones?anio=2024&area=juridica")
    assert selected
    assert all(r in everything for r in selected)
    assert all(r["dimensiones"]["area"] == "juridica" for r in selected)


def test_a_filter_on_a_dimension_the_table_lacks_is_422(client: TestClient) -> None:
    response = client.get("/v1/expedientes?tabla=por_mes&zona=110110001")
    assert response.status_code == 422
    assert "«zona»" in response.json()["detalle"]


def test_activities_are_published_against_targets(client: TestClient) -> None:
    rows = _rows(client, "actividades")
    workshop = _find(rows, tipo="taller", anio="2024")
    assert workshop["valores"] == {"actividades": 2, "asistentes": 35, "meta": 10}


def test_csv_has_bom_comment_lines_with_method_and_release_and_spanish_headers(
    client: TestClient,
) -> None:
    response = client.get("/v1/expedientes?tabla=por_zona_y_anio&formato=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Publicación 1 del 20/04/2024" in line for line in comments)
    assert any("violeta-sdc-1" in line for line in comments)
    assert any("Supresión complementaria" in line for line in comments)
    table = list(
        csv.reader(
            io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))
        )
    )
    assert table[0] == ["clave de zona", "zona", "año", "expedientes"]
    assert ["110110054", "Tierra Fría", "2024", "<5"] in table
    assert ["", "Total", "Total", "45"] in table


def test_a_release_is_served_identically_after_the_live_counts_change(
    client: TestClient, views_dir: Path
) -> None:
    import sqlite3

    before = client.get("/v1/expedientes?tabla=por_zona_y_anio").content
    connection = sqlite3.connect(views_dir / "vistas.sqlite")
    connection.execute("UPDATE stats_cases SET cases = cases - 1 WHERE zone = '110110006'")
    connection.execute("INSERT INTO stats_cases VALUES ('2024-03', '110110054', 1)")
    connection.commit()
    connection.close()
    publish(views_dir / "vistas.sqlite")  # same day: nothing is due
    assert client.get("/v1/expedientes?tabla=por_zona_y_anio").content == before
    assert client.get("/v1/publicaciones").json()["vigente"] == 1


def test_an_older_release_stays_available_by_number(client: TestClient, views_dir: Path) -> None:
    from datetime import date

    publish(views_dir / "vistas.sqlite", date(2024, 5, 20))
    old = client.get("/v1/expedientes?publicacion=1").json()
    assert old["publicacion"]["numero"] == 1
    assert old["publicacion"]["periodo"]["hasta"] == "2024-03"


def test_the_list_of_releases_gives_each_its_date_period_threshold_and_method(
    make_client: Any, views_dir: Path
) -> None:
    from datetime import date

    publish(views_dir / "vistas.sqlite", date(2024, 5, 20))
    listed = make_client().get("/v1/publicaciones").json()  # a server started after both
    assert listed["vigente"] == 2
    first, second = listed["publicaciones"]
    assert (first["numero"], second["numero"]) == (1, 2)
    assert first["publicada"] == "20/04/2024"
    assert first["periodo"] == {"desde": "2023-12", "hasta": "2024-03"}
    assert second["periodo"]["hasta"] == "2024-04"
    assert first["umbral_k"] == second["umbral_k"] == 5
    assert first["metodo"] == second["metodo"] == "violeta-sdc-1"


def test_no_body_of_any_endpoint_carries_personal_data(client: TestClient) -> None:
    paths = ["/v1/metadatos", "/v1/publicaciones", "/v1/salud", "/v1/openapi.json"]
    for topic, tables in (
        ("expedientes", ("por_mes", "por_zona_y_anio")),
        ("atenciones", ("por_area_tipo_y_mes",)),
        ("actividades", ("por_tipo_y_anio",)),
    ):
        for table in tables:
            paths += [f"/v1/{topic}?tabla={table}", f"/v1/{topic}?tabla={table}&formato=csv"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert CANARY not in response.text
        assert "valor_real" not in response.text


def test_before_any_release_tables_are_404_in_spanish(tmp_path: Path) -> None:
    from api.main import create_app
    from api.settings import ApiSettings

    client = TestClient(create_app(ApiSettings(data=tmp_path)))
    response = client.get("/v1/expedientes")
    assert response.status_code == 404
    assert response.json() == {"detalle": "Aún no hay publicaciones."}
    assert client.get("/v1/salud").json() == {"estado": "ok", "publicacion_vigente": None}


def test_a_frozen_release_is_still_served_when_the_store_becomes_unavailable(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api import dependencies
    from projections.statistics import StoreUnavailable

    before = client.get("/v1/expedientes").content
    found = client.app.state.releases  # type: ignore[attr-defined]

    def down(*args: object) -> list[tuple[object, ...]]:
        raise StoreUnavailable("database is locked")

    monkeypatch.setattr(found.reader, "fetch", down)
    monkeypatch.setattr(dependencies, "REFRESH_SECONDS", 0.0)
    assert client.get("/v1/expedientes").content == before
    assert client.get("/v1/salud").json()["publicacion_vigente"] == 1


def test_a_store_unavailable_before_anything_was_read_is_503_in_spanish(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from projections.statistics import StoreUnavailable

    client = make_client()
    found = client.app.state.releases  # type: ignore[attr-defined]

    def down(*args: object) -> list[tuple[object, ...]]:
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(found.reader, "fetch", down)
    response = client.get("/v1/expedientes")
    assert response.status_code == 503
    assert "no está disponible" in response.json()["detalle"]
    assert "connection refused" not in response.text


def test_a_table_added_after_a_release_was_frozen_is_404_for_that_release(
    client: TestClient,
) -> None:
    found = client.app.state.releases  # type: ignore[attr-defined]
    client.get("/v1/salud")
    del found.body(1)["tablas"]["expedientes/por_edad_y_anio"]  # as an older release reads
    response = client.get("/v1/expedientes?tabla=por_edad_y_anio&publicacion=1")
    assert response.status_code == 404
    assert response.json() == {
        "detalle": "La publicación 1 no contiene la tabla «por_edad_y_anio»."
    }
