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
READ_SIDE_BATCH = 500  # events of the read side applied per transaction when caught up
DECODED_KEPT = 2 * REFRESH_SCAN_LIMIT  # decoded events kept for the read side, at most


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
        # Events this session decoded (or saved) that the read side has not applied yet.
        self._decoded: dict[int, object] = {}

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
        """Brings the read side up to the case views (``once``: one batch of it), from the
        events this session already decoded where it has them (``_decoded``): a report after
        a round of work pays for its statements, not for decoding that work a second time."""
        limit = batch_size or READ_SIDE_BATCH
        position = self.read_side.position
        try:
            stop = self._projector.position
            while position < stop:
                notifications = self._store.recorder.select_notifications(
                    position + 1, limit, stop=stop
                )
                if not notifications:
                    break
                known = {n.id: self._decoded[n.id] for n in notifications if n.id in self._decoded}
                if self.read_side.apply(notifications, after=position, decoded=known):
                    position = notifications[-1].id
                else:  # another session moved it meanwhile
                    position = self.read_side.position
                if once:
                    break
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error
        finally:
            self._decoded = {i: e for i, e in self._decoded.items() if i > position}

    def _keep_decoded(self, decoded: dict[int, object]) -> None:
        """Remembers decoded events for the read side, up to ``DECODED_KEPT`` (the oldest,
        which it needs first; the rest it decodes itself)."""
        room = DECODED_KEPT - len(self._decoded)
        for notification_id in sorted(decoded)[: max(room, 0)]:
            self._decoded[notification_id] = decoded[notification_id]

    def _decode(self, notifications: Sequence[Notification]) -> dict[int, object]:
        """The domain events of the notifications that open; one that does not is left to
        the projector (which sets it aside, or tells a wrong key)."""
        decoded: dict[int, object] = {}
        for notification in notifications:
            try:
                decoded[notification.id] = self._store.mapper.to_domain_event(notification)
            except Exception:  # noqa: S112 - the projector decides what a failure means
                continue
        return decoded

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
        saved: dict[int, object] = dict(self._store.take_saved_events())
        # Where the views are: another terminal (or session) may have applied what this one
        # scanned. Then nothing is decoded here (each event is decoded by whoever applies
        # it, not by every terminal that scans it), and Mi día's refresh costs the events
        # nobody applied yet, not every terminal's work since this one last looked. That is
        # asked only when something would be decoded: what this session saved itself (one
        # terminal, the common case) is applied at once, and refused whole if another
        # process moved the views meanwhile.
        applied_here = applied_elsewhere = False
        try:
            if 0 < len(self.unprojected) <= REFRESH_SCAN_LIMIT:
                unknown = [n for n in self.unprojected if n.id not in saved]
                attempt = not unknown
                if unknown:
                    position = self._projector.position
                    applied_elsewhere = position >= self.seen_up_to
                    attempt = position == self.unprojected_after
                    if attempt:
                        saved.update(self._decode(unknown))
                if attempt:
                    applied_here = (
                        self._projector.apply(
                            self.unprojected, after=self.unprojected_after, decoded=saved
                        )
                        > 0
                    )
            if not (applied_here or applied_elsewhere):
                self._projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            raise TamperedRecord from error
        self._keep_decoded(saved)
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
