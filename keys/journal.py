"""The key store's own append-only journal (issue 13): every change of key material is an
entry, hash-chained to the one before, written in the same transaction as the change.

The key store is deliberately not event-sourced (erasure must really delete a key), so
without a journal a key deleted or a tombstone inserted by hand, outside the service, would
leave no trace: a woman erased with no request, no approval and no event. ``check`` replays
the journal against the tables and names the first difference; the journal's head travels in
the audit checkpoint for an outside witness, so rewriting the journal shows too.

Entries hold ids only (random subject ids, usernames) and action codes (ASCII, so that no
Spanish word at rest can be mistaken for a name by the canary scans), never key material.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)

CREATED = "key.created"
DISCARDED = "key.discarded"
SHREDDED = "key.shredded"
SLOT_STORED = "slot.stored"
SLOT_SECRET = "slot.secret"  # noqa: S105 (an action name)
SLOT_REMOVED = "slot.removed"
DUTIES = "slot.duties"
ROTATED = "kek.rotated"
INITIALIZED = "keyring.initialized"


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    action: str
    subject: str
    head: bytes


def link(previous: bytes, seq: int, at: str, action: str, subject: str) -> bytes:
    digest = hashlib.sha256(previous)
    digest.update(seq.to_bytes(8, "big"))
    for part in (at, action, subject):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.digest()


@dataclass(frozen=True)
class JournalCheck:
    entries: int
    head: bytes
    problem: str = ""
    shredded: tuple[str, ...] = ()  # the subjects the journal says were destroyed

    @property
    def intact(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class StoreState:
    """What the tables hold now: ids only."""

    subject_keys: set[str]
    tombstones: set[str]
    slots: set[str]


def check(
    entries: Sequence[Entry], state: StoreState, witness: tuple[int, bytes] | None
) -> JournalCheck:
    """Recomputes the chain, then replays it and compares with the tables."""
    head = GENESIS
    expected = StoreState(set(), set(), set())
    for number, entry in enumerate(entries, start=1):
        if (
            entry.seq != number
            or link(head, entry.seq, entry.at, entry.action, entry.subject) != entry.head
        ):
            return JournalCheck(
                number - 1, head, f"la bitácora de llaves está alterada en la entrada {number}"
            )
        head = entry.head
        if witness is not None and number == witness[0] and head != witness[1]:
            return JournalCheck(
                number,
                head,
                "la bitácora de llaves no coincide con el punto de control del testigo",
            )
        _replay(expected, entry)
    if witness is not None and witness[0] > len(entries):
        return JournalCheck(
            len(entries), head, "faltan entradas de la bitácora de llaves que el testigo conoce"
        )
    shredded = tuple(sorted(expected.tombstones))
    for problem in _differences(expected, state):
        return JournalCheck(len(entries), head, problem, shredded)
    return JournalCheck(len(entries), head, "", shredded)


def _replay(state: StoreState, entry: Entry) -> None:
    if entry.action == CREATED:
        state.subject_keys.add(entry.subject)
    elif entry.action == DISCARDED:
        state.subject_keys.discard(entry.subject)
    elif entry.action == SHREDDED:
        owner = entry.subject
        state.subject_keys.difference_update(
            {key for key in state.subject_keys if key == owner or key.startswith(owner + "/")}
        )
        state.tombstones.add(owner)
    elif entry.action == SLOT_STORED:
        state.slots.add(entry.subject)
    elif entry.action == SLOT_REMOVED:
        state.slots.discard(entry.subject)


def _differences(expected: StoreState, actual: StoreState) -> Iterable[str]:
    if actual.subject_keys - expected.subject_keys:
        yield "hay llaves de usuarias que la bitácora de llaves no registra"
    if expected.subject_keys - actual.subject_keys:
        yield "falta la llave de una usuaria sin destrucción registrada (¿borrada a mano?)"
    if actual.tombstones != expected.tombstones:
        yield (
            "las marcas de llaves destruidas no coinciden con la bitácora "
            "(¿cancelación sin registro?)"
        )
    if actual.slots != expected.slots:
        yield "los accesos del llavero no coinciden con la bitácora de llaves"


def append(cursor: Any, translate: Any, at: str, records: Iterable[tuple[str, str]]) -> None:
    """Appends entries in the caller's transaction (which holds the journal's lock)."""
    cursor.execute(translate("SELECT seq, head FROM {p}key_journal ORDER BY seq DESC LIMIT 1"), {})
    row = cursor.fetchone()
    seq, head = (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))
    for action, subject in records:
        seq += 1
        head = link(head, seq, at, action, subject)
        cursor.execute(
            translate(
                "INSERT INTO {p}key_journal (seq, at, action, subject, head)"
                " VALUES (:seq, :at, :action, :subject, :head)"
            ),
            {"seq": seq, "at": at, "action": action, "subject": subject, "head": head},
        )
