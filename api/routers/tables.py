"""The tables of the catalogue, one route per topic, as JSON or CSV, from a frozen release."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import texts
from api.csv_export import RESPONSES, release_csv, spreadsheet_text
from api.dependencies import ReleasesDep
from api.errors import InvalidQuery, NotFound, quote
from api.models import Fila, Tabla
from api.routers.metadata import publication
from projections.catalogue import DIMENSION_LABELS, TOPICS, TOTAL, tables_of

router = APIRouter(tags=["estadísticas"])

_FILTERS = {
    "anio": ("^[1-9][0-9]{3}$", "Año (AAAA): solo las filas de ese año."),
    "zona": ("^[0-9]{9}$", "Clave geoestadística de 9 dígitos: solo las filas de esa zona."),
    "area": ("^[a-z_]{1,30}$", "Área (trabajo_social, juridica, psicologica)."),
}


def _select(body: dict[str, Any], table: dict[str, Any], filters: dict[str, str]) -> list[Fila]:
    dims = table["dimensiones"]
    for name in filters:
        if name not in dims:
            raise InvalidQuery(
                f"«{name}»: la tabla «{table['codigo']}» no tiene esa dimensión; tiene: "
                f"{', '.join(dims)}."
            )
    rows = []
    for cell in table["celdas"]:
        if any(cell["dimensiones"][name] != value for name, value in filters.items()):
            continue
        rows.append(
            Fila(
                dimensiones={d: None if v == TOTAL else v for d, v in cell["dimensiones"].items()},
                etiquetas=cell["etiquetas"],
                valor=cell.get("valor"),
                marca=cell.get("marca"),
                valores=cell.get("valores"),
            )
        )
    return rows


def _csv(body: dict[str, Any], table: dict[str, Any], rows: list[Fila]) -> bytes:
    about = [
        f"Metodología: {texts.METHODOLOGY}",
        *(texts.notes(body["umbral_k"]) if table["protegida"] else []),
        *table["notas"],
    ]
    dims = list(table["dimensiones"])
    header: list[str] = []
    for d in dims:
        header += ["clave de zona", "zona"] if d == "zona" else [DIMENSION_LABELS[d]]
    header += list(table["medidas"].values())
    lines = []
    for row in rows:
        line: list[str] = []
        for d in dims:
            if d == "zona":
                line.append(row.dimensiones[d] or "")
            line.append(spreadsheet_text(row.etiquetas[d]))
        if row.valores is not None:
            line += [str(row.valores.get(m, 0)) for m in table["medidas"]]
        else:
            line.append((row.marca or "") if row.valor is None else str(row.valor))
        lines.append(line)
    return release_csv(body, table["titulo"], about, header, lines)


def _route(topic: str) -> Callable[..., Awaitable[Tabla | Response]]:
    specs = tables_of(topic)
    codes = [spec.code for spec in specs]

    async def read(
        found: ReleasesDep,
        tabla: Annotated[
            str,
            Query(
                description="Tabla del catálogo: " + ", ".join(codes) + ".",
                max_length=40,
                json_schema_extra={"enum": codes},
            ),
        ] = codes[0],
        publicacion: Annotated[
            int | None,
            Query(description="Número de publicación; por omisión, la vigente.", ge=1, le=100000),
        ] = None,
        formato: Annotated[
            Literal["json", "csv"], Query(description="Formato de la respuesta: json o csv.")
        ] = "json",
        anio: Annotated[
            str | None,
            Query(description=_FILTERS["anio"][1], pattern=_FILTERS["anio"][0], max_length=4),
        ] = None,
        zona: Annotated[
            str | None,
            Query(description=_FILTERS["zona"][1], pattern=_FILTERS["zona"][0], max_length=9),
        ] = None,
        area: Annotated[
            str | None,
            Query(description=_FILTERS["area"][1], pattern=_FILTERS["area"][0], max_length=30),
        ] = None,
    ) -> Tabla | Response:
        if tabla not in codes:
            raise InvalidQuery(
                f"Valor no permitido para «tabla» («{quote(tabla)}»): use {', '.join(codes)}."
            )
        number = publicacion if publicacion is not None else found.latest()
        body = None if number is None else found.body(number)
        if body is None:
            raise NotFound(
                "Aún no hay publicaciones."
                if number is None
                else f"No existe la publicación {number}."
            )
        table = body["tablas"].get(f"{topic}/{tabla}")
        if table is None:  # a table added to the catalogue after this release was frozen
            raise NotFound(f"La publicación {body['numero']} no contiene la tabla «{tabla}».")
        filters = {
            name: value
            for name, value in (("anio", anio), ("zona", zona), ("area", area))
            if value is not None
        }
        cache_key = (topic, tabla, body["numero"], formato, tuple(sorted(filters.items())))
        cached = found.rendered.get(cache_key)
        if cached is not None:
            return Response(cached[0], media_type=cached[1], headers=cached[2])
        rows = _select(body, table, filters)
        if formato == "csv":
            content = _csv(body, table, rows)
            media = "text/csv; charset=utf-8"
            headers = {
                "Content-Disposition": f'attachment; filename="{topic}_{tabla}_'
                f'{body["numero"]}.csv"'
            }
        else:
            model = Tabla(
                publicacion=publication(body),
                tema=topic,
                tabla=tabla,
                titulo=table["titulo"],
                dimensiones=table["dimensiones"],
                medidas=table["medidas"],
                protegida=table["protegida"],
                filas=rows,
                notas=[
                    *(texts.notes(body["umbral_k"]) if table["protegida"] else []),
                    *table["notas"],
                ],
            )
            content = model.model_dump_json().encode()
            media, headers = "application/json", {}
        found.rendered[cache_key] = (content, media, headers)
        return Response(content, media_type=media, headers=headers)

    read.__name__ = f"read_{topic}"
    return read


for _topic in TOPICS:
    router.add_api_route(
        f"/{_topic}",
        _route(_topic),
        methods=["GET"],
        summary=f"Tablas de {_topic} de una publicación",
        description=f"Devuelve una tabla del catálogo de {_topic} de la publicación vigente (o "
        "de la indicada), con todos sus totales y con las celdas pequeñas suprimidas. Los filtros "
        "solo seleccionan filas de la tabla publicada. Con «formato=csv» devuelve un CSV en "
        "UTF-8 con BOM, encabezados en español y líneas de comentario (#) con el método y la "
        "publicación.",
        response_model=Tabla,
        response_description="Tabla publicada.",
        responses=RESPONSES,
    )
