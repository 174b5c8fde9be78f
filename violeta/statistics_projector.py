"""A projector of the statistics store alone, for a process that holds the institution key and
nothing else (the machine that serves the public API, for instance): it decrypts the event
store's outer cipher, reads categories, dates and ids, and never needs the master key, a role
key or any woman's key, because nothing it reads is sealed.

Wiring for the command line (not done here): ``violeta estadisticas seguir`` reading the
institution key from a protected file or the service secret, then ``follow_statistics``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from projections.audit_chain import AUDIT_SCHEMA
from projections.follow import follow
from projections.read_side import ReadSideProjection, read_side_name
from projections.runner import Projector
from projections.stats_tables import STANDALONE_SCHEMA, StandaloneStatisticsProjection
from projections.storage import SQLiteViewStore
from violeta.settings import Settings
from violeta.store import CaseStore, store_environment

STATISTICS_FILENAME = "estadisticas.sqlite"


def open_statistics_projector(
    settings: Settings, institution_key: bytes, target: Path
) -> Projector:
    """The event store of ``settings`` projected into a statistics-only SQLite file."""
    store = CaseStore(env=store_environment(settings, institution_key))
    views = SQLiteViewStore(target, (*STANDALONE_SCHEMA, *AUDIT_SCHEMA))
    return Projector(store, views, StandaloneStatisticsProjection())


def follow_statistics(
    settings: Settings, institution_key: bytes, target: Path, stop: threading.Event
) -> None:
    """Keeps the statistics file caught up with every process's writes until ``stop`` is set
    (LISTEN/NOTIFY on PostgreSQL, ``PRAGMA data_version`` on SQLite)."""
    projector = open_statistics_projector(settings, institution_key, target)
    try:
        follow(projector, stop)
    finally:
        projector.views.close()
        projector.application.close()


def project_statistics(settings: Settings, institution_key: bytes, target: Path) -> int:
    """Brings the statistics file up to the event store; returns how many events it applied."""
    projector = open_statistics_projector(settings, institution_key, target)
    try:
        return projector.catch_up()
    finally:
        projector.views.close()
        projector.application.close()


def open_read_side_projector(settings: Settings, institution_key: bytes) -> Projector:
    """The read side of this institute's own views (statistics, audit-trail facts, alerts),
    never ahead of its case views: what a follower process holding the institution key runs
    beside the terminals, so that reports and ``violeta publish`` find it current."""
    from violeta.service import open_view_store

    store = CaseStore(env=store_environment(settings, institution_key))
    views = open_view_store(settings)
    return Projector(
        store,
        views,
        ReadSideProjection(),
        name=read_side_name(store.name),
        chain=False,
        ceiling=lambda: views.max_tracking_id(store.name) or 0,
    )


def follow_read_side(settings: Settings, institution_key: bytes, stop: threading.Event) -> None:
    """Keeps the read side of the views caught up until ``stop`` is set."""
    projector = open_read_side_projector(settings, institution_key)
    try:
        follow(projector, stop)
    finally:
        projector.views.close()
        projector.application.close()
