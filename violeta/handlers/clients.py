"""Handlers: registration, consents, age exceptions, ARCO rectification and erasure."""

from __future__ import annotations

from uuid import UUID

from domain import identity
from domain.clients import (
    CORRECTABLE_FIELDS,
)
from domain.errors import InvalidField
from violeta.commands import (
    ApproveErasure,
    AuthorizeAgeException,
    CorrectClient,
    RegisterClient,
    RequestErasure,
    SetSharingConsent,
    SetStatisticsConsent,
)
from violeta.drafts import discard_drafts_of
from violeta.registration import prepare_client
from violeta.session import SessionContext, retry_on_conflict


def register_client(ctx: SessionContext, command: RegisterClient) -> UUID:
    """Validates, checks the age policy and duplicates, seals and saves one registration.

    Outside 18-60 she is registered only with a recorded reason, pending coordinación's
    authorization (no case until then); under 18 a referral to the child-protection
    authority is proposed. A possible duplicate is answered with candidate ids, never
    names, unless the caller confirms she is another woman.
    """
    client = prepare_client(ctx, command.form, confirm_not_duplicate=command.confirm_not_duplicate)
    ctx._store.save(client)
    return client.id


def authorize_age_exception(ctx: SessionContext, command: AuthorizeAgeException) -> None:
    """Coordinación authorizes serving a woman outside 18-60; then a case may be opened."""

    def attempt() -> None:
        client = ctx._get_client(command.client_id)
        client.authorize_age_exception(ctx._account.id)
        ctx._store.save(client)

    retry_on_conflict(attempt)


def set_sharing_consent(ctx: SessionContext, command: SetSharingConsent) -> None:
    """She gives or withdraws consent to share her data with directory institutions."""

    def attempt() -> None:
        client = ctx._get_client(command.client_id)
        client.set_sharing_consent(command.granted, ctx._account.id)
        ctx._store.save(client)

    retry_on_conflict(attempt)


def set_statistics_consent(ctx: SessionContext, command: SetStatisticsConsent) -> None:
    """ARCO opposition: withdrawing takes her cases out of the statistics view."""

    def attempt() -> None:
        client = ctx._get_client(command.client_id)
        client.set_statistics_consent(command.granted, ctx._account.id)
        ctx._store.save(client)

    retry_on_conflict(attempt)


def request_erasure(ctx: SessionContext, command: RequestErasure) -> None:

    def attempt() -> None:
        client = ctx._get_client(command.client_id)
        client.request_erasure(ctx._account.id)
        ctx._store.save(client)

    retry_on_conflict(attempt)


def approve_erasure(ctx: SessionContext, command: ApproveErasure) -> None:
    """ARCO cancellation: a second person (coordinación) approves; the key is shredded."""
    client = ctx._get_client(command.client_id)
    client.erase(ctx._account.id)
    # Shred before the event is saved: if saving fails the approval can simply be repeated,
    # whereas an event claiming erasure with the key still present would be a lie.
    ctx._keyring.shred(str(command.client_id))
    ctx._store.save(client)
    discard_drafts_of(ctx, command.client_id)
    ctx.refresh()
    ctx._views.purge_freed_pages()


def correct_client(ctx: SessionContext, command: CorrectClient) -> None:
    """ARCO rectification: a new event supersedes the value; the old one stays in history."""
    if command.field not in CORRECTABLE_FIELDS:
        raise InvalidField("Campo", "no admite rectificación.")
    text = _validated(ctx, command.field, command.value)
    sealed = ctx._seal(str(command.client_id), f"client.{command.field}", text) if text else None
    corrected_on = ctx._institute.today()

    def attempt() -> None:
        client = ctx._get_client(command.client_id)
        client.correct(command.field, sealed, ctx._account.id, corrected_on)
        ctx._store.save(client)

    retry_on_conflict(attempt)


def _validated(ctx: SessionContext, field: str, value: str) -> str:
    label = CORRECTABLE_FIELDS[field]
    if field in ("name", "safe_contact_name"):
        return identity.person_name(label, value) if value.strip() else ""
    if field == "curp":
        return identity.curp(value) or ""
    if field in ("phone", "safe_contact_phone"):
        try:
            return identity.phone(value) or ""
        except InvalidField as error:
            raise InvalidField(label, error.problem) from None
    if field == "birth_date":
        birth = identity.BirthDate.parse(value, ctx._institute.today())
        return identity.format_date(birth.value)
    return identity.free_text(label, value, max_length=identity.SHORT_TEXT_MAX, required=False)
