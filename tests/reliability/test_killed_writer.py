"""A writer process SIGKILLed at random points while recording: every command that returned
is present, none is half-applied, and the views converge to a rebuild (both backends).

``VIOLETA_KILLS`` sets how many kills (default 50, the issue's drill). Each terminal is forked
from one process that imported everything (tests/reliability/writer.py ``--serve``), so a kill
costs the terminal's login and work, not Python's start-up."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from projections.audit_chain import AUDIT_SCHEMA
from projections.views import SCHEMA
from tests.support.factories import PASSWORD, initialized, make_institute
from violeta.auditing import verify_chain
from violeta.service import open_view_store
from violeta.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("VIOLETA_KILLS", "50"))
STARTUP_TIMEOUT_SECONDS = 60


def _views(settings: Settings) -> dict[str, list[str]]:
    """Every view table's rows (tracking aside), in a comparable form, on either backend."""
    tables = [
        match.group(1)
        for statement in (*SCHEMA, *AUDIT_SCHEMA)
        if (match := re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", statement))
    ]
    views = open_view_store(settings)
    try:
        return {
            table: sorted(
                repr(sorted(dict(row).items())) for row in views.query(f"SELECT * FROM {table}")
            )
            for table in tables
        }
    finally:
        views.close()


class WriterServer:
    """One process that has imported everything and forks a terminal per kill."""

    def __init__(self, data: Path, log: Path, environment: dict[str, str]) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.writer", "--serve", str(data), str(log)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ | environment,
            text=True,
        )

    def run_and_kill(self, seed: int, rng: random.Random) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        before = self.log.read_text(encoding="utf-8").count("listo") if self.log.exists() else 0
        stdin.write(f"{seed}\n")
        stdin.flush()
        pid = int(stdout.readline())
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
            while not (
                self.log.exists() and self.log.read_text(encoding="utf-8").count("listo") > before
            ):
                assert self.process.poll() is None, self._error()
                assert time.monotonic() < deadline, "el proceso de escritura no arrancó"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.02, 0.4))  # somewhere inside a command
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert stdout.readline().strip() == "fin", self._error()

    def _error(self) -> str:
        return self.process.stderr.read() if self.process.stderr else ""

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


@pytest.fixture
def writer_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "sqlite":
        return Settings(data=tmp_path / "datos", backend="sqlite")
    target = request.getfixturevalue("postgres_target")
    return Settings(
        data=tmp_path / "datos",
        backend="postgres",
        postgres=target.conninfo,
        postgres_schema=target.schema,
    )


def test_a_writer_killed_at_random_points_loses_nothing_it_returned(
    writer_settings: Settings, tmp_path: Path
) -> None:
    settings = writer_settings
    with initialized(settings):
        pass
    environment = {
        "VIOLETA_BACKEND": settings.backend,
        "VIOLETA_POSTGRES": settings.postgres,
        "VIOLETA_POSTGRES_SCHEMA": settings.postgres_schema,
    }
    log = tmp_path / "devueltos.txt"
    rng = random.Random(2026)
    server = WriterServer(settings.data, log, environment)
    try:
        for kill in range(KILLS):
            server.run_and_kill(seed=kill, rng=rng)
    finally:
        server.close()

    lines = log.read_text(encoding="utf-8").splitlines()
    clients = [
        UUID(line.split()[1])
        for line in lines
        if line.startswith("cliente ") and len(line) == len("cliente ") + 36  # whole
    ]
    # A kill inside the write of a line leaves it cut short (seen once in CI: «expediente
    # <id>» and no case): that command returned, but its record did not reach the log.
    cases = [
        line.split()[1:]
        for line in lines
        if line.startswith("expediente ") and len(line.split()) == 4
    ]
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
        views = open_view_store(settings)
        try:
            stored = [str(row["folio"]) for row in views.query("SELECT folio FROM cases_view")]
        finally:
            views.close()
        assert len(stored) == len(set(stored))
        assert set(folios) <= set(stored)
        # This session's own reads chained and projected, and the read side (statistics,
        # trail facts: the killed writers never logged out) caught up as a report would.
        session._refresh_read_side()
        converged = _views(settings)
        session.rebuild_views()
        rebuilt = _views(settings)
    finally:
        session.close()
    assert rebuilt.keys() == converged.keys()
    for table, rows in converged.items():
        assert rebuilt[table] == rows, table
