"""Handlers: opening a case, notes, its life cycle (area, follow-up, closure, reopening)."""

from __future__ import annotations

from domain import identity
from domain.accounts import StaffAccount
from domain.cases import (
    AREA_ROLES,
    Area,
    parse_category,
)
from domain.errors import InvalidField, UnknownRecord
from domain.vocabulary import (
    RiskLevel,
    Section,
)
from keys import Duty
from violeta.casework import (
    case_for_write,
    check_assigned_or_coordination,
    local_today,
    save_change,
    seal_case,
)
from violeta.commands import (
    AddNote,
    ApproveClosure,
    AssignArea,
    DeclineClosure,
    EnterFollowUp,
    OpenCase,
    ReopenCase,
    RequestClosure,
)
from violeta.dto import CaseSummary
from violeta.registration import ValidIntake, save_new_case
from violeta.session import SessionContext, case_label, retry_on_conflict
from violeta.store import load_aggregate


def open_case(ctx: SessionContext, command: OpenCase) -> CaseSummary:
    # Her record is read, not written, so no version conflict would reveal a stale copy:
    # the scan first drops the session's copy if another terminal changed her.
    ctx._follower.scan()
    client = ctx._latest_client(command.client_id)
    client.check_may_open_case()
    opened_on = ctx._past_or_today(
        "Fecha de apertura", command.form.opened_on, ctx._institute.today()
    )
    if opened_on < client.registered_on:
        raise InvalidField("Fecha de apertura", "no puede ser anterior al registro de la usuaria.")
    intake = ValidIntake(
        reason=identity.free_text(
            "Motivo de atención", command.form.reason, max_length=identity.SHORT_TEXT_MAX
        ),
        narrative=identity.free_text(
            "Relato", command.form.narrative, max_length=identity.NARRATIVE_MAX
        ),
        violence_types=list(command.form.violence_types),
        modalities=list(command.form.modalities),
        risk=command.form.risk,
        aggressor_relationship=command.form.aggressor_relationship,
        aggressor_details=identity.free_text(
            "Datos de la persona agresora",
            command.form.aggressor_details,
            max_length=identity.SHORT_TEXT_MAX,
            required=False,
        ),
        risk_factors=list(command.form.risk_factors),
    )
    case = retry_on_conflict(lambda: save_new_case(ctx, client, opened_on, intake))
    name = ctx._keyring.open(str(command.client_id), "client.name", client.name.envelope)
    return CaseSummary(
        case_id=case.id,
        client_id=command.client_id,
        folio=case.folio,
        client_name=name,
        opened_on=case.opened_on,
        status=case.status.label,
        zone_name=ctx._zone_names().get(case.zone, case.zone),
        risk=RiskLevel(case.risk).label,
    )


def add_note(ctx: SessionContext, command: AddNote) -> None:
    """Appending a note is safe to replay, so a version conflict is retried, not lost."""
    case = ctx._latest_case(command.case_id)
    note = identity.free_text("Nota", command.text, max_length=identity.NARRATIVE_MAX)
    # Psychology notes are sealed with her psychology key: no other duty can open them.
    duty = Duty.PSYCHOLOGY if command.section is Section.PSYCHOLOGICAL else Duty.CASE
    sealed = ctx._seal(str(case.client_id), case_label(command.case_id, "note"), note, duty)
    written_on = ctx._institute.today()
    ctx._change_and_save(
        case,
        lambda: ctx._get_case(command.case_id),
        lambda current: current.add_note(command.section, sealed, ctx._account.id, written_on),
    )


def assign_area(ctx: SessionContext, command: AssignArea) -> None:
    """Coordinación assigns who attends each area; the person's role must fit the area."""
    case = ctx._get_case(command.case_id)
    chosen = parse_category(Area, "Área", command.area)
    try:
        account = load_aggregate(ctx._store, command.staff_id, StaffAccount, "")
    except UnknownRecord:
        raise InvalidField("Personal asignado", "no existe esa cuenta.") from None
    if not account.active:
        raise InvalidField("Personal asignado", "la cuenta está desactivada.")
    if account.role is not AREA_ROLES[chosen]:
        raise InvalidField(
            "Personal asignado",
            f"el área {chosen.label} requiere el rol {AREA_ROLES[chosen].label}.",
        )
    save_change(
        ctx,
        case,
        lambda current: current.assign_area(chosen, command.staff_id, ctx._account.id),
    )


def enter_follow_up(ctx: SessionContext, command: EnterFollowUp) -> None:
    case = ctx._get_case(command.case_id)
    check_assigned_or_coordination(ctx, case, "pasar el expediente a seguimiento")
    today = local_today(ctx)
    save_change(
        ctx,
        case,
        lambda current: current.enter_follow_up(ctx._account.id, today),
    )


def request_closure(ctx: SessionContext, command: RequestClosure) -> None:
    case = case_for_write(ctx, command.case_id)
    text = identity.free_text(
        "Motivo del cierre", command.reason, max_length=identity.SHORT_TEXT_MAX
    )
    sealed = seal_case(ctx, case, "closure_reason", text)
    today = local_today(ctx)
    save_change(
        ctx,
        case,
        lambda current: current.request_closure(ctx._account.id, today, sealed),
    )


def approve_closure(ctx: SessionContext, command: ApproveClosure) -> None:
    """The second person of the closure: coordinación, never the one who asked."""
    case = ctx._get_case(command.case_id)
    today = local_today(ctx)
    save_change(
        ctx,
        case,
        lambda current: current.approve_closure(ctx._account.id, today),
    )


def decline_closure(ctx: SessionContext, command: DeclineClosure) -> None:
    case = ctx._get_case(command.case_id)
    today = local_today(ctx)
    save_change(
        ctx,
        case,
        lambda current: current.decline_closure(ctx._account.id, today),
    )


def reopen_case(ctx: SessionContext, command: ReopenCase) -> None:
    case = ctx._get_case(command.case_id)
    check_assigned_or_coordination(ctx, case, "reabrir el expediente")
    text = identity.free_text(
        "Motivo de la reapertura", command.reason, max_length=identity.SHORT_TEXT_MAX
    )
    sealed = seal_case(ctx, case, "reopen_reason", text)
    today = local_today(ctx)
    save_change(
        ctx,
        case,
        lambda current: current.reopen(ctx._account.id, today, sealed),
    )
