"""Handlers: the legal section (advice, accompaniment, misconduct reports)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.cases import (
    Accompaniment,
    AccompanimentDecision,
    Area,
    LegalMatter,
    MisconductConduct,
    MisconductReport,
    ReportStatus,
    parse_category,
)
from domain.permissions import Action
from violeta.casework import (
    AREA_SECTIONS,
    INSTITUTION_MAX,
    case_for_write,
    change_case,
    local_today,
    optional_date,
    save_change,
    seal_case,
)
from violeta.commands import (
    DecideAccompaniment,
    GiveLegalAdvice,
    RecordAccompaniment,
    ReportMisconduct,
    UpdateMisconductReport,
)
from violeta.session import SessionContext


def give_legal_advice(ctx: SessionContext, command: GiveLegalAdvice) -> UUID:
    case = case_for_write(ctx, command.case_id)
    chosen = parse_category(LegalMatter, "Materia", command.matter)
    text = identity.free_text(
        "Notas de la asesoría", command.notes, max_length=identity.NARRATIVE_MAX
    )
    on = ctx._past_or_today("Fecha de la asesoría", command.given_on, local_today(ctx))
    advice_id = uuid4()
    sealed = seal_case(ctx, case, f"legal_advice:{advice_id}", text)
    save_change(
        ctx,
        case,
        lambda current: current.give_legal_advice(advice_id, chosen, sealed, on, ctx._account.id),
    )
    return advice_id


def decide_accompaniment(ctx: SessionContext, command: DecideAccompaniment) -> None:
    """The four criteria of the institute; ``deadline`` empty means that one is not met."""
    case = case_for_write(ctx, command.case_id)
    due = optional_date(ctx, "Vencimiento del término jurídico", command.deadline)
    on = ctx._past_or_today("Fecha de la decisión", command.decided_on, local_today(ctx))
    decision = AccompanimentDecision(
        severity=command.severity,
        lacks_resources=command.lacks_resources,
        deadline=due,
        unfamiliar_with_procedure=command.unfamiliar_with_procedure,
        accompany=command.accompany,
        decided_on=on,
        decided_by=ctx._account.id,
    )
    save_change(
        ctx,
        case,
        lambda current: current.decide_accompaniment(decision),
    )


def record_accompaniment(ctx: SessionContext, command: RecordAccompaniment) -> UUID:
    """Accompaniment before an authority, by jurídica (Fiscalía) or by trabajo social."""
    chosen = parse_category(Area, "Área", command.area)
    # Which section she writes depends on the area she names: the table admits both roles,
    # each may record only her own area's accompaniment.
    section = AREA_SECTIONS[chosen]
    case = ctx._get_case(command.case_id)
    ctx._authorize(
        section, Action.WRITE, [case.client_id], [case.id], "registrar acompañamiento", ""
    )
    case.check_open()
    where = identity.free_text("Instancia", command.authority, max_length=INSTITUTION_MAX)
    text = identity.free_text(
        "Notas del acompañamiento", command.notes, max_length=identity.NARRATIVE_MAX
    )
    on = ctx._past_or_today("Fecha del acompañamiento", command.performed_on, local_today(ctx))
    accompaniment_id = uuid4()
    accompaniment = Accompaniment(
        accompaniment_id=accompaniment_id,
        area=chosen,
        authority=seal_case(ctx, case, f"accompaniment_authority:{accompaniment_id}", where),
        notes=seal_case(ctx, case, f"accompaniment:{accompaniment_id}", text),
        performed_on=on,
        performed_by=ctx._account.id,
    )
    save_change(
        ctx,
        case,
        lambda current: current.record_accompaniment(accompaniment),
    )
    return accompaniment_id


def report_misconduct(ctx: SessionContext, command: ReportMisconduct) -> UUID:
    """Reporte de actuación about a public servant's act against the client's rights."""
    case = case_for_write(ctx, command.case_id)
    where = identity.free_text("Institución", command.institution, max_length=INSTITUTION_MAX)
    chosen = parse_category(MisconductConduct, "Conducta", command.conduct)
    facts_text = identity.free_text("Hechos", command.facts, max_length=identity.NARRATIVE_MAX)
    superior = identity.free_text(
        "Se hizo del conocimiento de", command.reported_to, max_length=identity.SHORT_TEXT_MAX
    )
    on = ctx._past_or_today("Fecha del reporte", command.reported_on, local_today(ctx))
    report_id = uuid4()
    report = MisconductReport(
        report_id=report_id,
        institution=seal_case(ctx, case, f"misconduct_institution:{report_id}", where),
        conduct=chosen,
        facts=seal_case(ctx, case, f"misconduct_facts:{report_id}", facts_text),
        reported_to=seal_case(ctx, case, f"misconduct_reported_to:{report_id}", superior),
        reported_on=on,
        reported_by=ctx._account.id,
    )
    save_change(
        ctx,
        case,
        lambda current: current.report_misconduct(report),
    )
    return report_id


def update_misconduct_report(ctx: SessionContext, command: UpdateMisconductReport) -> None:
    chosen = parse_category(ReportStatus, "Estado del reporte", command.status)
    on = ctx._past_or_today("Fecha", command.updated_on, local_today(ctx))
    # A report follows its own course: it may be closed after the case itself was closed.
    change_case(
        ctx,
        command.case_id,
        lambda current: current.update_misconduct_report(
            command.report_id, chosen, on, ctx._account.id
        ),
    )
