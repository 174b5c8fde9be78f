"""The event store: the library's Application with the institution key as its outer cipher."""

from __future__ import annotations

import secrets
import time
from base64 import b64decode, b64encode
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import (
    Aggregate,
    CanMutateProtocol,
    DomainEventProtocol,
    EventSourcingError,
    MutableOrImmutableAggregate,
)
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    InfrastructureFactory,
    InternalError,
    JSONTranscoder,
    Notification,
    Recording,
    Transcoding,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment
from psycopg.conninfo import conninfo_to_dict

from domain.access import Ids
from domain.alerts import AnomalyWatch
from domain.cases import Case, FolioSequence
from domain.clients import Client
from domain.errors import UnknownRecord
from domain.sealed import Sealed
from projections.storage import PreparedSQLitePool
from violeta.errors import TamperedRecord
from violeta.settings import Settings


class SealedAsBase64(Transcoding):
    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> str:
        return b64encode(obj.envelope).decode("ascii")

    def decode(self, data: str) -> Sealed:
        return Sealed(b64decode(data))


class IdsAsText(Transcoding):
    """An access record's ids as one string (domain/access.py ``Ids``)."""

    type = Ids
    name = "ids"

    def encode(self, obj: Ids) -> str:
        return obj.packed

    def decode(self, data: str) -> Ids:
        return Ids.unpacked(data)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


# The aggregates staff change again and again (a case takes many notes in one sitting).
REMEMBERED_KINDS = (Case, Client, FolioSequence)
REMEMBERED_LIMIT = 256
SAVED_EVENTS_LIMIT = 1000
# A year's folio sequence takes one event per case opened, and every case opened loads it (again
# whenever another terminal issued the last number). A snapshot every this many folios keeps that
# load to one snapshot and fewer than this many events, whatever the size of the archive.
FOLIO_SNAPSHOT_INTERVAL = 50
# The anomaly watch takes one event per sweep that found new accesses (coordinación's Mi día
# sweeps): without snapshots each sweep replayed every sweep ever made.
WATCH_SNAPSHOT_INTERVAL = 50
DERIVED_ID_VERSION = 5  # uuid5: an id derived from names (FolioSequence.create_id)

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
SQLITE_SYNCHRONOUS = "VIOLETA_SQLITE_SYNCHRONOUS"


class _OthersWritingWatch:
    """Tells whether any other connection committed to a SQLite event store since this one
    last asked, through ``PRAGMA data_version``, which answers per connection and moves on
    every commit made by any other connection, in this process or another."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self._datastore = datastore
        self._last_seen: WeakKeyDictionary[SQLiteConnection, int] = WeakKeyDictionary()

    def quiet_since_last_asked(self) -> bool:
        with self._datastore.get_connection(commit=False) as connection:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA data_version")
                version = int(cursor.fetchone()[0])
            quiet = self._last_seen.get(connection) == version
            self._last_seen[connection] = version
            return quiet


TABLE_CREATION_ATTEMPTS = 8


def _creating_tables(construct: Callable[[], T]) -> T:
    """Runs a constructor that creates the store's tables if they are missing.

    On PostgreSQL that also replaces the library's insert function, and two terminals starting
    at the same moment make the second replacement fail ("tuple concurrently updated"). Every
    statement is idempotent, so it is simply run again after a short random pause."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return construct()
        except InternalError as error:
            if "concurrently updated" not in str(error) or attempt == TABLE_CREATION_ATTEMPTS:
                raise
            time.sleep(secrets.randbelow(50 * attempt + 1) / 1000)


def replay(
    aggregate: MutableOrImmutableAggregate[UUID] | None,
    events: Iterable[DomainEventProtocol[UUID]],
) -> MutableOrImmutableAggregate[UUID] | None:
    """The library's ``project_aggregate`` without its per-event ``isinstance`` assert against
    a runtime protocol, which on Python 3.11 is most of the cost of a replay. Every event
    and snapshot this store holds is the library's, and mutates."""
    for event in events:
        aggregate = cast("CanMutateProtocol[Any]", event).mutate(aggregate)
    return aggregate


def _collected(
    objs: Iterable[MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None],
    kwargs: dict[str, Any],
) -> ProcessingEvent[UUID]:
    """The library's ``ProcessingEvent.collect_events``, with a class check first: it tells
    an aggregate from an event by runtime-Protocol ``isinstance`` checks, which Python 3.11
    answers by walking every attribute of the protocol, and that was an eighth of the
    service's own time per command (bench/append.py). Anything else goes the library's way."""
    processing_event: ProcessingEvent[UUID] = ProcessingEvent()
    for obj in objs:
        if isinstance(obj, Aggregate):
            processing_event.events.extend(obj.collect_events())
            processing_event.aggregates[obj.id] = obj
        else:
            processing_event.collect_events(obj)
    processing_event.saved_kwargs.update(kwargs)
    return processing_event


