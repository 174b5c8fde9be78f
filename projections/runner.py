"""Catching a view store up with the event store, exactly once, in batches."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from projections.audit_chain import (
    GENESIS,
    Checkpoint,
    Verification,
    chain_statements,
    verify_store,
)
from projections.storage import StaleBatch, ViewStore
from projections.views import CaseRecordProjection

BATCH_SIZE = 500
Progress = Callable[[int, int], None]


class Projector:
    """Pulls notifications after the view's tracked position and applies them.

    Used in-process after every command (read-your-writes), by a timer for what other
    terminals wrote, and by ``violeta rebuild`` from zero. Safe to run in several processes at
    once: a batch that overlaps what another process applied is rolled back and re-read.
    """

    def __init__(
        self, application: Application[UUID], views: ViewStore, projection: CaseRecordProjection
    ) -> None:
        self.application = application
        self.views = views
        self.projection = projection
        # The chain head after the last batch this process applied: saves re-reading it.
        self._last_head: tuple[int, bytes] = (0, GENESIS)

    @property
    def position(self) -> int:
        return self.views.max_tracking_id(self.application.name) or 0

    def catch_up(self, progress: Progress | None = None) -> int:
        """Returns how many notifications were applied."""
        applied = 0
        total = (self.application.recorder.max_notification_id() or 0) if progress else 0
        while True:
            position = self.position
            notifications = self.application.recorder.select_notifications(
                start=position + 1, limit=BATCH_SIZE
            )
            if not notifications:
                return applied
            batch = self.apply(notifications, after=position)
            if not batch:
                continue  # another process applied it meanwhile: read the position again
            applied += batch
            if progress:
                progress(notifications[-1].id, max(total, notifications[-1].id))
            if len(notifications) < BATCH_SIZE:
                return applied

    def apply(
        self,
        notifications: Sequence[Notification],
        after: int,
        decoded: Mapping[int, object] | None = None,
    ) -> int:
        """Applies the notifications that follow position ``after``, exactly once: unless the
        views are exactly at ``after`` (another process applied some of them, or rebuilt the
        views) the batch is refused whole and 0 returned. ``decoded`` may hold the domain
        events of some of them (those this process saved), by id."""
        previous = self._head_at(after)
        if previous is None:
            return 0  # the views are not at ``after``: another process moved or reset them
        statements, head = chain_statements(previous, notifications)
        known = decoded or {}
        for notification in notifications:
            event = known.get(notification.id) or self.application.mapper.to_domain_event(
                notification
            )
            statements.extend(self.projection.process(event))
        try:
            self.views.apply(statements, self.application.name, after, notifications[-1].id)
        except StaleBatch:
            return 0
        self._last_head = (notifications[-1].id, head)
        return len(notifications)

    def rebuild(self, progress: Progress | None = None) -> int:
        """From zero; refused when the event store no longer matches the recorded chain,
        because rebuilding would recompute the chain over the altered history. What was
        recorded since the views were last brought up to date (this session's last read, say)
        is chained first, as any catch-up would, so that it has its head when verified."""
        self.catch_up()
        verification = self.verify()
        if not verification.intact:
            raise BrokenChain(verification)
        self.views.reset()
        return self.catch_up(progress)

    def verify(self, witness: Checkpoint | None = None) -> Verification:
        return verify_store(self.application.recorder, self.views, witness)

    def _head_at(self, position: int) -> bytes | None:
        if position == 0:
            return GENESIS
        if self._last_head[0] == position:
            return self._last_head[1]
        rows = self.views.query(
            "SELECT head FROM audit_chain WHERE notification_id = ?", (position,)
        )
        return bytes(rows[0]["head"]) if rows else None


class BrokenChain(Exception):
    def __init__(self, verification: Verification) -> None:
        super().__init__(
            f"La cadena de auditoría está rota en el evento {verification.first_broken} "
            f"({verification.reason}); no se reconstruyó nada."
        )
        self.verification = verification
