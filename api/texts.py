"""The Spanish wording published with every table: the metadata endpoint and the CSV header."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TIME_ZONE = "America/Mexico_City"

TITLE = "Violeta — Estadísticas públicas de atención a mujeres en situación de violencia"
INSTITUTION = "Dirección de Atención Integral a las Mujeres de Cortazar, Guanajuato"

METHODOLOGY = (
    "Conteo de expedientes abiertos por mes de apertura (AAAA-MM) y por zona (colonia o "
    "comunidad, identificada por su clave geoestadística del INEGI) registrada en el "
    "expediente. Las cifras se calculan de la vista estadística del sistema Violeta, que no "
    "contiene datos personales. Las celdas sin expedientes no se listan: su valor es 0."
)
TYPES_RULE = (
    "Un expediente puede registrar varios tipos y modalidades de violencia; los conteos por "
    "tipo no suman el total de expedientes."
)
NO_TOTALS = (
    "Esta versión no publica totales marginales (por zona, por mes ni general) de una misma "
    "tabla: con ellos una celda suprimida podría recuperarse por diferencia. La supresión "
    "complementaria completa está pendiente."
)
ZONES_SOURCE = (
    "Catálogo de zonas y población femenina: INEGI, Censo de Población y Vivienda 2020, "
    "localidades del municipio de Cortazar, Guanajuato."
)
CASES_SOURCE = "Registro administrativo de expedientes del sistema Violeta."
CONFIDENTIAL_MARK = "confidencial"


def suppressed_mark(k: int) -> str:
    return f"<{k}"


def suppression_rule(k: int) -> str:
    return (
        f"Supresión primaria con umbral k = {k}: toda celda zona×mes con 1 a {k - 1} "
        f"expedientes se publica como suprimida («{suppressed_mark(k)}» en CSV; "
        "«casos»: null y «suprimido»: true en JSON), nunca como cero ni con su valor."
    )


AGGREGATE_RULE = (
    "Una celda por zona o por mes se publica solo si ninguna de las celdas zona×mes que suma "
    "en el periodo está suprimida; si alguna lo está, la celda se marca como confidencial "
    f"(«{CONFIDENTIAL_MARK}» en CSV; motivo «protege_celda_suprimida» en JSON), para que la "
    "celda suprimida no pueda deducirse restando las publicadas."
)


def notes(k: int) -> list[str]:
    return [suppression_rule(k), AGGREGATE_RULE, NO_TOTALS, TYPES_RULE]


def now() -> datetime:
    return datetime.now(ZoneInfo(TIME_ZONE))


def full_date_time(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M:%S") + " (hora del centro de México)"
