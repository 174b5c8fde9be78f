"""Tamper evidence: a hash chain over every stored event, in notification order.

Each link commits to the previous head and to the stored bytes of one notification (position,
originator, version, topic and the encrypted state), so the chain is computed and verified
without any key. Case events and access events share one notification log, so both are
covered. Heads are kept in the views store; a head exported as a checkpoint to an outside
witness makes any later rewrite of history detectable, even one that recomputes the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.storage import Statement, ViewStore

AUDIT_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS audit_chain ("
    "notification_id INTEGER PRIMARY KEY, head BLOB NOT NULL)",
)
AUDIT_TABLES = ("audit_chain",)
GENESIS = hashlib.sha256(b"violeta:cadena-de-auditoria:v1").digest()
_READ_BATCH = 1000


def link(previous: bytes, notification: Notification) -> bytes:
    digest = hashlib.sha256(previous)
    for part in (
        str(notification.id).encode(),
        str(notification.originator_id).encode(),
        str(notification.originator_version).encode(),
        notification.topic.encode(),
        notification.state,
    ):
        # Length-prefixed so that no two different notifications hash the same bytes.
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def chain_statements(
    previous: bytes,
    notifications: Sequence[Notification],
    verified: Mapping[int, bytes] | None = None,
) -> tuple[list[Statement], bytes]:
    """The rows that record each new head, and the head after the last notification.

    ``verified`` holds heads already recorded and just verified (a rebuild): those are
    reused, not hashed again, and not written again."""
    statements = []
    head = previous
    known = verified or {}
    for notification in notifications:
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

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def _notifications(recorder: ApplicationRecorder) -> Iterator[Notification]:
    start = 1
    while True:
        batch = recorder.select_notifications(start=start, limit=_READ_BATCH)
        yield from batch
        if len(batch) < _READ_BATCH:
            return
        start = batch[-1].id + 1


def verify(
    recorder: ApplicationRecorder,
    stored_heads: dict[int, bytes],
    witness: Checkpoint | None = None,
) -> Verification:
    """Recomputes the chain from the event store and names the first broken link.

    A link is broken when the event store and the recorded head disagree, when an event has
    no recorded head or a recorded head has no event (an event was deleted), or when the
    witness's checkpoint is not on the recomputed chain.
    """
    head = GENESIS
    checked = 0
    last: Checkpoint | None = None
    seen: set[int] = set()
    for notification in _notifications(recorder):
        head = link(head, notification)
        checked += 1
        seen.add(notification.id)
        last = Checkpoint(notification.id, head)
        recorded = stored_heads.get(notification.id)
        if recorded is not None and recorded != head:
            return Verification(checked, last, notification.id, "el evento no coincide")
        if witness is not None and notification.id == witness.position and head != witness.head:
            return Verification(checked, last, notification.id, "no coincide con el testigo")
    missing = sorted(set(stored_heads) - seen)
    if missing:
        return Verification(checked, last, missing[0], "falta un evento registrado")
    if witness is not None and witness.position not in seen:
        return Verification(checked, last, witness.position, "falta el evento del testigo")
    return Verification(checked, last, None, "")


def verify_store(
    recorder: ApplicationRecorder, views: ViewStore, witness: Checkpoint | None = None
) -> Verification:
    rows = views.query("SELECT notification_id, head FROM audit_chain")
    heads = {int(row["notification_id"]): bytes(row["head"]) for row in rows}
    return verify(recorder, heads, witness)
