"""Views are exactly-once and rebuildable from the event store, on both backends."""

from __future__ import annotations

import pytest

from projections.storage import StaleBatch, Statement
from tests.support.factories import TIERRA_FRIA, a_client, an_intake
from violeta.service import StaffSession

TABLES = ("clients_view", "cases_view", "search_index", "stats_cases", "zones_view", "staff_view")


def snapshot(session: StaffSession) -> dict[str, list[tuple[object, ...]]]:
    session._refresh_read_side()  # stats_cases is the read side's
    return {
        table: sorted(
            tuple(row[key] for key in row.keys())  # noqa: SIM118 - sqlite3.Row is no mapping
            for row in session._views.query(f"SELECT * FROM {table}")
        )
        for table in TABLES
    }


def populate(session: StaffSession) -> None:
    for index in range(4):
        client_id = session.register_client(
            a_client(zone=TIERRA_FRIA if index % 2 else "110110001", registered_on="01/01/2026"),
            confirm_not_duplicate=True,
        )
        session.open_case(client_id, an_intake(opened_on=f"0{index + 1}/0{index + 1}/2026"))


def test_rebuilding_from_zero_gives_the_same_views(coordinator: StaffSession) -> None:
    populate(coordinator)
    before = snapshot(coordinator)
    progress: list[tuple[int, int]] = []
    applied = coordinator.rebuild_views(lambda done, total: progress.append((done, total)))
    assert applied == coordinator._store.recorder.max_notification_id()
    assert progress[-1][0] == progress[-1][1]
    assert snapshot(coordinator) == before


def test_statistics_count_cases_by_month_and_zone(coordinator: StaffSession) -> None:
    populate(coordinator)
    assert coordinator.case_counts() == {
        ("2026-01", "110110001"): 1,
        ("2026-02", TIERRA_FRIA): 1,
        ("2026-03", "110110001"): 1,
        ("2026-04", TIERRA_FRIA): 1,
    }


def test_a_batch_already_applied_is_refused_and_changes_nothing(coordinator: StaffSession) -> None:
    populate(coordinator)
    before = snapshot(coordinator)
    position = coordinator._projector.position
    with pytest.raises(StaleBatch):
        coordinator._views.apply(
            [Statement("UPDATE stats_cases SET cases = cases + 100")],
            coordinator._store.name,
            after=position - 1,
            last=position,
        )
    assert snapshot(coordinator) == before


def test_catching_up_twice_applies_nothing_twice(coordinator: StaffSession) -> None:
    populate(coordinator)
    before = snapshot(coordinator)
    assert coordinator._projector.catch_up() == 0
    assert snapshot(coordinator) == before
