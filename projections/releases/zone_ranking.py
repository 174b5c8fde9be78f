"""Zones of priority attention, computed inside the release from its own counts: every zone's
band, and the rate, interval and trend of those whose windows pass the zone audit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from projections.priority_zones import METHOD as PRIORITY_RULES
from projections.priority_zones import Band, ZoneCounts, ZonePriority, months_back, rank_zones
from projections.releases.linking import ASSUMPTIONS
from projections.releases.model import CellId, Release
from projections.releases.tables import Part, Rows
from projections.releases.zone_audit import ZoneAudit, build_zone_audit
from projections.statistics import Month, ViewReader

PRIORITY_METHOD = (
    "Zonas prioritarias: se calculan dentro de la publicación, con sus propios conteos "
    "(nunca con los del día). "
    + PRIORITY_RULES
    + " Cada zona recibe su banda (alta, media o baja prioridad). La tasa, su intervalo de 95 % "
    "y la tendencia se publican solo si la zona tiene k o más expedientes en los 12 meses y si "
    "la auditoría lo permite: los conteos de 12 meses (el actual y el anterior) entran a la "
    "auditoría de intervalos de los expedientes como cifras publicadas, junto con los "
    "expedientes por zona y mes como celdas no publicadas cuyas sumas son los años y los "
    "meses publicados; cada celda suprimida debe conservar su intervalo y, para todas las "
    "zonas (los totales por mes las ligan entre sí), la parte de cada año que cae en una "
    "ventana de 12 meses, si tiene de 1 a k−1 expedientes, debe admitir de 1 a k−1. Si no lo "
    "permite, la zona muestra solo su banda y «<k» o «confidencial» (que aquí quiere decir k "
    "o más; ambas marcas entran a la auditoría). Las publicaciones anteriores que audita la "
    "de las tablas entran a la misma auditoría: sus tablas de expedientes, sus expedientes por "
    "zona y mes (no publicados), sus ventanas y sus marcas; se supone que quien las compara "
    "acierta, para cada zona y mes, "
    "si su conteo solo bajó (como al retirarse un consentimiento), solo subió (como con "
    "expedientes tardíos) o no cambió, aunque unos conteos hayan bajado y otros subido; así "
    "protegida, lo está ante cualquier suposición de ese tipo que sea cierta (por ejemplo, "
    "que todos los conteos solo bajaron). Con ello, cada mes de una zona y cada resto que queda al "
    "restar una ventana de la otra, si tiene de 1 a k−1 expedientes, debe admitir de 1 a k−1. "
    "Lo que las tablas ya dicen sin ventanas es asunto de su propia auditoría conjunta: una "
    "ventana se niega si lo estrecha más. La banda de una zona pequeña y el orden no entran a "
    "la auditoría (son resúmenes de tres niveles)."
)


@dataclass(frozen=True)
class _ZoneInfo:
    code: str
    name: str
    women: int | None
    women_18_60: int | None
    latitude: float | None
    longitude: float | None


def _zone_catalogue(reader: ViewReader) -> dict[str, _ZoneInfo]:
    details = {
        str(row[0]): row
        for row in reader.fetch(
            "SELECT code, women_18_60, latitude, longitude, merged_into FROM zone_details",
            [],
            ("zone_details",),
        )
    }
    found: dict[str, _ZoneInfo] = {}
    for code, name, women in reader.fetch(
        "SELECT code, name, women FROM zones_view ORDER BY code", [], ("zones_view",)
    ):
        extra = details.get(str(code))
        if extra is not None and extra[4]:
            continue  # merged into another zone: its cases count there
        found[str(code)] = _ZoneInfo(
            str(code),
            str(name),
            None if women is None else int(women),
            None if extra is None or extra[1] is None else int(extra[1]),
            None if extra is None or extra[2] is None else float(extra[2]),
            None if extra is None or extra[3] is None else float(extra[3]),
        )
    return found


def zone_months(data: Rows) -> dict[str, dict[str, int]]:
    by_zone: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dims, measures in data.rows:
        by_zone[dims["zona"]][dims["mes"]] += measures.get("casos", 0)
    return by_zone


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _zone_entry(
    zone: ZonePriority, k: int, published: bool, trend: bool, small_marks: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "zona": zone.code,
        "nombre": zone.name,
        "banda": None if zone.band is None else zone.band.value,
        "latitud": zone.latitude,
        "longitud": zone.longitude,
        "fuente_poblacion": zone.population_source.value,
        "tasa": None,
        "intervalo_inferior": None,
        "intervalo_superior": None,
        "tendencia": None,
        "marca": None,
    }
    if published:
        entry.update(
            tasa=_round(zone.rate),
            intervalo_inferior=_round(zone.rate_low),
            intervalo_superior=_round(zone.rate_high),
            tendencia=zone.trend.direction if trend else None,
        )
    else:
        # «<k»: 0 to k-1 cases in the 12 months; «confidencial»: k or more, hidden because
        # the audit did not allow them (or the zone has no population to divide by).
        entry["marca"] = f"<{k}" if zone.cases < k and small_marks else "confidencial"
    return entry


def _publishable(
    checker: ZoneAudit,
    candidates: list[ZonePriority],
    current: Sequence[str],
    previous: Sequence[str],
    k: int,
) -> tuple[set[str], set[str]]:
    """Zones whose 12-month count (and the previous 12 months', for the trend) pass the audit:
    all at once when they can, otherwise one at a time in order of priority."""
    published: set[str] = set()
    trends: set[str] = set()

    def with_trend(zone: ZonePriority) -> bool:
        return zone.trend.previous >= k or zone.trend.previous == 0

    saved = checker.snapshot()
    for zone in candidates:
        checker.add_window(zone.code, current)
        if with_trend(zone):
            checker.add_window(zone.code, previous)
    if checker.passes():  # the usual case: one audit
        published = {z.code for z in candidates}
        trends = {z.code for z in candidates if with_trend(z)}
        candidates = []
    else:
        checker.restore(saved)
    for zone in candidates:  # otherwise one zone at a time, in order of priority
        for trend_too in (True, False) if with_trend(zone) else (False,):
            saved = checker.snapshot()
            checker.add_window(zone.code, current)
            if trend_too:
                checker.add_window(zone.code, previous)
            if checker.passes():
                published.add(zone.code)
                if trend_too:
                    trends.add(zone.code)
                break
            checker.restore(saved)
    return published, trends


def rank_release_zones(
    reader: ViewReader,
    group: list[Part],
    suppressed: Mapping[CellId, str],
    months: list[Month],
    k: int,
    earlier: Sequence[Release] = (),
    assumption: str = ASSUMPTIONS[0],
) -> tuple[dict[str, Any], bool]:
    """The ranking of the release: every zone's band, and rate, interval and trend only for
    zones with k or more cases in the 12 months whose windows pass the audit; and whether its
    marks («<k», «confidencial») say something (the next release's audit knows them then)."""
    catalogue = _zone_catalogue(reader)
    by_zone = zone_months(group[0].data)
    for code in catalogue:
        by_zone.setdefault(code, {})
    last = str(months[-1])
    ranking = rank_zones(
        [
            ZoneCounts(
                code=code,
                name=info.name,
                cases_by_month=dict(by_zone[code]),
                women_18_60=info.women_18_60,
                women_all=info.women,
                latitude=info.latitude,
                longitude=info.longitude,
            )
            for code, info in catalogue.items()
        ],
        last,
    )
    current = months_back(last, 12)
    previous = months_back(current[0], 13)[:12]
    checker = build_zone_audit(
        group, suppressed, months, by_zone, k, earlier, [current, previous], assumption
    )
    # A small zone's mark says its 12-month count is 0 to k-1: the audit knows that too.
    start = checker.snapshot()
    for zone in ranking.zones:
        if zone.cases < k:
            checker.add_window(zone.code, current, bound=(0.0, float(k - 1)))
    small_marks = checker.passes()
    if not small_marks:  # then no mark says anything: every hidden zone reads «confidencial»
        checker.restore(start)
    candidates = [z for z in ranking.zones if z.rate is not None and z.cases >= k]
    published, trends = _publishable(checker, candidates, current, previous, k)
    if small_marks:
        # Beside «<k», «confidencial» says k or more: the audit knows that as well.
        for zone in ranking.zones:
            if zone.cases >= k and zone.code not in published:
                checker.add_window(zone.code, current, bound=(float(k), np.inf))
        small_marks = checker.passes()
    shown = [z for z in ranking.zones if z.code in published]
    hidden = sorted(
        (z for z in ranking.zones if z.code not in published),
        key=lambda z: (
            z.band is None,
            [Band.HIGH, Band.MEDIUM, Band.LOW].index(z.band) if z.band is not None else 3,
            z.name,
        ),
    )
    rows = [
        _zone_entry(zone, k, zone.code in published, zone.code in trends, small_marks)
        for zone in [*shown, *hidden]
    ]
    body = {
        "desde": ranking.first_month,
        "hasta": ranking.last_month,
        "metodo": PRIORITY_METHOD,
        "zonas": rows,
        "zonas_con_tasa": len(published),
    }
    return body, small_marks
