"""``violeta audit``: verify the hash chain and export checkpoints, with no key and no login."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from eventsourcing.persistence import ApplicationRecorder

from projections.audit_chain import Checkpoint, Verification, verify_store
from violeta.service import open_view_store
from violeta.session import MEXICO
from violeta.settings import Settings
from violeta.store import open_sealed_recorder


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


def checkpoint_document(verification: Verification) -> str:
    head = verification.head
    return json.dumps(
        {
            "eventos": head.position if head else 0,
            "cabeza": head.head.hex() if head else "",
            "fecha": datetime.now(MEXICO).strftime("%d/%m/%Y %H:%M:%S"),
        },
        ensure_ascii=False,
    )


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
