"""A writer process SIGKILLed at random points while recording: every command that returned
is present, none is half-applied, and the views converge to a rebuild (SQLite).

``VIOLETA_KILLS`` sets how many kills (default 10, to stay within about a minute here; the
issue's drill is 50)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from uuid import UUID

from tests.support.factories import PASSWORD, initialized, make_institute
from violeta.auditing import verify_chain
from violeta.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("VIOLETA_KILLS", "10"))
STARTUP_TIMEOUT_SECONDS = 60


def _views(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(path)) as connection:
        names = [
            str(row[0])
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(connection.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in names
            if name != "tracking"
        }


def _run_and_kill(data: Path, log: Path, seed: int, rng: random.Random) -> None:
    before = log.read_text(encoding="utf-8").count("listo") if log.exists() else 0
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.writer", str(data), str(log), str(seed)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not (log.exists() and log.read_text(encoding="utf-8").count("listo") > before):
            if writer.poll() is not None:
                raise AssertionError(writer.stderr.read().decode() if writer.stderr else "")
            assert time.monotonic() < deadline, "el proceso de escritura no arrancó"
            time.sleep(0.02)
        time.sleep(rng.uniform(0.05, 0.6))  # somewhere inside a command
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if writer.stderr:
            writer.stderr.close()


def test_a_writer_killed_at_random_points_loses_nothing_it_returned(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "datos")
    with initialized(settings):
        pass
    log = tmp_path / "devueltos.txt"
    rng = random.Random(2026)
    for kill in range(KILLS):
        _run_and_kill(settings.data, log, seed=kill, rng=rng)

    lines = log.read_text(encoding="utf-8").splitlines()
    clients = [UUID(line.split()[1]) for line in lines if line.startswith("cliente ")]
    cases = [line.split()[1:] for line in lines if line.startswith("expediente ")]
    assert len(clients) >= KILLS, "los procesos no alcanzaron a registrar nada"

    session = make_institute(settings).login("coordinacion", PASSWORD)  # catches up
    try:
        assert verify_chain(settings).intact
        # Every command that returned is there, whole.
        for client_id in clients:
            assert session.client_detail(client_id).name
        folios = []
        for owner, case_id, folio in cases:
            detail = session.case_detail(UUID(case_id))
            assert detail.folio == folio
            assert detail.client_id == UUID(owner)
            folios.append(folio)
        # No case without its folio, no folio given twice, none half-applied in the views.
        with closing(sqlite3.connect(settings.views_path)) as views:
            stored = [row[0] for row in views.execute("SELECT folio FROM cases_view")]
        assert len(stored) == len(set(stored))
        assert set(folios) <= set(stored)
        session.refresh()  # this session's own reads, chained and projected
        converged = _views(settings.views_path)
        session.rebuild_views()
        rebuilt = _views(settings.views_path)
    finally:
        session.close()
    assert rebuilt.keys() == converged.keys()
    for table, rows in converged.items():
        assert rebuilt[table] == rows, table
