"""The figures of the work plan for the institute's own screens: the count tables of the
statistics store (by month, quarter or year) and the priority-zone ranking.

Counts only, never a name or an id, so no access is recorded; they are still raw (a cell of 1
can point at a woman in a small zone), so only coordinación reads them here. What leaves for
the public goes through the disclosure control of ``projections.statistics``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from domain.errors import InvalidField, NotPermitted
from domain.vocabulary import Role
from projections.priority_zones import Ranking, ZoneCounts, months_back, rank_zones
from projections.stats_tables import COUNT_TABLES, TABLES_BY_NAME, CountTable
from violeta.alerts import AuditServices
from violeta.session import SessionCore
from violeta.zones import ZoneServices

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


class Reporting(SessionCore):
    def statistics_tables(self) -> list[tuple[str, str]]:
        """The tables this store keeps: (name, Spanish title)."""
        return [(table.name, TITLES[table.name]) for table in COUNT_TABLES]

    def statistics_table(
        self, name: str, *, since: str = "", until: str = "", period: str = "mes"
    ) -> StatisticsTable:
        self._check_reader()
        table = TABLES_BY_NAME.get(name.strip())
        if table is None:
            raise InvalidField("Tabla", "no es una de las tablas de estadística.")
        if period not in PERIODS:
            raise InvalidField("Periodo", "elija mes, trimestre o año.")
        first = _month("Desde", since) if since.strip() else ""
        last = _month("Hasta", until) if until.strip() else ""
        if first and last and first > last:
            raise InvalidField("Desde", "no puede ser posterior a «Hasta».")
        self._refresh_read_side()
        cells = self._cells(table, first, last)
        totals: dict[tuple[str, ...], int] = {}
        for key, count in cells:
            rolled = (period_of(key[0], period), *key[1:])
            totals[rolled] = totals.get(rolled, 0) + count
        names = self._zone_names()
        rows = tuple(
            (
                tuple(
                    names.get(value, value) if column == "zone" else value
                    for column, value in zip(table.columns, key, strict=True)
                ),
                count,
            )
            for key, count in sorted(totals.items())
        )
        notes = (DOUBLE_COUNT_NOTE, CONSENT_NOTE) if table.double_counts else (CONSENT_NOTE,)
        return StatisticsTable(
            name=table.name,
            title=TITLES[table.name],
            columns=(*(COLUMN_LABELS[c] for c in table.columns), table_count_label(table)),
            rows=rows,
            total=sum(count for _, count in rows),
            notes=notes,
        )

    def _cells(self, table: CountTable, first: str, last: str) -> list[tuple[tuple[str, ...], int]]:
        conditions, params = [], []
        if first:
            conditions.append("month >= ?")
            params.append(first)
        if last:
            conditions.append("month <= ?")
            params.append(last)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._views.query(
            f"SELECT * FROM {table.name}{where}",  # noqa: S608 - fixed names
            params,
        )
        return [(tuple(str(row[c]) for c in table.columns), int(row[table.count])) for row in rows]

    def priority_zones(self, until: str = "") -> Ranking:
        """The ranking of the 12 months ending at ``until`` (AAAA-MM; by default the last
        closed month), with the 12 before for the trend."""
        self._check_reader()
        last = (
            _month("Hasta", until)
            if until.strip()
            else months_back(self._institute.today().strftime("%Y-%m"), 2)[0]
        )
        self._refresh_read_side()
        window = months_back(last, 24)
        by_zone: dict[str, dict[str, int]] = {}
        for row in self._views.query(
            "SELECT month, zone, cases FROM stats_cases WHERE month >= ? AND month <= ?",
            (window[0], last),
        ):
            by_zone.setdefault(row["zone"], {})[row["month"]] = int(row["cases"])
        # Distinct women in the 12 months: a table of its own, not a sum of months.
        attended = {
            row["zone"]: int(row["women"])
            for row in self._views.query(
                "SELECT zone, women FROM stats_women_12m WHERE last_month = ?", (last,)
            )
        }
        coordinates = inegi_coordinates()
        zones = []
        for row in self._views.query(
            "SELECT z.code, z.name, z.women, d.women_18_60, d.latitude, d.longitude "
            "FROM zones_view z LEFT JOIN zone_details d ON d.code = z.code "
            "WHERE COALESCE(d.merged_into, '') = '' ORDER BY z.code"
        ):
            latitude, longitude = (
                (float(row["latitude"]), float(row["longitude"]))
                if row["latitude"] is not None and row["longitude"] is not None
                else coordinates.get(row["code"], (None, None))
            )
            zones.append(
                ZoneCounts(
                    code=row["code"],
                    name=row["name"],
                    cases_by_month=by_zone.get(row["code"], {}),
                    women_attended=attended.get(row["code"], 0),
                    women_18_60=None if row["women_18_60"] is None else int(row["women_18_60"]),
                    women_all=None if row["women"] is None else int(row["women"]),
                    latitude=latitude,
                    longitude=longitude,
                )
            )
        return rank_zones(zones, last)

    def _check_reader(self) -> None:
        if self.role is not Role.COORDINATION:
            raise NotPermitted("Solo coordinación consulta las cifras sin control de divulgación.")


def table_count_label(table: CountTable) -> str:
    return {
        "cases": "Expedientes",
        "attentions": "Atenciones",
        "referrals": "Canalizaciones",
        "orders": "Órdenes",
        "reports": "Reportes",
    }[table.count]


class Supervision(Reporting, AuditServices, ZoneServices):
    """What coordinación reads and keeps about the institute as a whole: figures, trail,
    alerts and the zone catalogue."""
