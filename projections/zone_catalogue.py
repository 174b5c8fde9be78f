"""Views of the zone catalogue beyond ``zones_view``: each zone's current details (locality it
belongs to, women 18–60, coordinates, merge) and every version it has had (the statistics
follow a merge in ``projections.stats_tables``). Public data about places; nothing here is
about a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.zones import ZoneCatalogue
from projections.stats_tables import merge_statements
from projections.storage import Statement

ZONE_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS zone_details ("
    "code TEXT PRIMARY KEY, parent TEXT NOT NULL, women_18_60 INTEGER, latitude REAL, "
    "longitude REAL, merged_into TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS zone_versions ("
    "code TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, "
    "women INTEGER, parent TEXT NOT NULL, women_18_60 INTEGER, latitude REAL, longitude REAL, "
    "merged_into TEXT NOT NULL, recorded_on TEXT, PRIMARY KEY (code, version)) WITHOUT ROWID",
    # Which zone now stands for which (the zones a new record may name leave these out).
    "CREATE TABLE IF NOT EXISTS zone_merges ("
    "code TEXT PRIMARY KEY, merged_into TEXT NOT NULL) WITHOUT ROWID",
)


def _version(code: str, on: str | None) -> Statement:
    """Appends the zone's current state (zones_view + zone_details) as its next version."""
    return Statement(
        "INSERT INTO zone_versions SELECT z.code, d.version, z.name, z.kind, z.women, d.parent, "
        "d.women_18_60, d.latitude, d.longitude, d.merged_into, ? "
        "FROM zones_view z JOIN zone_details d ON d.code = z.code WHERE z.code = ? "
        "ON CONFLICT (code, version) DO NOTHING",
        (on, code),
    )


def _recorded(event: ZoneCatalogue.ZoneRecorded) -> list[Statement]:
    on = event.recorded_on.isoformat() if event.recorded_on else None
    return [
        Statement(
            "INSERT INTO zone_details VALUES (?, ?, ?, ?, ?, '', 1) ON CONFLICT (code) DO UPDATE "
            "SET parent = excluded.parent, women_18_60 = excluded.women_18_60, "
            "latitude = excluded.latitude, longitude = excluded.longitude, "
            "version = zone_details.version + 1",
            (event.code, event.parent, event.women_18_60, event.latitude, event.longitude),
        ),
        _version(event.code, on),
    ]


def _merged(event: ZoneCatalogue.ZonesMerged) -> list[Statement]:
    old, new, on = event.code, event.into, event.merged_on.isoformat()
    return [
        Statement(
            "UPDATE zone_details SET merged_into = ?, version = version + 1 WHERE code = ?",
            (new, old),
        ),
        Statement("UPDATE zone_details SET merged_into = ? WHERE merged_into = ?", (new, old)),
        # The survivor now holds both populations (unknown when either is unknown).
        Statement(
            "UPDATE zones_view SET women = women + (SELECT m.women FROM zones_view m "
            "WHERE m.code = ?) WHERE code = ?",
            (old, new),
        ),
        Statement(
            "UPDATE zone_details SET version = version + 1, women_18_60 = women_18_60 + "
            "(SELECT m.women_18_60 FROM zone_details m WHERE m.code = ?) WHERE code = ?",
            (old, new),
        ),
        _version(old, on),
        _version(new, on),
        *merge_statements("zone_merges", old, new),
    ]


ZONE_HANDLERS: dict[type, Callable[[Any], list[Statement]]] = {
    ZoneCatalogue.ZoneRecorded: _recorded,
    ZoneCatalogue.ZonesMerged: _merged,
}


class ZoneCatalogueProjection:
    def process(self, event: object) -> list[Statement]:
        handler = ZONE_HANDLERS.get(type(event))
        return handler(event) if handler else []
