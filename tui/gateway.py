"""The one door from the terminal app to the application service.

Calls run in worker threads; the lock serializes them because one session holds one keyring
and one set of store connections. Closing goes through the same lock, so a call in flight
finishes before the keyring is locked and every later call fails with ``SessionClosed``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from domain.vocabulary import Section
from violeta.dto import StaffIdentity
from violeta.service import StaffSession

T = TypeVar("T")


class SessionClosed(Exception):
    """The session was locked or closed while a screen still wanted data; nothing to show."""


class Gateway:
    def __init__(self, session: StaffSession) -> None:
        self._session: StaffSession | None = session
        self._lock = threading.Lock()
        self._closing = False
        self.identity: StaffIdentity = session.identity
        # Bumped by every write and by every batch of events from other terminals, so screens
        # can tell whether what they show may be stale without reading (and auditing) again.
        self.generation = 0
        # The service's answers to «may I?», kept until the next write (a changed password or
        # an enabling changes them) or the next login of the same person.
        self._may: dict[tuple[str, Section | None, UUID | None], bool] = {}
        self._may_generation = 0

    @property
    def is_open(self) -> bool:
        return not self._closing

    def call(self, operation: Callable[[StaffSession], T], *, writes: bool = False) -> T:
        with self._lock:
            session = self._require()
            result = operation(session)
            # Consume the events this call appended (access records included) so that the
            # background refresh only reports what other terminals wrote.
            session.refresh()
            if writes:
                self.generation += 1
            return result

    def may(
        self, command: str, section: Section | None = None, subject: UUID | None = None
    ) -> bool:
        """Whether the service would let this session run ``command`` (on ``section``; for an
        approval, of ``subject``, which brings in the second-person rule): its policy table
        answers (``StaffSession.may``), the one that guards the call itself.

        Asked without the lock: the answer reads only the session's role and account state
        (and who asked for the approval), and a screen asks it while drawing, when a long call
        may hold the lock."""
        if self._may_generation != self.generation:
            self._may.clear()
            self._may_generation = self.generation
        key = (command, section, subject)
        if key not in self._may:
            session = self._session
            if self._closing or session is None:
                return False
            self._may[key] = session.may(command, section, subject)
        return self._may[key]

    def refresh(self) -> int:
        """Catches up with other terminals; returns how many of their events arrived."""
        with self._lock:
            arrived = self._require().refresh()
            if arrived:
                self.generation += 1
            return arrived

    def resume(self, session: StaffSession) -> None:
        """The same person unlocked: the screens kept under the lock go on with her new
        session. Anyone else gets a gateway of their own, never this one."""
        if session.identity.staff_id != self.identity.staff_id:
            raise ValueError("otra persona no puede retomar esta sesión")
        with self._lock:
            self._session = session
            self._closing = False
            self.identity = session.identity
            self.generation += 1

    def close(self) -> None:
        # Refuse new calls at once, before waiting for the one in flight to finish.
        self._closing = True
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    def _require(self) -> StaffSession:
        if self._closing or self._session is None:
            raise SessionClosed
        return self._session
