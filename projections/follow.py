"""Keeping a view store caught up with what other processes write, without waiting for a read.

On PostgreSQL the library's subscription wakes on LISTEN/NOTIFY (every write notifies its
channel), so a new event reaches the views within milliseconds. On SQLite there is no such
signal between processes; the cheapest sound one is ``PRAGMA data_version``, which moves when
any other connection commits: it is asked every ``poll_seconds`` (a read of one page header)
and the projector only runs when it moved. Either way the projector applies whole batches
exactly once, so a follower can run beside sessions that project their own writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections.runner import Projector

POLL_SECONDS = 0.1


def follow(
    projector: Projector,
    stop: threading.Event,
    *,
    poll_seconds: float = POLL_SECONDS,
    on_applied: Callable[[int], None] | None = None,
) -> None:
    """Catches up now and then whenever the event store changes, until ``stop`` is set.

    A projector bounded by another (the read side never runs ahead of the case views) may
    have been woken before the case views reached what woke it: while it is held back, it
    looks again every ``poll_seconds`` (the case views move without the event store
    changing)."""

    def catch_up() -> None:
        applied = projector.catch_up()
        if applied and on_applied is not None:
            on_applied(applied)

    wake = threading.Event()
    catch_up()
    recorder = projector.application.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        watcher = threading.Thread(
            target=_watch_postgres, args=(projector, recorder, stop, wake), daemon=True
        )
    elif isinstance(recorder, SQLiteApplicationRecorder):
        watcher = threading.Thread(
            target=_watch_sqlite, args=(recorder, stop, poll_seconds, wake), daemon=True
        )
    else:
        watcher = threading.Thread(target=_tick, args=(stop, poll_seconds, wake), daemon=True)
    watcher.start()
    try:
        while not stop.is_set():
            woken = wake.wait(poll_seconds)
            if stop.is_set():
                break
            if woken or projector.held_back():
                wake.clear()
                catch_up()
    finally:
        stop.set()
        watcher.join()


def _tick(stop: threading.Event, poll_seconds: float, wake: threading.Event) -> None:
    while not stop.wait(poll_seconds):
        wake.set()


def _watch_postgres(
    projector: Projector,
    recorder: PostgresApplicationRecorder,
    stop: threading.Event,
    wake: threading.Event,
) -> None:
    with recorder.subscribe(gt=projector.position) as subscription:

        def stop_when_asked() -> None:
            stop.wait()
            subscription.stop()

        stopper = threading.Thread(target=stop_when_asked, daemon=True)
        stopper.start()
        for _notification in subscription:
            if stop.is_set():
                break
            wake.set()  # the main loop reads everything that arrived since, in whole batches
        stopper.join()


def _watch_sqlite(
    recorder: SQLiteApplicationRecorder,
    stop: threading.Event,
    poll_seconds: float,
    wake: threading.Event,
) -> None:
    # A connection of its own: data_version answers per connection.
    path = Path(recorder.datastore.pool.db_name).resolve()
    watch = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        seen = watch.execute("PRAGMA data_version").fetchone()[0]
        while not stop.wait(poll_seconds):
            version = watch.execute("PRAGMA data_version").fetchone()[0]
            if version != seen:
                seen = version
                wake.set()
    finally:
        watch.close()
