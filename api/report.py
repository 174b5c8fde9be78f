"""The public report page: what a release says, as figures, charts and their tables.

Read from the same frozen release the API serves, never from live counts. Charts are SVG drawn
by pygal and served as images (their own responses, so the page needs no inline style or
script); every chart has its table beside it, which is what a screen reader reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pygal
from pygal.style import Style

from api.localities import COORDINATES
from projections.catalogue import TOTAL

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    colors=("#5b2a86", "#c2185b", "#00796b", "#ef6c00"),
    font_family="DejaVu Sans, Arial, sans-serif",
    title_font_size=18,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
)
CHARTS = (
    "expedientes_por_mes",
    "expedientes_por_zona",
    "expedientes_por_violencia",
    "expedientes_por_modalidad",
    "atenciones_por_area",
    "actividades_meta",
    "zonas_prioritarias_mapa",
)
BANDS = (
    ("alta", "Alta prioridad", "#b0003a"),
    ("media", "Media prioridad", "#ef6c00"),
    ("baja", "Baja prioridad", "#00796b"),
)
BAND_LABELS = {code: label for code, label, _ in BANDS}
TRENDS = {"sube": "Sube", "baja": "Baja", "estable": "Estable"}
# Tables by one dimension of the case and year, drawn for the latest year.
BY_KIND = {
    "expedientes_por_violencia": ("expedientes/por_tipo_de_violencia_y_anio", "violencia"),
    "expedientes_por_modalidad": ("expedientes/por_modalidad_y_anio", "modalidad"),
}


@dataclass(frozen=True)
class Row:
    label: str
    value: int | None
    mark: str | None = None
    extra: tuple[int | None, ...] = ()

    @property
    def shown(self) -> str:
        return f"{self.value:,}".replace(",", " ") if self.value is not None else self.mark or ""


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} de {year}"


def _cells(body: dict[str, Any], table: str) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = body["tablas"][table]["celdas"]
    return cells


def _row(label: str, cell: dict[str, Any]) -> Row:
    return Row(label, cell.get("valor"), cell.get("marca"))


def _where(cells: Iterable[dict[str, Any]], **dims: str) -> list[dict[str, Any]]:
    return [c for c in cells if all(c["dimensiones"][d] == v for d, v in dims.items())]


def months(body: dict[str, Any]) -> list[Row]:
    cells = _cells(body, "expedientes/por_mes")
    return [
        _row(month_label(c["dimensiones"]["mes"]), c)
        for c in cells
        if TOTAL not in c["dimensiones"].values()
    ]


def years(body: dict[str, Any]) -> list[Row]:
    cells = _where(_cells(body, "expedientes/por_mes"), mes=TOTAL)
    return [
        _row(
            "Total del periodo" if c["dimensiones"]["anio"] == TOTAL else c["dimensiones"]["anio"],
            c,
        )
        for c in cells
    ]


def latest_year(body: dict[str, Any]) -> str:
    return str(body["periodo"]["hasta"])[:4]


def zones(body: dict[str, Any]) -> list[Row]:
    year = latest_year(body)
    cells = [
        c
        for c in _where(_cells(body, "expedientes/por_zona_y_anio"), anio=year)
        if c["dimensiones"]["zona"] != TOTAL
    ]
    rows = [_row(c["etiquetas"]["zona"], c) for c in cells]
    return sorted(rows, key=lambda r: (-(r.value or 0), r.label))


def by_kind(body: dict[str, Any], chart_name: str) -> list[Row]:
    """The rows of a case × year table for the latest year, totals last; empty if absent."""
    table, dimension = BY_KIND[chart_name]
    if table not in body["tablas"]:
        return []
    year = latest_year(body)
    cells = _where(_cells(body, table), anio=year)
    rows = [
        _row(c["etiquetas"][dimension], c) for c in cells if c["dimensiones"][dimension] != TOTAL
    ]
    if not rows:
        return []
    totals = [
        _row(c["etiquetas"][dimension], c) for c in cells if c["dimensiones"][dimension] == TOTAL
    ]
    return sorted(rows, key=lambda r: (-(r.value or 0), r.label)) + totals


def areas(body: dict[str, Any]) -> list[Row]:
    year = latest_year(body)
    cells = _where(_cells(body, "atenciones/por_area_tipo_y_mes"), tipo=TOTAL, anio=year, mes=TOTAL)
    return [_row(c["etiquetas"]["area"], c) for c in cells]


def activities(body: dict[str, Any]) -> list[Row]:
    year = latest_year(body)
    rows = []
    for c in _where(_cells(body, "actividades/por_tipo_y_anio"), anio=year):
        values = c["valores"]
        rows.append(
            Row(
                c["etiquetas"]["tipo"],
                values["actividades"],
                None,
                (values["meta"], values["asistentes"]),
            )
        )
    return rows


def grand_total(body: dict[str, Any], table: str) -> Row:
    cell = next(c for c in _cells(body, table) if set(c["dimensiones"].values()) == {TOTAL})
    if "valores" in cell:
        return Row("Total", cell["valores"]["actividades"], None, (cell["valores"]["meta"],))
    return _row("Total", cell)


@dataclass(frozen=True)
class ZoneRow:
    """One line of the priority-zone table: what the release published for the zone."""

    name: str
    band: str
    rate: str
    interval: str
    trend: str


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def ranking(body: dict[str, Any]) -> list[ZoneRow]:
    found = body.get("zonas_prioritarias")
    if not found:
        return []
    rows = []
    for zone in found["zonas"]:
        mark = zone["marca"] or ""
        rows.append(
            ZoneRow(
                zone["nombre"],
                BAND_LABELS.get(zone["banda"] or "", "Sin población de referencia"),
                _figure(zone["tasa"]) if zone["tasa"] is not None else mark,
                f"{_figure(zone['intervalo_inferior'])} a {_figure(zone['intervalo_superior'])}"
                if zone["tasa"] is not None
                else mark,
                TRENDS.get(zone["tendencia"] or "", "No se publica"),
            )
        )
    return rows


def ranking_months(body: dict[str, Any]) -> tuple[str, str] | None:
    found = body.get("zonas_prioritarias")
    if not found:
        return None
    return month_label(found["desde"]), month_label(found["hasta"])


def _position(zone: dict[str, Any]) -> tuple[float, float] | None:
    if zone.get("latitud") is not None and zone.get("longitud") is not None:
        return float(zone["longitud"]), float(zone["latitud"])
    known = COORDINATES.get(zone["zona"])
    return None if known is None else (known[1], known[0])


def _map(body: dict[str, Any]) -> pygal.Graph:
    """The localities at their INEGI coordinates, one colour per band (a scatter, not a
    basemap: the position is what matters, and the table beside it carries the figures)."""
    found = body.get("zonas_prioritarias") or {"zonas": []}
    located = [where for zone in found["zonas"] if (where := _position(zone)) is not None]
    bounds: dict[str, Any] = {}
    if located:
        xs, ys = [x for x, _ in located], [y for _, y in located]
        # Room on the right for the names printed beside the points.
        bounds = {
            "xrange": (min(xs) - 0.01, max(xs) + 0.05),
            "range": (min(ys) - 0.01, max(ys) + 0.01),
        }
    style = Style(**{**_STYLE.to_dict(), "colors": tuple(colour for *_, colour in BANDS)})
    graph = pygal.XY(
        js=[],
        disable_xml_declaration=True,
        style=style,
        title="Localidades según su prioridad de atención",
        width=900,
        height=560,
        stroke=False,
        dots_size=7,
        legend_at_bottom=True,
        x_title="Longitud",
        y_title="Latitud",
        no_data_text="Sin datos publicados",
        print_labels=True,
        truncate_label=-1,
        x_value_formatter=lambda x: f"{x:.2f}",
        value_formatter=lambda y: f"{y:.2f}",
        **bounds,
    )
    for code, label, _ in BANDS:
        points = []
        for zone in found["zonas"]:
            where = _position(zone)
            if zone["banda"] == code and where is not None:
                points.append({"value": where, "label": zone["nombre"]})
        graph.add(label, points)
    return graph


def _chart(kind: type[pygal.Graph], title: str, **options: Any) -> pygal.Graph:
    return kind(
        js=[],
        disable_xml_declaration=True,
        style=_STYLE,
        title=title,
        width=900,
        height=380,
        print_values=False,
        legend_at_bottom=True,
        no_data_text="Sin datos publicados",
        **options,
    )


def chart(name: str, body: dict[str, Any]) -> str:
    """One chart of the release as SVG text; suppressed cells are gaps, never zeros."""
    year = latest_year(body)
    if name == "expedientes_por_mes":
        rows = months(body)
        graph = _chart(
            pygal.Bar,
            "Expedientes abiertos por mes",
            show_legend=False,
            x_label_rotation=60,
            show_minor_x_labels=False,
        )
        graph.x_labels = [r.label for r in rows]
        graph.x_labels_major = [r.label for r in rows if r.label.startswith("enero")]
        graph.add("Expedientes", [r.value for r in rows])
    elif name == "expedientes_por_zona":
        rows = zones(body)
        graph = _chart(pygal.HorizontalBar, f"Expedientes por zona en {year}", show_legend=False)
        graph.x_labels = [r.label for r in reversed(rows)]
        graph.add("Expedientes", [r.value for r in reversed(rows)])
    elif name in BY_KIND:
        rows = [r for r in by_kind(body, name) if not r.label.startswith("Total")]
        title = "tipo de violencia" if name.endswith("violencia") else "modalidad"
        graph = _chart(pygal.HorizontalBar, f"Expedientes por {title} en {year}", show_legend=False)
        graph.x_labels = [r.label for r in reversed(rows)]
        graph.add("Expedientes", [r.value for r in reversed(rows)])
    elif name == "atenciones_por_area":
        rows = [r for r in areas(body) if r.label != "Total"]
        graph = _chart(pygal.Bar, f"Atenciones por área en {year}", show_legend=False)
        graph.x_labels = [r.label for r in rows]
        graph.add("Atenciones", [r.value for r in rows])
    elif name == "actividades_meta":
        rows = [r for r in activities(body) if r.label != "Total"]
        graph = _chart(pygal.Bar, f"Actividades realizadas y meta anual en {year}")
        graph.x_labels = [r.label for r in rows]
        graph.add("Realizadas", [r.value for r in rows])
        graph.add("Meta", [r.extra[0] for r in rows])
    elif name == "zonas_prioritarias_mapa":
        graph = _map(body)
    else:
        raise KeyError(name)
    svg: str = graph.render(is_unicode=True)
    return svg
