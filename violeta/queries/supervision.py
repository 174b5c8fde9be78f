"""Queries: the access trail, alerts and the zone history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from domain import identity
from domain.errors import InvalidField
from domain.vocabulary import Section
from violeta.alerts import (
    OUTCOMES,
    TRAIL_LIMIT_MAX,
    TRAIL_PAGE,
    AlertView,
    _alert_view,
    _section,
    get_alert,
    sweep_anomalies,
)
from violeta.dto import AccessEntry
from violeta.lookups import access_entry
from violeta.session import SessionContext


def audit_trail(
    ctx: SessionContext,
    *,
    staff_id: UUID | None = None,
    client_id: UUID | None = None,
    day: str = "",
    section: str = "",
    purpose: str = "",
    outcome: str = "",
    limit: int = TRAIL_PAGE,
    before: UUID | None = None,
) -> list[AccessEntry]:
    """The access trail, newest first, filtered (coordinación only). The women it names
    are recorded as audited by this read before it returns. ``before``: the next page, the
    accesses older than that one (the last of the page shown); new accesses never shift it."""
    conditions: list[str] = []
    params: list[object] = []
    if staff_id is not None:
        conditions.append("f.staff_id = ?")
        params.append(str(staff_id))
    if client_id is not None:
        conditions.append(
            "f.access_id IN (SELECT access_id FROM access_subjects WHERE client_id = ?)"
        )
        params.append(str(client_id))
    if day.strip():
        conditions.append("f.local_day = ?")
        params.append(identity.parse_date("Día", day).isoformat())
    if section.strip():
        conditions.append("f.section = ?")
        params.append(_section(section).value)
    if purpose.strip():
        text = identity.free_text("Propósito", purpose, max_length=identity.SHORT_TEXT_MAX)
        conditions.append("LOWER(l.purpose) LIKE ?")
        params.append(f"%{text.lower()}%")
    if outcome.strip():
        chosen = OUTCOMES.get(outcome.strip().lower())
        if chosen is None:
            raise InvalidField("Resultado", "elija concedido, denegado o excepcional.")
        conditions.append("f.outcome = ?")
        params.append(chosen.value)
    if not 1 <= limit <= TRAIL_LIMIT_MAX:
        raise InvalidField("Límite", f"debe estar entre 1 y {TRAIL_LIMIT_MAX}.")
    ctx._refresh_read_side()
    if before is not None:
        found = ctx._views.query("SELECT seq FROM access_facts WHERE access_id = ?", (str(before),))
        if not found:
            raise InvalidField(
                "Página", "no se encontró el acceso desde el que seguir; vuelva a la primera."
            )
        conditions.append("f.seq < ?")
        params.append(found[0]["seq"])
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    rows = ctx._views.query(
        "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "  # noqa: S608 - fixed text
        f"{where}ORDER BY f.seq DESC LIMIT ?",
        (*params, limit),
    )
    subjects = _subjects(ctx, [row["access_id"] for row in rows])
    named = sorted({c for ids in subjects.values() for c in ids})
    ctx._record_access(
        action="auditar",
        section=Section.IDENTIFICATION,
        client_ids=[UUID(c) for c in named],
        case_ids=[],
        purpose="bitácora de accesos",
    )
    staff_names = ctx._staff_names()
    return [access_entry(ctx, row, subjects.get(row["access_id"], []), staff_names) for row in rows]


def alerts(
    ctx: SessionContext, *, include_acknowledged: bool = False, limit: int = 200
) -> list[AlertView]:
    """Coordinación's queue, newest first: it sweeps the trail first, so it is current.
    An alert names a staff member, never a woman; the trail tells whom she opened."""
    if not 1 <= limit <= TRAIL_LIMIT_MAX:
        raise InvalidField("Límite", f"debe estar entre 1 y {TRAIL_LIMIT_MAX}.")
    sweep_anomalies(ctx)
    condition = "" if include_acknowledged else "WHERE acknowledged_by IS NULL "
    rows = ctx._views.query(
        f"SELECT * FROM alerts_view {condition}"  # noqa: S608 - fixed text
        "ORDER BY raised_at DESC, first_at DESC LIMIT ?",
        (limit,),
    )
    names = ctx._staff_names()
    views = []
    for row in rows:
        note = ""
        if row["acknowledged_by"] is not None:
            note = get_alert(ctx, UUID(row["alert_id"])).note
        views.append(_alert_view(row, names, note))
    return views


def open_alert_count(ctx: SessionContext) -> int:
    """How many alerts wait for coordinación (after sweeping): for Mi día's counter."""
    sweep_anomalies(ctx)
    return ctx._count("SELECT COUNT(*) AS n FROM alerts_view WHERE acknowledged_by IS NULL")


def _subjects(ctx: SessionContext, access_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(access_ids), 500):
        chunk = list(access_ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in ctx._views.query(
            f"SELECT access_id, client_id FROM access_subjects WHERE access_id IN ({marks}) "  # noqa: S608 - placeholders only
            "ORDER BY client_id",
            chunk,
        ):
            found[row["access_id"]].append(row["client_id"])
    return found
