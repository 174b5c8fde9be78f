"""Queries: psicología's agenda in Mi día (her next sessions), one audited list."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.cases import Area
from domain.errors import InvalidField
from domain.vocabulary import Section
from keys import PLACEHOLDER
from violeta.agenda import (
    MAX_DAYS_AHEAD,
    PSYCHOLOGY_AHEAD_DAYS,
    PSYCHOLOGY_SHOWN,
    NextPsychologySession,
    listed_names,
)
from violeta.session import SessionContext


def psychology_sessions_due(
    ctx: SessionContext, within_days: int = PSYCHOLOGY_AHEAD_DAYS, *, limit: int = PSYCHOLOGY_SHOWN
) -> list[NextPsychologySession]:
    """The next sessions set up to ``within_days`` ahead (missed ones first) in the open
    processes she attends: she held the last session or attends the case's psychology
    area. Psicología's alone; one audited list naming the women in it."""
    if not 0 <= within_days <= MAX_DAYS_AHEAD:
        raise InvalidField("Días", f"indique entre 0 y {MAX_DAYS_AHEAD} días.")
    ctx.refresh()
    return next_psychology_sessions(ctx, within_days, limit=limit)


def next_psychology_sessions(
    ctx: SessionContext, within_days: int, *, limit: int
) -> list[NextPsychologySession]:
    """``psychology_sessions_due`` on views the caller has just caught up."""
    purpose = "mi día: próximas sesiones de psicología"
    today = ctx._institute.today()
    me = str(ctx._account.id)
    rows = ctx._views.query(
        "SELECT * FROM psychology_agenda WHERE closed = 0 AND next_session IS NOT NULL "
        "AND next_session <= ? AND (held_by = ? OR EXISTS (SELECT 1 FROM case_areas "
        "WHERE case_areas.case_id = psychology_agenda.case_id AND case_areas.area = ? "
        "AND case_areas.staff_id = ?)) ORDER BY next_session, folio LIMIT ?",
        (
            (today + timedelta(days=within_days)).isoformat(),
            me,
            Area.PSYCHOLOGICAL.value,
            me,
            limit,
        ),
    )
    ctx._record_access(
        action="listar",
        section=Section.PSYCHOLOGICAL,
        client_ids=sorted({row["client_id"] for row in rows}),
        case_ids=sorted({row["case_id"] for row in rows}),
        purpose=purpose,
    )
    names = listed_names(ctx, rows)
    return [
        NextPsychologySession(
            case_id=UUID(row["case_id"]),
            folio=row["folio"],
            client_name=names.get(row["client_id"], PLACEHOLDER),
            next_session=date.fromisoformat(row["next_session"]),
            last_session=date.fromisoformat(row["held_on"]),
            overdue=date.fromisoformat(row["next_session"]) < today,
        )
        for row in rows
    ]
