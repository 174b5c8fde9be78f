"""Tamper evidence: a hash chain over every stored event, in notification order.

Each link commits to the previous head and to the stored bytes of one notification (position,
originator, version, topic and the encrypted state), so the chain is computed and verified
without any key. Case events and access events share one notification log, so both are
covered. Heads are kept in the views store; a head exported as a checkpoint to an outside
witness makes any later rewrite of history detectable, even one that recomputes the chain.
"""

from __future__ import annotations

import hashlib
import re
import struct
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from projections.quarantine import QUARANTINE_SCHEMA, QuarantinedEvent, damaged_events
from projections.storage import Statement, ViewStore

AUDIT_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS audit_chain ("
    "notification_id INTEGER PRIMARY KEY, head BLOB NOT NULL)",
    *QUARANTINE_SCHEMA,
)
AUDIT_TABLES = ("audit_chain",)
GENESIS = hashlib.sha256(b"violeta:cadena-de-auditoria:v1").digest()
_READ_BATCH = 1000


def link(previous: bytes, notification: Notification | StoredRow) -> bytes:
    position = str(notification.id).encode()
    originator = str(notification.originator_id).encode()
    version = str(notification.originator_version).encode()
    topic = notification.topic.encode()
    state = notification.state
    # Length-prefixed so that no two different notifications hash the same bytes; joined
    # and hashed at once (the same bytes as one update per part, at a third of the calls).
    return _sha256(
        b"".join(
            (
                previous,
                _length(len(position)),
                position,
                _length(len(originator)),
                originator,
                _length(len(version)),
                version,
                _length(len(topic)),
                topic,
                _length(len(state)),
                state,
            )
        )
    ).digest()


_sha256 = hashlib.sha256
_length = struct.Struct(">Q").pack


def _position(notification: Notification) -> int:
    return notification.id


def chain_statements(
    previous: bytes,
    notifications: Sequence[Notification],
    verified: Mapping[int, bytes] | None = None,
    through: int = 0,
) -> tuple[list[Statement], bytes]:
    """The rows that record each new head, and the head after the last notification.

    ``verified`` holds heads already recorded and just verified (a rebuild): those are
    reused, not hashed again, and not written again. Every event up to ``through`` has one,
    so only the last of those needs to be in ``verified``."""
    statements = []
    head = previous
    known = verified or {}
    skipped = bisect_right(notifications, through, key=_position) if through else 0
    if skipped:
        head = known[notifications[skipped - 1].id]
    for notification in notifications[skipped:]:
        recorded = known.get(notification.id)
        if recorded is not None:
            head = recorded
            continue
        head = link(head, notification)
        statements.append(
            Statement(
                "INSERT INTO audit_chain VALUES (?, ?) ON CONFLICT (notification_id) DO NOTHING",
                (notification.id, head),
            )
        )
    return statements, head


@dataclass(frozen=True)
class Checkpoint:
    """What an outside witness keeps: how many events, and the head after the last one."""

    position: int
    head: bytes


@dataclass(frozen=True)
class Verification:
    checked: int
    head: Checkpoint | None
    first_broken: int | None
    reason: str
    # The only fault: the newest events have no head yet (a terminal saving right now, or
    # one killed between saving and projecting) — or their heads were deleted.
    unheaded_tail: bool = False
    # Events that did not open when projected (altered before any terminal projected them):
    # chained over their stored bytes, so only the quarantine names them.
    quarantined: tuple[QuarantinedEvent, ...] = ()

    @property
    def intact(self) -> bool:
        return self.first_broken is None

    @property
    def sound(self) -> bool:
        """Intact, and no event set aside as unreadable."""
        return self.intact and not self.quarantined

    @property
    def quarantine_report(self) -> str:
        return (
            "no pudieron descifrarse (fueron alterados) y sus registros quedaron bloqueados: "
            + "; ".join(event.description for event in self.quarantined)
        )


