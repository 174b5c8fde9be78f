"""A follower keeps the statistics store caught up with what another connection writes, woken
by LISTEN/NOTIFY on PostgreSQL and by PRAGMA data_version on SQLite, on both backends. (How
fast is measured in bench/catch_up.py, not asserted here.)"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from tests.support.factories import a_client, an_intake
from violeta.service import StaffSession
from violeta.settings import Settings
from violeta.statistics_projector import follow_statistics

PATIENCE_SECONDS = 20.0


def cases_in(target: Path) -> int:
    if not target.exists():
        return -1
    connection = sqlite3.connect(target)
    try:
        row = connection.execute("SELECT COALESCE(SUM(cases), 0) FROM stats_cases").fetchone()
        return int(row[0])
    except sqlite3.OperationalError:  # tables not created yet
        return -1
    finally:
        connection.close()


def wait_for(condition: object, patience: float = PATIENCE_SECONDS) -> bool:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_the_follower_sees_every_new_case_without_being_asked(
    coordinator: StaffSession, settings: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "estadisticas.sqlite"
    key = bytes(coordinator._keyring.institution_key)
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            follow_statistics(settings, key, target, stop)
        except BaseException as error:  # reported by the test below
            errors.append(error)

    follower = threading.Thread(target=run, daemon=True)
    follower.start()
    try:
        assert wait_for(lambda: cases_in(target) == 0)
        for number, name in enumerate(["Ana", "Berta", "Carla"], start=1):
            client_id = coordinator.register_client(
                a_client(f"{name} Prueba Sintética", registered_on="01/10/2026"),
                confirm_not_duplicate=True,
            )
            coordinator.open_case(client_id, an_intake(opened_on="01/10/2026"))
            assert wait_for(lambda n=number: cases_in(target) == n), f"case {number} not seen"
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not follower.is_alive()
    assert errors == []
