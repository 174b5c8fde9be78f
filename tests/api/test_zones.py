"""/v1/zonas-prioritarias: the ranking frozen inside the release, never live counts."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from tests.api.conftest import CANARY, CASES, ZONES, publish, write_views

K = 5
WOMEN = {code: women for code, _, _, women in ZONES}


def _ranking(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/v1/zonas-prioritarias{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _window_count(zone: str) -> int:
    # The release of 20/04/2024 ends in 2024-03; its 12 months are 2023-04 to 2024-03.
    return sum(n for month, code, n in CASES if code == zone and "2023-04" <= month <= "2024-03")


def test_the_ranking_names_its_release_and_its_twelve_closed_months(client: TestClient) -> None:
    body = _ranking(client)
    assert body["publicacion"]["numero"] == 1
    assert body["publicacion"]["publicada"] == "20/04/2024"
    assert (body["desde"], body["hasta"]) == ("2023-04", "2024-03")
    assert "auditoría" in body["metodo"]
    assert {zone["zona"] for zone in body["zonas"]} == set(WOMEN)


def test_every_zone_has_a_band_and_small_zones_only_a_mark(client: TestClient) -> None:
    for zone in _ranking(client)["zonas"]:
        assert zone["banda"] in ("alta", "media", "baja")
        count = _window_count(zone["zona"])
        if count < K:
            assert zone["marca"] == f"<{K}"
            assert zone["tasa"] is zone["intervalo_inferior"] is zone["tendencia"] is None
        if zone["tasa"] is not None:
            assert zone["marca"] is None
            assert zone["intervalo_inferior"] <= zone["tasa"] <= zone["intervalo_superior"]


def test_no_published_rate_stands_for_fewer_than_k_cases(client: TestClient) -> None:
    published = [z for z in _ranking(client)["zonas"] if z["tasa"] is not None]
    assert published, "Cortazar has 34 cases in the 12 months: its rate is published"
    for zone in published:
        # The rate is per 1,000 women of INEGI 2020 × 0.57; it gives the count back.
        cases = round(zone["tasa"] * WOMEN[zone["zona"]] * 0.57 / 1000)
        assert cases == _window_count(zone["zona"]) >= K


def test_polling_never_changes_the_ranking_until_the_next_release(
    client: TestClient, views_dir: Path
) -> None:
    before = client.get("/v1/zonas-prioritarias").content
    before_csv = client.get("/v1/zonas-prioritarias?formato=csv").content
    connection = sqlite3.connect(views_dir / "vistas.sqlite")
    # A new case in a small zone and a withdrawal in another, within the released months.
    connection.execute("INSERT INTO stats_cases VALUES ('2024-03', '110110054', 1)")
    connection.execute("UPDATE stats_cases SET cases = cases - 1 WHERE zone = '110110006'")
    connection.commit()
    connection.close()
    publish(views_dir / "vistas.sqlite")  # same day: nothing is due
    for _ in range(3):
        assert client.get("/v1/zonas-prioritarias").content == before
        assert client.get("/v1/zonas-prioritarias?formato=csv").content == before_csv
    publish(views_dir / "vistas.sqlite", date(2024, 5, 20))
    client.app.state.releases._listed_at = 0.0  # type: ignore[attr-defined]
    after = _ranking(client)
    assert after["publicacion"]["numero"] == 2
    assert after["hasta"] == "2024-04"
    assert _ranking(client, "?publicacion=1")["hasta"] == "2024-03"


def test_csv_is_excel_ready_spanish_and_carries_the_release(client: TestClient) -> None:
    response = client.get("/v1/zonas-prioritarias?formato=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff#")
    comments = [line for line in text.splitlines() if line.lstrip("\ufeff").startswith("#")]
    assert any("Publicación 1 del 20/04/2024" in line for line in comments)
    assert any("Método:" in line for line in comments)
    rows = list(csv.reader(io.StringIO("\n".join(text.splitlines()[len(comments) :]))))
    assert rows[0][:3] == ["clave de zona", "zona", "banda"]
    by_zone = {row[0]: row for row in rows[1:]}
    assert set(by_zone) == set(WOMEN)
    assert by_zone["110110054"][2] in ("Alta prioridad", "Media prioridad", "Baja prioridad")
    assert by_zone["110110054"][3] == ""  # a small zone: no rate
    assert by_zone["110110054"][7] == f"<{K}"


def test_metadata_describes_the_method_and_what_the_audit_covers(client: TestClient) -> None:
    body = client.get("/v1/metadatos").json()
    method = body["metodo_zonas_prioritarias"]
    assert "12 meses" in method and "auditoría" in method and "solo bajó" in method
    assert "no entran a la auditoría" in method  # what the audit does not cover is said
    assert any(entry["tema"] == "zonas-prioritarias" for entry in body["catalogo"])


def test_no_canary_and_no_true_value_in_the_ranking(client: TestClient) -> None:
    for query in ("", "?formato=csv", "?publicacion=1"):
        response = client.get(f"/v1/zonas-prioritarias{query}")
        assert response.status_code == 200
        assert CANARY not in response.text
        assert "valor_real" not in response.text


def test_bad_parameters_are_spanish_422_and_an_unknown_release_404(client: TestClient) -> None:
    response = client.get("/v1/zonas-prioritarias?formato=xlsx")
    assert response.status_code == 422
    assert "formato" in response.json()["detalle"]
    response = client.get("/v1/zonas-prioritarias?publicacion=99")
    assert response.status_code == 404
    assert "No existe la publicación 99" in response.json()["detalle"]


def test_a_release_frozen_before_the_ranking_existed_is_404_and_the_page_still_renders(
    make_client: Any, views_dir: Path
) -> None:
    import json

    path = views_dir / "vistas.sqlite"
    connection = sqlite3.connect(path)
    (body,) = connection.execute("SELECT body FROM releases WHERE number = 1").fetchone()
    older = json.loads(body)
    del older["zonas_prioritarias"]
    connection.execute("UPDATE releases SET body = ? WHERE number = 1", (json.dumps(older),))
    connection.commit()
    connection.close()
    client = make_client()
    response = client.get("/v1/zonas-prioritarias")
    assert response.status_code == 404
    assert "no contiene la clasificación de zonas" in response.json()["detalle"]
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="prioritarias"' not in page.text
    assert client.get("/v1/metadatos").json()["metodo_zonas_prioritarias"] is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_zone_name_a_spreadsheet_would_run_is_quoted_in_every_csv(
    data_dir: Path, start: str
) -> None:
    """Zone names come from an imported catalogue. The tables' CSV quoted a name that starts
    with a tab or a carriage return, the ranking's CSV did not (it knew only =+-@)."""
    path = data_dir / "vistas.sqlite"
    write_views(path)
    name = start + 'HYPERLINK("http://ejemplo.invalid")'
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE zones_view SET name = ? WHERE code = '110110001'", (name,))
    connection.close()
    publish(path)
    settings = ApiSettings(data=data_dir, backend="sqlite", api_limite="1000/minute")
    with TestClient(create_app(settings)) as client:
        for url in (
            "/v1/zonas-prioritarias?formato=csv",
            "/v1/expedientes?tabla=por_zona_y_anio&formato=csv",
        ):
            response = client.get(url)
            assert response.status_code == 200, response.text
            rows = csv.reader(io.StringIO(response.content.decode("utf-8")))
            cells = [cell for row in rows for cell in row if name in cell]
            assert cells, url
            assert all(cell == "'" + name for cell in cells), (url, cells)
