"""The views' write-ahead log is copied into the file off the writer's thread, soon after each
write (projections/storage.py ``Checkpointer``), so that no terminal's command pays for a
checkpoint and an erasure's truncating one has only the last moments' writes to copy; and the
erasure's truncating checkpoint is asked again while another one holds the lock. SQLite only
(PostgreSQL has no such log to copy). Synthetic data only."""

from __future__ import annotations

import sqlite3
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from projections import storage
from projections.storage import BULK_AUTOCHECKPOINT_PAGES, SQLiteViewStore, Statement

SCHEMA = ("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL)",)


def log_state(path: Path) -> tuple[int, int]:
    """(frames in the log, frames already copied into the file), as the log's index says."""
    data = Path(f"{path}-shm").read_bytes()[:100]
    return struct.unpack_from("<I", data, 16)[0], struct.unpack_from("<I", data, 96)[0]


def wait_until(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "la condición no se cumplió a tiempo"
        time.sleep(0.01)


def test_a_write_is_copied_into_the_file_without_another_write(data_dir: Path) -> None:
    path = data_dir / "vistas.sqlite"
    views = SQLiteViewStore(path, SCHEMA)
    try:
        views.execute(
            [Statement("INSERT INTO notes (body) VALUES (?)", (bytes(3000),)) for _ in range(50)]
        )
        frames, _ = log_state(path)
        assert frames > 0
        # No other write and no command: the checkpointer's thread copies it.
        wait_until(lambda: log_state(path)[1] == log_state(path)[0])
        thread = views.checkpointer._thread
        assert thread is not None and thread.is_alive()
    finally:
        views.close()
    assert not thread.is_alive()  # closing the store ends its thread


class BusyOnce:
    """A connection whose first truncating checkpoint finds another one running (SQLite then
    answers busy and does nothing)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.answered_busy = False

    def execute(self, sql: str, *args: Any) -> Any:
        if "TRUNCATE" in sql and not self.answered_busy:
            self.answered_busy = True
            return self._connection.execute("SELECT 1, -1, -1")
        return self._connection.execute(sql, *args)

    def close(self) -> None:
        self._connection.close()


def test_the_erasure_s_truncating_checkpoint_is_asked_again_when_another_one_runs(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_dir / "vistas.sqlite"
    views = SQLiteViewStore(path, SCHEMA)
    try:
        views.execute([Statement("INSERT INTO notes (body) VALUES (?)", (bytes(3000),))])
        connections: list[BusyOnce] = []
        connect = sqlite3.connect

        def busy_once(*args: Any, **kwargs: Any) -> BusyOnce:
            connections.append(BusyOnce(connect(*args, **kwargs)))
            return connections[-1]

        monkeypatch.setattr("projections.storage.sqlite3.connect", busy_once)
        views.purge_freed_pages()
        monkeypatch.undo()
        assert connections and connections[0].answered_busy
        assert Path(f"{path}-wal").stat().st_size == 0  # emptied all the same
    finally:
        views.close()


def test_each_erasure_s_checkpoint_empties_the_log_through_one_kept_connection(
    data_dir: Path,
) -> None:
    """A new connection flushes the folder the first time it flushes the log: the purge
    keeps its own, so an approval pays that once per process, not once per erasure."""
    path = data_dir / "vistas.sqlite"
    views = SQLiteViewStore(path, SCHEMA)
    try:
        purgers = []
        for number in range(2):
            views.execute([Statement("INSERT INTO notes VALUES (?, ?)", (number, b"x" * 900))])
            views.purge_freed_pages()
            assert Path(f"{path}-wal").stat().st_size == 0
            purgers.append(views._purger)
        assert purgers[0] is not None and purgers[0] is purgers[1]
    finally:
        views.close()
    assert views._purger is None


def test_a_rebuild_s_batches_leave_their_log_to_one_checkpoint_at_the_end(
    data_dir: Path,
) -> None:
    """In ``bulk()`` (a rebuild) SQLite copies the log into the file only past
    ``BULK_AUTOCHECKPOINT_PAGES``, not after every batch; leaving it empties the log, and the
    next batch of a terminal has the ordinary limit back."""
    path = data_dir / "vistas.sqlite"
    views = SQLiteViewStore(path, SCHEMA)

    def limit() -> int:
        rows = views.query("PRAGMA wal_autocheckpoint")
        return int(rows[0][0])

    def batch(at: int) -> None:
        notes = [Statement("INSERT INTO notes (body) VALUES (?)", (bytes(3000),))] * 400
        views.apply(notes, "prueba", at, at + 1)

    try:
        with views.bulk():
            batch(0)
            batch(1)  # 800 pages of 4 KiB and more: past the ordinary limit of 1,000
            batch(2)
            assert limit() == BULK_AUTOCHECKPOINT_PAGES
            frames, copied = log_state(path)
            assert frames > 1000 and copied == 0, "no copy into the file while rebuilding"
        assert Path(f"{path}-wal").stat().st_size == 0
        batch(3)
        assert limit() == 1000
    finally:
        views.close()


def test_writes_while_a_copy_is_pending_wake_it_once_and_are_all_copied(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long delay, so that every write below lands while the first one's copy is pending.
    monkeypatch.setattr(storage, "CHECKPOINT_DELAY_S", 0.5)
    path = data_dir / "vistas.sqlite"
    views = SQLiteViewStore(path, SCHEMA)
    wakes: list[None] = []
    wake = views.checkpointer._wake
    set_flag = wake.set
    monkeypatch.setattr(wake, "set", lambda: (wakes.append(None), set_flag())[1])
    try:
        for _ in range(5):
            views.execute([Statement("INSERT INTO notes (body) VALUES (?)", (bytes(3000),))])
        assert len(wakes) == 1  # the flag was already up for the four after the first
        frames, _ = log_state(path)
        wait_until(lambda: log_state(path)[1] == log_state(path)[0] >= frames)
    finally:
        views.close()
