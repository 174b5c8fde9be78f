"""Handlers: the psychology section (sealed with the psychology key)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.cases import (
    PsychologySession,
    SessionModality,
    parse_category,
)
from keys import Duty
from violeta.casework import (
    case_for_write,
    change_case,
    local_today,
    optional_date,
    save_change,
    seal_case,
)
from violeta.commands import ClosePsychologyProcess, RecordPsychologySession
from violeta.session import SessionContext


def record_psychology_session(ctx: SessionContext, command: RecordPsychologySession) -> UUID:
    case = case_for_write(ctx, command.case_id)
    chosen = parse_category(SessionModality, "Modalidad", command.modality)
    text = identity.free_text(
        "Notas de la sesión", command.notes, max_length=identity.NARRATIVE_MAX
    )
    on = ctx._past_or_today("Fecha de la sesión", command.held_on, local_today(ctx))
    following = optional_date(ctx, "Próxima sesión", command.next_session)
    session_id = uuid4()
    session = PsychologySession(
        session_id=session_id,
        held_on=on,
        modality=chosen,
        notes=seal_case(ctx, case, f"psychology_notes:{session_id}", text, Duty.PSYCHOLOGY),
        next_session=following,
        held_by=ctx._account.id,
    )
    save_change(
        ctx,
        case,
        lambda current: current.hold_psychology_session(session),
    )
    return session_id


def close_psychology_process(ctx: SessionContext, command: ClosePsychologyProcess) -> None:
    on = ctx._past_or_today("Fecha de cierre", command.closed_on, local_today(ctx))
    change_case(
        ctx,
        command.case_id,
        lambda current: current.close_psychology_process(on, ctx._account.id),
    )
