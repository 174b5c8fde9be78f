"""The public report page at /, its stylesheet and its charts."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from api import report, texts
from api.dependencies import Releases, ReleasesDep
from api.errors import NotFound
from projections.catalogue import CATALOGUE

router = APIRouter(include_in_schema=False)
_templates = Environment(
    loader=PackageLoader("api", "templates"), autoescape=select_autoescape(["html"])
)
_STYLESHEET = resources.files("api").joinpath("static/estilo.css").read_bytes()


def _body(found: Releases, number: int | None) -> dict[str, Any] | None:
    chosen = number if number is not None else found.latest()
    return None if chosen is None else found.body(chosen)


def _sections(body: dict[str, Any]) -> list[dict[str, Any]]:
    year = report.latest_year(body)
    return [
        {
            "anchor": "mensual",
            "title": "Expedientes abiertos por mes",
            "chart": "expedientes_por_mes",
            "caption": "Un hueco en la gráfica es un mes suprimido (de 1 a k−1 casos, o "
            "confidencial).",
            "headers": ["Mes", "Expedientes"],
            "rows": report.months(body),
            "csv": "/v1/expedientes?tabla=por_mes&formato=csv",
        },
        {
            "anchor": "zonas",
            "title": f"Expedientes por zona en {year}",
            "chart": "expedientes_por_zona",
            "caption": "Zonas (colonias o comunidades, INEGI 2020) ordenadas de mayor a menor.",
            "headers": ["Zona", "Expedientes"],
            "rows": report.zones(body),
            "csv": "/v1/expedientes?tabla=por_zona_y_anio&formato=csv",
        },
        *(
            {
                "anchor": name.removeprefix("expedientes_por_"),
                "title": f"Expedientes por {label} en {year}",
                "chart": name,
                "caption": texts.TYPES_RULE,
                "headers": [label.capitalize(), "Expedientes"],
                "rows": rows,
                "csv": f"/v1/expedientes?tabla={table.split('/')[1]}&formato=csv",
            }
            for name, label in (
                ("expedientes_por_violencia", "tipo de violencia"),
                ("expedientes_por_modalidad", "modalidad"),
            )
            for table in (report.BY_KIND[name][0],)
            for rows in (report.by_kind(body, name),)
            if rows
        ),
        {
            "anchor": "atenciones",
            "title": f"Atenciones por área en {year}",
            "chart": "atenciones_por_area",
            "caption": "Asesorías, sesiones, gestiones, visitas y acompañamientos por área.",
            "headers": ["Área", "Atenciones"],
            "rows": report.areas(body),
            "csv": "/v1/atenciones?formato=csv",
        },
        {
            "anchor": "actividades",
            "title": f"Actividades realizadas y meta anual en {year}",
            "chart": "actividades_meta",
            "caption": "Talleres, pláticas y demás actividades públicas frente al plan de trabajo.",
            "headers": ["Tipo", "Realizadas", "Meta", "Asistentes"],
            "rows": report.activities(body),
            "csv": "/v1/actividades?formato=csv",
        },
    ]


@router.get("/", response_class=HTMLResponse)
async def page(found: ReleasesDep) -> HTMLResponse:
    body = _body(found, None)
    key = ("page", None if body is None else body["numero"])
    cached = found.rendered.get(key)
    if cached is not None:
        return HTMLResponse(cached)
    context: dict[str, Any] = {
        "title": texts.TITLE,
        "institution": texts.INSTITUTION,
        "methodology": texts.METHODOLOGY,
        "zones_source": texts.ZONES_SOURCE,
        "release": None,
        "k": 5,
        "notes": texts.notes(5),
    }
    if body is not None:
        k = int(body["umbral_k"])
        context.update(
            release={"numero": body["numero"], "publicada": texts.date_of(body["publicada"])},
            period_from=report.month_label(body["periodo"]["desde"]),
            period_to=report.month_label(body["periodo"]["hasta"]),
            k=k,
            notes=texts.notes(k),
            years=report.years(body),
            cases_total=report.grand_total(body, "expedientes/por_mes"),
            attentions_total=report.grand_total(body, "atenciones/por_area_tipo_y_mes"),
            activities_total=report.grand_total(body, "actividades/por_tipo_y_anio"),
            sections=_sections(body),
            zones_ranking=report.ranking(body),
            zones_months=report.ranking_months(body),
            downloads=[
                {
                    "title": spec.title,
                    "href": f"/v1/{spec.topic}?tabla={spec.code}&formato=csv",
                }
                for spec in CATALOGUE
            ]
            + (
                [
                    {
                        "title": "Zonas de atención prioritaria: banda, tasa, intervalo y "
                        "tendencia",
                        "href": "/v1/zonas-prioritarias?formato=csv",
                    }
                ]
                if "zonas_prioritarias" in body
                else []
            ),
        )
    html = _templates.get_template("informe.html").render(**context).encode()
    found.rendered[key] = html
    return HTMLResponse(html)


@router.get("/estilo.css")
async def stylesheet() -> Response:
    return Response(_STYLESHEET, media_type="text/css; charset=utf-8")


@router.get("/informe/{name}.svg")
async def chart(
    name: str,
    found: ReleasesDep,
    publicacion: Annotated[int | None, Query(ge=1, le=100000)] = None,
) -> Response:
    if name not in report.CHARTS:
        raise NotFound("Gráfica no encontrada.")
    body = _body(found, publicacion)
    if body is None:
        raise NotFound("Aún no hay publicaciones.")
    key = ("chart", name, body["numero"])
    svg = found.rendered.get(key)
    if svg is None:
        svg = report.chart(name, body).encode()
        found.rendered[key] = svg
    return Response(svg, media_type="image/svg+xml")
