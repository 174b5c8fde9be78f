"""Computing the release due today over the views, freezing it, and what ``violeta publicar``
runs and prints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from projections.catalogue import CATALOGUE, SOURCES
from projections.disclosure import DEFAULT_K, check_k
from projections.releases.model import (
    DEFAULT_LAG_DAYS,
    PRIORITY_SOURCE,
    TIME_ZONE,
    ZONE_MARKS,
    ZONE_MONTHS,
    Release,
    last_closed_month,
    month_range,
)
from projections.releases.protection import protect_group
from projections.releases.store import ReleaseStore, earlier_releases
from projections.releases.table_body import table_body
from projections.releases.tables import (
    Part,
    build_table,
    cell_values,
    first_month,
    read_source,
    zone_names,
)
from projections.releases.zone_ranking import rank_release_zones, zone_months
from projections.statistics import METHOD_VERSION, Month, ViewReader


def compute_release(
    reader: ViewReader,
    today: date,
    *,
    number: int,
    k: int = DEFAULT_K,
    lag_days: int = DEFAULT_LAG_DAYS,
    previous: Release | None = None,
    published_at: datetime | None = None,
    older: Sequence[Release] = (),
) -> Release:
    """The release due ``today``, audited with ``previous`` and with those of the ``older``
    releases that matter for each protected group (``protection._chosen_links``)."""
    check_k(k)
    earlier = ([] if previous is None else [previous]) + [r for r in older if r is not previous]
    last = last_closed_month(today, lag_days)
    first = first_month(reader, last) or last
    months = month_range(first, last)
    zones = zone_names(reader)
    tables_out: dict[str, Any] = {}
    priority: dict[str, Any] | None = None
    loss: dict[str, Any] = {}
    real: dict[str, dict[str, int]] = {}
    parts: dict[str, Part] = {}
    for spec_source in SOURCES:
        data = read_source(reader, spec_source.code, first, last)
        tables = [
            build_table(spec, data, months, zones)
            for spec in CATALOGUE
            if spec.source == spec_source.code
        ]
        if tables:
            parts[spec_source.code] = Part(spec_source, tables, data)
    for part in parts.values():
        if part.spec.protected:
            continue
        measured = {
            m: cell_values(part.data, [c for t in part.tables for c in t.cells], m)
            for m in part.data.measures
        }
        for table in part.tables:
            tables_out[f"{table.spec.topic}/{table.spec.code}"] = table_body(
                table, part, zones, measured, {}
            )
    for code, part in parts.items():
        if not part.spec.protected or part.spec.links_to is not None:
            continue
        group = [part, *(p for p in parts.values() if p.spec.links_to == code)]
        values, suppressed, report = protect_group(group, k, earlier, months)
        loss[code] = report
        if code == PRIORITY_SOURCE:
            assumption = report["auditoria"]["suposicion_conjunta"]
            numbers = report["auditoria"]["publicaciones_enlazadas"]
            priority, informative = rank_release_zones(
                reader,
                group,
                suppressed,
                months,
                k,
                [r for r in earlier if r.number in numbers],
                assumption,
            )
            real[ZONE_MONTHS] = {
                f"{zone}|{month}": n
                for zone, by_month in zone_months(group[0].data).items()
                for month, n in by_month.items()
                if n
            }
            real[ZONE_MARKS] = {"informativas": int(informative)}
        for member in group:
            mine = {key: v for (c, key), v in values.items() if c == member.spec.code}
            hidden = {key: mark for (c, key), mark in suppressed.items() if c == member.spec.code}
            real[member.spec.code] = {"|".join(key): value for key, value in mine.items()}
            for table in member.tables:
                tables_out[f"{table.spec.topic}/{table.spec.code}"] = table_body(
                    table, member, zones, {table.spec.measures[0]: mine}, hidden
                )
    moment = (published_at or datetime.now(TIME_ZONE)).astimezone(TIME_ZONE)
    stamp = moment.isoformat(timespec="seconds")
    body: dict[str, Any] = {
        "numero": number,
        "publicada": stamp,
        "periodo": {"desde": str(first), "hasta": str(last)},
        "umbral_k": k,
        "desfase_dias": lag_days,
        "metodo": METHOD_VERSION,
        "perdida_de_informacion": loss,
        "tablas": tables_out,
    }
    if priority is not None:
        body["zonas_prioritarias"] = priority
    return Release(number, stamp, str(first), str(last), k, body, real)


def publish_due(
    reader: ViewReader,
    store: ReleaseStore,
    today: date,
    *,
    k: int = DEFAULT_K,
    lag_days: int = DEFAULT_LAG_DAYS,
    published_at: datetime | None = None,
) -> Release | None:
    """Computes and freezes a release when a month has closed since the last one.

    Returns the new release, or ``None`` when the latest release already covers every closed
    month (the scheduled one has been published; nothing changes until the next). Raises
    ``ReleaseRefused`` when the release fails its audit: nothing is stored then.
    """
    check_k(k)
    previous = store.latest()
    closing = last_closed_month(today, lag_days)
    if previous is not None and Month.parse(previous.period_to) >= closing:
        return None
    older = [] if previous is None else earlier_releases(store, previous)
    release: Release = compute_release(
        reader,
        today,
        number=1 if previous is None else previous.number + 1,
        k=k,
        lag_days=lag_days,
        previous=previous,
        published_at=published_at,
        older=older,
    )
    store.save(release)
    return release


def information_loss(release: Release) -> list[str]:
    """One Spanish line per protected source: cells and counts hidden by the release."""
    lines = []
    for code, report in release.body["perdida_de_informacion"].items():
        lines.append(
            f"{code}: {report['celdas_suprimidas']} de {report['celdas']} celdas suprimidas "
            f"({report['supresion_primaria']} primarias, "
            f"{report['supresion_complementaria']} complementarias que ocultan "
            f"{report['valor_oculto']}); auditoría aprobada en "
            f"{report['auditoria']['celdas_auditadas']} celdas"
        )
    return lines


def publish_data_dir(
    data: Path,
    *,
    backend: str = "sqlite",
    postgres: str = "",
    postgres_schema: str = "violeta",
    today: date | None = None,
    k: int = DEFAULT_K,
    lag_days: int = DEFAULT_LAG_DAYS,
) -> Release | None:
    """What ``violeta publicar`` runs: the release due today, over this institute's views."""
    from projections.statistics import PostgresReader, SQLiteReader

    moment = today or datetime.now(TIME_ZONE).date()
    if backend == "postgres":
        return publish_due(
            PostgresReader(postgres, postgres_schema),
            ReleaseStore(conninfo=postgres, schema=postgres_schema),
            moment,
            k=k,
            lag_days=lag_days,
        )
    path = data / "vistas.sqlite"
    if not path.is_file():
        raise FileNotFoundError(f"No hay vistas en {data}: ejecute antes «violeta init»")
    return publish_due(SQLiteReader(path), ReleaseStore(path=path), moment, k=k, lag_days=lag_days)
