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
    # A source that crosses the cells of ``links_to`` with one more dimension (``extra``):
    # protected and audited together with it. ``double_counts``: one case may add to several
    # values of ``extra`` (violence types), so its total over them bounds the cases from above
    # instead of being them.
    links_to: str | None = None
    extra: str | None = None
    double_counts: bool = False


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
    "violencia": "tipo de violencia",
    "modalidad": "modalidad",
    "edad": "grupo de edad",
    "institucion": "tipo de institución",
    "resultado": "resultado",
}
MEASURE_LABELS = {
    "casos": "expedientes",
    "atenciones": "atenciones",
    "actividades": "actividades",
    "asistentes": "asistentes",
    "meta": "meta anual",
    "canalizaciones": "canalizaciones",
    "ordenes": "órdenes de protección",
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
    *(
        Source(
            code=f"expedientes_{extra}",
            dimensions=("anio", "mes", "zona", extra),
            measures=("casos",),
            queries=(
                Query(
                    f"SELECT month, zone, {column}, cases FROM {table} "  # noqa: S608 - fixed names
                    "WHERE month >= ? AND month <= ?",
                    ("mes", "zona", extra, "casos"),
                    (table,),
                    month="mes",
                ),
            ),
            links_to="expedientes",
            extra=extra,
            double_counts=several,
        )
        # The count tables of the statistics store (projections/stats_tables.py).
        for extra, table, column, several in (
            ("violencia", "stats_cases_violence", "violence_type", True),
            ("modalidad", "stats_cases_modality", "modality", True),
            ("edad", "stats_cases_age", "age_band", False),
            ("area", "stats_cases_area", "area", True),
        )
    ),
    Source(
        code="canalizaciones",
        dimensions=("anio", "mes", "institucion", "resultado"),
        measures=("canalizaciones",),
        queries=(
            Query(
                "SELECT month, institution_kind, outcome, referrals FROM stats_referrals "
                "WHERE month >= ? AND month <= ?",
                ("mes", "institucion", "resultado", "canalizaciones"),
                ("stats_referrals",),
                month="mes",
            ),
        ),
    ),
    Source(
        code="ordenes",
        dimensions=("anio", "mes", "tipo"),
        measures=("ordenes",),
        queries=(
            Query(
                "SELECT month, kind, orders FROM stats_protection_orders "
                "WHERE movement = 'emitida' AND month >= ? AND month <= ?",
                ("mes", "tipo", "ordenes"),
                ("stats_protection_orders",),
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
        code="por_tipo_de_violencia_y_anio",
        topic="expedientes",
        title="Expedientes por tipo de violencia y año",
        source="expedientes_violencia",
        axes=(("violencia",), ("anio",)),
        measures=("casos",),
        notes=(TYPES_NOTE,),
    ),
    TableSpec(
        code="por_modalidad_y_anio",
        topic="expedientes",
        title="Expedientes por modalidad de violencia y año",
        source="expedientes_modalidad",
        axes=(("modalidad",), ("anio",)),
        measures=("casos",),
        notes=(TYPES_NOTE,),
    ),
    TableSpec(
        code="por_edad_y_anio",
        topic="expedientes",
        title="Expedientes por grupo de edad de la usuaria y año",
        source="expedientes_edad",
        axes=(("edad",), ("anio",)),
        measures=("casos",),
    ),
    TableSpec(
        code="por_area_y_mes",
        topic="expedientes",
        title="Expedientes por área que los atiende y mes",
        source="expedientes_area",
        axes=(("area",), ("anio", "mes")),
        measures=("casos",),
        notes=(
            "Un expediente puede ser atendido por varias áreas; la suma por área no es el "
            "total de expedientes.",
        ),
    ),
    TableSpec(
        code="por_institucion_resultado_y_anio",
        topic="canalizaciones",
        title="Canalizaciones por tipo de institución, resultado y año",
        source="canalizaciones",
        axes=(("institucion",), ("resultado",), ("anio",)),
        measures=("canalizaciones",),
    ),
    TableSpec(
        code="por_tipo_y_anio",
        topic="ordenes-de-proteccion",
        title="Órdenes de protección emitidas por tipo y año",
        source="ordenes",
        axes=(("tipo",), ("anio",)),
        measures=("ordenes",),
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
