"""The core every capability of a logged-in session builds on.

It holds the unlocked keyring, the event store and the views, and the rules applied on every
path: authorization against the permission matrix, the access event recorded before any
personal data is returned, sealing before an event exists, optimistic concurrency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError
from eventsourcing.utils import get_topic

from domain import identity
from domain.access import AccessRecord
from domain.accounts import StaffAccount
from domain.cases import Case, FolioSequence
from domain.clients import Client
from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.permissions import JUSTIFICATION_MIN_LENGTH, Action, Decision, decide
from domain.sealed import Sealed
from domain.vocabulary import (
    CaseStatus,
    RiskLevel,
    Role,
    Section,
)
from keys import (
    PLACEHOLDER,
    KeyringError,
    UnlockedKeyring,
)
from projections.runner import Projector
from projections.storage import Row, ViewStore
from violeta.dto import (
    CaseSummary,
    ClientSummary,
    StaffIdentity,
    ZoneOption,
)
from violeta.errors import ConcurrentEdit, JustificationRequired, TamperedRecord
from violeta.settings import TIME_ZONE
from violeta.store import CaseStore

MEXICO = ZoneInfo(TIME_ZONE)
ERASED_TOPIC = get_topic(Client.Erased)
ACCESS_TOPIC = get_topic(AccessRecord.Recorded)
REFRESH_SCAN_LIMIT = 1000
CONFLICT_RETRIES = 8
RECENT_CASES = 20
SEARCH_LIMIT = 50

if TYPE_CHECKING:
    from violeta.service import Institute

T = TypeVar("T")


class SessionCore:
    """State and rules shared by every capability of one logged-in staff member."""

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
        self._seen_up_to = store.recorder.max_notification_id() or 0
        self._zone_name_cache: dict[str, str] = {}
        self._folio_sequences: dict[int, FolioSequence] = {}

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
        """Catches the views up and returns how many case records changed since this session
        last looked, by anyone. Access records are left out: counting them would make two idle
        terminals reread (and audit) each other's screens forever."""
        # Raw and still encrypted: only topics and ids are looked at here.
        arrived = self._store.recorder.select_notifications(
            self._seen_up_to + 1, REFRESH_SCAN_LIMIT
        )
        changed = 0
        for notification in arrived:
            if notification.topic == ERASED_TOPIC:
                self._keyring.forget(str(notification.originator_id))
            if notification.topic != ACCESS_TOPIC:
                changed += 1
        position = self._projector.position
        seen, self._seen_up_to = self._seen_up_to, arrived[-1].id if arrived else self._seen_up_to
        try:
            # The common case of one terminal: the views need exactly what was just read.
            applied_here = (
                position == seen
                and 0 < len(arrived) < REFRESH_SCAN_LIMIT
                and self._projector.apply(arrived, after=position) > 0
            )
            if not applied_here:
                self._projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error
        if len(arrived) == REFRESH_SCAN_LIMIT:
            return changed + self.refresh()
        return changed

    def rebuild_views(self, progress: Callable[[int, int], None] | None = None) -> int:
        return self._projector.rebuild(progress)

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
        return load_aggregate(
            self._store, client_id, Client, "No existe una usuaria con ese identificador."
        )

    def _get_case(self, case_id: UUID) -> Case:
        return load_aggregate(
            self._store, case_id, Case, "No existe un expediente con ese identificador."
        )

    def _check_zone(self, code: str) -> None:
        if code not in self._zone_names():
            self.refresh()  # another terminal may have just added it
            self._zone_name_cache = {}
            if code not in self._zone_names():
                raise InvalidField("Zona", "no está en el catálogo de zonas.")

    def _save_with_new_folio(
        self, year: int, open_case: Callable[[str], Case], *also: Aggregate
    ) -> Case:
        """Issues the year's next folio and saves it with the new case in one transaction.

        The sequence is kept between cases: when another terminal issued a number meanwhile
        the save conflicts and the caller's retry reloads it. Any failure drops the kept copy,
        which then holds a number the store never saw.
        """
        sequence = self._folio_sequences.get(year) or self._load_folio_sequence(year)
        self._folio_sequences[year] = sequence
        try:
            case = open_case(sequence.issue())
            self._store.save(sequence, *also, case)
        except BaseException:
            del self._folio_sequences[year]
            raise
        return case

    def _load_folio_sequence(self, year: int) -> FolioSequence:
        prefix = self._institute.settings.folio_prefix
        try:
            return load_aggregate(
                self._store, FolioSequence.create_id(prefix, year), FolioSequence, ""
            )
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
        return self._clients_by_token([(kind, token)])[(kind, token)]

    def _clients_by_token(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
        """Blind-index candidates of several (kind, token) pairs in one query."""
        indexes = {pair: self._keyring.blind_index(*pair) for pair in wanted}
        placeholders = ", ".join("?" for _ in indexes)
        rows = self._views.query(
            f"SELECT token, client_id FROM search_index WHERE token IN ({placeholders})",  # noqa: S608 - placeholders only
            tuple(indexes.values()),
        )
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["token"], set()).add(row["client_id"])
        return {pair: found.get(index, set()) for pair, index in indexes.items()}

    def _open_field(self, client_id: str, label: str) -> str:
        client = self._get_client(UUID(client_id))
        sealed = client.curp if label == "client.curp" else client.phone
        return self._open_optional(client_id, label, sealed)

    def _client_row(self, client_id: UUID) -> Row | None:
        return self._client_rows([str(client_id)]).get(str(client_id))

    def _client_rows(self, client_ids: Sequence[str]) -> dict[str, Row]:
        """The view rows of several clients in one query (lists and searches)."""
        if not client_ids:
            return {}
        placeholders = ", ".join("?" for _ in client_ids)
        rows = self._views.query(
            f"SELECT * FROM clients_view WHERE client_id IN ({placeholders})",  # noqa: S608 - placeholders only
            tuple(client_ids),
        )
        return {row["client_id"]: row for row in rows}

    def _open_case_counts(self, client_ids: Sequence[str]) -> dict[str, int]:
        if not client_ids:
            return {}
        placeholders = ", ".join("?" for _ in client_ids)
        rows = self._views.query(
            "SELECT client_id, COUNT(*) AS n FROM cases_view "  # noqa: S608 - placeholders only
            f"WHERE status <> 'cerrado' AND client_id IN ({placeholders}) GROUP BY client_id",
            tuple(client_ids),
        )
        return {row["client_id"]: int(row["n"]) for row in rows}

    def _client_summary(self, row: Row, name: str, open_cases: int) -> ClientSummary:
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
        clients = self._client_rows(sorted({row["client_id"] for row in rows}))
        summaries = []
        for row in rows:
            client_row = clients.get(row["client_id"])
            name = (
                self._keyring.open(row["client_id"], "client.name", bytes(client_row["name"]))
                if client_row is not None and client_row["name"] is not None
                else PLACEHOLDER
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

    def zones(self) -> list[ZoneOption]:
        rows = self._views.query("SELECT code, name FROM zones_view ORDER BY name")
        return [ZoneOption(row["code"], row["name"]) for row in rows]

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


A = TypeVar("A", bound=Aggregate)


def load_aggregate(store: CaseStore, aggregate_id: UUID, kind: type[A], missing: str) -> A:
    try:
        aggregate: Aggregate = store.repository.get(aggregate_id)
    except AggregateNotFoundError:
        raise UnknownRecord(missing) from None
    except ValueError as error:  # the outer cipher's authentication failure
        raise TamperedRecord from error
    if not isinstance(aggregate, kind):
        raise UnknownRecord(missing)
    return aggregate


def case_label(case_id: UUID, field: str) -> str:
    return f"case:{case_id}:{field}"


def retry_on_conflict(attempt: Callable[[], T]) -> T:
    for _ in range(CONFLICT_RETRIES):
        try:
            return attempt()
        except RecordConflictError:
            continue
    raise ConcurrentEdit
