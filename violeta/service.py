"""The application service: the only way into case records.

It validates what staff typed, seals personal fields before any event exists, checks the
permission matrix, records an access event *before* returning personal data, saves with
optimistic concurrency (retrying commands that are safe to replay) and keeps the views caught
up so that a terminal reads its own writes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from importlib import resources
from typing import TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import psycopg
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError
from eventsourcing.utils import get_topic
from psycopg import sql

from domain import identity
from domain.access import AccessRecord
from domain.accounts import StaffAccount
from domain.cases import Case, FolioSequence
from domain.clients import Client
from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.permissions import JUSTIFICATION_MIN_LENGTH, Action, Decision, decide
from domain.sealed import Sealed
from domain.vocabulary import (
    SERVED_AGE_MAX,
    SERVED_AGE_MIN,
    CaseStatus,
    Modality,
    RiskLevel,
    Role,
    Section,
    ViolenceType,
    age_band,
)
from domain.zones import ZoneCatalogue
from keys import (
    AccountLocked,
    KdfParams,
    Keyring,
    KeyringError,
    KeyStore,
    PostgresKeyStore,
    SQLiteKeyStore,
    UnlockedKeyring,
    WrongPassword,
)
from projections.runner import Projector
from projections.storage import PostgresViewStore, Row, SQLiteViewStore, ViewStore
from projections.views import SCHEMA, CaseRecordProjection
from violeta.dto import (
    AccessEntry,
    CaseDetail,
    CaseSummary,
    ClientDetail,
    ClientSummary,
    Dashboard,
    NewClient,
    NewIntake,
    NoteView,
    StaffIdentity,
    ZoneOption,
)
from violeta.settings import TIME_ZONE, Settings
from violeta.store import CaseStore, open_case_store

MEXICO = ZoneInfo(TIME_ZONE)
ERASED_TOPIC = get_topic(Client.Erased)
CONFLICT_RETRIES = 8
RECENT_CASES = 20
SEARCH_LIMIT = 50

T = TypeVar("T")


class LoginFailed(DomainError):
    """Wrong credentials or a locked account; the message never says which account exists."""


class JustificationRequired(DomainError):
    """Reading this section is outside the role's default: ask for a typed reason."""

    def __init__(self, section: Section) -> None:
        super().__init__(
            f"La sección «{section.label}» no corresponde a su rol. Para consultarla escriba "
            f"el motivo (al menos {JUSTIFICATION_MIN_LENGTH} caracteres); el acceso quedará "
            "registrado como excepcional y coordinación recibirá una alerta."
        )
        self.section = section


class ConcurrentEdit(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Otra terminal modificó este expediente al mismo tiempo y no fue posible "
            "conciliar los cambios; vuelva a abrirlo e intente de nuevo."
        )


class TamperedRecord(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Un registro del almacén de eventos no pudo descifrarse: fue alterado o la llave no "
            "corresponde. No se mostró ni se modificó nada; avise a coordinación."
        )


def today_in_mexico() -> date:
    return datetime.now(MEXICO).date()


def open_key_store(settings: Settings) -> KeyStore:
    if settings.backend == "sqlite":
        return SQLiteKeyStore(settings.keys_path)
    return PostgresKeyStore(settings.postgres, settings.postgres_schema)


def open_view_store(settings: Settings) -> ViewStore:
    if settings.backend == "sqlite":
        return SQLiteViewStore(settings.views_path, SCHEMA)
    return PostgresViewStore(settings.postgres, settings.postgres_schema, SCHEMA)


def default_zones() -> list[tuple[str, str, str, int]]:
    """INEGI 2020 localities of Cortazar with 1,000 inhabitants or more, plus the remainder."""
    source = resources.files("violeta") / "data" / "cortazar_localidades_inegi2020.csv"
    with source.open(encoding="utf-8") as handle:
        rows = [
            (
                row["cvegeo"],
                row["localidad"],
                _zone_kind(row["ambito"]),
                int(row["poblacion_femenina"]),
            )
            for row in csv.DictReader(handle)
        ]
    listed_women = sum(women for *_, women in rows)
    rows.append(("110110000", "Otras localidades", "comunidad", MUNICIPAL_WOMEN - listed_women))
    return rows


