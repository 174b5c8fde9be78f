"""Recording: validate what staff typed, seal it, authorize, save with optimistic concurrency."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.accounts import StaffAccount
from domain.cases import Case
from domain.clients import Client
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.permissions import Action
from domain.vocabulary import (
    SERVED_AGE_MAX,
    SERVED_AGE_MIN,
    RiskLevel,
    Role,
    Section,
    age_band,
)
from keys import (
    Keyring,
    KeyringError,
)
from violeta.dto import (
    CaseSummary,
    NewClient,
    NewIntake,
)
from violeta.session import SessionCore, case_label, retry_on_conflict


class Recording(SessionCore):
    # ----------------------------------------------------------------- commands

    def register_client(self, form: NewClient) -> UUID:
        self._authorize(Section.IDENTIFICATION, Action.WRITE, [], [], "registrar usuaria", "")
        today = self._institute.today()
        registered_on = self._past_or_today("Fecha de registro", form.registered_on, today)
        name = identity.person_name("Nombre", form.name)
        birth = identity.BirthDate.parse(form.birth_date, registered_on)
        if not SERVED_AGE_MIN <= birth.age <= SERVED_AGE_MAX:
            raise InvalidField(
                "Fecha de nacimiento",
                f"la usuaria tendría {birth.age} años; el instituto atiende de "
                f"{SERVED_AGE_MIN} a {SERVED_AGE_MAX}. El registro fuera de ese rango requiere "
                "autorización de coordinación (aún no disponible en esta versión).",
            )
        curp = identity.curp(form.curp)
        phone = identity.phone(form.phone)
        self._check_zone(form.zone)

        client_id = uuid4()
        subject = str(client_id)
        client = Client(
            id=client_id,
            name=self._seal(subject, "client.name", name),
            curp=self._seal(subject, "client.curp", curp) if curp else None,
            birth_date=self._seal(subject, "client.birth_date", identity.format_date(birth.value)),
            phone=self._seal(subject, "client.phone", phone) if phone else None,
            zone=form.zone,
            age_band=age_band(birth.age),
            registered_on=registered_on,
            registered_by=self._account.id,
        )
        self._store.save(client)
        return client_id

    def open_case(self, client_id: UUID, form: NewIntake) -> CaseSummary:
        self._authorize(Section.INTAKE, Action.WRITE, [client_id], [], "abrir expediente", "")
        client = self._get_client(client_id)
        client.check_not_erased()
        opened_on = self._past_or_today(
            "Fecha de apertura", form.opened_on, self._institute.today()
        )
        if opened_on < client.registered_on:
            raise InvalidField(
                "Fecha de apertura", "no puede ser anterior al registro de la usuaria."
            )
        reason = identity.free_text(
            "Motivo de atención", form.reason, max_length=identity.SHORT_TEXT_MAX
        )
        narrative = identity.free_text("Relato", form.narrative, max_length=identity.NARRATIVE_MAX)
        case_id = uuid4()
        subject = str(client_id)
        sealed_reason = self._seal(subject, case_label(case_id, "reason"), reason)
        sealed_narrative = self._seal(subject, case_label(case_id, "narrative"), narrative)

        def attempt() -> Case:
            sequence = self._folio_sequence(opened_on.year)
            case = Case.open(
                case_id=case_id,
                client_id=client_id,
                folio=sequence.issue(),
                opened_on=opened_on,
                zone=client.zone,
                age_band=client.age_band,
                reason=sealed_reason,
                narrative=sealed_narrative,
                violence_types=list(form.violence_types),
                modalities=list(form.modalities),
                risk=form.risk,
                opened_by=self._account.id,
            )
            self._store.save(sequence, case)
            return case

        case = retry_on_conflict(attempt)
        name = self._keyring.open(subject, "client.name", client.name.envelope)
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

    def add_note(self, case_id: UUID, section: Section, text: str) -> None:
        """Appending a note is safe to replay, so a version conflict is retried, not lost."""
        case = self._get_case(case_id)
        self._authorize(section, Action.WRITE, [case.client_id], [case_id], "registrar nota", "")
        note = identity.free_text("Nota", text, max_length=identity.NARRATIVE_MAX)
        sealed = self._seal(str(case.client_id), case_label(case_id, "note"), note)
        written_on = self._institute.today()
        loaded = [case]

        def attempt() -> None:
            current = loaded.pop() if loaded else self._get_case(case_id)
            current.add_note(section, sealed, self._account.id, written_on)
            self._store.save(current)

        retry_on_conflict(attempt)

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
        if self.role is not Role.COORDINATION:
            self._record_denied(Section.IDENTIFICATION, [client_id], "aprobar cancelación")
            raise NotPermitted("Solo coordinación puede aprobar una cancelación de datos.")
        client = self._get_client(client_id)
        client.erase(self._account.id)
        # Shred before the event is saved: if saving fails the approval can simply be repeated,
        # whereas an event claiming erasure with the key still present would be a lie.
        self._keyring.shred(str(client_id))
        self._store.save(client)
        self.refresh()
        self._views.purge_freed_pages()

    def create_account(
        self, username: str, display_name: str, role: Role, initial_password: str
    ) -> UUID:
        if self.role not in (Role.ADMINISTRATION, Role.COORDINATION):
            raise NotPermitted("Solo administración o coordinación pueden crear cuentas.")
        account = StaffAccount.open(
            account_id=uuid4(),
            username_text=username,
            display_name=display_name,
            role=role,
            opened_by=self._account.id,
        )
        if Keyring.slot_info(self._institute.keystore, account.username) is not None:
            raise InvalidField("Usuario", "ya existe una cuenta con ese nombre de usuario.")
        try:
            self._keyring.add_password_slot(
                account.username,
                initial_password,
                account_id=str(account.id),
                must_change_password=True,
                kdf=self._institute.kdf,
            )
        except KeyringError as error:
            raise DomainError(str(error)) from None
        self._store.save(account)
        return account.id

    def change_password(self, old_password: str, new_password: str) -> None:
        try:
            self._keyring.change_password(self._account.username, old_password, new_password)
        except KeyringError as error:
            raise DomainError(str(error)) from None
