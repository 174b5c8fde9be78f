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
CHARTS = ("expedientes_por_mes", "expedientes_por_zona", "atenciones_por_area", "actividades_meta")


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
    else:
        raise KeyError(name)
    svg: str = graph.render(is_unicode=True)
    return svg