MUNICIPAL_WOMEN = 50_393  # INEGI 2020, municipality of Cortazar


def _zone_kind(ambito: str) -> str:
    return "localidad urbana" if ambito == "U" else "comunidad"


class KeyringIndexer:
    """Blind-index tokens for the search projection (opens names in memory only)."""

    def __init__(self, keyring: UnlockedKeyring) -> None:
        self._keyring = keyring

    def client_tokens(
        self, client_id: UUID, name: Sealed, curp: Sealed | None, phone: Sealed | None
    ) -> set[str]:
        subject = str(client_id)
        if self._keyring.is_shredded(subject):
            return set()
        tokens = {
            self._keyring.blind_index("nombre", token)
            for token in identity.search_tokens(
                self._keyring.open(subject, "client.name", name.envelope)
            )
        }
        if curp is not None:
            tokens.add(
                self._keyring.blind_index(
                    "curp", self._keyring.open(subject, "client.curp", curp.envelope)
                )
            )
        if phone is not None:
            tokens.add(
                self._keyring.blind_index(
                    "telefono", self._keyring.open(subject, "client.phone", phone.envelope)
                )
            )
        return tokens


class Institute:
    """One institute's data directory (or PostgreSQL schema), before anyone has logged in."""

    def __init__(
        self,
        settings: Settings,
        *,
        kdf: KdfParams | None = None,
        today: Callable[[], date] = today_in_mexico,
    ) -> None:
        self.settings = settings
        if settings.backend == "sqlite":
            settings.ensure_data_dir()
        else:
            _ensure_postgres_schema(settings)
        self.kdf = kdf or KdfParams()
        self.today = today
        self.keystore = open_key_store(settings)

    def is_initialized(self) -> bool:
        return Keyring.is_initialized(self.keystore)

    def initialize(self, username: str, display_name: str, password: str) -> StaffSession:
        """Creates the keys and the first coordinator account; never a default password."""
        account_id = uuid4()
        account = StaffAccount.open(
            account_id=account_id,
            username_text=username,
            display_name=display_name,
            role=Role.COORDINATION,
            opened_by=None,
        )
        try:
            keyring = Keyring.initialize(
                self.keystore, account.username, password, kdf=self.kdf, account_id=str(account_id)
            )
        except KeyringError as error:
            raise DomainError(str(error)) from None
        store = open_case_store(self.settings, keyring.institution_key)
        catalogue = ZoneCatalogue(municipality=self.settings.municipality)
        for code, name, kind, women in default_zones():
            catalogue.record_zone(code, name, kind, women)
        store.save(account, catalogue)
        return self._session(keyring, store)

    def login(self, username: str, password: str) -> StaffSession:
        try:
            keyring = Keyring.unlock(self.keystore, username.strip().lower(), password)
        except (WrongPassword, AccountLocked) as error:
            raise LoginFailed(str(error)) from None
        return self._session(keyring, open_case_store(self.settings, keyring.institution_key))

    def service_session(self, secret: str) -> StaffSession:
        try:
            keyring = Keyring.unlock_with_service_secret(self.keystore, secret)
        except KeyringError as error:
            raise LoginFailed(str(error)) from None
        return self._session(keyring, open_case_store(self.settings, keyring.institution_key))

    def _session(self, keyring: UnlockedKeyring, store: CaseStore) -> StaffSession:
        views = open_view_store(self.settings)
        projection = CaseRecordProjection(KeyringIndexer(keyring))
        projector = Projector(store, views, projection)
        try:
            projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            keyring.lock()
            raise TamperedRecord from error
        try:
            account = _load(store, UUID(keyring.account_id), StaffAccount, "")
        except (UnknownRecord, ValueError):
            keyring.lock()
            raise LoginFailed("La cuenta no existe o fue desactivada.") from None
        if not account.active:
            keyring.lock()
            raise LoginFailed("La cuenta no existe o fue desactivada.")
        return StaffSession(self, keyring, store, views, projector, account)

    def close(self) -> None:
        self.keystore.close()


