"""The public report page, read as HTML: Spanish, accessible, charts with tables, no script."""

from __future__ import annotations

import sqlite3
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from api.texts import TYPES_RULE
from projections.catalogue import TYPES_NOTE
from tests.api.conftest import CANARY, publish, write_views


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _parse(client: TestClient) -> tuple[str, _Page]:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = _Page()
    page.feed(response.text)
    return response.text, page


def test_the_page_is_spanish_with_headings_and_no_script(client: TestClient) -> None:
    text, page = _parse(client)
    assert page.all("html")[0]["lang"] == "es-MX"
    assert len(page.all("h1")) == 1
    assert len(page.all("h2")) >= 6
    assert not page.all("script")
    assert "style=" not in text
    assert "Publicación 1 del 20/04/2024" in text
    assert "diciembre de 2023 a marzo de 2024" in text


def test_every_chart_is_an_image_with_alt_text_and_a_table_beside_it(client: TestClient) -> None:
    _, page = _parse(client)
    images = page.all("img")
    # Monthly trend, zones, attentions, activities and the map of priority zones.
    assert len(images) == 5
    assert any("zonas_prioritarias_mapa" in str(image["src"]) for image in images)
    assert len(page.all("table")) == len(images)
    for image in images:
        assert image["alt"] and "tabla" in image["alt"]
        response = client.get(str(image["src"]))
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.content.startswith(b"<svg")


def test_the_headline_figures_and_tables_show_marks_never_hidden_values(
    client: TestClient,
) -> None:
    text, _ = _parse(client)
    # Cases of the closed months: 6 + 9 + 17 + 13; April, still open, is not counted.
    assert "<dd>45</dd>" in text
    assert '<th scope="row">Tierra Fría</th><td>&lt;5</td>' in text


def test_every_csv_link_of_the_page_works(client: TestClient) -> None:
    _, page = _parse(client)
    links = [str(a["href"]) for a in page.all("a") if "formato=csv" in str(a["href"])]
    assert len(links) >= 4
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.content.startswith("\ufeff".encode())


def test_the_page_allows_only_its_own_stylesheet_and_images(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src" not in policy
    assert "style-src 'self'" in policy
    assert "img-src 'self'" in policy
    chart = client.get("/informe/expedientes_por_mes.svg").headers["content-security-policy"]
    assert "script" not in chart


def test_no_personal_data_on_the_page_or_its_charts(client: TestClient) -> None:
    for path in (
        "/",
        "/estilo.css",
        *(
            f"/informe/{n}.svg"
            for n in (
                "expedientes_por_mes",
                "expedientes_por_zona",
                "atenciones_por_area",
                "actividades_meta",
            )
        ),
    ):
        assert CANARY not in client.get(path).text


def test_an_unknown_chart_is_404_in_spanish(client: TestClient) -> None:
    response = client.get("/informe/nada.svg")
    assert response.status_code == 404
    assert response.json() == {"detalle": "Gráfica no encontrada."}


def test_before_any_release_the_page_says_so(tmp_path: Path) -> None:
    from api.main import create_app
    from api.settings import ApiSettings

    response = TestClient(create_app(ApiSettings(data=tmp_path))).get("/")
    assert response.status_code == 200
    assert "Aún no hay publicaciones" in response.text


def test_the_map_places_each_locality_at_its_inegi_coordinates_coloured_by_band(
    client: TestClient,
) -> None:
    from api import localities

    svg = client.get("/informe/zonas_prioritarias_mapa.svg?publicacion=1")
    assert svg.status_code == 200
    text = svg.text
    assert "Localidades según su prioridad de atención" in text
    for label in ("Alta prioridad", "Media prioridad", "Baja prioridad"):
        assert label in text  # one series (one colour) per band, all in the legend
    ranking = client.get("/v1/zonas-prioritarias").json()["zonas"]
    located = [z for z in ranking if z["zona"] in localities.COORDINATES]
    assert located
    for zone in located:
        assert zone["nombre"] in text
    # Served as an image: its policy runs no script, and pygal loads none from outside.
    assert "script-src" not in svg.headers["content-security-policy"]
    assert "https://kozea" not in text


def test_the_ranking_table_beside_the_map_shows_bands_and_marks_never_small_counts(
    client: TestClient,
) -> None:
    import re

    text, _ = _parse(client)
    section = text[text.index('id="prioritarias"') :]
    section = section[: section.index("</section>")]
    cells = {
        name: [band, rate, interval, trend]
        for name, band, rate, interval, trend in re.findall(
            r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>'
            r"<td>(.*?)</td></tr>",
            section,
        )
    }
    assert len(cells) == 4
    # Tierra Fría and El Huizache have 2 and 4 cases in the 12 months (k = 5).
    for name in ("Tierra Fría", "El Huizache"):
        band, rate, interval, _ = cells[name]
        assert band in ("Alta prioridad", "Media prioridad", "Baja prioridad")
        assert rate == interval == "&lt;5"
    assert cells["Cortazar"][1].replace(".", "").isdigit()


def test_the_api_copy_of_the_inegi_coordinates_matches_the_catalogue_file() -> None:
    import csv
    from pathlib import Path

    from api import localities

    source = Path(__file__).parents[2] / "violeta" / "data" / "cortazar_localidades_inegi2020.csv"
    with source.open(encoding="utf-8") as handle:
        rows = {
            row["cvegeo"]: (float(row["latitud"]), float(row["longitud"]))
            for row in csv.DictReader(handle)
        }
    assert rows == localities.COORDINATES


def test_violence_types_and_modalities_have_their_charts_tables_and_the_several_types_note(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    write_views(path)
    connection = sqlite3.connect(path)
    # One case may carry several types: 38 cases of 2024, 41 mentions of a type.
    connection.executemany(
        "INSERT INTO stats_cases_violence VALUES (?, ?, ?, ?)",
        [
            ("2024-01", "110110001", "psicologica", 7),
            ("2024-02", "110110001", "psicologica", 12),
            ("2024-02", "110110001", "fisica", 6),
            ("2024-03", "110110001", "psicologica", 9),
            ("2024-03", "110110001", "economica", 7),
        ],
    )
    connection.executemany(
        "INSERT INTO stats_cases_modality VALUES (?, ?, ?, ?)",
        [
            ("2024-01", "110110001", "familiar", 7),
            ("2024-02", "110110001", "familiar", 12),
            ("2024-03", "110110001", "familiar", 9),
            ("2024-03", "110110001", "comunidad", 6),
        ],
    )
    connection.commit()
    connection.close()
    publish(path)
    with TestClient(create_app(ApiSettings(data=tmp_path, backend="sqlite"))) as client:
        text, page = _parse(client)
        for label in ("tipo de violencia", "modalidad"):
            assert f"Expedientes por {label} en 2024" in text
        assert text.count(TYPES_RULE) >= 2  # the note beside each of the two sections
        assert "Psicológica" in text and "Familiar" in text
        sources = {str(image["src"]) for image in page.all("img")}
        for chart in ("expedientes_por_violencia", "expedientes_por_modalidad"):
            src = next(s for s in sources if chart in s)
            response = client.get(src)
            assert response.status_code == 200 and response.content.startswith(b"<svg")
        assert len(page.all("table")) == len(page.all("img")) == 7
        for table in ("por_tipo_de_violencia_y_anio", "por_modalidad_y_anio"):
            response = client.get(f"/v1/expedientes?tabla={table}&formato=csv")
            assert response.status_code == 200
            assert response.content.startswith("\ufeff".encode())
            assert f"# {TYPES_NOTE}" in response.text.splitlines()
