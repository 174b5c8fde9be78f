"""Catching a view store up with the event store, exactly once, in batches."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Protocol, cast, runtime_checkable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from projections.audit_chain import (
    AUDIT_TABLES,
    GENESIS,
    Checkpoint,
    Verification,
    chain_statements,
    verify_store,
)
from projections.quarantine import quarantine_statement, quarantined_records
from projections.storage import StaleBatch, Statement, ViewStore

BATCH_SIZE = 500
KEY_CHECK_EVENTS = 8  # stored events tried to tell a wrong key from one altered event
# Fewer, larger transactions when nothing else waits for the views: at 30,000 cases a commit
# writes pages all over large B-trees (10,000 events per batch cut the rebuild's CPU by ~11 %
# against 2,000, wave 4). Since the case views are gathered in memory a batch writes each
# row once, and 5,000 cost +3 % CPU against 10,000 at 30k (52.3 / 50.6 s) for a peak 23 MB
# lower (268 / 291 MB: a batch's notifications, events and rows are held until it commits).
REBUILD_BATCH_SIZE = 5_000
Progress = Callable[[int, int], None]
# Tables that only their own INSERTs touch, and no other view statement reads: within a batch
# their rows may go after everything else, one executemany per table instead of one per event.
# (access_facts numbers its rows from its own MAX(seq): kept in order within its group.)
APPEND_ONLY = ("access_log", "access_subjects", "audit_chain", "access_facts")
_APPEND_PREFIXES = tuple(f"INSERT INTO {table} " for table in APPEND_ONLY)


REBUILD_SUFFIX = ".rebuild"


def rebuild_marker(name: str) -> str:
    """A row in the tracking table while a rebuild of projection ``name`` is unfinished (set
    when its views are reset, deleted once they and their companions reached the end), so
    that running it again after a kill resumes it instead of starting over."""
    return f"{name}{REBUILD_SUFFIX}"


class Projection(Protocol):
    """Turns one domain event into the statements that bring the views up to it."""

    def process(self, event: object) -> list[Statement]: ...


@runtime_checkable
class BatchedProjection(Protocol):
    """A projection that keeps state of its own across a batch (a rebuild's statistics in
    memory): told where each batch starts, asked for the statements that end it, and told
    whether the batch was committed (its state moves on) or refused (its state is stale)."""

    def process(self, event: object) -> list[Statement]: ...

    def begin_batch(self, views: ViewStore, after: int, events: Sequence[object]) -> None:
        """``events``: the batch's domain events, decoded (those that open), in order."""
        ...

    def batch_statements(self) -> list[Statement]: ...

    def batch_applied(self, last: int) -> None: ...

    def batch_refused(self) -> None: ...


# Whether each kind of projection is a BatchedProjection, asked once per kind: a runtime-Protocol
# ``isinstance`` walks the protocol's attributes, on Python 3.11 about 5 % of catching a
# terminal's views up with its own few events (bench/append.py), and a kind's methods stay.
_BATCHED_KINDS: dict[type, bool] = {}


def _batched(projection: Projection) -> BatchedProjection | None:
    kind = type(projection)
    batched = _BATCHED_KINDS.get(kind)
    if batched is None:
        batched = _BATCHED_KINDS[kind] = isinstance(projection, BatchedProjection)
    return cast(BatchedProjection, projection) if batched else None


