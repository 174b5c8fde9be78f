"""The anomaly sweep (coordinación's Mi día runs one) reads what was done since the last
sweep and, of what it swept before, only the window of a person whose new reads could raise
an alert: never the others' accesses, and none of hers within a window of her last alert.
On the parent it read every read of everyone in the hour before (the benchmarks' institutes
are built within that hour: at 2,000 cases on PostgreSQL coordinación's Mi día took 1.7
times as long as at 200). Both backends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest

from domain.alerts import AlertRule, AnomalyWatch
from domain.vocabulary import Role
from tests.integration.test_alerts import ALWAYS_OPEN, mine, women
from tests.support.factories import staff
from violeta.service import Institute, StaffSession
from violeta.store import WATCH_SNAPSHOT_INTERVAL, CaseStore, replay


@pytest.fixture(autouse=True)
def bursts_of_more_than_three(institute: Institute) -> None:
    institute.settings.alerts = ALWAYS_OPEN.model_copy(update={"many_women": 3})


@contextmanager
def swept_rows(coordinator: StaffSession) -> Iterator[list[Any]]:
    """Every row of the access facts the coordinator's queries return meanwhile."""
    rows: list[Any] = []
    views = coordinator._views
    query = views.query

    def recording(sql: str, params: Sequence[Any] = ()) -> Any:
        found = query(sql, params)
        if "FROM access_facts f" in sql:
            rows.extend(found)
        return found

    views.query = recording  # type: ignore[method-assign]
    try:
        yield rows
    finally:
        views.query = query  # type: ignore[method-assign]


def swept_through(coordinator: StaffSession) -> int:
    """Where the last sweep stopped: every access projected when it ran."""
    return int(coordinator._views.query("SELECT MAX(seq) AS n FROM access_facts")[0]["n"])


def test_a_sweep_reads_no_earlier_access_of_someone_else(
    institute: Institute, coordinator: StaffSession
) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    ids = women(coordinator, 4)
    for client_id in ids[:3]:
        receptionist.client_detail(client_id)  # three: no burst yet
    assert coordinator.alerts() == []
    through = swept_through(coordinator)
    social.client_detail(ids[3])
    with swept_rows(coordinator) as rows:
        coordinator.alerts()
    earlier = [row for row in rows if int(row["seq"]) <= through]
    staff_ids = {row["staff_id"] for row in earlier}
    assert str(receptionist.identity.staff_id) not in staff_ids
    assert any(row["staff_id"] == str(social.identity.staff_id) for row in rows)
    receptionist.close()
    social.close()


def test_within_a_window_of_her_last_alert_her_reads_are_not_read_again(
    institute: Institute, coordinator: StaffSession
) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    ids = women(coordinator, 5)
    for client_id in ids[:4]:
        receptionist.client_detail(client_id)  # the 4th crosses the threshold
    [burst] = mine(coordinator.alerts(), AlertRule.MANY_WOMEN, receptionist)
    through = swept_through(coordinator)
    receptionist.client_detail(ids[4])  # the same burst: it raises nothing more
    with swept_rows(coordinator) as rows:
        after = mine(coordinator.alerts(), AlertRule.MANY_WOMEN, receptionist)
    assert [alert.alert_id for alert in after] == [burst.alert_id]
    assert rows and [row for row in rows if int(row["seq"]) <= through] == []
    receptionist.close()


def test_a_burst_across_sweeps_still_counts_her_earlier_reads(
    institute: Institute, coordinator: StaffSession
) -> None:
    """The context the sweep still reads: her window before her first new read."""
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    ids: list[UUID] = women(coordinator, 4)
    for client_id in ids[:2]:
        receptionist.client_detail(client_id)
    assert coordinator.alerts() == []
    receptionist.client_detail(ids[2])
    assert coordinator.alerts() == []
    receptionist.client_detail(ids[3])
    [alert] = mine(coordinator.alerts(), AlertRule.MANY_WOMEN, receptionist)
    assert (alert.women, alert.accesses) == (4, 4)
    receptionist.close()


def test_the_watch_loads_from_a_snapshot_not_from_every_sweep_ever(
    institute: Institute, coordinator: StaffSession
) -> None:
    """Each sweep that finds new accesses is one more event of the watch, which every sweep
    loads first: a snapshot every WATCH_SNAPSHOT_INTERVAL keeps that load bounded."""
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    (client_id,) = women(coordinator, 1)
    for _ in range(WATCH_SNAPSHOT_INTERVAL + 2):
        receptionist.client_detail(client_id)
        coordinator.sweep_anomalies()
    store: CaseStore = coordinator._store
    assert store.snapshots is not None
    [latest] = store.snapshots.get(AnomalyWatch.create_id(), desc=True, limit=1)
    replayed = list(store.events.get(AnomalyWatch.create_id(), gt=latest.originator_version))
    assert 0 < len(replayed) < WATCH_SNAPSHOT_INTERVAL
    # The snapshot (taken from the copy just saved) is what replaying every event gives.
    every_event = store.events.get(AnomalyWatch.create_id(), lte=latest.originator_version)
    taken = AnomalyWatch.Snapshot.take(replay(None, every_event))
    assert (latest.topic, latest.state) == (taken.topic, taken.state)
    watch: AnomalyWatch = store.repository.get(AnomalyWatch.create_id())
    assert watch.through == swept_through(coordinator)
    receptionist.close()
