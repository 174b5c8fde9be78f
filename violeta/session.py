"""The core every capability of a logged-in session builds on.

It holds the unlocked keyring, the event store and the views, and the rules applied on every
path: authorization against the permission matrix, the access event recorded before any
personal data is returned, sealing before an event exists, optimistic concurrency.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification, RecordConflictError
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
    Duty,
    KeyringError,
    SearchUnavailable,
    UnlockedKeyring,
)
from projections.read_side import ReadSideProjection, read_side_name
from projections.runner import Projector
from projections.storage import Row, Statement, ViewStore
from projections.views import CaseRecordProjection, index_statements
from violeta.dto import (
    AccessEntry,
    CaseSummary,
    ClientSummary,
    StaffIdentity,
    ZoneOption,
)
from violeta.errors import ConcurrentEdit, JustificationRequired, TamperedRecord
from violeta.policy import POLICY, SECTION_ARGUMENT, Gate, Rule, SecondPerson
from violeta.roles import ENABLERS, ROLE_DUTIES
from violeta.settings import TIME_ZONE
from violeta.store import CaseStore

MEXICO = ZoneInfo(TIME_ZONE)
ERASED_TOPIC = get_topic(Client.Erased)
ACCESS_TOPIC = get_topic(AccessRecord.Recorded)
IDENTIFICATION_TOPICS = frozenset(
    get_topic(kind) for kind in (Client.Registered, Client.Corrected, Client.Erased)
)
REFRESH_SCAN_LIMIT = 1000
IDLE_READ_SIDE_BATCH = 200  # events of the read side applied by an idle refresh
PENDING_BATCH = 100  # clients indexed per projection when a session without keys deferred them
# A client's search tokens are written (or deferred) when these are projected.
INDEXED_TOPICS = frozenset(get_topic(kind) for kind in (Client.Registered, Client.Corrected))
JUSTIFICATION_LABEL = "access.justification"
UNPROJECTED_LIMIT = REFRESH_SCAN_LIMIT  # scanned notifications a session holds between commands
CONFLICT_RETRIES = 8
FOLIO_ATTEMPTS = 16  # per conflict retry of the caller
FOLIO_PAUSE_MS = 2  # the random pause after the n-th conflict is up to n times this
RECENT_CASES = 20
SEARCH_LIMIT = 50
SEARCH_CANDIDATES = SEARCH_LIMIT * 4  # confirmed by opening, first by id
RARITY_CAP = 16  # rows counted per search token when choosing which one to walk

if TYPE_CHECKING:
    from violeta.service import Institute

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


class SessionCore(Gate):
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
        # Every scan evicts the keys and aggregate copies that erasures and other terminals'
        # changes made stale. Scanning starts where the views are, so the views hold
        # everything up to _unprojected_after and the scanned rest waits in _unprojected
        # (other processes only move the views forward; a rebuild elsewhere refills them).
        self._seen_up_to = projector.position
        self._unprojected: list[Notification] = []
        self._unprojected_after = self._seen_up_to
        self._zone_name_cache: dict[str, str] = {}
        self._calls = threading.local()
        # Statistics and the audit trail's facts: a projection of their own, caught up where
        # they are read, when the terminal is idle and at logout (projections/read_side.py).
        self._read_side = Projector(
            store,
            views,
            ReadSideProjection(),
            name=read_side_name(projector.name),
            chain=False,
            ceiling=lambda: self._projector.position,
        )
        # Whether a client may wait in search_pending: asked once, then only after a
        # registration or a correction arrived (a session without the case key defers them).
        self._pending_possible = True

    # ----------------------------------------------------------------- admission

    def _admit(self, command: str, rule: Rule, arguments: dict[str, Any]) -> None:
        """Enforces the command's row of the policy table (violeta/policy.py): the account
        must be enabled and its password changed, the role must be allowed, and an approval
        must come from a second person. A refusal is recorded before it is raised."""
        section = arguments.get("section") if rule.section == SECTION_ARGUMENT else rule.section
        target = section if isinstance(section, Section) else Section.IDENTIFICATION

        def refuse(message: str) -> NotPermitted:
            client_ids, case_ids = self._subjects_of(arguments)
            self._record_denied(target, client_ids, command, case_ids, rule.action)
            return NotPermitted(message)

        if not rule.before_enabling and self._pending_reason():
            raise refuse(self._pending_reason())
        if self.role not in rule.allowed_roles(section if isinstance(section, Section) else None):
            raise refuse(f"Su rol ({self.role.label}) no permite esta acción.")
        if rule.second_person is not None:
            requester = self._requester(rule.second_person, arguments)
            if requester is not None and not self._is_second_person(requester):
                raise refuse(
                    f"La aprobación ({rule.second_person.value}) necesita a una segunda persona: "
                    "no puede darla quien la solicitó, ni quien tenga una cuenta que esa persona "
                    "creó, restableció o habilitó."
                )

    def may(self, command: str, section: Section | None = None) -> bool:
        """Whether this session may run ``command`` now (on ``section`` for a command that
        takes one): what the terminal app offers comes from the same table that guards."""
        rule = POLICY.get(command)
        if rule is None or (not rule.before_enabling and self._pending_reason()):
            return False
        return self.role in rule.allowed_roles(section)

    def _subjects_of(self, arguments: dict[str, Any]) -> tuple[list[UUID], list[UUID]]:
        client_ids = (
            [arguments["client_id"]] if isinstance(arguments.get("client_id"), UUID) else []
        )
        case_ids = [arguments["case_id"]] if isinstance(arguments.get("case_id"), UUID) else []
        if case_ids and not client_ids:
            try:
                client_ids = [self._get_case(case_ids[0]).client_id]
            except UnknownRecord:
                case_ids = []  # recorded as an attempt on no record
        return client_ids, case_ids

    def _pending_reason(self) -> str:
        if self._keyring.must_change_password:
            return "Antes de continuar cambie su contraseña temporal."
        if not self._account.enabled or not ROLE_DUTIES[self.role] <= self._keyring.duties:
            return (
                "Su cuenta está pendiente de habilitar: pida a "
                f"{ENABLERS[self.role].label.lower()} que la habilite y vuelva a iniciar sesión."
            )
        return ""

    def _current_account(self) -> StaffAccount:
        account = load_aggregate(self._store, self._account.id, StaffAccount, "")
        self._account = account
        return account

    def _requester(self, rule: SecondPerson, arguments: dict[str, Any]) -> UUID | None:
        """Who asked for what this approval completes (None: nothing asked yet; the domain
        then refuses with its own message)."""
        if rule is SecondPerson.CLOSURE:
            request = self._get_case(arguments["case_id"]).services.closure_request
            return None if request is None else request[0]
        if rule is SecondPerson.ENABLING:
            target = load_aggregate(self._store, arguments["staff_id"], StaffAccount, "")
            return target.slot_author
        client = self._get_client(arguments["client_id"])
        if rule is SecondPerson.ERASURE:
            return client.erasure_requested_by
        return client.registered_by

    def _is_second_person(self, requester: UUID) -> bool:
        approver = self._current_account()
        return requester != approver.id and requester not in approver.responsible

    # ----------------------------------------------------------------- identity

    @property
    def identity(self) -> StaffIdentity:
        pending = self._pending_reason()
        return StaffIdentity(
            staff_id=self._account.id,
            username=self._account.username,
            display_name=self._account.display_name,
            role=self._account.role,
            must_change_password=self._keyring.must_change_password,
            ready=not pending,
            pending=pending,
            notices=self._notices(),
        )

    def _notices(self) -> tuple[str, ...]:
        """Told at login: her password was reset, when and by whom (until she changes it)."""
        if self._account.last_reset is None or not self._keyring.must_change_password:
            return ()
        reset_by, reset_at = self._account.last_reset
        names = self._staff_names()
        when = (
            ""
            if reset_at is None
            else reset_at.astimezone(MEXICO).strftime(" el %d/%m/%Y a las %H:%M")
        )
        return (
            f"Su contraseña fue restablecida{when} por {names.get(str(reset_by), 'otra cuenta')}."
            " Si usted no lo pidió, avise a coordinación.",
        )

    @property
    def role(self) -> Role:
        return self._account.role

    def close(self) -> None:
        # A store at rest has its statistics current; locking must happen whatever fails.
        with contextlib.suppress(Exception):
            self._catch_up_read_side()
        self._keyring.lock()
        self._store.close()
        self._views.close()

    # ----------------------------------------------------------- reading views

    def refresh(self) -> int:
        """Catches the views up and returns how many case records changed since this session
        last looked, by anyone. Access records are left out: counting them would make two idle
        terminals reread (and audit) each other's screens forever."""
        changed = 0
        nothing_new = True
        while True:
            arrived = self._scan()
            nothing_new = nothing_new and not arrived
            changed += sum(1 for notification in arrived if notification.topic != ACCESS_TOPIC)
            self._project()
            if len(arrived) < REFRESH_SCAN_LIMIT:
                if nothing_new:
                    # Idle (a terminal's timer): a step of the read side, off the command path.
                    self._catch_up_read_side(IDLE_READ_SIDE_BATCH, once=True)
                return changed

    def _refresh_read_side(self) -> None:
        """For a read of the statistics or the audit trail: the case views and the read side
        brought up to date, in that order (the read side never runs ahead of them)."""
        self.refresh()
        self._catch_up_read_side()

    def _catch_up_read_side(self, batch_size: int | None = None, *, once: bool = False) -> None:
        try:
            if once:
                position = self._read_side.position
                stop = self._projector.position
                if position < stop:
                    notifications = self._store.recorder.select_notifications(
                        position + 1, batch_size or IDLE_READ_SIDE_BATCH, stop=stop
                    )
                    if notifications:
                        self._read_side.apply(notifications, after=position)
            else:
                self._read_side.catch_up(batch_size=batch_size)
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error

    def _catch_up_identification(self) -> None:
        """Brings the views up to date only if a client's identification may have changed.

        The duplicate check needs every registration, correction and erasure; the access
        records and case work waiting since the last read can wait for the next one."""
        while len(self._scan()) == REFRESH_SCAN_LIMIT:
            self._project()
        if any(notification.topic in IDENTIFICATION_TOPICS for notification in self._unprojected):
            self._project()

    def _scan(self) -> Sequence[Notification]:
        """Reads what arrived since the last scan, still encrypted (only topics and ids are
        looked at), and evicts the keys of clients erased meanwhile."""
        arrived = self._store.notifications_after(self._seen_up_to, REFRESH_SCAN_LIMIT)
        for notification in arrived:
            self._store.forget_changed(notification.originator_id, notification.originator_version)
            if notification.topic == ERASED_TOPIC:
                self._keyring.forget(str(notification.originator_id))
        if arrived:
            self._seen_up_to = arrived[-1].id
            self._unprojected.extend(arrived)
            self._pending_possible = self._pending_possible or any(
                notification.topic in INDEXED_TOPICS for notification in arrived
            )
        if len(self._unprojected) >= UNPROJECTED_LIMIT:
            # A session that only writes scans without reading: what it holds is applied
            # now rather than kept until its next read, so its memory stays bounded.
            self._project()
        return arrived

    def _project(self) -> None:
        """Applies what the scans found. In the common case of one terminal the views need
        exactly that, and most of it is what this session saved, still in memory; otherwise
        the projector reads from wherever the views are."""
        saved = self._store.take_saved_events()
        try:
            applied_here = (
                0 < len(self._unprojected) <= REFRESH_SCAN_LIMIT
                and self._projector.apply(
                    self._unprojected, after=self._unprojected_after, decoded=saved
                )
                > 0
            )
            if not applied_here:
                self._projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error
        self._unprojected = []
        self._unprojected_after = self._seen_up_to
        self._index_deferred()

    def _index_deferred(self) -> None:
        """Indexes the clients whose tokens a session without the case key deferred."""
        if not self._pending_possible or Duty.CASE not in self._keyring.duties:
            return
        rows = self._views.query("SELECT client_id FROM search_pending LIMIT ?", (PENDING_BATCH,))
        if not rows:
            self._pending_possible = False
            return
        projection = self._projector.projection
        assert isinstance(projection, CaseRecordProjection)  # noqa: S101 - the session's own
        indexer = projection.indexer
        statements: list[Statement] = []
        for row in rows:
            client = self._get_client(UUID(row["client_id"]))
            tokens = (
                set()
                if client.erased
                else indexer.client_tokens(client.id, client.name, client.curp, client.phone)
            )
            statements += [
                *index_statements(row["client_id"], tokens or set()),
                Statement("DELETE FROM search_pending WHERE client_id = ?", (row["client_id"],)),
            ]
        self._views.execute(statements)
        self._pending_possible = len(rows) == PENDING_BATCH  # a full page: the rest next time

    def rebuild_views(self, progress: Callable[[int, int], None] | None = None) -> int:
        # Both projections from one decoding of each batch.
        return self._projector.rebuild(progress, companions=[self._read_side])

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

    def _read_case(
        self, case_id: UUID, section: Section, purpose: str, justification: str
    ) -> tuple[Case, bool]:
        """Authorize a section read and record it; the caller opens sealed values after this."""
        self.refresh()
        case = self._latest_case(case_id)
        exceptional = self._authorize(
            section, Action.READ, [case.client_id], [case_id], purpose, justification
        )
        self._record_access(
            action="ver",
            section=section,
            client_ids=[case.client_id],
            case_ids=[case_id],
            purpose=purpose,
            exceptional=exceptional,
            justification=justification,
        )
        return case, exceptional

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
        subjects = list(client_ids)
        reason = justification.strip()
        # A reason typed for one woman's record often names her: it is sealed with her key, so
        # her erasure takes it too. Break-the-glass always concerns exactly one woman.
        sealed = (
            self._seal(str(subjects[0]), JUSTIFICATION_LABEL, reason)
            if reason and len(subjects) == 1
            else None
        )
        record = AccessRecord(
            staff_id=self._account.id,
            role=self.role.value,
            action=action,
            section=section.value,
            client_ids=subjects,
            case_ids=list(case_ids),
            purpose=purpose,
            outcome=(Decision.BREAK_GLASS if exceptional else outcome).value,
            exceptional=exceptional,
            justification="",
            sealed_justification=sealed,
        )
        self._store.save(record)

    def _access_entry(
        self, row: Row, client_ids: Sequence[str], staff_names: dict[str, str]
    ) -> AccessEntry:
        """One line of the access trail, its reason opened (the caller recorded this read)."""
        return AccessEntry(
            access_id=UUID(row["access_id"]),
            at=datetime.fromisoformat(row["at"]).astimezone(MEXICO),
            staff=staff_names.get(row["staff_id"], "—"),
            role=Role(row["role"]).label,
            action=row["action"],
            section=Section(row["section"]).label,
            outcome=row["outcome"],
            exceptional=bool(row["exceptional"]),
            purpose=row["purpose"],
            justification=self._open_justification(row["justification"], client_ids),
            client_ids=tuple(UUID(c) for c in client_ids),
        )

    def _open_justification(self, sealed: bytes | str | None, client_ids: Sequence[str]) -> str:
        """The reason of a break-the-glass read, opened for an audited look at the trail.
        A clear one (views built before reasons were sealed) is never shown: rebuild them."""
        if not isinstance(sealed, bytes) or len(client_ids) != 1:
            return ""
        return self._keyring.open(client_ids[0], JUSTIFICATION_LABEL, bytes(sealed))

    def _seal(self, subject: str, label: str, plaintext: str, duty: Duty = Duty.CASE) -> Sealed:
        try:
            return Sealed(self._keyring.seal(subject, label, plaintext, duty))
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

    def _latest_client(self, client_id: UUID) -> Client:
        """Like _get_client, but may return this session's own copy: only right after a scan
        (refresh() runs one), or for the first attempt of a change retried on conflict."""
        return self._latest(client_id, Client, "No existe una usuaria con ese identificador.")

    def _latest_case(self, case_id: UUID) -> Case:
        """Like _get_case, with the same conditions as _latest_client."""
        return self._latest(case_id, Case, "No existe un expediente con ese identificador.")

    def _change_and_save(
        self, first: A, load: Callable[[], A], change: Callable[[A], None]
    ) -> None:
        """Applies ``change`` and saves, retrying on a version conflict with a fresh load.

        ``first`` may be this session's own copy (_latest_*): if the change fails on it in any
        way it is redone on a fresh load, so a stale copy never decides a rule."""
        copies = [first]

        def attempt() -> None:
            if copies:
                copy = copies.pop()
                try:
                    change(copy)
                    self._store.save(copy)
                except (DomainError, RecordConflictError):
                    self._store.forget(copy.id)
                else:
                    return
            current = load()
            change(current)
            self._store.save(current)

        retry_on_conflict(attempt)

    def _latest(self, aggregate_id: UUID, kind: type[A], missing: str) -> A:
        remembered = self._store.remembered(aggregate_id)
        if isinstance(remembered, kind):
            return remembered
        aggregate = load_aggregate(self._store, aggregate_id, kind, missing)
        self._store.remember(aggregate)
        return aggregate

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

        It starts from the session's copy of the sequence. When another terminal issued a
        number meanwhile the save conflicts: only the sequence is loaded again (from its
        latest snapshot, so that costs the same in any archive) and the case is rebuilt with
        the next number, after a short random pause so that two terminals opening cases at
        once do not collide in step. A failed save consumes the events of ``also``, so with
        those the conflict goes to the caller's retry, which prepares them again.
        """
        prefix = self._institute.settings.folio_prefix
        sequence_id = FolioSequence.create_id(prefix, year)
        attempt = 0
        while True:
            attempt += 1
            try:
                sequence = self._latest(sequence_id, FolioSequence, "")
            except UnknownRecord:
                sequence = FolioSequence(prefix=prefix, year=year)
            case = open_case(sequence.issue())
            try:
                self._store.save(sequence, *also, case)
            except RecordConflictError:
                if also or attempt == FOLIO_ATTEMPTS:
                    raise
                time.sleep(secrets.randbelow(FOLIO_PAUSE_MS * attempt + 1) / 1000)
            else:
                return case

    def _past_or_today(self, field: str, text: str, today: date) -> date:
        if not text.strip():
            return today
        value = identity.parse_date(field, text)
        if value > today:
            raise InvalidField(field, "no puede ser posterior a hoy.")
        return value

    def _search_candidates(self, query: str) -> tuple[set[str], Callable[[str, str], bool]]:
        compact = query.replace(" ", "").replace("-", "")
        # A CURP holds her birth date in digits; names never hold digits.
        looks_like_curp = (
            len(compact) == 18 and compact.isalnum() and any(ch.isdigit() for ch in compact)
        )
        curp = identity.curp(compact) if looks_like_curp else None
        if curp is not None:
            return self._clients_matching(
                "curp", [curp]
            ), lambda cid, _name: self._open_field(cid, "client.curp") == curp
        phone = identity.phone(query) if compact.lstrip("+").isdigit() else None
        if phone is not None:
            return self._clients_matching(
                "telefono", [phone]
            ), lambda cid, _name: self._open_field(cid, "client.phone") == phone
        tokens = identity.search_tokens(query)
        if not tokens:
            raise InvalidField("Búsqueda", "escriba al menos un nombre o apellido de dos letras.")
        wanted = set(tokens)
        return self._clients_matching(
            "nombre", tokens
        ), lambda _cid, name: wanted <= set(identity.search_tokens(name))

    def _clients_matching(self, kind: str, tokens: Sequence[str]) -> set[str]:
        # A search considers the first candidates by id (reading.search_clients): only those
        # are read, so a common name costs the same in any archive.
        return self._clients_matching_each({kind: tokens}, limit=SEARCH_CANDIDATES)[kind]

    def _clients_matching_each(
        self, wanted: dict[str, Sequence[str]], limit: int | None = None
    ) -> dict[str, set[str]]:
        """Per kind, the blind-index candidates holding every token, in one query.

        Common names (María, Hernández) each index a large share of all clients, so the
        database walks only the rarest token's rows (counted up to a cap) and probes the
        others for each of them: the work follows the answer, not the size of the register.
        """
        tables: list[str] = []
        parts: list[str] = []
        table_params: list[object] = []
        part_params: list[object] = []
        for number, (kind, tokens) in enumerate(wanted.items()):
            try:
                indexes = sorted({self._keyring.blind_index(kind, token) for token in tokens})
            except SearchUnavailable as error:
                raise DomainError(str(error)) from None
            table = f"wanted_{number}"
            tables.append(f"{table}(token) AS (VALUES {', '.join('(?)' for _ in indexes)})")
            table_params += indexes
            parts.append(
                "SELECT * FROM ("  # noqa: S608 - names and placeholders only
                f"SELECT ? AS kind, s0.client_id FROM search_index s0 WHERE s0.token = ("
                f"SELECT token FROM {table} ORDER BY (SELECT COUNT(*) FROM ("
                f"SELECT 1 FROM search_index s WHERE s.token = {table}.token LIMIT {RARITY_CAP}"
                ") AS capped) LIMIT 1) "
                f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE NOT EXISTS ("
                f"SELECT 1 FROM search_index s WHERE s.token = {table}.token "
                "AND s.client_id = s0.client_id))"
                + ("" if limit is None else f" ORDER BY s0.client_id LIMIT {int(limit)}")
                + ") AS found"
            )
            part_params.append(kind)
        found: dict[str, set[str]] = {kind: set() for kind in wanted}
        sql = f"WITH {', '.join(tables)} {' UNION ALL '.join(parts)}"
        for row in self._views.query(sql, [*table_params, *part_params]):
            found[row["kind"]].add(row["client_id"])
        return found

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
        """The zones a new record may name: a zone merged into another is no longer offered
        (its old records keep their name, see _zone_names)."""
        rows = self._views.query(
            "SELECT code, name FROM zones_view "
            "WHERE code NOT IN (SELECT code FROM zone_merges) ORDER BY name"
        )
        return [ZoneOption(row["code"], row["name"]) for row in rows]

    def _zone_names(self) -> dict[str, str]:
        # Zones change a few times a year: kept per session, reloaded by _check_zone on a miss.
        if not self._zone_name_cache:
            rows = self._views.query("SELECT code, name FROM zones_view")
            self._zone_name_cache = {row["code"]: row["name"] for row in rows}
        return self._zone_name_cache

    def _staff_names(self) -> dict[str, str]:
        rows = self._views.query("SELECT staff_id, display_name FROM staff_view")
        return {row["staff_id"]: row["display_name"] for row in rows}

    def _count(self, sql: str, params: tuple[object, ...] = ()) -> int:
        return int(self._views.query(sql, params)[0]["n"])


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
    """Runs ``attempt`` again on a version conflict, after a short random pause: without it,
    the terminal that lost would reload in step with the one that won, and lose again."""
    for number in range(1, CONFLICT_RETRIES + 1):
        try:
            return attempt()
        except RecordConflictError:
            time.sleep(secrets.randbelow(FOLIO_PAUSE_MS * number + 1) / 1000)
    raise ConcurrentEdit