class Projector:
    """Pulls notifications after the view's tracked position and applies them.

    Used in-process after every command (read-your-writes), by a timer for what other
    terminals wrote, and by ``violeta rebuild`` from zero. Safe to run in several processes at
    once: a batch that overlaps what another process applied is rolled back and re-read.

    Several projections can share one view store, each under its own ``name`` in the tracking
    table (the case views use the application's name). Only the case views' projector keeps
    the audit chain (``chain``). ``ceiling`` bounds how far a projector may go (the read side
    never runs ahead of the case views). ``prologue`` gives statements for the first batch this
    projector applies (a migration of older views, run before that batch moves them).
    """

    def __init__(
        self,
        application: Application[UUID],
        views: ViewStore,
        projection: Projection,
        *,
        name: str | None = None,
        chain: bool = True,
        ceiling: Callable[[], int] | None = None,
        prologue: Callable[[int], list[Statement]] | None = None,
    ) -> None:
        self.application = application
        self.views = views
        self.projection = projection
        self.name = name or application.name
        self._chain = chain
        self._ceiling = ceiling
        self._prologue = prologue
        # The chain head after the last batch this process applied: saves re-reading it.
        self._last_head: tuple[int, bytes] = (0, GENESIS)
        # While rebuilding: the recorded chain runs ahead of the views and is reused; up to
        # this position every stored event's head was just verified.
        self._chain_ahead = False
        self._verified_through = 0
        self._key_checked = False
        self._has_quarantine = True
        # The records set aside as of the position this process last moved the views to: the
        # quarantine table grows only in the batches that move the position, so it is read
        # again only when another process (or a rebuild) moved the views.
        self._set_aside_at: tuple[int, frozenset[str]] = (-1, frozenset())

    @property
    def position(self) -> int:
        return self.views.max_tracking_id(self.name) or 0

    def held_back(self) -> bool:
        """Whether its ceiling has moved past it (only a bounded projector can be)."""
        return self._ceiling is not None and self.position < self._ceiling()

    def catch_up(
        self,
        progress: Progress | None = None,
        batch_size: int | None = None,
        companions: Sequence[Projector] = (),
    ) -> int:
        """Returns how many notifications were applied. The batch size is read when called
        (not when defined), so that a test can shrink BATCH_SIZE. ``companions`` (projectors
        of the same store) apply each batch too when they stand where this one did, from the
        same decoded events: one decoding for both (a rebuild)."""
        batch_size = batch_size or BATCH_SIZE
        applied = 0
        total = (self.application.recorder.max_notification_id() or 0) if progress else 0
        while True:
            position = self.position
            stop = self._ceiling() if self._ceiling is not None else None
            if stop is not None and stop <= position:
                return applied
            notifications = self.application.recorder.select_notifications(
                start=position + 1, limit=batch_size, stop=stop
            )
            if not notifications:
                return applied
            together = [c for c in companions if c.position == position]
            decoded = self._decode(notifications, {}) if together else None
            batch = self.apply(notifications, after=position, decoded=decoded)
            if not batch:
                continue  # another process applied it meanwhile: read the position again
            for companion in together:
                companion.apply(notifications, after=position, decoded=decoded)
            applied += batch
            if progress:
                progress(notifications[-1].id, max(total, notifications[-1].id))
            if len(notifications) < batch_size:
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
        chain: list[Statement] = []
        head = GENESIS
        if self._chain:
            previous = self._head_at(after)
            if previous is None:
                return 0  # the views are not at ``after``: another process moved or reset them
            through = self._verified_through if self._chain_ahead else 0
            chain, head = chain_statements(
                previous,
                notifications,
                self._verified_heads(after, notifications[-1].id),
                through,
            )
        events = self._decode(notifications, decoded or {})
        statements: list[Statement] = []
        if self._prologue is not None:
            statements += self._prologue(after)
            self._prologue = None
        batched = _batched(self.projection)
        if batched is not None:
            batched.begin_batch(self.views, after, [e for e in events.values() if e is not None])
        appended: list[Statement] = []
        set_aside = self._set_aside(after)
        try:
            self._process(notifications, events, set_aside, statements, appended)
            if batched is not None:
                statements += batched.batch_statements()
            # Grouped by statement, in order within each: one executemany per kind of row.
            appended.sort(key=lambda statement: statement.sql)
            statements += appended
            statements += chain
            self.views.apply(statements, self.name, after, notifications[-1].id)
        except BaseException as error:
            if batched is not None:
                batched.batch_refused()
            if isinstance(error, StaleBatch):
                return 0
            raise
        if batched is not None:
            batched.batch_applied(notifications[-1].id)
        self._last_head = (notifications[-1].id, head)
        self._set_aside_at = (notifications[-1].id, frozenset(set_aside))
        return len(notifications)

    def _process(
        self,
        notifications: Sequence[Notification],
        events: Mapping[int, object | None],
        set_aside: set[str],
        statements: list[Statement],
        appended: list[Statement],
    ) -> None:
        """Each event's statements, into ``appended`` for the append-only tables."""
        for notification in notifications:
            # (str() of a UUID costs more than the lookup: skipped when nothing is set aside)
            follows = bool(set_aside) and str(notification.originator_id) in set_aside
            event = None if follows else events[notification.id]
            if event is None:
                if self._has_quarantine:
                    statements.append(quarantine_statement(notification, damaged=not follows))
                set_aside.add(str(notification.originator_id))
                continue
            for statement in self.projection.process(event):
                (appended if statement.sql.startswith(_APPEND_PREFIXES) else statements).append(
                    statement
                )

    def _decode(
        self, notifications: Sequence[Notification], known: Mapping[int, object | None]
    ) -> dict[int, object | None]:
        """The domain events by id; None for one whose stored bytes do not open (altered),
        which is then set aside (projections/quarantine.py) instead of stopping every
        catch-up. Unless the key itself is wrong, which opens nothing: that is raised."""
        return {n.id: known[n.id] if n.id in known else self._decode_one(n) for n in notifications}

    def _decode_one(self, notification: Notification) -> object | None:
        try:
            return self.application.mapper.to_domain_event(notification)
        except Exception:
            if not self._key_opens_something(notification.id):
                raise
            return None

    def _key_opens_something(self, failed: int) -> bool:
        """Whether the key opens any of the first stored events other than ``failed`` (asked
        once per projector: a key that opened one is the store's)."""
        if self._key_checked:
            return True
        for notification in self.application.recorder.select_notifications(
            start=1, limit=KEY_CHECK_EVENTS
        ):
            if notification.id == failed:
                continue
            try:
                self.application.mapper.to_domain_event(notification)
            except Exception:  # noqa: S112 - this one may be altered too: try the next
                continue
            self._key_checked = True
            return True
        return False

    def _set_aside(self, position: int) -> set[str]:
        """The records quarantined so far; a view store without the table (a standalone
        statistics file) has none, and records none."""
        if self._set_aside_at[0] == position:
            return set(self._set_aside_at[1])
        if self._has_quarantine:
            try:
                return quarantined_records(self.views)
            except Exception:
                self._has_quarantine = False
        return set()

    def rebuild(
        self,
        progress: Progress | None = None,
        batch_size: int | None = None,
        companions: Sequence[Projector] = (),
    ) -> int:
        """From zero; refused when the event store no longer matches the recorded chain,
        because rebuilding would recompute the chain over the altered history.

        Verifying hashes every event once; the views are then reset but the recorded heads,
        just found equal to what the events hash to, are kept and reused, so no event is
        hashed twice. Restartable: when an earlier rebuild was interrupted (the recorded
        chain is ahead of the views) it resumes where the views are instead of from zero;
        and until it is run again, every terminal's catch-up goes on from there.

        What was recorded since the views were last brought up to date (this session's
        last read, say) is chained first, as any catch-up would, so that it has its head
        when verified."""
        batch_size = batch_size or REBUILD_BATCH_SIZE  # read when called, as BATCH_SIZE
        # Outside a rebuild the chain and the position move in the same transaction.
        rows = self.views.query("SELECT MAX(notification_id) AS n FROM audit_chain")
        # Unfinished: the views were reset and have not come back to the end of the chain,
        # or they have (a terminal's catch-up finished the work) but the rebuild's marker is
        # still there, and the read side may not have followed yet.
        marker = rebuild_marker(self.name)
        behind_the_chain = (rows[0]["n"] or 0) > self.position
        interrupted = behind_the_chain or self.views.max_tracking_id(marker) is not None
        if not behind_the_chain:  # (behind it, a catch-up would hash the events again)
            self.catch_up()
        with _few_collections():
            return self._rebuild(progress, batch_size, companions, marker, interrupted=interrupted)

    def _rebuild(
        self,
        progress: Progress | None,
        batch_size: int,
        companions: Sequence[Projector],
        marker: str,
        *,
        interrupted: bool,
    ) -> int:
        verification = self.verify()
        if not verification.intact:
            raise BrokenChain(verification)
        rebuilt = self.projection
        make = getattr(rebuilt, "for_rebuild", None)
        if make is not None:
            rebuilt = make()
        # Indexes no statement of the projections uses are built once, at the end.
        indexes: list[tuple[str, str]] = getattr(rebuilt, "deferred_indexes", [])
        if not interrupted:
            target = max(self.position, 1)
            self.views.reset(keep=AUDIT_TABLES)
            drops = [Statement(f"DROP INDEX IF EXISTS {name}") for name, _ in indexes]
            self.views.execute([self._tracking_row(marker, target), *drops])
        self._chain_ahead = True
        self._verified_through = verification.head.position if verification.head else 0
        self._last_head = (0, GENESIS)
        # Companions with a way of their own to rebuild (the read side's statistics in
        # memory) take it: a projector of the same name and position, for this pass only.
        companions = [companion.for_rebuild() for companion in companions]
        # And so does this one's (the case views gathered in memory): for this pass only.
        projection = self.projection
        with self.views.bulk():
            try:
                self.projection = rebuilt
                applied = self.catch_up(progress, batch_size=batch_size, companions=companions)
            finally:
                self.projection = projection
                self._chain_ahead = False
            for companion in companions:  # resumed: whatever it had not reached with this one
                companion.catch_up(batch_size=batch_size)
        self.views.execute([Statement(ddl) for _, ddl in indexes])
        if progress is not None:  # also when a terminal's catch-up had done what was left
            progress(self.position, self.position)
        self.views.execute(
            [
                Statement(
                    f"DELETE FROM {self.views.tracking_table} WHERE application_name = ?",  # noqa: S608 - our table name
                    (marker,),
                )
            ]
        )
        return applied

    def for_rebuild(self) -> Projector:
        """This projector (its name, store, chain and ceiling) with its projection's rebuild
        form, when it has one (``for_rebuild()``); itself otherwise."""
        make = getattr(self.projection, "for_rebuild", None)
        if make is None:
            return self
        return Projector(
            self.application,
            self.views,
            make(),
            name=self.name,
            chain=self._chain,
            ceiling=self._ceiling,
        )

    def _tracking_row(self, name: str, position: int) -> Statement:
        return Statement(
            f"INSERT INTO {self.views.tracking_table} VALUES (?, ?)",  # noqa: S608 - our table name
            (name, position),
        )

    def verify(self, witness: Checkpoint | None = None) -> Verification:
        return verify_store(self.application.recorder, self.views, witness)

    def _verified_heads(self, after: int, last: int) -> dict[int, bytes]:
        """During a rebuild, the recorded heads of a batch (verified before it began)."""
        if not self._chain_ahead:
            return {}
        # Up to the verified position only the head of the last event there is needed.
        rows = self.views.query(
            "SELECT notification_id, head FROM audit_chain "
            "WHERE notification_id >= ? AND notification_id <= ?",
            (max(after + 1, min(last, self._verified_through)), last),
        )
        return {int(row["notification_id"]): bytes(row["head"]) for row in rows}

    def _head_at(self, position: int) -> bytes | None:
        if position == 0:
            return GENESIS
        if self._last_head[0] == position:
            return self._last_head[1]
        rows = self.views.query(
            "SELECT head FROM audit_chain WHERE notification_id = ?", (position,)
        )
        return bytes(rows[0]["head"]) if rows else None


# A rebuild allocates millions of short-lived objects (notifications, events, statements):
# with the collector's default first threshold (700) it runs a collection every few events,
# and each full one walks the whole heap of the session (keys, caches, the statistics held in
# memory). None of them forms cycles; they are freed by their reference counts.
REBUILD_GC_THRESHOLD = 20_000


@contextmanager
def _few_collections() -> Iterator[None]:
    """While rebuilding: the objects that existed before it are set aside from the cyclic
    collector (``gc.freeze``) and it runs less often; both are given back afterwards, so
    nothing is kept that would otherwise be freed, only freed later."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], REBUILD_GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class BrokenChain(Exception):
    def __init__(self, verification: Verification) -> None:
        super().__init__(
            f"La cadena de auditoría está rota en el evento {verification.first_broken} "
            f"({verification.reason}); no se reconstruyó nada."
        )
        self.verification = verification
