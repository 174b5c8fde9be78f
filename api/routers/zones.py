"""The priority-zone ranking of a frozen release, as JSON or CSV.

Computed when the release was frozen, from the release's own counts: polling never reads a
live count. Every zone shows its band; rate, interval and trend only where the release
published them (k or more cases in the 12 months, and the LP audit allowed it)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import texts
from api.csv_export import RESPONSES, release_csv, spreadsheet_text
from api.dependencies import ReleasesDep
from api.errors import NotFound
from api.models import ZonaPrioritaria, ZonasPrioritarias
from api.routers.metadata import publication

router = APIRouter(tags=["estadísticas"])

BANDS = {"alta": "Alta prioridad", "media": "Media prioridad", "baja": "Baja prioridad"}
TRENDS = {"sube": "Sube", "baja": "Baja", "estable": "Estable"}
HEADER = [
    "clave de zona",
    "zona",
    "banda",
    "tasa por 1,000 mujeres",
    "intervalo 95 % inferior",
    "intervalo 95 % superior",
    "tendencia",
    "marca",
]


def ranking_of(body: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] | None = body.get("zonas_prioritarias")
    return found


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv(body: dict[str, Any], ranking: dict[str, Any]) -> bytes:
    title = f"Zonas prioritarias, {ranking['desde']} a {ranking['hasta']}"
    about = [f"Método: {ranking['metodo']}", *texts.notes(body["umbral_k"])]
    rows = [
        [
            zone["zona"],
            spreadsheet_text(zone["nombre"]),
            BANDS.get(zone["banda"] or "", "Sin población de referencia"),
            _number(zone["tasa"]),
            _number(zone["intervalo_inferior"]),
            _number(zone["intervalo_superior"]),
            TRENDS.get(zone["tendencia"] or "", ""),
            zone["marca"] or "",
        ]
        for zone in ranking["zonas"]
    ]
    return release_csv(body, title, about, HEADER, rows)


@router.get(
    "/zonas-prioritarias",
    summary="Zonas de atención prioritaria de una publicación",
    description="Clasificación de las zonas por prioridad (alta, media, baja) calculada dentro "
    "de la publicación vigente (o de la indicada) con sus propios conteos de los últimos 12 "
    "meses: tasa por 1,000 mujeres, intervalo de 95 % y tendencia solo para zonas con k o más "
    "expedientes cuya cifra no permite deducir una celda suprimida; las demás muestran su banda "
    "y una marca. Con «formato=csv» devuelve un CSV en UTF-8 con BOM.",
    response_model=ZonasPrioritarias,
    response_description="Clasificación publicada.",
    responses=RESPONSES,
)
async def priority_zones(
    found: ReleasesDep,
    publicacion: Annotated[
        int | None,
        Query(description="Número de publicación; por omisión, la vigente.", ge=1, le=100000),
    ] = None,
    formato: Annotated[
        Literal["json", "csv"], Query(description="Formato de la respuesta: json o csv.")
    ] = "json",
) -> Response:
    number = publicacion if publicacion is not None else found.latest()
    body = None if number is None else found.body(number)
    if body is None:
        raise NotFound(
            "Aún no hay publicaciones." if number is None else f"No existe la publicación {number}."
        )
    ranking = ranking_of(body)
    if ranking is None:
        raise NotFound(f"La publicación {body['numero']} no contiene la clasificación de zonas.")
    cache_key = ("zonas-prioritarias", body["numero"], formato)
    cached = found.rendered.get(cache_key)
    if cached is not None:
        return Response(cached[0], media_type=cached[1], headers=cached[2])
    if formato == "csv":
        content = _csv(body, ranking)
        media = "text/csv; charset=utf-8"
        headers = {
            "Content-Disposition": f'attachment; filename="zonas-prioritarias_{body["numero"]}.csv"'
        }
    else:
        model = ZonasPrioritarias(
            publicacion=publication(body),
            desde=ranking["desde"],
            hasta=ranking["hasta"],
            metodo=ranking["metodo"],
            zonas=[ZonaPrioritaria(**zone) for zone in ranking["zonas"]],
            notas=texts.notes(body["umbral_k"]),
        )
        content = model.model_dump_json().encode()
        media, headers = "application/json", {}
    found.rendered[cache_key] = (content, media, headers)
    return Response(content, media_type=media, headers=headers)
