"""A rebuild SIGKILLed in the middle of a batch and run again ends with the views it would have
built uninterrupted (every case view, the read side and the audit chain), the chain intact,
on both backends. It resumes where the killed one left the views, not from zero."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.integration.test_projections import populate
from tests.reliability.test_killed_writer import _views
from tests.support.factories import PASSWORD, initialized, make_institute
from violeta.service import open_view_store
from violeta.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BATCH = 6

# Small batches, each held open a moment after its statements ran and before it commits, so
# the kill lands inside a transaction of the rebuild.
SLOW_REBUILD = textwrap.dedent(
    f"""
    import json, sys, time
    import projections.runner as runner
    import projections.storage as storage
    from tests.support.factories import PASSWORD, make_institute
    from violeta.settings import Settings

    runner.REBUILD_BATCH_SIZE = {BATCH}
    original = storage._apply

    def slow_apply(cursor, *args, **kwargs):
        original(cursor, *args, **kwargs)
        print("lote", flush=True)
        time.sleep(0.3)

    storage._apply = slow_apply
    settings = Settings.model_validate(json.loads(sys.stdin.read()))
    session = make_institute(settings).login("coordinacion", PASSWORD)
    session.rebuild_views()
    print("terminado", flush=True)
    """
)


def _position(settings: Settings, name: str) -> int:
    views = open_view_store(settings)
    try:
        return views.max_tracking_id(name) or 0
    finally:
        views.close()


def test_a_rebuild_killed_midway_and_run_again_gives_the_views_of_an_uninterrupted_one(
    settings: Settings,
) -> None:
    with initialized(settings) as (_, coordinator):
        for _ in range(3):
            populate(coordinator)
        coordinator.rebuild_views()  # every table, read side included, as a rebuild leaves it
        name = coordinator._projector.name
        total = coordinator._store.recorder.max_notification_id() or 0
    expected = _views(settings)
    assert total > 8 * BATCH

    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIOLETA_")}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_REBUILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=ROOT,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(settings.model_dump(mode="json")))
    process.stdin.close()
    for _ in range(5):  # a few batches commit (case views and read side), then kill in one
        assert process.stdout.readline().strip() == "lote"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    stopped_at = _position(settings, name)
    assert 0 < stopped_at < total, "the kill must land while batches remain"
    assert _views(settings) != expected  # the killed rebuild had reset them

    session = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        # Logging in catches the views up as any terminal would (it may finish the work);
        # the rebuild run again goes on from there: nothing applied twice, nothing again
        # from zero.
        after_login = session._projector.position
        assert after_login >= stopped_at
        resumed = session.rebuild_views()
        assert session._projector.verify().intact
    finally:
        session.close()
    assert resumed == total - after_login
    assert _views(settings) == expected
    assert _position(settings, name) == total
