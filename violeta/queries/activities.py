"""Queries: activity counts and target progress."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.activities import ActivityKind
from violeta.dto import ActivityCount, ActivityView, TargetProgress
from violeta.session import SessionContext


def target_progress(ctx: SessionContext, year: int) -> list[TargetProgress]:
    """Every kind of the plan: its target for the year and what was done."""
    ctx.refresh()
    targets = {
        row["kind"]: int(row["target"])
        for row in ctx._views.query(
            "SELECT kind, target FROM activity_targets WHERE year = ?", (year,)
        )
    }
    done = {
        row["kind"]: (int(row["n"]), int(row["people"]))
        for row in ctx._views.query(
            "SELECT kind, SUM(activities) AS n, SUM(attendees) AS people "
            "FROM stats_activities WHERE month LIKE ? GROUP BY kind",
            (f"{year:04d}-%",),
        )
    }
    return [
        TargetProgress(
            kind=kind.label,
            target=targets.get(kind.value, 0),
            done=done.get(kind.value, (0, 0))[0],
            attendees=done.get(kind.value, (0, 0))[1],
        )
        for kind in ActivityKind
    ]


def activity_counts(ctx: SessionContext, year: int) -> list[ActivityCount]:
    """Activities and attendance by month × zone × kind for one year."""
    ctx.refresh()
    zone_names = ctx._zone_names()
    rows = ctx._views.query(
        "SELECT * FROM stats_activities WHERE month LIKE ? ORDER BY month, zone, kind",
        (f"{year:04d}-%",),
    )
    return [
        ActivityCount(
            month=row["month"],
            zone_name=zone_names.get(row["zone"], row["zone"]),
            kind=ActivityKind(row["kind"]).label,
            activities=int(row["activities"]),
            attendees=int(row["attendees"]),
        )
        for row in rows
    ]


def activities_of_year(ctx: SessionContext, year: int) -> list[ActivityView]:
    """The activities held in a year, newest first, cancelled ones included (marked)."""
    ctx.refresh()
    zone_names = ctx._zone_names()
    # A range of days rather than «month LIKE '2026-%'» (no index serves a LIKE in SQLite's
    # default case-folding): the index on the day, newest first (test_query_plans).
    rows = ctx._views.query(
        "SELECT activity_id, held_on, kind, topic, zone, attendees, cancelled "
        "FROM activities_view WHERE held_on >= ? AND held_on < ? "
        "ORDER BY held_on DESC, activity_id",
        (f"{year:04d}-01-01", f"{year + 1:04d}-01-01"),
    )
    return [
        ActivityView(
            activity_id=UUID(row["activity_id"]),
            held_on=date.fromisoformat(row["held_on"]),
            kind=ActivityKind(row["kind"]).label,
            topic=row["topic"],
            zone_name=zone_names.get(row["zone"], row["zone"]),
            attendees=int(row["attendees"]),
            cancelled=bool(row["cancelled"]),
        )
        for row in rows
    ]
