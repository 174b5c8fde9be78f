"""The fixed catalogue of published tables, written as data: one entry per table.

A *source* is one statistics table of the view store, read by a fixed query into rows of
dimension values and measures. A *table* of the catalogue crosses some of the source's
dimensions, grouped in *axes*; an axis is a hierarchy (``("anio", "mes")``: the grand total, each
year's total, each month), so every table carries all its margins. Tables of one source that
share a margin (a year total, the grand total) share that cell: the release protects and audits
them together. Adding a table is one ``TableSpec``; adding a source is one ``Source``.
"""

from __future__ import annotations

from dataclasses import dataclass

TOTAL = "*"


@dataclass(frozen=True)
class Query:
    """A fixed SQL text (never built from input) and the names of the columns it returns.

    ``month`` names the column holding AAAA-MM; its rows are limited to the release period and
    it yields the ``anio`` and ``mes`` dimensions. ``year`` names a column holding the year,
    limited to the period's years.
    """

    sql: str
    columns: tuple[str, ...]
    tables: tuple[str, ...]
    month: str | None = None
    year: str | None = None


@dataclass(frozen=True)
class Source:
    code: str
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    queries: tuple[Query, ...]
    # Counts about women attended are protected; counts of public events are not.
    protected: bool = True


@dataclass(frozen=True)
class TableSpec:
    code: str
    topic: str  # the API path under /v1 that serves it
    title: str
    source: str
    axes: tuple[tuple[str, ...], ...]
    measures: tuple[str, ...]
    notes: tuple[str, ...] = ()


DIMENSION_LABELS = {
    "anio": "año",
    "mes": "mes",
    "zona": "zona",
    "area": "área",
    "tipo": "tipo",
}
MEASURE_LABELS = {
    "casos": "expedientes",
    "atenciones": "atenciones",
    "actividades": "actividades",
    "asistentes": "asistentes",
    "meta": "meta anual",
}

SOURCES: tuple[Source, ...] = (
    Source(
        code="expedientes",
        dimensions=("anio", "mes", "zona"),
        measures=("casos",),
        queries=(
            Query(
                "SELECT month, zone, cases FROM stats_cases WHERE month >= ? AND month <= ?",
                ("mes", "zona", "casos"),
                ("stats_cases",),
                month="mes",
            ),
        ),
    ),
    Source(
        code="atenciones",
        dimensions=("anio", "mes", "area", "tipo"),
        measures=("atenciones",),
        queries=(
            Query(
                "SELECT month, area, kind, attentions FROM stats_attentions "
                "WHERE month >= ? AND month <= ?",
                ("mes", "area", "tipo", "atenciones"),
                ("stats_attentions",),
                month="mes",
            ),
        ),
    ),
    Source(
        code="actividades",
        dimensions=("anio", "mes", "zona", "tipo"),
        measures=("actividades", "asistentes", "meta"),
        queries=(
            Query(
                "SELECT month, zone, kind, activities, attendees FROM stats_activities "
                "WHERE month >= ? AND month <= ?",
                ("mes", "zona", "tipo", "actividades", "asistentes"),
                ("stats_activities",),
                month="mes",
            ),
            Query(
                "SELECT CAST(year AS TEXT), kind, target FROM activity_targets "
                "WHERE CAST(year AS TEXT) >= ? AND CAST(year AS TEXT) <= ?",
                ("anio", "tipo", "meta"),
                ("activity_targets",),
                year="anio",
            ),
        ),
        protected=False,
    ),
)

TYPES_NOTE = (
    "Un expediente puede registrar varios tipos y modalidades de violencia; los conteos por "
    "tipo no suman el total de expedientes."
)

CATALOGUE: tuple[TableSpec, ...] = (
    TableSpec(
        code="por_mes",
        topic="expedientes",
        title="Expedientes abiertos por mes, con totales por año y total general",
        source="expedientes",
        axes=(("anio", "mes"),),
        measures=("casos",),
    ),
    TableSpec(
        code="por_zona_y_anio",
        topic="expedientes",
        title="Expedientes abiertos por zona y año, con totales por zona, por año y general",
        source="expedientes",
        axes=(("zona",), ("anio",)),
        measures=("casos",),
    ),
    TableSpec(
        code="por_area_tipo_y_mes",
        topic="atenciones",
        title="Atenciones por área, tipo de atención y mes, con todos sus totales",
        source="atenciones",
        axes=(("area", "tipo"), ("anio", "mes")),
        measures=("atenciones",),
    ),
    TableSpec(
        code="por_tipo_y_anio",
        topic="actividades",
        title="Actividades y asistentes por tipo y año, frente a la meta anual del plan de trabajo",
        source="actividades",
        axes=(("tipo",), ("anio",)),
        measures=("actividades", "asistentes", "meta"),
        notes=(
            "Las actividades son eventos públicos (talleres, pláticas, ferias); sus conteos no "
            "se suprimen porque no describen a mujeres atendidas.",
        ),
    ),
)

TOPICS: tuple[str, ...] = tuple(dict.fromkeys(spec.topic for spec in CATALOGUE))


def source(code: str) -> Source:
    return next(item for item in SOURCES if item.code == code)


def tables_of(topic: str) -> tuple[TableSpec, ...]:
    return tuple(spec for spec in CATALOGUE if spec.topic == topic)
