"""Recording: validate what staff typed, seal it, authorize, save with optimistic concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import identity
from domain.cases import AggressorRelationship, Case
from domain.clients import Client, PossibleDuplicate
from domain.errors import InvalidField
from domain.permissions import Action
from domain.sealed import Sealed
from domain.vocabulary import (
    RiskLevel,
    Section,
    age_band,
)
from keys import Duty
from violeta.drafts import discard_drafts_of
from violeta.dto import (
    CaseSummary,
    NewClient,
    NewIntake,
)
from violeta.session import SessionCore, case_label, retry_on_conflict


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


class Recording(SessionCore):
    # ----------------------------------------------------------------- commands

    def register_client(self, form: NewClient, *, confirm_not_duplicate: bool = False) -> UUID:
        """Validates, checks the age policy and duplicates, seals and saves one registration.

        Outside 18-60 she is registered only with a recorded reason, pending coordinación's
        authorization (no case until then); under 18 a referral to the child-protection
        authority is proposed. A possible duplicate is answered with candidate ids, never
        names, unless the caller confirms she is another woman.
        """
        self._authorize(Section.IDENTIFICATION, Action.WRITE, [], [], "registrar usuaria", "")
        client = self._prepare_client(form, confirm_not_duplicate=confirm_not_duplicate)
        self._store.save(client)
        return client.id

    def _prepare_client(self, form: NewClient, *, confirm_not_duplicate: bool) -> Client:
        """Everything of a registration except saving (the import saves it with her case)."""
        # Her key was stored ahead of time with others: registering writes no key of its own.
        subject = self._keyring.new_subject()
        try:
            return self._registration(subject, form, confirm_not_duplicate=confirm_not_duplicate)
        except BaseException:
            self._keyring.return_subject(subject)
            raise

    def _registration(
        self, subject: str, form: NewClient, *, confirm_not_duplicate: bool
    ) -> Client:
        today = self._institute.today()
        registered_on = self._past_or_today("Fecha de registro", form.registered_on, today)
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
        self._check_zone(form.zone)

        client_id = UUID(subject)

        def seal(label: str, text: str | None) -> Sealed | None:
            return self._seal(subject, label, text) if text else None

        # Client.register applies the rules before anything is saved; sealing first costs
        # only memory, and nothing leaves this process if a rule rejects the form.
        client = Client.register(
            client_id=client_id,
            name=self._seal(subject, "client.name", name),
            curp=seal("client.curp", curp),
            birth_date=self._seal(subject, "client.birth_date", identity.format_date(birth.value)),
            age=birth.age,
            phone=seal("client.phone", phone),
            zone=form.zone,
            age_band=age_band(birth.age),
            registered_on=registered_on,
            registered_by=self._account.id,
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
            candidates = self._duplicate_candidates(name, curp, phone)
            if candidates:
                # The ids are personal data of other women's records: the listing is a read.
                self._record_access(
                    action="verificar duplicado",
                    section=Section.IDENTIFICATION,
                    client_ids=candidates,
                    case_ids=[],
                    purpose="posible duplicado al registrar usuaria",
                )
                raise PossibleDuplicate(candidates)
        return client

    def _duplicate_candidates(self, name: str, curp: str | None, phone: str | None) -> list[UUID]:
        """Same CURP, same phone, or every name token: blind-index hits confirmed by opening."""
        self._catch_up_identification()  # another terminal may have registered her just now
        tokens = identity.search_tokens(name)
        wanted: dict[str, Sequence[str]] = {"nombre": tokens} if tokens else {}
        wanted |= {"curp": [curp]} if curp is not None else {}
        wanted |= {"telefono": [phone]} if phone is not None else {}
        hits = self._clients_matching_each(wanted) if wanted else {}
        found = {
            cid
            for kind, label, value in (
                ("curp", "client.curp", curp),
                ("telefono", "client.phone", phone),
            )
            for cid in hits.get(kind, set())
            if self._open_field(cid, label) == value
        }
        by_name = hits.get("nombre", set())
        name_tokens = set(tokens)
        for cid, row in self._client_rows(sorted(by_name - found)).items():
            if row["name"] is None:
                continue
            current = self._keyring.open(cid, "client.name", bytes(row["name"]))
            if name_tokens <= set(identity.search_tokens(current)):
                found.add(cid)
        return sorted(UUID(cid) for cid in found)

    def authorize_age_exception(self, client_id: UUID) -> None:
        """Coordinación authorizes serving a woman outside 18-60; then a case may be opened."""

        def attempt() -> None:
            client = self._get_client(client_id)
            client.authorize_age_exception(self._account.id)
            self._store.save(client)

        retry_on_conflict(attempt)

    def set_sharing_consent(self, client_id: UUID, granted: bool) -> None:
        """She gives or withdraws consent to share her data with directory institutions."""
        self._authorize(
            Section.IDENTIFICATION, Action.WRITE, [client_id], [], "consentimiento compartir", ""
        )

        def attempt() -> None:
            client = self._get_client(client_id)
            client.set_sharing_consent(granted, self._account.id)
            self._store.save(client)

        retry_on_conflict(attempt)

    def set_statistics_consent(self, client_id: UUID, granted: bool) -> None:
        """ARCO opposition: withdrawing takes her cases out of the statistics view."""
        self._authorize(
            Section.IDENTIFICATION, Action.WRITE, [client_id], [], "consentimiento estadística", ""
        )

        def attempt() -> None:
            client = self._get_client(client_id)
            client.set_statistics_consent(granted, self._account.id)
            self._store.save(client)

        retry_on_conflict(attempt)

    def open_case(self, client_id: UUID, form: NewIntake) -> CaseSummary:
        self._authorize(Section.INTAKE, Action.WRITE, [client_id], [], "abrir expediente", "")
        # Her record is read, not written, so no version conflict would reveal a stale copy:
        # the scan first drops the session's copy if another terminal changed her.
        self._scan()
        client = self._latest_client(client_id)
        client.check_may_open_case()
        opened_on = self._past_or_today(
            "Fecha de apertura", form.opened_on, self._institute.today()
        )
        if opened_on < client.registered_on:
            raise InvalidField(
                "Fecha de apertura", "no puede ser anterior al registro de la usuaria."
            )
        intake = ValidIntake(
            reason=identity.free_text(
                "Motivo de atención", form.reason, max_length=identity.SHORT_TEXT_MAX
            ),
            narrative=identity.free_text(
                "Relato", form.narrative, max_length=identity.NARRATIVE_MAX
            ),
            violence_types=list(form.violence_types),
            modalities=list(form.modalities),
            risk=form.risk,
            aggressor_relationship=form.aggressor_relationship,
            aggressor_details=identity.free_text(
                "Datos de la persona agresora",
                form.aggressor_details,
                max_length=identity.SHORT_TEXT_MAX,
                required=False,
            ),
            risk_factors=list(form.risk_factors),
        )
        case = retry_on_conflict(lambda: self._save_new_case(client, opened_on, intake))
        name = self._keyring.open(str(client_id), "client.name", client.name.envelope)
        return CaseSummary(
            case_id=case.id,
            client_id=client_id,
            folio=case.folio,
            client_name=name,
            opened_on=case.opened_on,
            status=case.status.label,
            zone_name=self._zone_names().get(case.zone, case.zone),
            risk=RiskLevel(case.risk).label,
        )

    def _save_new_case(
        self, client: Client, opened_on: date, intake: ValidIntake, *also: Aggregate
    ) -> Case:
        """Seals a validated intake with her key and saves her new case with the year's next
        folio (and ``also``, her registration when importing) in one transaction."""
        case_id = uuid4()
        subject = str(client.id)

        def seal(label: str, text: str) -> Sealed:
            return self._seal(subject, case_label(case_id, label), text)

        reason, narrative = seal("reason", intake.reason), seal("narrative", intake.narrative)
        details = (
            seal("aggressor_details", intake.aggressor_details)
            if intake.aggressor_details
            else None
        )
        return self._save_with_new_folio(
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
                opened_by=self._account.id,
                aggressor_relationship=intake.aggressor_relationship,
                aggressor_details=details,
                risk_factors=intake.risk_factors,
            ),
            *also,
        )

    def add_note(self, case_id: UUID, section: Section, text: str) -> None:
        """Appending a note is safe to replay, so a version conflict is retried, not lost."""
        case = self._latest_case(case_id)
        self._authorize(section, Action.WRITE, [case.client_id], [case_id], "registrar nota", "")
        note = identity.free_text("Nota", text, max_length=identity.NARRATIVE_MAX)
        # Psychology notes are sealed with her psychology key: no other duty can open them.
        duty = Duty.PSYCHOLOGY if section is Section.PSYCHOLOGICAL else Duty.CASE
        sealed = self._seal(str(case.client_id), case_label(case_id, "note"), note, duty)
        written_on = self._institute.today()
        self._change_and_save(
            case,
            lambda: self._get_case(case_id),
            lambda current: current.add_note(section, sealed, self._account.id, written_on),
        )

    def request_erasure(self, client_id: UUID) -> None:
        self._authorize(
            Section.IDENTIFICATION, Action.WRITE, [client_id], [], "solicitar cancelación", ""
        )

        def attempt() -> None:
            client = self._get_client(client_id)
            client.request_erasure(self._account.id)
            self._store.save(client)

        retry_on_conflict(attempt)

    def approve_erasure(self, client_id: UUID) -> None:
        """ARCO cancellation: a second person (coordinación) approves; the key is shredded."""
        client = self._get_client(client_id)
        client.erase(self._account.id)
        # Shred before the event is saved: if saving fails the approval can simply be repeated,
        # whereas an event claiming erasure with the key still present would be a lie.
        self._keyring.shred(str(client_id))
        self._store.save(client)
        discard_drafts_of(self, client_id)
        self.refresh()
        self._views.purge_freed_pages()
