"""``violeta audit``: verify the hash chain and export checkpoints, with no key and no login."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import get_topic

from domain.clients import Client
from keys.journal import JournalCheck
from projections.audit_chain import Checkpoint, Verification, verify_store
from violeta.drafts import DRAFT_SUBJECT
from violeta.service import open_key_store, open_view_store
from violeta.session import MEXICO
from violeta.settings import Settings
from violeta.store import open_sealed_recorder

KeyWitness = tuple[int, bytes]
ERASED_TOPIC = get_topic(Client.Erased)


def verify_chain(
    settings: Settings, witness: Checkpoint | None = None, *, unprojected_tail: bool = False
) -> Verification:
    views = open_view_store(settings)
    recorder = open_sealed_recorder(settings)
    try:
        return verify_store(recorder, views, witness, unprojected_tail=unprojected_tail)
    finally:
        views.close()
        close_recorder(recorder)


def close_recorder(recorder: ApplicationRecorder) -> None:
    """Releases its connections (a PostgreSQL pool) at once instead of at collection."""
    datastore = getattr(recorder, "datastore", None)
    if datastore is not None:
        datastore.close()


def verify_key_journal(settings: Settings, witness: KeyWitness | None = None) -> JournalCheck:
    """The key store's journal against its tables (keys/journal.py), then every destroyed key
    against the erasures the event chain records: a tombstone written by hand, even with a
    forged journal entry, has no ``Client.Erased`` event. Ids, topics and hashes only: no key
    and no login needed."""
    store = open_key_store(settings)
    try:
        check = store.journal_check(witness)
    finally:
        store.close()
    if not check.intact:
        return check
    erased = _erased_clients(settings)
    # A discarded draft's own key (violeta/drafts.py) is destroyed without any erasure.
    unrecorded = sorted(
        subject for subject in set(check.shredded) - erased if not subject.startswith(DRAFT_SUBJECT)
    )
    if unrecorded:
        return replace(
            check,
            problem="hay llaves destruidas sin una cancelación (ARCO) registrada en los eventos",
        )
    return check


def _erased_clients(settings: Settings) -> set[str]:
    recorder = open_sealed_recorder(settings)
    erased: set[str] = set()
    start: int | None = 1
    try:
        while start is not None:
            batch = recorder.select_notifications(start, 1000, topics=[ERASED_TOPIC])
            erased |= {str(notification.originator_id) for notification in batch}
            start = batch[-1].id + 1 if len(batch) == 1000 else None
    finally:
        close_recorder(recorder)
    return erased


def checkpoint_document(verification: Verification, keys: JournalCheck) -> str:
    head = verification.head
    return json.dumps(
        {
            "eventos": head.position if head else 0,
            "cabeza": head.head.hex() if head else "",
            "llaves": {"entradas": keys.entries, "cabeza": keys.head.hex()},
            "fecha": datetime.now(MEXICO).strftime("%d/%m/%Y %H:%M:%S"),
        },
        ensure_ascii=False,
    )


def read_key_witness(path: Path) -> KeyWitness | None:
    """The key journal part of a checkpoint; None for a checkpoint exported before it."""
    try:
        keys = json.loads(path.read_text(encoding="utf-8")).get("llaves")
        return None if keys is None else (int(keys["entradas"]), bytes.fromhex(keys["cabeza"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise UnreadableCheckpoint(
            f"El archivo del testigo {path} tiene una parte «llaves» ilegible; no se verificó nada."
        ) from None


class UnreadableCheckpoint(Exception):
    """The witness file is not a checkpoint this command exported (Spanish message)."""


def read_checkpoint(path: Path) -> Checkpoint:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Checkpoint(position=int(document["eventos"]), head=bytes.fromhex(document["cabeza"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise UnreadableCheckpoint(
            f"El archivo del testigo {path} no es un punto de control de «violeta audit "
            "checkpoint» (JSON con «eventos» y «cabeza»); no se verificó nada."
        ) from None
