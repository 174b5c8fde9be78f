"""The figures of the work plan for the institute's own screens: the count tables of the
statistics store (by month, quarter or year) and the priority-zone ranking.

Counts only, never a name or an id, so no access is recorded; they are still raw (a cell of 1
can point at a woman in a small zone), so only coordinación reads them here. What leaves for
the public goes through the disclosure control of ``projections.statistics``."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from domain.errors import InvalidField
from projections.stats_tables import CountTable

PERIODS = ("mes", "trimestre", "año")
_MONTH = re.compile(r"([1-9][0-9]{3})-(0[1-9]|1[0-2])")
TITLES: dict[str, str] = {
    "stats_cases": "Expedientes por mes y zona",
    "stats_cases_violence": "Expedientes por tipo de violencia",
    "stats_cases_modality": "Expedientes por modalidad",
    "stats_cases_area": "Expedientes por área que los atiende",
    "stats_cases_age": "Expedientes por grupo de edad",
    "stats_cases_risk": "Expedientes por nivel de riesgo",
    "stats_cases_status": "Expedientes por estado actual",
    "stats_attentions": "Atenciones por área y tipo",
    "stats_referrals": "Canalizaciones por tipo de institución y resultado",
    "stats_protection_orders": "Órdenes de protección emitidas, prorrogadas y por vencimiento",
    "stats_misconduct": "Reportes de actuación por conducta y estado",
}
COLUMN_LABELS: dict[str, str] = {
    "month": "Periodo",
    "zone": "Zona",
    "violence_type": "Tipo de violencia",
    "modality": "Modalidad",
    "area": "Área",
    "age_band": "Grupo de edad",
    "risk": "Nivel de riesgo",
    "status": "Estado",
    "kind": "Tipo",
    "institution_kind": "Tipo de institución",
    "outcome": "Resultado",
    "movement": "Movimiento",
    "conduct": "Conducta",
}
DOUBLE_COUNT_NOTE = (
    "Un expediente puede contarse en varias filas (varios tipos, modalidades o áreas): "
    "la suma de las filas excede el número de expedientes."
)
CONSENT_NOTE = (
    "No incluye a las usuarias que se opusieron a ser contadas en estadísticas (derecho de "
    "oposición); las cancelaciones de datos no cambian estas cifras, que son anónimas."
)


@dataclass(frozen=True)
class StatisticsTable:
    name: str
    title: str
    columns: tuple[str, ...]  # Spanish labels; the count is the last column
    rows: tuple[tuple[tuple[str, ...], int], ...]
    total: int
    notes: tuple[str, ...]


def period_of(month: str, period: str) -> str:
    year, number = month[:4], int(month[5:7])
    if period == "año":
        return year
    if period == "trimestre":
        return f"{year}-T{(number - 1) // 3 + 1}"
    return month


def _month(field: str, text: str) -> str:
    value = text.strip()
    if not _MONTH.fullmatch(value):
        raise InvalidField(field, "use el formato AAAA-MM con mes de 01 a 12, p. ej. 2026-03.")
    return value


@cache
def inegi_coordinates() -> dict[str, tuple[float, float]]:
    source = resources.files("violeta") / "data" / "cortazar_localidades_inegi2020.csv"
    with source.open(encoding="utf-8") as handle:
        return {
            row["cvegeo"]: (float(row["latitud"]), float(row["longitud"]))
            for row in csv.DictReader(handle)
        }


def table_count_label(table: CountTable) -> str:
    return {
        "cases": "Expedientes",
        "attentions": "Atenciones",
        "referrals": "Canalizaciones",
        "orders": "Órdenes",
        "reports": "Reportes",
    }[table.count]
