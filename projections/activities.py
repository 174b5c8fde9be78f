"""Views of the work-plan activities: one row per activity, counts by month × zone × kind,
attendance by age band, and the yearly targets. Nothing here is about a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.activities import Activity, WorkPlanYear
from domain.zones import ZoneCatalogue
from projections.storage import Statement

ACTIVITY_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS activities_view ("
    "activity_id TEXT PRIMARY KEY, held_on TEXT NOT NULL, month TEXT NOT NULL, "
    "kind TEXT NOT NULL, topic TEXT NOT NULL, zone TEXT NOT NULL, partner TEXT NOT NULL, "
    "attendees INTEGER NOT NULL, cancelled INTEGER NOT NULL) WITHOUT ROWID",
    # A year's activities, newest first (violeta/queries/activities.py), walk this index.
    "CREATE INDEX IF NOT EXISTS activities_view_held "
    "ON activities_view (held_on DESC, activity_id)",
    "CREATE TABLE IF NOT EXISTS activity_bands ("
    "activity_id TEXT NOT NULL, age_band TEXT NOT NULL, attendees INTEGER NOT NULL, "
    "PRIMARY KEY (activity_id, age_band)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS stats_activities ("
    "month TEXT NOT NULL, zone TEXT NOT NULL, kind TEXT NOT NULL, "
    "activities INTEGER NOT NULL, attendees INTEGER NOT NULL, "
    "PRIMARY KEY (month, zone, kind)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS activity_targets ("
    "year INTEGER NOT NULL, kind TEXT NOT NULL, target INTEGER NOT NULL, "
    "PRIMARY KEY (year, kind)) WITHOUT ROWID",
)


def _recorded(_: object, event: Activity.Recorded) -> list[Statement]:
    activity_id = str(event.originator_id)
    month = event.held_on.strftime("%Y-%m")
    attendees = sum(event.attendance.values())
    return [
        Statement(
            "INSERT INTO activities_view VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) "
            "ON CONFLICT (activity_id) DO NOTHING",
            (
                activity_id,
                event.held_on.isoformat(),
                month,
                event.kind,
                event.topic,
                event.zone,
                event.partner,
                attendees,
            ),
        ),
        *(
            Statement(
                "INSERT INTO activity_bands VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (activity_id, band, count),
            )
            for band, count in sorted(event.attendance.items())
        ),
        Statement(
            "INSERT INTO stats_activities VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT (month, zone, kind) DO UPDATE SET "
            "activities = stats_activities.activities + 1, "
            "attendees = stats_activities.attendees + excluded.attendees",
            (month, event.zone, event.kind, attendees),
        ),
    ]


def _cancelled(_: object, event: Activity.Cancelled) -> list[Statement]:
    activity_id = str(event.originator_id)
    return [
        Statement(
            "UPDATE stats_activities SET activities = activities - 1, attendees = attendees - "
            "(SELECT a.attendees FROM activities_view a WHERE a.activity_id = ?) "
            "WHERE EXISTS (SELECT 1 FROM activities_view a WHERE a.activity_id = ? "
            "AND a.cancelled = 0 AND a.month = stats_activities.month "
            "AND a.zone = stats_activities.zone AND a.kind = stats_activities.kind)",
            (activity_id, activity_id),
        ),
        Statement("DELETE FROM stats_activities WHERE activities <= 0"),
        Statement("UPDATE activities_view SET cancelled = 1 WHERE activity_id = ?", (activity_id,)),
    ]


def _target_set(_: object, event: WorkPlanYear.TargetSet) -> list[Statement]:
    return [
        Statement(
            "INSERT INTO activity_targets VALUES (?, ?, ?) "
            "ON CONFLICT (year, kind) DO UPDATE SET target = excluded.target",
            (event.year, event.kind, event.target),
        )
    ]


def _zones_merged(_: object, event: ZoneCatalogue.ZonesMerged) -> list[Statement]:
    """The work-plan activities held in the merged zone follow it."""
    old, new = event.code, event.into
    return [
        Statement(
            "INSERT INTO stats_activities (month, zone, kind, activities, attendees) "
            "SELECT month, ?, kind, activities, attendees FROM stats_activities WHERE zone = ? "
            "ON CONFLICT (month, zone, kind) DO UPDATE SET "
            "activities = stats_activities.activities + excluded.activities, "
            "attendees = stats_activities.attendees + excluded.attendees",
            (new, old),
        ),
        Statement("DELETE FROM stats_activities WHERE zone = ?", (old,)),
        Statement("UPDATE activities_view SET zone = ? WHERE zone = ?", (new, old)),
    ]


ACTIVITY_HANDLERS: dict[type, Callable[[Any, Any], list[Statement]]] = {
    Activity.Recorded: _recorded,
    Activity.Cancelled: _cancelled,
    WorkPlanYear.TargetSet: _target_set,
    ZoneCatalogue.ZonesMerged: _zones_merged,
}