class StoredRow(NamedTuple):
    """What the chain hashes of one stored event, read without building a notification:
    the originator id as ``str()`` of the UUID the library would have made of it."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


def _rows(recorder: ApplicationRecorder, start: int) -> Sequence[Notification | StoredRow]:
    """One read of the events from ``start``; as stored rows where the store is one of the
    library's (a verification reads every event: parsing and printing back 12,000 UUIDs
    cost a third of it), as its notifications otherwise."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608 - the library's table
                f"FROM {recorder.events_table_name} WHERE rowid >= ? ORDER BY rowid LIMIT ?",
                (start, _READ_BATCH),
            )
            return [
                StoredRow(row[0], _uuid_text(recorder, row[1]), row[2], row[3], row[4])
                for row in cursor.fetchall()
            ]
    if isinstance(recorder, PostgresApplicationRecorder):
        query = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            "FROM {schema}.{table} WHERE notification_id >= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(query, (start, _READ_BATCH))
            return [StoredRow(*row.values()) for row in cursor.fetchall()]
    return recorder.select_notifications(start=start, limit=_READ_BATCH)


_HEX_UUID = re.compile("[0-9a-f]{32}")


def _uuid_text(recorder: SQLiteApplicationRecorder, stored: str) -> str:
    """``str(recorder.convert_originator_id(stored))``, without the UUID for what the
    library stores (32 lowercase hex digits)."""
    if recorder.datastore.originator_id_type == "uuid" and _HEX_UUID.fullmatch(stored):
        return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"
    return str(recorder.convert_originator_id(stored))


def _notifications(recorder: ApplicationRecorder) -> Iterator[Notification | StoredRow]:
    start = 1
    while True:
        batch = _rows(recorder, start)
        yield from batch
        if len(batch) < _READ_BATCH:
            return
        start = batch[-1].id + 1


def verify(
    recorder: ApplicationRecorder,
    stored_heads: dict[int, bytes],
    witness: Checkpoint | None = None,
    *,
    unprojected_tail: bool = False,
) -> Verification:
    """Recomputes the chain from the event store and names the first broken link.

    Every stored event, from the first to the highest stored notification, must have a
    recorded head equal to the recomputed one, and no head may be recorded for an event that
    is not stored. So the check misses nothing: an altered event whose head was deleted (and
    the views' tracking rolled back so the projector would not notice) is named just as an
    altered event with its head in place; a deleted event is named by its own position, and
    the witness's checkpoint must lie on the recomputed chain.

    ``unprojected_tail`` is for a backup, whose views were copied a moment before its events:
    events after the last recorded head may then lack one (they are chained all the same, and
    the backup's manifest, taken as the witness, fixes their head).
    """
    head = GENESIS
    checked = 0
    last_id = 0  # the last event checked (its Checkpoint made once, at the end)
    recorded_positions = sorted(stored_heads)
    heads = len(recorded_positions)
    broken: tuple[int, str] | None = None
    witnessed = False
    tail = False
    for notification in _notifications(recorder):
        # Each event checked so far had its head, so recorded_positions[:checked] are matched.
        if checked < heads and recorded_positions[checked] < notification.id:
            broken = (recorded_positions[checked], "falta un evento registrado")
            break
        head = link(head, notification)
        checked += 1
        last_id = notification.id
        recorded = stored_heads.get(last_id)
        if recorded is None:
            # After the last recorded head, a backup's events may not be projected yet.
            if not (unprojected_tail and checked > heads):
                broken = (notification.id, MISSING_HEAD)
                tail = checked > heads
                break
        elif recorded != head:
            broken = (notification.id, "el evento no coincide")
            break
        if witness is not None and notification.id == witness.position:
            witnessed = True
            if head != witness.head:
                broken = (notification.id, "no coincide con el testigo")
                break
    else:
        if checked < heads:
            broken = (recorded_positions[checked], "falta un evento registrado")
        elif witness is not None and not witnessed:
            broken = (witness.position, "falta el evento del testigo")
    last = Checkpoint(last_id, head) if checked else None
    if broken is None:
        return Verification(checked, last, None, "")
    return Verification(checked, last, broken[0], broken[1], unheaded_tail=tail)


MISSING_HEAD = (
    "el evento no tiene cabeza registrada (se borró de las vistas, o se está guardando en "
    "este momento: si otra terminal está trabajando, repita la verificación)"
)


def verify_store(
    recorder: ApplicationRecorder,
    views: ViewStore,
    witness: Checkpoint | None = None,
    *,
    unprojected_tail: bool = False,
) -> Verification:
    rows = views.query("SELECT notification_id, head FROM audit_chain")
    heads = {int(row["notification_id"]): bytes(row["head"]) for row in rows}
    verification = verify(recorder, heads, witness, unprojected_tail=unprojected_tail)
    return replace(verification, quarantined=tuple(damaged_events(views)))
