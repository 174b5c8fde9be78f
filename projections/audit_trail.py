"""The audit trail's read side: what each access was, in an order that only grows, with the
facts the anomaly rules need that do not depend on any threshold, and the alerts raised.

``access_facts`` numbers accesses in the order they are projected (the event store's order),
so the anomaly sweep resumes from a position rather than from a clock. For each access it keeps
the day, weekday and minute in Mexico City (office hours are a setting, so the rule is applied
when sweeping) and ``access_unassigned`` holds the cases she read without attending an area of
them or having opened them, as it stood when she read them. Nothing here opens a sealed value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from domain.access import AccessRecord
from domain.alerts import Alert
from domain.cases import Case
from projections.storage import Statement

MEXICO = ZoneInfo("America/Mexico_City")
READ_ACTIONS = ("ver", "exportar")

AUDIT_TRAIL_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS access_facts ("
    "seq INTEGER PRIMARY KEY, access_id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, "
    "staff_id TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, "
    "section TEXT NOT NULL, outcome TEXT NOT NULL, exceptional INTEGER NOT NULL, "
    "local_day TEXT NOT NULL, weekday INTEGER NOT NULL, minute INTEGER NOT NULL, "
    "women INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS access_facts_staff ON access_facts (staff_id, seq)",
    "CREATE INDEX IF NOT EXISTS access_facts_day ON access_facts (local_day, seq)",
    "CREATE INDEX IF NOT EXISTS access_facts_outcome ON access_facts (outcome, seq)",
    "CREATE INDEX IF NOT EXISTS access_facts_section ON access_facts (section, seq)",
    "CREATE INDEX IF NOT EXISTS access_facts_at ON access_facts (at)",
    "CREATE INDEX IF NOT EXISTS access_log_at ON access_log (at)",
    "CREATE INDEX IF NOT EXISTS access_log_staff ON access_log (staff_id, at)",
    "CREATE TABLE IF NOT EXISTS access_unassigned ("
    "access_id TEXT NOT NULL, case_id TEXT NOT NULL, "
    "PRIMARY KEY (access_id, case_id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS alerts_view ("
    "alert_id TEXT PRIMARY KEY, rule TEXT NOT NULL, staff_id TEXT NOT NULL, "
    "first_at TEXT NOT NULL, last_at TEXT NOT NULL, accesses INTEGER NOT NULL, "
    "women INTEGER NOT NULL, raised_at TEXT NOT NULL, acknowledged_by TEXT, "
    "acknowledged_on TEXT) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS alerts_view_open ON alerts_view (acknowledged_by, raised_at)",
    # The sweep asks when a person's last alert of a rule was (violeta/alerts.py).
    "CREATE INDEX IF NOT EXISTS alerts_view_staff ON alerts_view (staff_id, rule, last_at)",
    # Who opened each case ('' area) and who attends each of its areas, as the events stand
    # where this projection is: it runs behind the case views (its own tracked position), so
    # it cannot ask them how things stood when she read.
    "CREATE TABLE IF NOT EXISTS audit_case_staff ("
    "case_id TEXT NOT NULL, area TEXT NOT NULL, staff_id TEXT NOT NULL, "
    "PRIMARY KEY (case_id, area)) WITHOUT ROWID",
)


def access_fact(event: AccessRecord.Recorded) -> tuple[Any, ...]:
    """Her access's row of ``access_facts``, but its number (``seq``)."""
    local = event.timestamp.astimezone(MEXICO)
    return (
        str(event.originator_id),
        event.timestamp.isoformat(),
        str(event.staff_id),
        event.role,
        event.action,
        event.section,
        event.outcome,
        int(event.exceptional),
        local.date().isoformat(),
        local.weekday(),
        local.hour * 60 + local.minute,
        len(set(event.client_ids.texts())),
    )


def cases_read(event: AccessRecord.Recorded) -> tuple[str, ...]:
    """The cases she read (``access_unassigned`` keeps those she does not attend)."""
    if event.action in READ_ACTIONS and event.outcome != "denegado":
        return tuple(dict.fromkeys(event.case_ids.texts()))
    return ()


def _access(event: AccessRecord.Recorded) -> list[Statement]:
    fact = access_fact(event)
    access_id, staff_id = fact[0], fact[2]
    statements = [
        Statement(
            "INSERT INTO access_facts (seq, access_id, at, staff_id, role, action, section, "
            "outcome, exceptional, local_day, weekday, minute, women) "
            "SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
            "FROM access_facts WHERE 1 = 1 ON CONFLICT (access_id) DO NOTHING",
            fact,
        )
    ]
    statements += [
        Statement(
            "INSERT INTO access_unassigned SELECT ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_case_staff WHERE case_id = ? AND staff_id = ?) "
            "ON CONFLICT DO NOTHING",
            (access_id, case_id, case_id, staff_id),
        )
        for case_id in cases_read(event)
    ]
    return statements


def _alert_raised(event: Alert.Raised) -> list[Statement]:
    return [
        Statement(
            "INSERT INTO alerts_view VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL) "
            "ON CONFLICT (alert_id) DO NOTHING",
            (
                str(event.originator_id),
                event.rule,
                str(event.staff_id),
                event.first_at,
                event.last_at,
                event.accesses,
                event.women,
                event.timestamp.isoformat(),
            ),
        )
    ]


def _alert_acknowledged(event: Alert.Acknowledged) -> list[Statement]:
    # The note stays in the event (inside the institution-key cipher), never in the views.
    return [
        Statement(
            "UPDATE alerts_view SET acknowledged_by = ?, acknowledged_on = ? WHERE alert_id = ?",
            (
                str(event.acknowledged_by),
                event.acknowledged_on.isoformat(),
                str(event.originator_id),
            ),
        )
    ]


def _case_opened(event: Case.Opened) -> list[Statement]:
    return [
        Statement(
            "INSERT INTO audit_case_staff VALUES (?, '', ?) ON CONFLICT DO NOTHING",
            (str(event.originator_id), str(event.opened_by)),
        )
    ]


def _area_assigned(event: Case.AreaAssigned) -> list[Statement]:
    return [
        Statement(
            "INSERT INTO audit_case_staff VALUES (?, ?, ?) ON CONFLICT (case_id, area) "
            "DO UPDATE SET staff_id = excluded.staff_id",
            (str(event.originator_id), event.area, str(event.staff_id)),
        )
    ]


AUDIT_HANDLERS: dict[type, Callable[[Any], list[Statement]]] = {
    AccessRecord.Recorded: _access,
    Alert.Raised: _alert_raised,
    Alert.Acknowledged: _alert_acknowledged,
    Case.Opened: _case_opened,
    Case.AreaAssigned: _area_assigned,
}


class AuditProjection:
    def process(self, event: object) -> list[Statement]:
        handler = AUDIT_HANDLERS.get(type(event))
        return handler(event) if handler else []
