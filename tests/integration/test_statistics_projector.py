"""The statistics store can be projected by a process that holds the institution key and
nothing else: no master key, no role key, no woman's key, not even the code that opens them."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import suppress
from pathlib import Path

from domain.errors import DomainError
from projections.stats_tables import COUNT_TABLES
from tests.integration.test_statistics_store import make_world, step, view_tables
from tests.support.factories import a_client
from violeta.dto import NewActivity
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

HISTORY = [(0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (2, 0), (3, 1), (4, 2), (5, 1), (6, 0)]
HISTORY += [(7, 1), (8, 0), (9, 0), (10, 1), (11, 2), (12, 1), (14, 0), (15, 2)]

# Run in a fresh interpreter that cannot import the key package at all.
PROJECT = textwrap.dedent(
    """
    import base64, importlib.abc, json, sys
    from pathlib import Path

    class KeysOutOfReach(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "keys" or name.startswith("keys."):
                raise ImportError("no key code in the statistics projector")
            return None

    sys.meta_path.insert(0, KeysOutOfReach())
    from violeta.settings import Settings
    from violeta.statistics_projector import project_statistics

    data = json.loads(sys.stdin.read())
    settings = Settings.model_validate(data["settings"])
    applied = project_statistics(settings, base64.b64decode(data["key"]), Path(data["target"]))
    loaded = sorted(m for m in sys.modules if m == "keys" or m.startswith("keys."))
    print(json.dumps({"applied": applied, "keys_modules": loaded}))
    """
)


def run_projector(settings: Settings, key: bytes, target: Path) -> subprocess.CompletedProcess[str]:
    payload = json.dumps(
        {
            "settings": settings.model_dump(mode="json"),
            "key": base64.b64encode(key).decode("ascii"),
            "target": str(target),
        }
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIOLETA_")}
    return subprocess.run(
        [sys.executable, "-c", PROJECT],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )


def standalone_tables(target: Path) -> dict[str, dict[tuple[str, ...], int]]:
    connection = sqlite3.connect(target)
    connection.row_factory = sqlite3.Row
    try:
        tables = {}
        for table in COUNT_TABLES:
            rows = connection.execute(f"SELECT * FROM {table.name}").fetchall()
            tables[table.name] = {
                tuple(str(row[c]) for c in table.columns): int(row[table.count]) for row in rows
            }
        windows = connection.execute("SELECT * FROM stats_women_12m WHERE women > 0").fetchall()
        tables["stats_women_12m"] = {(r["last_month"], r["zone"]): int(r["women"]) for r in windows}
        activities = connection.execute("SELECT * FROM stats_activities").fetchall()
        tables["stats_activities"] = {
            (r["month"], r["zone"], r["kind"]): (r["activities"], r["attendees"])
            for r in activities
        }
        return tables
    finally:
        connection.close()


def test_the_statistics_projector_needs_the_institution_key_only(
    institute: Institute, coordinator: StaffSession, settings: Settings, tmp_path: Path
) -> None:
    world = make_world(institute, coordinator)
    for kind, n in HISTORY:
        with suppress(DomainError):
            step(world, kind, n)
    coordinator.record_activity(
        NewActivity("05/11/2026", "taller", "Autoestima", "110110001", {"18-29": "7"})
    )
    expected: dict[str, object] = {k: dict(v) for k, v in view_tables(coordinator).items()}
    expected["stats_activities"] = {
        (r["month"], r["zone"], r["kind"]): (r["activities"], r["attendees"])
        for r in coordinator._views.query("SELECT * FROM stats_activities")
    }
    assert sum(1 for t in COUNT_TABLES if expected[t.name]) >= 9  # a history worth comparing
    key = bytes(coordinator._keyring.institution_key)

    # On SQLite the key store is a file: take it away while the projector runs.
    keys_file = settings.keys_path
    hidden = keys_file.with_name("llaves-fuera.sqlite")
    if settings.backend == "sqlite":
        keys_file.rename(hidden)
    try:
        target = tmp_path / "estadisticas.sqlite"
        result = run_projector(settings, key, target)
    finally:
        if settings.backend == "sqlite":
            hidden.rename(keys_file)

    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["keys_modules"] == []
    assert outcome["applied"] == coordinator._store.recorder.max_notification_id()
    assert standalone_tables(target) == expected
    # The statistics file holds no table of personal data.
    connection = sqlite3.connect(target)
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    assert not names & {"clients_view", "search_index", "cases_view", "access_log"}


def test_a_wrong_institution_key_opens_nothing(
    coordinator: StaffSession, settings: Settings, tmp_path: Path
) -> None:
    coordinator.register_client(a_client())
    target = tmp_path / "estadisticas.sqlite"
    result = run_projector(settings, bytes(32), target)
    assert result.returncode != 0
    assert all(not cells for cells in standalone_tables(target).values())
