"""Queries: statistics tables and priority zones (counts only)."""

from __future__ import annotations

from domain.errors import InvalidField
from projections.priority_zones import Ranking, ZoneCounts, months_back, rank_zones
from projections.stats_tables import COUNT_TABLES, TABLES_BY_NAME, CountTable
from violeta.reporting import (
    COLUMN_LABELS,
    CONSENT_NOTE,
    DOUBLE_COUNT_NOTE,
    PERIODS,
    TITLES,
    StatisticsTable,
    _month,
    inegi_coordinates,
    period_of,
    table_count_label,
)
from violeta.session import SessionContext


def statistics_tables(ctx: SessionContext) -> list[tuple[str, str]]:
    """The tables this store keeps: (name, Spanish title)."""
    return [(table.name, TITLES[table.name]) for table in COUNT_TABLES]


def statistics_table(
    ctx: SessionContext, name: str, *, since: str = "", until: str = "", period: str = "mes"
) -> StatisticsTable:
    table = TABLES_BY_NAME.get(name.strip())
    if table is None:
        raise InvalidField("Tabla", "no es una de las tablas de estadística.")
    if period not in PERIODS:
        raise InvalidField("Periodo", "elija mes, trimestre o año.")
    first = _month("Desde", since) if since.strip() else ""
    last = _month("Hasta", until) if until.strip() else ""
    if first and last and first > last:
        raise InvalidField("Desde", "no puede ser posterior a «Hasta».")
    ctx._refresh_read_side()
    cells = _cells(ctx, table, first, last)
    totals: dict[tuple[str, ...], int] = {}
    for key, count in cells:
        rolled = (period_of(key[0], period), *key[1:])
        totals[rolled] = totals.get(rolled, 0) + count
    names = ctx._zone_names()
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


def priority_zones(ctx: SessionContext, until: str = "") -> Ranking:
    """The ranking of the 12 months ending at ``until`` (AAAA-MM; by default the last
    closed month), with the 12 before for the trend."""
    last = (
        _month("Hasta", until)
        if until.strip()
        else months_back(ctx._institute.today().strftime("%Y-%m"), 2)[0]
    )
    ctx._refresh_read_side()
    window = months_back(last, 24)
    by_zone: dict[str, dict[str, int]] = {}
    for row in ctx._views.query(
        "SELECT month, zone, cases FROM stats_cases WHERE month >= ? AND month <= ?",
        (window[0], last),
    ):
        by_zone.setdefault(row["zone"], {})[row["month"]] = int(row["cases"])
    # Distinct women in the 12 months: a table of its own, not a sum of months.
    attended = {
        row["zone"]: int(row["women"])
        for row in ctx._views.query(
            "SELECT zone, women FROM stats_women_12m WHERE last_month = ?", (last,)
        )
    }
    coordinates = inegi_coordinates()
    zones = []
    for row in ctx._views.query(
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


def _cells(
    ctx: SessionContext, table: CountTable, first: str, last: str
) -> list[tuple[tuple[str, ...], int]]:
    conditions, params = [], []
    if first:
        conditions.append("month >= ?")
        params.append(first)
    if last:
        conditions.append("month <= ?")
        params.append(last)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = ctx._views.query(
        f"SELECT * FROM {table.name}{where}",  # noqa: S608 - fixed names
        params,
    )
    return [(tuple(str(row[c]) for c in table.columns), int(row[table.count])) for row in rows]
