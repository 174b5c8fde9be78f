"""Keeping one session's views caught up with the event store (read-your-writes).

Every scan evicts the keys and aggregate copies that erasures and other terminals' changes
made stale. Scanning starts where the views are, so the views hold everything up to
``unprojected_after`` and the scanned rest waits in ``unprojected`` (other processes only
move the views forward; a rebuild elsewhere refills them).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from domain.access import AccessRecord
from domain.clients import Client
from keys import Duty, UnlockedKeyring
from projections.read_side import ReadSideProjection, read_side_name
from projections.runner import Projector
from projections.storage import Statement, ViewStore
from projections.views import CaseRecordProjection, index_statements
from violeta.errors import TamperedRecord
from violeta.store import CaseStore, load_aggregate

ERASED_TOPIC = get_topic(Client.Erased)
ACCESS_TOPIC = get_topic(AccessRecord.Recorded)
IDENTIFICATION_TOPICS = frozenset(
    get_topic(kind) for kind in (Client.Registered, Client.Corrected, Client.Erased)
)
# A client's search tokens are written (or deferred) when these are projected.
INDEXED_TOPICS = frozenset(get_topic(kind) for kind in (Client.Registered, Client.Corrected))
REFRESH_SCAN_LIMIT = 1000
IDLE_READ_SIDE_BATCH = 200  # events of the read side applied by an idle refresh
PENDING_BATCH = 100  # clients indexed per projection when a session without keys deferred them
UNPROJECTED_LIMIT = REFRESH_SCAN_LIMIT  # scanned notifications a session holds between commands


class ViewFollower:
    """What one session has scanned of the event store, and what it has not applied yet."""

    def __init__(
        self, keyring: UnlockedKeyring, store: CaseStore, views: ViewStore, projector: Projector
    ) -> None:
        self._keyring = keyring
        self._store = store
        self._views = views
        self._projector = projector
        self.seen_up_to = projector.position
        self.unprojected: list[Notification] = []
        self.unprojected_after = self.seen_up_to
        # Statistics and the audit trail's facts: a projection of their own, caught up where
        # they are read, when the terminal is idle and at logout (projections/read_side.py).
        self.read_side = Projector(
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
        self._indexed_arrived = False

    def refresh(self) -> int:
        """Catches the views up and returns how many case records changed since this session
        last looked, by anyone. Access records are left out: counting them would make two idle
        terminals reread (and audit) each other's screens forever."""
        changed = 0
        nothing_new = True
        while True:
            arrived = self.scan()
            nothing_new = nothing_new and not arrived
            changed += sum(1 for notification in arrived if notification.topic != ACCESS_TOPIC)
            self.project()
            if len(arrived) < REFRESH_SCAN_LIMIT:
                if nothing_new:
                    # Idle (a terminal's timer): a step of the read side, off the command path.
                    self.catch_up_read_side(IDLE_READ_SIDE_BATCH, once=True)
                return changed

    def catch_up_read_side(self, batch_size: int | None = None, *, once: bool = False) -> None:
        try:
            if once:
                position = self.read_side.position
                stop = self._projector.position
                if position < stop:
                    notifications = self._store.recorder.select_notifications(
                        position + 1, batch_size or IDLE_READ_SIDE_BATCH, stop=stop
                    )
                    if notifications:
                        self.read_side.apply(notifications, after=position)
            else:
                self.read_side.catch_up(batch_size=batch_size)
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error

    def catch_up_identification(self) -> None:
        """Brings the views up to date only if a client's identification may have changed.

        The duplicate check needs every registration, correction and erasure; the access
        records and case work waiting since the last read can wait for the next one."""
        while len(self.scan()) == REFRESH_SCAN_LIMIT:
            self.project()
        if any(notification.topic in IDENTIFICATION_TOPICS for notification in self.unprojected):
            self.project()

    def scan(self) -> Sequence[Notification]:
        """Reads what arrived since the last scan, still encrypted (only topics and ids are
        looked at), and evicts the keys of clients erased meanwhile."""
        arrived = self._store.notifications_after(self.seen_up_to, REFRESH_SCAN_LIMIT)
        for notification in arrived:
            self._store.forget_changed(notification.originator_id, notification.originator_version)
            if notification.topic == ERASED_TOPIC:
                self._keyring.forget(str(notification.originator_id))
        if arrived:
            self.seen_up_to = arrived[-1].id
            self.unprojected.extend(arrived)
            self._indexed_arrived = self._indexed_arrived or any(
                notification.topic in INDEXED_TOPICS for notification in arrived
            )
        if len(self.unprojected) >= UNPROJECTED_LIMIT:
            # A session that only writes scans without reading: what it holds is applied
            # now rather than kept until its next read, so its memory stays bounded.
            self.project()
        return arrived

    def project(self) -> None:
        """Applies what the scans found. In the common case of one terminal the views need
        exactly that, and most of it is what this session saved, still in memory; otherwise
        the projector reads from wherever the views are."""
        saved = self._store.take_saved_events()
        try:
            applied_here = (
                0 < len(self.unprojected) <= REFRESH_SCAN_LIMIT
                and self._projector.apply(
                    self.unprojected, after=self.unprojected_after, decoded=saved
                )
                > 0
            )
            if not applied_here:
                self._projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error
        # What this session applied with the search key it indexed itself; only what another
        # process applied (perhaps without the key) may have been deferred.
        if self._indexed_arrived and not (applied_here and self._keyring.can_index):
            self._pending_possible = True
        self._indexed_arrived = False
        self.unprojected = []
        self.unprojected_after = self.seen_up_to
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
            client = load_aggregate(
                self._store,
                UUID(row["client_id"]),
                Client,
                "No existe una usuaria con ese identificador.",
            )
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
