"""A projector of the statistics store alone, for a process that holds the institution key and
nothing else (the machine that serves the public API, for instance): it decrypts the event
store's outer cipher, reads categories, dates and ids, and never needs the master key, a role
key or any woman's key, because nothing it reads is sealed.

Wiring for the command line (not done here): ``violeta estadisticas proyectar`` reading the
institution key from a protected file or the service secret, then ``catch_up`` on a timer.
"""

from __future__ import annotations

from pathlib import Path

from projections.audit_chain import AUDIT_SCHEMA
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


def project_statistics(settings: Settings, institution_key: bytes, target: Path) -> int:
    """Brings the statistics file up to the event store; returns how many events it applied."""
    projector = open_statistics_projector(settings, institution_key, target)
    try:
        return projector.catch_up()
    finally:
        projector.views.close()
        projector.application.close()