class StaffSession:
    """Everything one logged-in staff member can do. Holds the unlocked keyring."""

    def __init__(
        self,
        institute: Institute,
        keyring: UnlockedKeyring,
        store: CaseStore,
        views: ViewStore,
        projector: Projector,
        account: StaffAccount,
    ) -> None:
        self._institute = institute
        self._keyring = keyring
        self._store = store
        self._views = views
        self._projector = projector
        self._account = account
        # Keys this session unwrapped stay cached in its keyring; erasures that any terminal
        # approves after this point must evict them here too.
        self._erasures_seen_up_to = store.recorder.max_notification_id() or 0
        self._zone_name_cache: dict[str, str] = {}

    # ----------------------------------------------------------------- identity

    @property
    def identity(self) -> StaffIdentity:
        return StaffIdentity(
            staff_id=self._account.id,
            username=self._account.username,
            display_name=self._account.display_name,
            role=self._account.role,
            must_change_password=self._keyring.must_change_password,
        )

    @property
    def role(self) -> Role:
        return self._account.role

    def close(self) -> None:
        self._keyring.lock()
        self._store.close()
        self._views.close()

    # ----------------------------------------------------------- reading views

    def refresh(self) -> int:
        """Applies what other terminals wrote; returns how many events were new."""
        self._forget_erased_clients()
        try:
            return self._projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error

    def _forget_erased_clients(self) -> None:
        recorder = self._store.recorder
        latest = recorder.max_notification_id() or 0
        if latest <= self._erasures_seen_up_to:
            return
        for notification in recorder.select_notifications(
            start=self._erasures_seen_up_to + 1,
            limit=latest - self._erasures_seen_up_to,
            topics=[ERASED_TOPIC],
        ):
            self._keyring.forget(str(notification.originator_id))
        self._erasures_seen_up_to = latest

    def rebuild_views(self, progress: Callable[[int, int], None] | None = None) -> int:
        return self._projector.rebuild(progress)

    def zones(self) -> list[ZoneOption]:
        rows = self._views.query("SELECT code, name FROM zones_view ORDER BY name")
        return [ZoneOption(row["code"], row["name"]) for row in rows]

    def dashboard(self) -> Dashboard:
        self.refresh()
        recent: list[CaseSummary] = []
        if decide(self.role, Section.IDENTIFICATION, Action.READ) is Decision.GRANTED:
            rows = self._views.query(
                "SELECT * FROM cases_view WHERE opened_by = ? ORDER BY last_activity DESC LIMIT ?",
                (str(self._account.id), RECENT_CASES),
            )
            recent = self._case_summaries(rows, purpose="mi día: mis expedientes recientes")
        month = self._institute.today().strftime("%Y-%m")
        return Dashboard(
            staff=self.identity,
            my_recent_cases=tuple(recent),
            open_cases=self._count(
                "SELECT COUNT(*) AS n FROM cases_view WHERE status <> 'cerrado'"
            ),
            cases_this_month=self._count(
                "SELECT COUNT(*) AS n FROM cases_view WHERE opened_on LIKE ?", (f"{month}-%",)
            ),
            pending_erasures=self._count(
                "SELECT COUNT(*) AS n FROM clients_view WHERE erasure_requested_by IS NOT NULL"
            ),
            exceptional_accesses_today=self._count(
                "SELECT COUNT(*) AS n FROM access_log WHERE exceptional = 1 AND at >= ?",
                (self._institute.today().isoformat(),),
            ),
        )

    def search_clients(self, text: str) -> list[ClientSummary]:
        """Blind-index search by name, CURP or phone; candidates are confirmed by opening."""
        query = identity.free_text("Búsqueda", text, max_length=identity.NAME_MAX)
        self._authorize(Section.IDENTIFICATION, Action.READ, [], [], "búsqueda", justification="")
        self.refresh()
        candidates, confirm = self._search_candidates(query)
        summaries: list[ClientSummary] = []
        for client_id in sorted(candidates)[: SEARCH_LIMIT * 4]:
            row = self._client_row(UUID(client_id))
            if row is None or row["name"] is None:
                continue
            name = self._keyring.open(client_id, "client.name", bytes(row["name"]))
            if confirm(client_id, name):
                summaries.append(self._client_summary(row, name))
            if len(summaries) >= SEARCH_LIMIT:
                break
        summaries.sort(key=lambda summary: identity.normalize_for_search(summary.name))
        self._record_access(
            action="buscar",
            section=Section.IDENTIFICATION,
            client_ids=[summary.client_id for summary in summaries],
            case_ids=[],
            purpose="búsqueda de usuarias",
        )
        return summaries

    def client_detail(self, client_id: UUID, justification: str = "") -> ClientDetail:
        client = self._get_client(client_id)
        exceptional = self._authorize(
            Section.IDENTIFICATION,
            Action.READ,
            [client_id],
            [],
            "ver identificación",
            justification,
        )
        self.refresh()
        case_rows = self._views.query(
            "SELECT * FROM cases_view WHERE client_id = ? ORDER BY opened_on DESC",
            (str(client_id),),
        )
        self._record_access(
            action="ver",
            section=Section.IDENTIFICATION,
            client_ids=[client_id],
            case_ids=[UUID(row["case_id"]) for row in case_rows],
            purpose="ver identificación de la usuaria",
            exceptional=exceptional,
            justification=justification,
        )
        subject = str(client_id)
        name = self._keyring.open(subject, "client.name", client.name.envelope)
        zone_names = self._zone_names()
        return ClientDetail(
            client_id=client_id,
            name=name,
            curp=self._open_optional(subject, "client.curp", client.curp),
            birth_date=self._keyring.open(subject, "client.birth_date", client.birth_date.envelope),
            phone=self._open_optional(subject, "client.phone", client.phone),
            zone_name=zone_names.get(client.zone, client.zone),
            age_band=client.age_band,
            registered_on=client.registered_on,
            erased=client.erased,
            erasure_pending=client.erasure_requested_by is not None and not client.erased,
            cases=tuple(self._summary_from_row(row, name, zone_names) for row in case_rows),
        )

    def case_detail(
        self, case_id: UUID, section: Section = Section.INTAKE, justification: str = ""
    ) -> CaseDetail:
        self.refresh()
        case = self._get_case(case_id)
        exceptional = self._authorize(
            section, Action.READ, [case.client_id], [case_id], f"ver {section.label}", justification
        )
        client = self._get_client(case.client_id)
        self._record_access(
            action="ver",
            section=section,
            client_ids=[case.client_id],
            case_ids=[case_id],
            purpose=f"consultar expediente: {section.label}",
            exceptional=exceptional,
            justification=justification,
        )
        subject = str(case.client_id)
        show_intake = section is Section.INTAKE
        staff_names = self._staff_names()
        return CaseDetail(
            case_id=case_id,
            client_id=case.client_id,
            folio=case.folio,
            client_name=self._keyring.open(subject, "client.name", client.name.envelope),
            opened_on=case.opened_on,
            status=case.status.label,
            zone_name=self._zone_names().get(case.zone, case.zone),
            risk=RiskLevel(case.risk).label,
            violence_types=tuple(ViolenceType(t).label for t in case.violence_types),
            modalities=tuple(Modality(m).label for m in case.modalities),
            reason=self._keyring.open(subject, _case_label(case_id, "reason"), case.reason.envelope)
            if show_intake
            else "",
            narrative=self._keyring.open(
                subject, _case_label(case_id, "narrative"), case.narrative.envelope
            )
            if show_intake
            else "",
            notes=tuple(
                NoteView(
                    section=note.section.label,
                    text=self._keyring.open(
                        subject, _case_label(case_id, "note"), note.text.envelope
                    ),
                    author=staff_names.get(str(note.author), "—"),
                    written_on=note.written_on,
                )
                for note in case.notes
                if note.section is section
            ),
            exceptional_access=exceptional,
        )

    def audit_entries(self, client_id: UUID | None = None, limit: int = 200) -> list[AccessEntry]:
        """The access trail, newest first (coordinación only): who saw whom, and why."""
        if self.role is not Role.COORDINATION:
            self._record_denied(
                Section.IDENTIFICATION, [], "consultar bitácora", action=Action.READ
            )
            raise NotPermitted("Solo coordinación puede consultar la bitácora de accesos.")
        self.refresh()
        if client_id is None:
            rows = self._views.query("SELECT * FROM access_log ORDER BY at DESC LIMIT ?", (limit,))
        else:
            rows = self._views.query(
                "SELECT access_log.* FROM access_log JOIN access_subjects USING (access_id) "
                "WHERE access_subjects.client_id = ? ORDER BY at DESC LIMIT ?",
                (str(client_id), limit),
            )
        staff_names = self._staff_names()
        entries = []
        for row in rows:
            subjects = self._views.query(
                "SELECT client_id FROM access_subjects WHERE access_id = ? ORDER BY client_id",
                (row["access_id"],),
            )
            entries.append(
                AccessEntry(
                    access_id=UUID(row["access_id"]),
                    at=datetime.fromisoformat(row["at"]).astimezone(MEXICO),
                    staff=staff_names.get(row["staff_id"], "—"),
                    role=Role(row["role"]).label,
                    action=row["action"],
                    section=Section(row["section"]).label,
                    outcome=row["outcome"],
                    exceptional=bool(row["exceptional"]),
                    purpose=row["purpose"],
                    justification=row["justification"],
                    client_ids=tuple(UUID(subject["client_id"]) for subject in subjects),
                )
            )
        return entries

    def case_counts(self) -> dict[tuple[str, str], int]:
        """Cases by (month, zone code) as the statistics view holds them; no personal data."""
        self.refresh()
        rows = self._views.query("SELECT month, zone, cases FROM stats_cases")
        return {(row["month"], row["zone"]): int(row["cases"]) for row in rows}

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
        sealed_reason = self._seal(subject, _case_label(case_id, "reason"), reason)
        sealed_narrative = self._seal(subject, _case_label(case_id, "narrative"), narrative)

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

        case = _retry_on_conflict(attempt)
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
        sealed = self._seal(str(case.client_id), _case_label(case_id, "note"), note)
        written_on = self._institute.today()
        loaded = [case]

        def attempt() -> None:
            current = loaded.pop() if loaded else self._get_case(case_id)
            current.add_note(section, sealed, self._account.id, written_on)
            self._store.save(current)

        _retry_on_conflict(attempt)

    def request_erasure(self, client_id: UUID) -> None:
        self._authorize(
            Section.IDENTIFICATION, Action.WRITE, [client_id], [], "solicitar cancelación", ""
        )

        def attempt() -> None:
            client = self._get_client(client_id)
            client.request_erasure(self._account.id)
            self._store.save(client)

        _retry_on_conflict(attempt)

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

    # ------------------------------------------------------------------ helpers

    def _authorize(
        self,
        section: Section,
        action: Action,
        client_ids: list[UUID],
        case_ids: list[UUID],
        purpose: str,
        justification: str,
    ) -> bool:
        """Returns True when the access is exceptional (break-the-glass)."""
        decision = decide(self.role, section, action)
        if decision is Decision.GRANTED:
            return False
        if decision is Decision.BREAK_GLASS:
            reason = justification.strip()
            if not reason:
                raise JustificationRequired(section)
            identity.free_text("Motivo", reason, max_length=identity.SHORT_TEXT_MAX)
            if len(reason) < JUSTIFICATION_MIN_LENGTH:
                raise InvalidField(
                    "Motivo", f"escriba al menos {JUSTIFICATION_MIN_LENGTH} caracteres."
                )
            return True
        self._record_denied(section, client_ids, purpose, case_ids, action)
        raise NotPermitted(
            f"Su rol ({self.role.label}) no permite {action.value} la sección «{section.label}»."
        )

    def _record_denied(
        self,
        section: Section,
        client_ids: list[UUID],
        purpose: str,
        case_ids: Sequence[UUID] = (),
        action: Action = Action.WRITE,
    ) -> None:
        self._record_access(
            action=action.value,
            section=section,
            client_ids=client_ids,
            case_ids=list(case_ids),
            purpose=purpose,
            outcome=Decision.DENIED,
        )

    def _record_access(
        self,
        *,
        action: str,
        section: Section,
        client_ids: Iterable[UUID],
        case_ids: Iterable[UUID],
        purpose: str,
        outcome: Decision = Decision.GRANTED,
        exceptional: bool = False,
        justification: str = "",
    ) -> None:
        record = AccessRecord(
            staff_id=self._account.id,
            role=self.role.value,
            action=action,
            section=section.value,
            client_ids=list(client_ids),
            case_ids=list(case_ids),
            purpose=purpose,
            outcome=(Decision.BREAK_GLASS if exceptional else outcome).value,
            exceptional=exceptional,
            justification=justification.strip(),
        )
        self._store.save(record)

    def _seal(self, subject: str, label: str, plaintext: str) -> Sealed:
        try:
            return Sealed(self._keyring.seal(subject, label, plaintext))
        except KeyringError as error:
            raise DomainError(str(error)) from None

    def _open_optional(self, subject: str, label: str, sealed: Sealed | None) -> str:
        return "" if sealed is None else self._keyring.open(subject, label, sealed.envelope)

    def _get_client(self, client_id: UUID) -> Client:
        return _load(self._store, client_id, Client, "No existe una usuaria con ese identificador.")

    def _get_case(self, case_id: UUID) -> Case:
        return _load(self._store, case_id, Case, "No existe un expediente con ese identificador.")

    def _check_zone(self, code: str) -> None:
        if code not in self._zone_names():
            self.refresh()  # another terminal may have just added it
            self._zone_name_cache = {}
            if code not in self._zone_names():
                raise InvalidField("Zona", "no está en el catálogo de zonas.")

    def _folio_sequence(self, year: int) -> FolioSequence:
        prefix = self._institute.settings.folio_prefix
        try:
            return _load(self._store, FolioSequence.create_id(prefix, year), FolioSequence, "")
        except UnknownRecord:
            return FolioSequence(prefix=prefix, year=year)

    def _past_or_today(self, field: str, text: str, today: date) -> date:
        if not text.strip():
            return today
        value = identity.parse_date(field, text)
        if value > today:
            raise InvalidField(field, "no puede ser posterior a hoy.")
        return value

    def _search_candidates(self, query: str) -> tuple[set[str], Callable[[str, str], bool]]:
        compact = query.replace(" ", "").replace("-", "")
        curp = identity.curp(compact) if len(compact) == 18 and compact.isalnum() else None
        if curp is not None:
            return self._token_clients(
                "curp", curp
            ), lambda cid, _name: self._open_field(cid, "client.curp") == curp
        phone = identity.phone(query) if compact.lstrip("+").isdigit() else None
        if phone is not None:
            return self._token_clients(
                "telefono", phone
            ), lambda cid, _name: self._open_field(cid, "client.phone") == phone
        tokens = identity.search_tokens(query)
        if not tokens:
            raise InvalidField("Búsqueda", "escriba al menos un nombre o apellido de dos letras.")
        candidates: set[str] | None = None
        for token in tokens:
            found = self._token_clients("nombre", token)
            candidates = found if candidates is None else candidates & found
        wanted = set(tokens)
        return candidates or set(), lambda _cid, name: wanted <= set(identity.search_tokens(name))

    def _token_clients(self, kind: str, token: str) -> set[str]:
        rows = self._views.query(
            "SELECT client_id FROM search_index WHERE token = ?",
            (self._keyring.blind_index(kind, token),),
        )
        return {row["client_id"] for row in rows}

    def _open_field(self, client_id: str, label: str) -> str:
        client = self._get_client(UUID(client_id))
        sealed = client.curp if label == "client.curp" else client.phone
        return self._open_optional(client_id, label, sealed)

    def _client_row(self, client_id: UUID) -> Row | None:
        rows = self._views.query(
            "SELECT * FROM clients_view WHERE client_id = ?", (str(client_id),)
        )
        return rows[0] if rows else None

    def _client_summary(self, row: Row, name: str) -> ClientSummary:
        open_cases = self._count(
            "SELECT COUNT(*) AS n FROM cases_view WHERE client_id = ? AND status <> 'cerrado'",
            (row["client_id"],),
        )
        return ClientSummary(
            client_id=UUID(row["client_id"]),
            name=name,
            zone_name=self._zone_names().get(row["zone"], row["zone"]),
            age_band=row["age_band"],
            open_cases=open_cases,
            erased=bool(row["erased"]),
        )

    def _case_summaries(self, rows: list[Row], purpose: str) -> list[CaseSummary]:
        """Opens the client names of a list; records which clients appeared in it first."""
        self._record_access(
            action="listar",
            section=Section.IDENTIFICATION,
            client_ids=[UUID(row["client_id"]) for row in rows],
            case_ids=[UUID(row["case_id"]) for row in rows],
            purpose=purpose,
        )
        zone_names = self._zone_names()
        summaries = []
        for row in rows:
            client_row = self._client_row(UUID(row["client_id"]))
            name = (
                self._keyring.open(row["client_id"], "client.name", bytes(client_row["name"]))
                if client_row is not None and client_row["name"] is not None
                else "[dato eliminado]"
            )
            summaries.append(self._summary_from_row(row, name, zone_names))
        return summaries

    def _summary_from_row(self, row: Row, name: str, zone_names: dict[str, str]) -> CaseSummary:
        return CaseSummary(
            case_id=UUID(row["case_id"]),
            client_id=UUID(row["client_id"]),
            folio=row["folio"],
            client_name=name,
            opened_on=date.fromisoformat(row["opened_on"]),
            status=CaseStatus(row["status"]).label,
            zone_name=zone_names.get(row["zone"], row["zone"]),
            risk=RiskLevel(row["risk"]).label,
        )

    def _zone_names(self) -> dict[str, str]:
        # Zones change a few times a year: kept per session, reloaded by _check_zone on a miss.
        if not self._zone_name_cache:
            self._zone_name_cache = {zone.code: zone.name for zone in self.zones()}
        return self._zone_name_cache

    def _staff_names(self) -> dict[str, str]:
        rows = self._views.query("SELECT staff_id, display_name FROM staff_view")
        return {row["staff_id"]: row["display_name"] for row in rows}

    def _count(self, sql: str, params: tuple[object, ...] = ()) -> int:
        return int(self._views.query(sql, params)[0]["n"])


def _ensure_postgres_schema(settings: Settings) -> None:
    with psycopg.connect(settings.postgres, autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(settings.postgres_schema)
            )
        )


A = TypeVar("A", bound=Aggregate)


def _load(store: CaseStore, aggregate_id: UUID, kind: type[A], missing: str) -> A:
    try:
        aggregate: Aggregate = store.repository.get(aggregate_id)
    except AggregateNotFoundError:
        raise UnknownRecord(missing) from None
    except ValueError as error:  # the outer cipher's authentication failure
        raise TamperedRecord from error
    if not isinstance(aggregate, kind):
        raise UnknownRecord(missing)
    return aggregate


def _case_label(case_id: UUID, field: str) -> str:
    return f"case:{case_id}:{field}"


def _retry_on_conflict(attempt: Callable[[], T]) -> T:
    for _ in range(CONFLICT_RETRIES):
        try:
            return attempt()
        except RecordConflictError:
            continue
    raise ConcurrentEdit