class _Repository(Repository[UUID]):
    """Replays with ``replay``; and only an aggregate with a derived id (uuid5: the folio
    sequences, the zone catalogue, the work plans) is looked for among the snapshots, so
    loading a case, a client or an account (uuid4) costs no snapshot query."""

    def __init__(self, events: EventStore[UUID], snapshots: EventStore[UUID] | None) -> None:
        super().__init__(event_store=events, snapshot_store=snapshots)
        self._without_snapshots = Repository(event_store=events)

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: Any = replay,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        if aggregate_id.version != DERIVED_ID_VERSION:
            return self._without_snapshots.get(
                aggregate_id, version=version, projector_func=projector_func
            )
        return super().get(
            aggregate_id,
            version=version,
            projector_func=projector_func,
            fastforward_skipping=fastforward_skipping,
            deepcopy_from_cache=deepcopy_from_cache,
        )


class CaseStore(Application[UUID]):
    """All case, client, account, zone and access events of one institute.

    One per session. It remembers the aggregates this session last saved or loaded, so a
    command can start from that copy instead of reloading it. The copy holds only sealed
    values. Whoever uses it must not let a stale copy decide anything: a change redoes its
    work on a fresh load when it fails on the copy (a stale version conflicts on save), and
    a read uses it only after a scan has called ``forget_changed`` for everything stored
    since."""

    name = "Violeta"
    # Only the folio sequence and the anomaly watch are snapshotted: their state is a prefix, a
    # year and a number, or a position in the trail, nothing about a person (a snapshot of a
    # client or a case would be one more copy of her record).
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        FolioSequence: FOLIO_SNAPSHOT_INTERVAL,
        AnomalyWatch: WATCH_SNAPSHOT_INTERVAL,
    }
    snapshotting_projectors: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], Any]] = {
        FolioSequence: replay,
        AnomalyWatch: replay,
    }

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env=env)
        # By id as a UUID: its hash is its integer's, where str() of it cost more than the
        # lookup (three per command, one per event a scan finds).
        self._remembered: OrderedDict[UUID, tuple[int, Aggregate]] = OrderedDict()
        self._saved_events: dict[int, DomainEventProtocol[UUID]] = {}
        self._others_writing = (
            _OthersWritingWatch(self.recorder.datastore)
            if isinstance(self.recorder, SQLiteApplicationRecorder)
            else None
        )
        # What this session stored since it last asked for new notifications, in commit
        # order; None when that is not known for sure (then the next ask reads the store).
        self._own_notifications: list[Notification] | None = None

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        synchronous = env.get(SQLITE_SYNCHRONOUS, "FULL")
        if isinstance(factory, SQLiteFactory) and not factory.datastore.pool.is_sqlite_memory_mode:
            pool = factory.datastore.pool
            factory.datastore.pool = PreparedSQLitePool(
                # A command alternates several statements on the event store, which the
                # library's one-statement cache compiled again each time.
                pragmas=(f"synchronous={synchronous}",),
                db_name=pool.db_name,
                lock_timeout=pool.lock_timeout,
            )
            pool.close()
        return factory

    def construct_repository(self) -> Repository[UUID]:
        # As the library's, with no aggregate cache (see store_environment) and our replay.
        return _Repository(self.events, self.snapshots)

    def construct_recorder(self) -> ApplicationRecorder:
        return _creating_tables(super().construct_recorder)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        return _creating_tables(super().construct_snapshot_store)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        aggregates = [obj for obj in objs if isinstance(obj, REMEMBERED_KINDS)]
        try:
            recordings = self._save_collected(_collected(objs, kwargs))
        except BaseException:
            for aggregate in aggregates:
                self.forget(aggregate.id)
            raise
        for aggregate in aggregates:
            self.remember(aggregate)
        if len(self._saved_events) > SAVED_EVENTS_LIMIT:
            self._saved_events.clear()
        for recording in recordings:
            self._saved_events[recording.notification.id] = recording.domain_event
        return recordings

    def _save_collected(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        # The library's save() after its collect_events (see _collected).
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        # The library snapshots by loading the aggregate again (its last snapshot and up to an
        # interval of events, each decrypted and decoded): the copy just saved is that state
        # when the snapshot's version is its last event's, since every snapshotted kind (the
        # folio sequence, the anomaly watch) sets all of its state in its events. A snapshot
        # of an earlier version of it, saved in the same command, goes the library's way.
        if self.snapshots is None:
            return
        for domain_event in processing_event.events:
            aggregate = processing_event.aggregates.get(domain_event.originator_id)
            if aggregate is None:
                continue
            kind = type(aggregate)
            interval = self.snapshotting_intervals.get(kind)
            version = domain_event.originator_version
            if interval is None or version % interval:
                continue
            if isinstance(aggregate, Aggregate) and aggregate.version == version:
                self.snapshots.put([type(aggregate).Snapshot.take(aggregate)])
            else:
                projector = self.snapshotting_projectors.get(kind, replay)
                self.take_snapshot(domain_event.originator_id, version, projector)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        own, self._own_notifications = self._own_notifications, None
        recordings = super()._record(processing_event)
        if own is not None and len(own) < SAVED_EVENTS_LIMIT:
            own.extend(recording.notification for recording in recordings)
            self._own_notifications = own
        return recordings

    def notifications_after(self, position: int, limit: int) -> Sequence[Notification]:
        """The stored events after ``position``, still encrypted, at most ``limit``.

        On SQLite, when no other connection committed since the last call, they are exactly
        what this session stored meanwhile (SQLite commits one writer at a time, in id
        order), so they come from memory and the store is not read. The watch is asked
        before the store is read, so a commit landing in between is read again next time,
        never missed."""
        own, self._own_notifications = self._own_notifications, None
        if self._others_writing is None:
            return self.recorder.select_notifications(position + 1, limit)
        quiet = self._others_writing.quiet_since_last_asked()
        if not quiet or own is None or (own and own[0].id <= position):
            arrived = self.recorder.select_notifications(position + 1, limit)
            self._own_notifications = [] if len(arrived) < limit else None
            return arrived
        self._own_notifications = own[limit:]
        return own[:limit]

    def take_saved_events(self) -> dict[int, DomainEventProtocol[UUID]]:
        """The events this session saved since the last call, by notification id: the views
        can be brought up to date without decrypting and decoding them again."""
        saved, self._saved_events = self._saved_events, {}
        return saved

    def remember(self, aggregate: Aggregate) -> None:
        self._remembered[aggregate.id] = (aggregate.version, aggregate)
        self._remembered.move_to_end(aggregate.id)
        if len(self._remembered) > REMEMBERED_LIMIT:
            self._remembered.popitem(last=False)

    def remembered(self, aggregate_id: UUID) -> Aggregate | None:
        """The copy as last saved or loaded here, unless a command changed it without saving
        (its events are pending, or its version moved)."""
        entry = self._remembered.get(aggregate_id)
        if entry is None:
            return None
        version, aggregate = entry
        if aggregate.version != version or aggregate.pending_events:
            del self._remembered[aggregate_id]
            return None
        self._remembered.move_to_end(aggregate_id)
        return aggregate

    def forget(self, aggregate_id: UUID) -> None:
        self._remembered.pop(aggregate_id, None)

    def forget_changed(self, aggregate_id: UUID | str, version: int) -> None:
        """Called for each stored event a scan finds: drops a copy someone else moved past."""
        key = aggregate_id if isinstance(aggregate_id, UUID) else UUID(aggregate_id)
        entry = self._remembered.get(key)
        if entry is not None and entry[0] < version:
            del self._remembered[key]

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(SealedAsBase64())
        transcoder.register(DateAsISO())
        transcoder.register(IdsAsText())


def store_environment(settings: Settings, institution_key: bytes) -> dict[str, str]:
    return persistence_environment(settings) | {
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": b64encode(institution_key).decode("ascii"),
        # No aggregate cache: no decrypted value may outlive a shredded key in memory.
        "AGGREGATE_CACHE_MAXSIZE": "",
    }


def persistence_environment(settings: Settings) -> dict[str, str]:
    env: dict[str, str] = {}
    if settings.backend == "sqlite":
        # SQLite gives the -wal and -shm files the database file's mode: create it private.
        settings.events_path.touch(mode=0o600, exist_ok=True)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.events_path),
            "SQLITE_LOCK_TIMEOUT": "30",
            SQLITE_SYNCHRONOUS: settings.sqlite_synchronous,
        }
    else:
        params: dict[str, Any] = conninfo_to_dict(settings.postgres)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": str(params.get("dbname", "")),
            "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(params.get("port", "5432")),
            "POSTGRES_USER": str(params.get("user", "")),
            "POSTGRES_PASSWORD": str(params.get("password", "")),
            "POSTGRES_SCHEMA": settings.postgres_schema,
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_POOL_SIZE": "3",
        }
    return env


def open_case_store(settings: Settings, institution_key: bytes) -> CaseStore:
    return CaseStore(env=store_environment(settings, institution_key))


def open_sealed_recorder(settings: Settings) -> ApplicationRecorder:
    """The stored events as they are on disk, still encrypted: enough to verify the audit
    chain, and usable by someone who holds no key at all (an outside witness)."""
    environment = Environment(CaseStore.name, persistence_environment(settings))
    return InfrastructureFactory.construct(environment).application_recorder()


def load_aggregate(store: CaseStore, aggregate_id: UUID, kind: type[A], missing: str) -> A:
    try:
        aggregate: Aggregate = store.repository.get(aggregate_id)
    except AggregateNotFoundError:
        raise UnknownRecord(missing) from None
    except (ValueError, EventSourcingError) as error:
        # The outer cipher's authentication failure (altered bytes), or a version missing
        # from the replay (a deleted event): this record is blocked, nothing else.
        raise TamperedRecord(aggregate_id) from error
    if not isinstance(aggregate, kind):
        raise UnknownRecord(missing)
    return aggregate
