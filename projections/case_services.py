"""Views of the services recorded on a case: areas, closures, follow-ups, protection orders,
misconduct reports, and attentions by area for the statistics.

Only categories, dates and counts are in clear; the follow-up outcome and the order detail are
copied sealed (the dashboard never opens them) and dropped when the client is erased. Handlers
take the projection as their first argument so that ``CaseRecordProjection`` can list them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.cases import Area, Case
from domain.sealed import HandTyped, Sealed
from projections import psychology_agenda
from projections.counters import OPEN_COUNTER, counter_statement
from projections.storage import Statement

SERVICES_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS case_areas ("
    "case_id TEXT NOT NULL, area TEXT NOT NULL, staff_id TEXT NOT NULL, "
    "PRIMARY KEY (case_id, area)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS case_areas_staff ON case_areas (staff_id)",
    "CREATE TABLE IF NOT EXISTS closure_requests ("
    "case_id TEXT PRIMARY KEY, requested_by TEXT NOT NULL, "
    "requested_on TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS follow_ups_view ("
    "follow_up_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, client_id TEXT NOT NULL, "
    "folio TEXT NOT NULL, due_on TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL, "
    "settled_on TEXT, outcome BLOB) WITHOUT ROWID",
    # Mi día's follow-ups due, in their order (date, then folio): a LIMIT stops the walk
    # instead of sorting every one due (the index of before, on (state, due_on), is left
    # where it exists: the planner takes this one for that order).
    "CREATE INDEX IF NOT EXISTS follow_ups_view_due_folio "
    "ON follow_ups_view (state, due_on, folio)",
    "CREATE INDEX IF NOT EXISTS follow_ups_view_client ON follow_ups_view (client_id)",
    "CREATE TABLE IF NOT EXISTS protection_orders_view ("
    "order_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, client_id TEXT NOT NULL, "
    "folio TEXT NOT NULL, kind TEXT NOT NULL, authority BLOB, "
    "issued_on TEXT NOT NULL, expires_on TEXT NOT NULL, extensions INTEGER NOT NULL, "
    "detail BLOB) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS protection_orders_view_expiry "
    "ON protection_orders_view (expires_on)",
    "CREATE INDEX IF NOT EXISTS protection_orders_view_client "
    "ON protection_orders_view (client_id)",
    "CREATE TABLE IF NOT EXISTS misconduct_reports_view ("
    "report_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, institution BLOB, "
    "conduct TEXT NOT NULL, reported_on TEXT NOT NULL, status TEXT NOT NULL) WITHOUT ROWID",
    *psychology_agenda.AGENDA_SCHEMA,
)


def _envelope(value: HandTyped) -> bytes | None:
    """Views keep a typed-by-hand name only sealed; a clear one (stored before) is left out."""
    return value.envelope if isinstance(value, Sealed) else None


def _touch(event: Case.Event) -> Statement:
    return Statement(
        "UPDATE cases_view SET last_activity = ? WHERE case_id = ?",
        (event.timestamp.isoformat(), str(event.originator_id)),
    )


def _status(event: Case.Event, status: str) -> Statement:
    return Statement(
        "UPDATE cases_view SET status = ?, last_activity = ? WHERE case_id = ?",
        (status, event.timestamp.isoformat(), str(event.originator_id)),
    )


def _open_count(delta: int) -> Statement:
    return counter_statement(OPEN_COUNTER, delta)


def _attention(event: Case.Event, on: date, area: str, kind: str) -> list[Statement]:
    # The count by area and kind is kept, consent-aware, in projections.stats_tables.
    return [_touch(event)]


def _area_assigned(_: object, event: Case.AreaAssigned) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "INSERT INTO case_areas VALUES (?, ?, ?) ON CONFLICT (case_id, area) "
            "DO UPDATE SET staff_id = excluded.staff_id",
            (str(event.originator_id), event.area, str(event.staff_id)),
        ),
    ]


def _follow_up_stage(_: object, event: Case.FollowUpStageEntered) -> list[Statement]:
    return [_status(event, "en_seguimiento")]


def _closure_requested(_: object, event: Case.ClosureRequested) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "INSERT INTO closure_requests VALUES (?, ?, ?) ON CONFLICT (case_id) DO NOTHING",
            (str(event.originator_id), str(event.requested_by), event.requested_on.isoformat()),
        ),
    ]


def _closure_settled(event: Case.Event) -> Statement:
    return Statement("DELETE FROM closure_requests WHERE case_id = ?", (str(event.originator_id),))


def _closure_approved(_: object, event: Case.ClosureApproved) -> list[Statement]:
    return [_status(event, "cerrado"), _closure_settled(event), _open_count(-1)]


def _closure_declined(_: object, event: Case.ClosureDeclined) -> list[Statement]:
    return [_touch(event), _closure_settled(event)]


def _reopened(_: object, event: Case.Reopened) -> list[Statement]:
    return [_status(event, "reabierto"), _open_count(1)]


def _legal_advice(_: object, event: Case.LegalAdviceGiven) -> list[Statement]:
    return _attention(event, event.given_on, Area.LEGAL.value, "asesoria")


def _accompaniment_decided(_: object, event: Case.AccompanimentDecided) -> list[Statement]:
    return [_touch(event)]


def _accompanied(_: object, event: Case.Accompanied) -> list[Statement]:
    return _attention(event, event.performed_on, event.area, "acompanamiento")


def _misconduct_reported(_: object, event: Case.MisconductReported) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "INSERT INTO misconduct_reports_view VALUES (?, ?, ?, ?, ?, 'presentado') "
            "ON CONFLICT (report_id) DO NOTHING",
            (
                str(event.report_id),
                str(event.originator_id),
                _envelope(event.institution),
                event.conduct,
                event.reported_on.isoformat(),
            ),
        ),
    ]


def _misconduct_updated(_: object, event: Case.MisconductReportUpdated) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "UPDATE misconduct_reports_view SET status = ? WHERE report_id = ?",
            (event.status, str(event.report_id)),
        ),
    ]


def _psychology_session(_: object, event: Case.PsychologySessionHeld) -> list[Statement]:
    attention = _attention(event, event.held_on, Area.PSYCHOLOGICAL.value, "sesion")
    return [*attention, *psychology_agenda.session_held(event)]


def _psychology_closed(_: object, event: Case.PsychologyProcessClosed) -> list[Statement]:
    return [_touch(event), *psychology_agenda.process_closed(event)]


def _gestion(_: object, event: Case.GestionRecorded) -> list[Statement]:
    return _attention(event, event.done_on, Area.SOCIAL_WORK.value, "gestion")


def _social_visit(_: object, event: Case.SocialVisitRecorded) -> list[Statement]:
    return _attention(event, event.visited_on, Area.SOCIAL_WORK.value, "visita")


def _follow_up_scheduled(_: object, event: Case.FollowUpScheduled) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "INSERT INTO follow_ups_view "
            "SELECT ?, case_id, client_id, folio, ?, ?, 'pendiente', NULL, NULL "
            "FROM cases_view WHERE case_id = ? ON CONFLICT (follow_up_id) DO NOTHING",
            (
                str(event.follow_up_id),
                event.due_on.isoformat(),
                event.channel,
                str(event.originator_id),
            ),
        ),
    ]


def _follow_up_settled(_: object, event: Case.FollowUpSettled) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "UPDATE follow_ups_view SET state = ?, settled_on = ?, outcome = ? "
            "WHERE follow_up_id = ?",
            (
                event.state,
                event.settled_on.isoformat(),
                event.outcome.envelope if event.outcome is not None else None,
                str(event.follow_up_id),
            ),
        ),
    ]


def _order_recorded(_: object, event: Case.ProtectionOrderRecorded) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "INSERT INTO protection_orders_view "
            "SELECT ?, case_id, client_id, folio, ?, ?, ?, ?, 0, ? "
            "FROM cases_view WHERE case_id = ? ON CONFLICT (order_id) DO NOTHING",
            (
                str(event.order_id),
                event.kind,
                _envelope(event.authority),
                event.issued_on.isoformat(),
                event.expires_on.isoformat(),
                event.detail.envelope,
                str(event.originator_id),
            ),
        ),
    ]


def _order_extended(_: object, event: Case.ProtectionOrderExtended) -> list[Statement]:
    return [
        _touch(event),
        Statement(
            "UPDATE protection_orders_view SET expires_on = ?, extensions = extensions + 1 "
            "WHERE order_id = ?",
            (event.expires_on.isoformat(), str(event.order_id)),
        ),
    ]


def erase_service_traces(client_id: str) -> list[Statement]:
    """ARCO cancellation: drop the sealed copies; dates and categories stay for statistics."""
    return [
        Statement("UPDATE follow_ups_view SET outcome = NULL WHERE client_id = ?", (client_id,)),
        Statement(
            "UPDATE protection_orders_view SET detail = NULL WHERE client_id = ?", (client_id,)
        ),
    ]


SERVICE_HANDLERS: dict[type, Callable[[Any, Any], list[Statement]]] = {
    Case.AreaAssigned: _area_assigned,
    Case.FollowUpStageEntered: _follow_up_stage,
    Case.ClosureRequested: _closure_requested,
    Case.ClosureApproved: _closure_approved,
    Case.ClosureDeclined: _closure_declined,
    Case.Reopened: _reopened,
    Case.LegalAdviceGiven: _legal_advice,
    Case.AccompanimentDecided: _accompaniment_decided,
    Case.Accompanied: _accompanied,
    Case.MisconductReported: _misconduct_reported,
    Case.MisconductReportUpdated: _misconduct_updated,
    Case.PsychologySessionHeld: _psychology_session,
    Case.PsychologyProcessClosed: _psychology_closed,
    Case.GestionRecorded: _gestion,
    Case.SocialVisitRecorded: _social_visit,
    Case.FollowUpScheduled: _follow_up_scheduled,
    Case.FollowUpSettled: _follow_up_settled,
    Case.ProtectionOrderRecorded: _order_recorded,
    Case.ProtectionOrderExtended: _order_extended,
}
