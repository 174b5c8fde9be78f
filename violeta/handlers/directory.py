"""Handlers: the directory of institutions and referrals to them."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.cases import REFERRAL_OUTCOMES
from domain.directory import Institution
from domain.errors import InvalidField, NotPermitted
from domain.sealed import Sealed
from domain.vocabulary import Role, Section
from violeta.commands import (
    AddInstitution,
    RecordReferralOutcome,
    ReferCase,
    SetInstitutionActive,
    UpdateInstitution,
)
from violeta.directory import _parse, get_institution
from violeta.session import SessionContext, case_label, retry_on_conflict


def add_institution(ctx: SessionContext, command: AddInstitution) -> UUID:
    data = _parse(command.form)
    institution = Institution.register(uuid4(), data, ctx._account.id, ctx._institute.today())
    ctx._store.save(institution)
    return institution.id


def update_institution(ctx: SessionContext, command: UpdateInstitution) -> None:
    data = _parse(command.form)

    def attempt() -> None:
        institution = get_institution(ctx, command.institution_id)
        institution.update(data, ctx._account.id, ctx._institute.today())
        ctx._store.save(institution)

    retry_on_conflict(attempt)


def set_institution_active(ctx: SessionContext, command: SetInstitutionActive) -> None:
    """A retired institution stays (referrals point at it) but is not offered again."""

    def attempt() -> None:
        institution = get_institution(ctx, command.institution_id)
        if command.active:
            institution.reactivate(ctx._account.id, ctx._institute.today())
        else:
            institution.deactivate(ctx._account.id, ctx._institute.today())
        ctx._store.save(institution)

    retry_on_conflict(attempt)


def refer_case(ctx: SessionContext, command: ReferCase) -> UUID:
    """Refers her to an institution of the directory.

    With personal data and without her consent to share, only coordinación may refer, and
    only with a recorded (sealed) reason; anyone may refer without personal data.
    """
    case = ctx._get_case(command.case_id)
    reason = identity.free_text(
        "Motivo de la canalización", command.form.reason, max_length=identity.SHORT_TEXT_MAX
    )
    override_text = identity.free_text(
        "Motivo para canalizar sin consentimiento",
        command.form.consent_override_reason,
        max_length=identity.SHORT_TEXT_MAX,
        required=False,
    )
    made_on = ctx._past_or_today(
        "Fecha de canalización", command.form.made_on, ctx._institute.today()
    )
    institution = get_institution(ctx, command.form.institution_id)
    institution.check_accepts_referrals()
    client = ctx._get_client(case.client_id)
    client.check_not_erased()
    needs_override = command.form.with_personal_data and not client.consent_to_share
    if needs_override and override_text and ctx.role is not Role.COORDINATION:
        ctx._record_denied(
            Section.REFERRALS, [case.client_id], "canalizar sin consentimiento", [command.case_id]
        )
        raise NotPermitted(
            "Solo coordinación puede autorizar una canalización con datos personales sin el "
            "consentimiento de la usuaria."
        )
    referral_id = uuid4()
    subject = str(case.client_id)
    sealed_reason = ctx._seal(subject, case_label(command.case_id, "referral_reason"), reason)
    sealed_override: Sealed | None = (
        ctx._seal(subject, case_label(command.case_id, "referral_override"), override_text)
        if needs_override and override_text
        else None
    )
    loaded = [case]

    def attempt() -> None:
        current = loaded.pop() if loaded else ctx._get_case(command.case_id)
        current.refer(
            referral_id=referral_id,
            institution_id=command.form.institution_id,
            reason=sealed_reason,
            with_personal_data=command.form.with_personal_data,
            client_consents_to_share=client.consent_to_share,
            consent_override=sealed_override,
            made_by=ctx._account.id,
            made_on=made_on,
        )
        ctx._store.save(current)

    retry_on_conflict(attempt)
    return referral_id


def record_referral_outcome(ctx: SessionContext, command: RecordReferralOutcome) -> None:
    case = ctx._get_case(command.case_id)
    if command.outcome not in REFERRAL_OUTCOMES:
        raise InvalidField("Resultado de la canalización", "elija un resultado de la lista.")
    text = identity.free_text(
        "Nota del resultado", command.note, max_length=identity.NARRATIVE_MAX, required=False
    )
    on = ctx._past_or_today("Fecha del resultado", command.recorded_on, ctx._institute.today())
    sealed = (
        ctx._seal(str(case.client_id), case_label(command.case_id, "referral_outcome"), text)
        if text
        else None
    )
    loaded = [case]

    def attempt() -> None:
        current = loaded.pop() if loaded else ctx._get_case(command.case_id)
        current.record_referral_outcome(
            command.referral_id, command.outcome, sealed, ctx._account.id, on
        )
        ctx._store.save(current)

    retry_on_conflict(attempt)
