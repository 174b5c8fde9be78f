"""Stored events that do not open: set aside, so that one altered record blocks only itself.

A stored event whose bytes were altered fails the outer cipher's authentication when it is
decoded. The projector does not stop there (every terminal's catch-up, every login and every
rebuild would stop with it): it records the event here, skips it, and skips every later event
of the same record, whose views would otherwise be built on a state that is missing a step.
The chain is still computed over the stored bytes, so ``violeta audit verify`` reads this table
as well and names each quarantined event, with the folio where the views know it.

Only ids, versions and topics are kept: nothing personal, nothing decrypted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eventsourcing.persistence import Notification

from projections.storage import Statement, ViewStore

QUARANTINE_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS quarantine ("
    "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, damaged INTEGER NOT NULL)",
)

_INSERT = "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?) ON CONFLICT (notification_id) DO NOTHING"


def quarantine_statement(notification: Notification, *, damaged: bool) -> Statement:
    """``damaged``: this event did not open; otherwise it follows one of its record that did
    not."""
    return Statement(
        _INSERT,
        (
            notification.id,
            str(notification.originator_id),
            notification.originator_version,
            notification.topic,
            1 if damaged else 0,
        ),
    )


def quarantined_records(views: ViewStore) -> set[str]:
    """The records (originator ids) with an event set aside."""
    return {row["originator_id"] for row in views.query("SELECT originator_id FROM quarantine")}


@dataclass(frozen=True)
class QuarantinedEvent:
    notification_id: int
    originator_id: str
    folios: tuple[str, ...]

    @property
    def description(self) -> str:
        where = (
            f"expediente {', '.join(self.folios)}" if self.folios else "registro sin folio conocido"
        )
        return f"evento {self.notification_id} ({where})"


def damaged_events(views: ViewStore) -> list[QuarantinedEvent]:
    """The events that did not open, oldest first, each with the folios its record names."""
    rows = views.query(
        "SELECT notification_id, originator_id FROM quarantine WHERE damaged = 1 "
        "ORDER BY notification_id"
    )
    return [
        QuarantinedEvent(
            int(row["notification_id"]),
            row["originator_id"],
            tuple(folios_of(views, [row["originator_id"]])),
        )
        for row in rows
    ]


def folios_of(views: ViewStore, record_ids: Iterable[str]) -> list[str]:
    """The folios of the cases with these ids, or of these clients (ids only; never a name)."""
    ids = sorted(set(record_ids))
    if not ids:
        return []
    placeholders = ", ".join("?" for _ in ids)
    rows = views.query(
        f"SELECT DISTINCT folio FROM cases_view WHERE case_id IN ({placeholders}) "  # noqa: S608 - placeholders only
        f"OR client_id IN ({placeholders}) ORDER BY folio",
        [*ids, *ids],
    )
    return [row["folio"] for row in rows]
