"""A shred is on the disk before ``shred`` returns, with fewer flushes than a plain commit.

The shred's commit waits for no flush of its own (keys/store.py ``_shredding``): the
truncating checkpoint that follows flushes the log, copies it into the file and flushes the
file. So when ``shred`` returns her wrapped key is in no file of the store (the file read
alone, as after a crash that lost the log, holds no copy) and the log is empty. When a
reader elsewhere keeps the checkpoint from finishing, the log is flushed explicitly: the
deletion is still durable before any event may claim it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from keys import KdfParams, Keyring, SQLiteKeyStore
from keys import store as store_module

FAST = KdfParams.fast()
SUBJECT = "usuaria-durable"


def _keyring(path: Path) -> tuple[SQLiteKeyStore, bytes]:
    store = SQLiteKeyStore(path)
    keyring = Keyring.initialize(store, "coordinacion", "contraseña-de-prueba-1", kdf=FAST).keyring
    keyring.seal(SUBJECT, "client.name", "Nombre Sintético")
    keyring.seal("otra-usuaria", "client.name", "Otro Nombre Sintético")
    key = store.subject_key(SUBJECT)
    assert key is not None
    return store, key.wrapped


def test_when_shred_returns_her_key_is_in_no_file_and_the_log_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "llaves.db"
    store, wrapped = _keyring(path)
    assert wrapped in path.read_bytes() + Path(f"{path}-wal").read_bytes()

    store.shred(SUBJECT, store_module.datetime.now(store_module.UTC))

    assert wrapped not in path.read_bytes()  # the file alone: what a lost log leaves
    assert Path(f"{path}-wal").stat().st_size == 0
    assert store.subject_key(SUBJECT) is None and store.is_shredded(SUBJECT)
    # Only the shred's own transaction went without its flush.
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    store.close()


def test_a_shred_whose_checkpoint_a_reader_holds_back_flushes_the_log_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "llaves.db"
    store, _ = _keyring(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM wrapped_keys").fetchone()  # holds its snapshot
    flushed: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        flushed.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(store_module.os, "fsync", recording_fsync)
    try:
        store.shred(SUBJECT, store_module.datetime.now(store_module.UTC))
    finally:
        reader.execute("ROLLBACK")
        reader.close()

    assert flushed == [f"{path}-wal"]
    assert store.is_shredded(SUBJECT)
    store.close()
