"""Queries: the directory of institutions."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.directory import INSTITUTION_KINDS, SERVICES
from violeta.directory import _CHANGES, get_institution
from violeta.dto import InstitutionVersion, InstitutionView
from violeta.session import SessionContext


def directory(
    ctx: SessionContext, *, include_inactive: bool = False, kind: str = "", service: str = ""
) -> list[InstitutionView]:
    """Every role reads the directory: public data, so no access event."""
    ctx.refresh()
    rows = ctx._views.query("SELECT * FROM directory_view ORDER BY name")
    views = []
    for row in rows:
        services = tuple(code for code in row["services"].split(",") if code)
        if not include_inactive and not row["active"]:
            continue
        if kind and row["kind"] != kind:
            continue
        if service and service not in services:
            continue
        views.append(
            InstitutionView(
                institution_id=UUID(row["institution_id"]),
                name=row["name"],
                kind=INSTITUTION_KINDS.get(row["kind"], row["kind"]),
                services=tuple(SERVICES.get(code, code) for code in services),
                address=row["address"],
                phone=row["phone"],
                hours=row["hours"],
                contact=row["contact"],
                active=bool(row["active"]),
                version=int(row["version"]),
                updated_on=date.fromisoformat(row["updated_on"]),
            )
        )
    return views


def institution_history(ctx: SessionContext, institution_id: UUID) -> list[InstitutionVersion]:
    """Every version of one institution, oldest first (the directory is versioned)."""
    get_institution(ctx, institution_id)  # a clear message for an unknown id
    staff_names = ctx._staff_names()
    versions = []
    name = ""
    for stored in ctx._store.events.get(institution_id):
        name = getattr(stored, "name", name)
        recorded_by = str(getattr(stored, "recorded_by", ""))
        versions.append(
            InstitutionVersion(
                version=stored.originator_version,
                recorded_on=stored.recorded_on,  # type: ignore[attr-defined]
                recorded_by=staff_names.get(recorded_by, "—"),
                change=_CHANGES.get(type(stored).__name__, "Cambio"),
                name=name,
            )
        )
    return versions
