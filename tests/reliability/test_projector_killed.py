"""Exactly-once when the projecting process is killed (SIGKILL) in the middle of a batch and
started again: the statistics store ends equal to the main views and to a recount, on both
backends of the event store."""

from __future__ import annotations

import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import suppress
from pathlib import Path

import pytest

from domain.errors import DomainError
from tests.integration.test_statistics_projector import standalone_tables
from tests.integration.test_statistics_store import make_world, step, view_tables
from tests.support.factories import initialized
from violeta.settings import Settings
from violeta.statistics_projector import project_statistics

# Small batches, each held open a moment after its statements ran and before it commits, so
# the kill lands inside a transaction.
SLOW_PROJECTOR = textwrap.dedent(
    """
    import base64, json, sys, time
    from pathlib import Path
    import projections.runner as runner
    import projections.storage as storage
    from violeta.settings import Settings
    from violeta.statistics_projector import project_statistics

    runner.BATCH_SIZE = 4
    original = storage._apply

    def slow_apply(cursor, *args, **kwargs):
        original(cursor, *args, **kwargs)
        print("lote", flush=True)
        time.sleep(0.2)

    storage._apply = slow_apply
    data = json.loads(sys.stdin.read())
    project_statistics(
        Settings.model_validate(data["settings"]),
        base64.b64decode(data["key"]),
        Path(data["target"]),
    )
    """
)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    data = tmp_path / "datos"
    data.mkdir()
    if request.param == "sqlite":
        return Settings(data=data, backend="sqlite")
    target = request.getfixturevalue("postgres_target")
    return Settings(
        data=data, backend="postgres", postgres=target.conninfo, postgres_schema=target.schema
    )


def test_a_projector_killed_mid_batch_resumes_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    with initialized(settings) as (institute, coordinator):
        world = make_world(institute, coordinator)
        for number in range(40):
            with suppress(DomainError):
                step(world, number % 16 if number % 3 else 0, number * 7)
        expected = {name: dict(cells) for name, cells in view_tables(coordinator).items()}
        key = bytes(coordinator._keyring.institution_key)
        total = coordinator._store.recorder.max_notification_id()

    target = tmp_path / "estadisticas.sqlite"
    payload = json.dumps(
        {
            "settings": settings.model_dump(mode="json"),
            "key": base64.b64encode(key).decode("ascii"),
            "target": str(target),
        }
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIOLETA_")}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_PROJECTOR],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(payload)
    process.stdin.close()
    for _ in range(3):  # let a few batches commit, then kill inside the next one
        assert process.stdout.readline().strip() == "lote"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    connection = sqlite3.connect(target)
    try:
        [(position,)] = connection.execute(
            "SELECT notification_id FROM tracking WHERE application_name = 'Violeta'"
        ).fetchall()
    finally:
        connection.close()
    assert 0 < position < total, "the kill must land while batches remain"
    assert position % 4 == 0  # only whole batches were committed
    applied = project_statistics(settings, key, target)
    assert applied == total - position
    tables = standalone_tables(target)
    tables.pop("stats_activities")
    assert tables == expected
    assert project_statistics(settings, key, target) == 0  # nothing applied twice
