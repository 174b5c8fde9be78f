"""Case counts under disclosure control, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api import texts
from api.dependencies import ReaderDep, SettingsDep
from api.errors import InvalidQuery
from api.models import CeldaCasos, Error, Periodo, TablaCasos
from projections.statistics import (
    Month,
    PublishedCell,
    Suppression,
    check_group_by,
    published_case_counts,
    zones,
)

router = APIRouter(prefix="/stats", tags=["estadísticas"])

_MONTH_PATTERN = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
_CSV_COLUMNS = {"zone": ("clave_zona", "zona"), "month": ("mes",)}
# A spreadsheet would run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CaseQuery:
    group_by: tuple[str, ...]
    since: Month | None
    until: Month | None


def _month(name: str, text: str | None) -> Month | None:
    if text is None:
        return None
    try:
        return Month.parse(text)
    except ValueError as error:
        raise InvalidQuery(f"«{name}»: {error}") from None


def case_query(
    group_by: Annotated[
        str,
        Query(
            description="Dimensiones separadas por coma: «zone», «month» o «zone,month». "
            "No se admite una tabla sin agrupación (sería un total).",
            examples=["zone,month"],
            # Documented, not enforced: case_query checks it with a message that says why.
            json_schema_extra={"pattern": "^(zone|month|zone,month|month,zone)$"},
        ),
    ],
    desde: Annotated[
        str | None,
        Query(
            description="Primer mes incluido, AAAA-MM.",
            examples=["2024-01"],
            json_schema_extra={"pattern": _MONTH_PATTERN},
        ),
    ] = None,
    hasta: Annotated[
        str | None,
        Query(
            description="Último mes incluido, AAAA-MM; no anterior a «desde».",
            examples=["2024-12"],
            json_schema_extra={"pattern": _MONTH_PATTERN},
        ),
    ] = None,
) -> CaseQuery:
    names = [name.strip() for name in group_by.split(",")]
    if not any(names):
        raise InvalidQuery("«group_by» no puede estar vacío: use zone, month o zone,month.")
    try:
        dimensions = check_group_by(names)
    except ValueError as error:
        raise InvalidQuery(f"«group_by»: {error}.") from None
    since, until = _month("desde", desde), _month("hasta", hasta)
    if since is not None and until is not None and since > until:
        raise InvalidQuery(f"«desde» ({since}) es posterior a «hasta» ({until}).")
    return CaseQuery(dimensions, since, until)


@router.get(
    "/cases",
    summary="Expedientes por zona y/o mes, con supresión de celdas pequeñas",
    description="Cuenta los expedientes abiertos agrupados por zona, por mes o por ambos. "
    "Toda celda zona×mes con menos de k expedientes se publica como suprimida, nunca como cero "
    "ni con su valor; las celdas por zona o por mes que sumarían una celda suprimida se marcan "
    "como confidenciales. No se publican totales. Con «formato=csv» devuelve un CSV en UTF-8 "
    "con encabezados en español y líneas de comentario (#) con la metodología, el umbral y el "
    "periodo.",
    response_model=TablaCasos,
    response_description="Tabla de expedientes con control de divulgación.",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        422: {"model": Error, "description": "Parámetros inválidos; el mensaje explica cuál."},
        429: {"model": Error, "description": "Demasiadas solicitudes desde la misma dirección."},
        503: {"model": Error, "description": "El almacén de estadísticas no está disponible."},
    },
)
def cases(
    query: Annotated[CaseQuery, Depends(case_query)],
    reader: ReaderDep,
    settings: SettingsDep,
    formato: Annotated[
        Literal["json", "csv"], Query(description="Formato de la respuesta: json o csv.")
    ] = "json",
) -> TablaCasos | Response:
    k = settings.umbral_k
    cells = published_case_counts(reader, query.group_by, query.since, query.until, k)
    names = {zone.code: zone.name for zone in zones(reader)} if "zone" in query.group_by else {}
    if formato == "csv":
        return _csv(query, cells, names, k)
    return TablaCasos(
        agrupacion=list(query.group_by),
        periodo=_period(query),
        umbral_k=k,
        celdas=[_row(cell, names) for cell in cells],
        notas=texts.notes(k),
    )


def _period(query: CaseQuery) -> Periodo:
    return Periodo(
        desde=None if query.since is None else str(query.since),
        hasta=None if query.until is None else str(query.until),
    )


def _row(cell: PublishedCell, names: dict[str, str]) -> CeldaCasos:
    return CeldaCasos(
        clave_zona=cell.zone,
        nombre_zona=None if cell.zone is None else names.get(cell.zone),
        mes=cell.month,
        casos=cell.cases,
        suprimido=cell.suppressed,
        motivo=None if cell.suppression is None else cell.suppression.value,
    )


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_value(cell: PublishedCell, k: int) -> str:
    if cell.suppression is Suppression.BELOW_THRESHOLD:
        return texts.suppressed_mark(k)
    if cell.suppression is Suppression.PROTECTS_SUPPRESSED:
        return texts.CONFIDENTIAL_MARK
    return str(cell.cases)


def _csv(
    query: CaseQuery, cells: tuple[PublishedCell, ...], names: dict[str, str], k: int
) -> Response:
    period = f"{query.since or 'primer mes registrado'} a {query.until or 'último mes registrado'}"
    out = io.StringIO()
    for line in [
        texts.TITLE,
        texts.INSTITUTION,
        f"Metodología: {texts.METHODOLOGY}",
        f"Umbral de supresión k = {k}.",
        *texts.notes(k),
        f"Periodo: {period}.",
        texts.ZONES_SOURCE,
        f"Generado: {texts.full_date_time(texts.now())}.",
    ]:
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [column for name in query.group_by for column in _CSV_COLUMNS[name]] + ["casos"]
    )
    for cell in cells:
        row: list[str] = []
        if "zone" in query.group_by:
            row += [_text(cell.zone or ""), _text(names.get(cell.zone or "", ""))]
        if "month" in query.group_by:
            row.append(cell.month or "")
        writer.writerow([*row, _csv_value(cell, k)])
    filename = "expedientes_" + "_".join(query.group_by) + ".csv"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
