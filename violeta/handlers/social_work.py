"""Handlers: the social work section (gestiones and visits)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.cases import (
    Gestion,
    GestionOutcome,
    SocialVisit,
    VisitKind,
    parse_category,
)
from violeta.casework import INSTITUTION_MAX, case_for_write, local_today, save_change, seal_case
from violeta.commands import RecordGestion, RecordSocialVisit
from violeta.session import SessionContext


def record_gestion(ctx: SessionContext, command: RecordGestion) -> UUID:
    """A gestión before a public or private institution on the client's behalf."""
    case = case_for_write(ctx, command.case_id)
    text = identity.free_text("Gestión", command.what, max_length=identity.SHORT_TEXT_MAX)
    where = identity.free_text("Institución", command.institution, max_length=INSTITUTION_MAX)
    result = parse_category(GestionOutcome, "Resultado", command.outcome)
    on = ctx._past_or_today("Fecha de la gestión", command.done_on, local_today(ctx))
    gestion_id = uuid4()
    gestion = Gestion(
        gestion_id=gestion_id,
        what=seal_case(ctx, case, f"gestion:{gestion_id}", text),
        institution=seal_case(ctx, case, f"gestion_institution:{gestion_id}", where),
        outcome=result,
        done_on=on,
        done_by=ctx._account.id,
    )
    save_change(
        ctx,
        case,
        lambda current: current.record_gestion(gestion),
    )
    return gestion_id


def record_social_visit(ctx: SessionContext, command: RecordSocialVisit) -> UUID:
    case = case_for_write(ctx, command.case_id)
    chosen = parse_category(VisitKind, "Tipo de visita", command.kind)
    text = identity.free_text(
        "Notas de la visita", command.notes, max_length=identity.NARRATIVE_MAX
    )
    on = ctx._past_or_today("Fecha de la visita", command.visited_on, local_today(ctx))
    visit_id = uuid4()
    visit = SocialVisit(
        visit_id=visit_id,
        kind=chosen,
        notes=seal_case(ctx, case, f"social_visit:{visit_id}", text),
        visited_on=on,
        visited_by=ctx._account.id,
    )
    save_change(
        ctx,
        case,
        lambda current: current.record_social_visit(visit),
    )
    return visit_id
