"""Registering a woman and opening her case: shared by the form and the import."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain import identity
from domain.cases import AggressorRelationship, Case, FolioSequence
from domain.clients import Client, PossibleDuplicate
from domain.errors import InvalidField, UnknownRecord
from domain.sealed import Sealed
from domain.vocabulary import (
    Section,
    age_band,
)
from violeta.dto import NewClient
from violeta.lookups import client_rows, clients_matching_each, open_field
from violeta.session import FOLIO_ATTEMPTS, FOLIO_PAUSE_MS, SessionContext, case_label


def _labelled_phone(field: str, text: str) -> str | None:
    """identity.phone names its field «Teléfono»; a second phone needs its own label."""
    try:
        return identity.phone(text)
    except InvalidField as error:
        raise InvalidField(field, error.problem) from None


@dataclass(frozen=True)
class ValidIntake:
    """An intake whose free texts passed validation, still in plaintext: it lives only until
    _save_new_case seals it."""

    reason: str
    narrative: str
    violence_types: list[str]
    modalities: list[str]
    risk: str
    aggressor_relationship: str = AggressorRelationship.NOT_STATED.value
    aggressor_details: str = ""
    risk_factors: list[str] = field(default_factory=list)


def save_with_new_folio(
    ctx: SessionContext, year: int, open_case: Callable[[str], Case], *also: Aggregate
) -> Case:
    """Issues the year's next folio and saves it with the new case in one transaction.

    It starts from the session's copy of the sequence. When another terminal issued a
    number meanwhile the save conflicts: only the sequence is loaded again (from its
    latest snapshot, so that costs the same in any archive) and the case is rebuilt with
    the next number, after a short random pause so that two terminals opening cases at
    once do not collide in step. A failed save consumes the events of ``also``, so with
    those the conflict goes to the caller's retry, which prepares them again.
    """
    prefix = ctx._institute.settings.folio_prefix
    sequence_id = FolioSequence.create_id(prefix, year)
    attempt = 0
    while True:
        attempt += 1
        try:
            sequence = ctx._latest(sequence_id, FolioSequence, "")
        except UnknownRecord:
            sequence = FolioSequence(prefix=prefix, year=year)
        case = open_case(sequence.issue())
        try:
            ctx._store.save(sequence, *also, case)
        except RecordConflictError:
            if also or attempt == FOLIO_ATTEMPTS:
                raise
            time.sleep(secrets.randbelow(FOLIO_PAUSE_MS * attempt + 1) / 1000)
        else:
            return case


def prepare_client(ctx: SessionContext, form: NewClient, *, confirm_not_duplicate: bool) -> Client:
    """Everything of a registration except saving (the import saves it with her case)."""
    # Her key was stored ahead of time with others: registering writes no key of its own.
    subject = ctx._keyring.new_subject()
    try:
        return registration(ctx, subject, form, confirm_not_duplicate=confirm_not_duplicate)
    except BaseException:
        ctx._keyring.return_subject(subject)
        raise


def registration(
    ctx: SessionContext, subject: str, form: NewClient, *, confirm_not_duplicate: bool
) -> Client:
    today = ctx._institute.today()
    registered_on = ctx._past_or_today("Fecha de registro", form.registered_on, today)
    name = identity.person_name("Nombre", form.name)
    birth = identity.BirthDate.parse(form.birth_date, registered_on)
    curp = identity.curp(form.curp)
    phone = identity.phone(form.phone)
    contact_name = (
        identity.person_name("Nombre del contacto seguro", form.safe_contact_name)
        if form.safe_contact_name.strip()
        else ""
    )
    contact_phone = _labelled_phone("Teléfono del contacto seguro", form.safe_contact_phone)
    address = identity.free_text(
        "Domicilio", form.address, max_length=identity.SHORT_TEXT_MAX, required=False
    )
    age_reason = identity.free_text(
        "Motivo de la excepción de edad",
        form.age_exception_reason,
        max_length=identity.SHORT_TEXT_MAX,
        required=False,
    )
    ctx._check_zone(form.zone)

    client_id = UUID(subject)

    def seal(label: str, text: str | None) -> Sealed | None:
        return ctx._seal(subject, label, text) if text else None

    # Client.register applies the rules before anything is saved; sealing first costs
    # only memory, and nothing leaves this process if a rule rejects the form.
    client = Client.register(
        client_id=client_id,
        name=ctx._seal(subject, "client.name", name),
        curp=seal("client.curp", curp),
        birth_date=ctx._seal(subject, "client.birth_date", identity.format_date(birth.value)),
        age=birth.age,
        phone=seal("client.phone", phone),
        zone=form.zone,
        age_band=age_band(birth.age),
        registered_on=registered_on,
        registered_by=ctx._account.id,
        phone_safe_to_call=form.phone_safe_to_call,
        safe_contact_name=seal("client.safe_contact_name", contact_name),
        safe_contact_phone=seal("client.safe_contact_phone", contact_phone),
        address=seal("client.address", address),
        indigenous_language=form.indigenous_language,
        disabilities=list(form.disabilities),
        privacy_notice_accepted=form.privacy_notice_accepted,
        consent_to_share=form.consent_to_share,
        consent_to_statistics=form.consent_to_statistics,
        age_exception_reason=seal("client.age_exception_reason", age_reason),
    )
    if not confirm_not_duplicate:
        candidates = duplicate_candidates(ctx, name, curp, phone)
        if candidates:
            # The ids are personal data of other women's records: the listing is a read.
            ctx._record_access(
                action="verificar duplicado",
                section=Section.IDENTIFICATION,
                client_ids=candidates,
                case_ids=[],
                purpose="posible duplicado al registrar usuaria",
            )
            raise PossibleDuplicate(candidates)
    return client


def duplicate_candidates(
    ctx: SessionContext, name: str, curp: str | None, phone: str | None
) -> list[UUID]:
    """Same CURP, same phone, or every name token: blind-index hits confirmed by opening."""
    ctx._follower.catch_up_identification()  # another terminal may have registered her just now
    tokens = identity.search_tokens(name)
    wanted: dict[str, Sequence[str]] = {"nombre": tokens} if tokens else {}
    wanted |= {"curp": [curp]} if curp is not None else {}
    wanted |= {"telefono": [phone]} if phone is not None else {}
    hits = clients_matching_each(ctx, wanted) if wanted else {}
    found = {
        cid
        for kind, label, value in (
            ("curp", "client.curp", curp),
            ("telefono", "client.phone", phone),
        )
        for cid in hits.get(kind, set())
        if open_field(ctx, cid, label) == value
    }
    by_name = hits.get("nombre", set())
    name_tokens = set(tokens)
    for cid, row in client_rows(ctx, sorted(by_name - found)).items():
        if row["name"] is None:
            continue
        current = ctx._keyring.open(cid, "client.name", bytes(row["name"]))
        if name_tokens <= set(identity.search_tokens(current)):
            found.add(cid)
    return sorted(UUID(cid) for cid in found)


def save_new_case(
    ctx: SessionContext, client: Client, opened_on: date, intake: ValidIntake, *also: Aggregate
) -> Case:
    """Seals a validated intake with her key and saves her new case with the year's next
    folio (and ``also``, her registration when importing) in one transaction."""
    case_id = uuid4()
    subject = str(client.id)

    def seal(label: str, text: str) -> Sealed:
        return ctx._seal(subject, case_label(case_id, label), text)

    reason, narrative = seal("reason", intake.reason), seal("narrative", intake.narrative)
    details = (
        seal("aggressor_details", intake.aggressor_details) if intake.aggressor_details else None
    )
    return save_with_new_folio(
        ctx,
        opened_on.year,
        lambda folio: Case.open(
            case_id=case_id,
            client_id=client.id,
            folio=folio,
            opened_on=opened_on,
            zone=client.zone,
            age_band=client.age_band,
            reason=reason,
            narrative=narrative,
            violence_types=intake.violence_types,
            modalities=intake.modalities,
            risk=intake.risk,
            opened_by=ctx._account.id,
            aggressor_relationship=intake.aggressor_relationship,
            aggressor_details=details,
            risk_factors=intake.risk_factors,
        ),
        *also,
    )
