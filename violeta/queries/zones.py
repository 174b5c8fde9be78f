"""Queries: the zone catalogue (public data about places, no personal data)."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidField
from violeta.dto import ZoneOption
from violeta.session import SessionContext
from violeta.zones import ZoneVersionView


def zones(ctx: SessionContext) -> list[ZoneOption]:
    """The zones a new record may name: a zone merged into another is no longer offered
    (its old records keep their name, see ``SessionContext._zone_names``)."""
    rows = ctx._views.query(
        "SELECT code, name FROM zones_view "
        "WHERE code NOT IN (SELECT code FROM zone_merges) ORDER BY name"
    )
    return [ZoneOption(row["code"], row["name"]) for row in rows]


def zone_history(ctx: SessionContext, code: str) -> list[ZoneVersionView]:
    """Every version a zone has had, oldest first (public data about a place)."""
    ctx.refresh()
    rows = ctx._views.query(
        "SELECT * FROM zone_versions WHERE code = ? ORDER BY version", (code.strip(),)
    )
    if not rows:
        raise InvalidField("Zona", "no está en el catálogo de zonas.")
    return [
        ZoneVersionView(
            version=int(row["version"]),
            name=row["name"],
            kind=row["kind"],
            women=row["women"],
            parent=row["parent"],
            women_18_60=row["women_18_60"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            merged_into=row["merged_into"],
            recorded_on=date.fromisoformat(row["recorded_on"]) if row["recorded_on"] else None,
        )
        for row in rows
    ]
