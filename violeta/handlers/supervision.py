"""Handlers: coordinación's supervision (alerts, the zone catalogue)."""

from __future__ import annotations

from domain import identity
from domain.errors import DomainError, InvalidField, UnknownRecord
from domain.zones import CATALOGUE_ID, ZoneCatalogue
from violeta import alerts
from violeta.alerts import get_alert
from violeta.commands import AcknowledgeAlert, ImportZones, MergeZones, SweepAnomalies
from violeta.session import SessionContext, retry_on_conflict
from violeta.store import load_aggregate
from violeta.zones import MAX_BYTES, ZoneImportReport, _parent_problems, _RowErrors, parse_zone_file


def acknowledge_alert(ctx: SessionContext, command: AcknowledgeAlert) -> None:
    """Coordinación records what she found; the alert stays, marked as attended."""
    text = identity.free_text("Nota", command.note, max_length=identity.SHORT_TEXT_MAX)
    today = ctx._institute.today()

    def attempt() -> None:
        current = get_alert(ctx, command.alert)
        current.acknowledge(ctx._account.id, text, today)
        ctx._store.save(current)

    retry_on_conflict(attempt)
    ctx._refresh_read_side()


def import_zones(ctx: SessionContext, command: ImportZones) -> ZoneImportReport:
    """Loads colonias or localities from a CSV file (coordinación): all rows or none."""
    source = command.path.expanduser()
    if not source.is_file():
        raise InvalidField("Archivo", "no existe o no es un archivo.")
    if source.stat().st_size > MAX_BYTES:
        raise InvalidField("Archivo", f"pesa más de {MAX_BYTES // 1_000_000} MB.")
    rows, errors = parse_zone_file(source.read_bytes())
    if errors:
        return ZoneImportReport(0, 0, 0, 0, tuple(errors))
    today = ctx._institute.today()
    counts: dict[str, int] = {}

    def attempt() -> None:
        counts.clear()
        catalogue = _catalogue(ctx)
        known = set(catalogue.zones)
        problems = _parent_problems(rows, known)
        if problems:
            raise _RowErrors(problems)
        pending = list(rows)
        while pending:  # a colonia after the locality it belongs to, wherever it is listed
            ready = [r for r in pending if not r.parent or r.parent in catalogue.zones]
            if not ready:
                raise _RowErrors(
                    [
                        f"Fila {r.line}: Localidad: las zonas se contienen unas a otras."
                        for r in pending
                    ]
                )
            for row in ready:
                before = catalogue.zones.get(row.code)
                try:
                    changed = catalogue.record_zone(
                        row.code,
                        row.name,
                        row.kind,
                        row.women,
                        parent=row.parent,
                        women_18_60=row.women_18_60,
                        latitude=row.latitude,
                        longitude=row.longitude,
                        recorded_on=today,
                    )
                except (InvalidField, DomainError) as error:
                    raise _RowErrors([f"Fila {row.line}: {error}"]) from None
                kind = "unchanged" if not changed else "created" if before is None else "updated"
                counts[kind] = counts.get(kind, 0) + 1
                if before is not None and changed and before.name != row.name:
                    counts["renamed"] = counts.get("renamed", 0) + 1
            pending = [r for r in pending if r not in ready]
        ctx._store.save(catalogue)

    try:
        retry_on_conflict(attempt)
    except _RowErrors as error:
        return ZoneImportReport(0, 0, 0, 0, tuple(error.problems))
    ctx.refresh()
    ctx._zone_name_cache = {}
    return ZoneImportReport(
        counts.get("created", 0),
        counts.get("updated", 0),
        counts.get("renamed", 0),
        counts.get("unchanged", 0),
        (),
    )


def merge_zones(ctx: SessionContext, command: MergeZones) -> None:
    """A colonia absorbed by another (coordinación): its cases and counts follow."""
    today = ctx._institute.today()

    def attempt() -> None:
        catalogue = _catalogue(ctx)
        catalogue.merge(command.code.strip(), command.into.strip(), today)
        ctx._store.save(catalogue)

    retry_on_conflict(attempt)
    ctx.refresh()
    ctx._zone_name_cache = {}


def _catalogue(ctx: SessionContext) -> ZoneCatalogue:
    try:
        return load_aggregate(ctx._store, CATALOGUE_ID, ZoneCatalogue, "")
    except UnknownRecord:
        return ZoneCatalogue(municipality=ctx._institute.settings.municipality)


def sweep_anomalies(ctx: SessionContext, command: SweepAnomalies) -> int:
    """Raises the alerts of the accesses projected since the last sweep; returns how many."""
    return alerts.sweep_anomalies(ctx)
