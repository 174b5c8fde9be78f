"""The context every handler and query of a logged-in session is given (its unit of work).

``SessionContext`` holds the unlocked keyring, the event store and the views, and the helpers
every path uses: sealing before an event exists, the access event recorded before any personal
data is returned (and a section read's break-the-glass reason), loading and saving with a
retry on a version conflict, and catching the views up so that a terminal reads its own
writes. Who may run what is not decided here but in violeta/policy.py, enforced by
violeta/bus.py.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain import identity
from domain.access import AccessRecord, Ids
from domain.accounts import StaffAccount
from domain.cases import Case
from domain.clients import Client
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.permissions import JUSTIFICATION_MIN_LENGTH, Action, Decision, decide
from domain.sealed import Sealed
from domain.vocabulary import (
    Role,
    Section,
)
from keys import (
    PLACEHOLDER,
    Duty,
    KdfParams,
    KeyringError,
    KeyStore,
    UnlockedKeyring,
)
from projections.runner import Projector
from projections.storage import ViewStore
from violeta.dto import StaffIdentity
from violeta.errors import ConcurrentEdit, JustificationRequired
from violeta.following import ViewFollower
from violeta.isolation import naming_the_folio
from violeta.roles import ENABLERS, ROLE_DUTIES
from violeta.settings import TIME_ZONE, Settings
from violeta.store import CaseStore, load_aggregate

MEXICO = ZoneInfo(TIME_ZONE)
JUSTIFICATION_LABEL = "access.justification"
CONFLICT_RETRIES = 8
FOLIO_ATTEMPTS = 16  # per conflict retry of the caller
FOLIO_PAUSE_MS = 2  # the random pause after the n-th conflict is up to n times this
RECENT_CASES = 20
SEARCH_LIMIT = 50
RARITY_CAP = 16  # rows counted per search token when choosing which one to walk


@dataclass
class _Listing:
    """The lists one screen shows, recorded as one access when it is complete."""

    screen: str
    parts: list[tuple[Section, str]] = field(default_factory=list)
    # As the views give them (text): a listing's ids become no UUID object (domain ``Ids``).
    client_ids: set[str] = field(default_factory=set)
    case_ids: set[str] = field(default_factory=set)
    # Her name, opened once for the screen whatever lists she is in (dropped with it).
    names: dict[str, str] = field(default_factory=dict)


class Institute(Protocol):
    """What a session needs of its institute (violeta.service.Institute)."""

    settings: Settings
    keystore: KeyStore
    kdf: KdfParams
    today: Callable[[], date]


T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


class SessionContext:
    """State and helpers shared by every handler and query of one logged-in staff member."""

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
        self._follower = ViewFollower(keyring, store, views, projector)
        self._zone_name_cache: dict[str, str] = {}
        self._calls = threading.local()
        self._listings = threading.local()

    # ------------------------------------------------------------ the policy

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
        """Locks the keyring and lets go of the stores, projecting no case view (the door's
        ``close``, the function below, first projects what this session recorded)."""
        # A store at rest has its statistics current; locking must happen whatever fails.
        with contextlib.suppress(Exception):
            self._follower.catch_up_read_side()
        self._keyring.lock()
        self._store.close()
        self._views.close()

    # ----------------------------------------------------------- reading views

    def refresh(self) -> int:
        """Catches the views up and returns how many case records changed since this session
        last looked, by anyone (violeta/following.py)."""
        return self._follower.refresh()

    def _refresh_read_side(self) -> None:
        """For a read of the statistics or the audit trail: the case views and the read side
        brought up to date, in that order (the read side never runs ahead of them)."""
        self.refresh()
        self._follower.catch_up_read_side()

    # ------------------------------------------------------------------ helpers

    def _authorize(
        self,
        section: Section,
        action: Action,
        client_ids: list[UUID],
        case_ids: list[UUID],
        purpose: str,
        justification: str,
        *,
        opened_it_today: bool = False,
    ) -> bool:
        """Returns True when the access is exceptional (break-the-glass)."""
        decision = decide(self.role, section, action, opened_it_today=opened_it_today)
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
            section,
            Action.READ,
            [case.client_id],
            [case_id],
            purpose,
            justification,
            opened_it_today=self._opened_it_today(case),
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

    def _opened_it_today(self, case: Case) -> bool:
        """She opened this case, today (the permission matrix lets her read back her intake)."""
        return case.opened_by == self._account.id and case.opened_on == self._institute.today()

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

    @contextlib.contextmanager
    def _one_listing(self, screen: str) -> Iterator[None]:
        """The lists read inside are one access, saved before the screen gets any of them:
        it names every woman listed and, in its purpose, every list («mi día: seguimientos
        por vencer; …»). One event and one commit per screen instead of one per list.
        Nested, the outer screen records them. If a list fails, what was read before is
        still recorded, then the failure raised."""
        if getattr(self._listings, "current", None) is not None:
            yield
            return
        listing = self._listings.current = _Listing(screen)
        try:
            yield
        except BaseException:
            self._listings.current = None
            if listing.parts:
                with contextlib.suppress(Exception):
                    self._save_listing(listing)
            raise
        self._listings.current = None
        if listing.parts:
            self._save_listing(listing)

    def _save_listing(self, listing: _Listing) -> None:
        names = dict.fromkeys(
            purpose.removeprefix(f"{listing.screen}: ") for _, purpose in listing.parts
        )
        sections = {section for section, _ in listing.parts}
        # Several sections: what every list shows of each woman is her name and folio.
        (section,) = sections if len(sections) == 1 else (Section.IDENTIFICATION,)
        self._record_access(
            action="listar",
            section=section,
            # Canonical text sorts as the UUIDs do.
            client_ids=Ids.of_texts(sorted(listing.client_ids)),
            case_ids=Ids.of_texts(sorted(listing.case_ids)),
            purpose=f"{listing.screen}: {'; '.join(names)}",
        )

    def _record_access(
        self,
        *,
        action: str,
        section: Section,
        client_ids: Iterable[UUID | str],
        case_ids: Iterable[UUID | str],
        purpose: str,
        outcome: Decision = Decision.GRANTED,
        exceptional: bool = False,
        justification: str = "",
    ) -> None:
        listing: _Listing | None = getattr(self._listings, "current", None)
        if (
            listing is not None
            and action == "listar"
            and outcome is Decision.GRANTED
            and not exceptional
            and not justification
        ):
            listing.parts.append((section, purpose))
            listing.client_ids.update(_texts(client_ids))
            listing.case_ids.update(_texts(case_ids))
            return
        subjects = client_ids if isinstance(client_ids, Ids) else Ids(client_ids)
        # Checked here too: a reason given where none was needed is still sealed and kept.
        reason = identity.free_text(
            "Motivo", justification, max_length=identity.SHORT_TEXT_MAX, required=False
        )
        # A reason typed for one woman's record often names her: it is sealed with her key, so
        # her erasure takes it too. Break-the-glass always concerns exactly one woman.
        sealed = (
            self._seal(subjects.texts()[0], JUSTIFICATION_LABEL, reason)
            if reason and len(subjects) == 1
            else None
        )
        record = AccessRecord(
            staff_id=self._account.id,
            role=self.role.value,
            action=action,
            section=section.value,
            client_ids=subjects,
            case_ids=case_ids if isinstance(case_ids, Ids) else Ids(case_ids),
            purpose=purpose,
            outcome=(Decision.BREAK_GLASS if exceptional else outcome).value,
            exceptional=exceptional,
            justification="",
            sealed_justification=sealed,
        )
        self._store.save(record)

    def _listed_names(self, client_ids: Iterable[str]) -> dict[str, str]:
        """Her name for each woman of a list already authorized and recorded (the
        placeholder once she is erased). Within one screen (``_one_listing``) each woman's
        row is read and her name opened once, whatever lists she appears in; only the
        columns shown are read."""
        listing: _Listing | None = getattr(self._listings, "current", None)
        known: dict[str, str] = {} if listing is None else listing.names
        asked = list(dict.fromkeys(client_ids))
        wanted = [client_id for client_id in asked if client_id not in known]
        if wanted:
            rows = self._views.query(
                "SELECT client_id, name, erased FROM clients_view "  # noqa: S608 - placeholders only
                f"WHERE client_id IN ({', '.join('?' for _ in wanted)})",
                tuple(wanted),
            )
            for row in rows:
                sealed = row["name"]
                known[row["client_id"]] = (
                    PLACEHOLDER
                    if sealed is None or row["erased"]
                    else self._keyring.open(row["client_id"], "client.name", bytes(sealed))
                )
        return {client_id: known[client_id] for client_id in asked if client_id in known}

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
        with naming_the_folio(self._views):
            return load_aggregate(
                self._store, client_id, Client, "No existe una usuaria con ese identificador."
            )

    def _get_case(self, case_id: UUID) -> Case:
        with naming_the_folio(self._views):
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
        with naming_the_folio(self._views):
            aggregate = load_aggregate(self._store, aggregate_id, kind, missing)
        self._store.remember(aggregate)
        return aggregate

    def _check_zone(self, code: str) -> None:
        if code not in self._zone_names():
            self.refresh()  # another terminal may have just added it
            self._zone_name_cache = {}
            if code not in self._zone_names():
                raise InvalidField("Zona", "no está en el catálogo de zonas.")

    def _past_or_today(self, field: str, text: str, today: date) -> date:
        if not text.strip():
            return today
        value = identity.parse_date(field, text)
        if value > today:
            raise InvalidField(field, "no puede ser posterior a hoy.")
        return value

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


def _texts(ids: Iterable[UUID | str]) -> Iterator[str]:
    return (one if isinstance(one, str) else str(one) for one in ids)


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


def close(ctx: SessionContext) -> None:
    """Chains and projects what this session recorded last (its last read's access event
    waits for the next command otherwise), so that a store at rest has a recorded head for
    every event and ``violeta audit verify`` can require one; then locks."""
    try:
        ctx.refresh()
    except Exception:  # noqa: S110 - locking must happen; the next login catches up
        pass
    finally:
        SessionContext.close(ctx)
