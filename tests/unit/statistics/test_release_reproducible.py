"""The same views give the same release in every process: the cells hidden, and so every
published figure, do not depend on Python's hash seed (an auditor re-running a release, or a
rebuilt store, must get what was published)."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from projections.views import SCHEMA

# Run in a child process per hash seed: the frozen release's whole body, as JSON.
PUBLISH = """
import json, sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from projections.releases import ReleaseStore, publish_due
from projections.statistics import SQLiteReader
path = Path(sys.argv[1])
release = publish_due(
    SQLiteReader(path), ReleaseStore(path=path), date(2026, 1, 20),
    published_at=datetime(2026, 1, 20, 9, 0, tzinfo=ZoneInfo("America/Mexico_City")),
)
print(json.dumps(release.body, sort_keys=True, ensure_ascii=False))
"""


def _write_store(path: Path) -> None:
    """Three synthetic years of attentions by area and kind: many equally cheap complements."""
    rng = random.Random(2026)
    connection = sqlite3.connect(path)
    for statement in SCHEMA:
        connection.execute(statement)
    connection.execute("INSERT INTO zones_view VALUES ('110110001', 'Zona 1', 'U', 1000)")
    kinds = [
        ("juridica", "asesoria"),
        ("psicologica", "sesion"),
        ("trabajo_social", "gestion"),
        ("trabajo_social", "visita"),
    ]
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            key = f"{year}-{month:02d}"
            connection.execute("INSERT INTO stats_cases VALUES (?, '110110001', 20)", (key,))
            connection.executemany(
                "INSERT INTO stats_attentions VALUES (?, ?, ?, ?)",
                [(key, area, kind, rng.randint(1, 40)) for area, kind in kinds],
            )
    connection.commit()
    connection.close()


def _published(store: Path, seed: str, folder: Path) -> str:
    copy = folder / f"vistas-{seed}.sqlite"
    shutil.copy(store, copy)
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(copy)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=True,
    )
    return done.stdout


def test_two_processes_with_different_hash_seeds_publish_the_same_release(
    tmp_path: Path,
) -> None:
    store = tmp_path / "vistas.sqlite"
    _write_store(store)
    first, *others = (_published(store, seed, tmp_path) for seed in ("1", "2", "3"))
    assert '"celdas_suprimidas"' in first
    assert all(other == first for other in others)
