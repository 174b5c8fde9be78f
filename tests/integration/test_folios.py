"""Folios: gap-free and unique per year across terminals, and cheap to issue in a large archive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from domain.alerts import AnomalyWatch
from domain.cases import FolioSequence
from tests.support.factories import a_client, an_intake
from violeta.service import StaffSession
from violeta.settings import Settings
from violeta.store import DERIVED_ID_VERSION, FOLIO_SNAPSHOT_INTERVAL, CaseStore

CASES_PER_PROCESS = 30  # two processes together cross a snapshot of the sequence


def test_two_processes_opening_cases_at_once_get_unique_consecutive_folios(
    coordinator: StaffSession, settings: Settings, tmp_path: Path
) -> None:
    client_id = coordinator.register_client(a_client())
    first = coordinator.open_case(client_id, an_intake()).folio
    go = tmp_path / "go"
    openers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.case_opener",
                settings.model_dump_json(),
                str(client_id),
                str(CASES_PER_PROCESS),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    go.touch()
    issued = [first]
    for opener in openers:
        stdout, stderr = opener.communicate(timeout=300)
        assert opener.returncode == 0, stderr.decode()
        issued += stdout.decode().split()
    # One more here, from a session whose copy of the sequence is long stale.
    issued.append(coordinator.open_case(client_id, an_intake()).folio)

    total = 2 * CASES_PER_PROCESS + 2
    assert total > FOLIO_SNAPSHOT_INTERVAL
    assert sorted(issued) == [f"CTZ-2026-{number:05d}" for number in range(1, total + 1)]
    coordinator.refresh()
    folios = [row["folio"] for row in coordinator._views.query("SELECT folio FROM cases_view")]
    assert sorted(folios) == sorted(issued)


def test_the_year_sequence_loads_from_a_snapshot_and_less_than_one_interval_of_events(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client())
    total = 2 * FOLIO_SNAPSHOT_INTERVAL + 3
    for _ in range(total):
        coordinator.open_case(client_id, an_intake())
    store: CaseStore = coordinator._store
    sequence_id = FolioSequence.create_id("CTZ", 2026)
    assert store.snapshots is not None
    [latest] = store.snapshots.get(sequence_id, desc=True, limit=1)
    replayed = list(store.events.get(sequence_id, gt=latest.originator_version))
    assert latest.originator_version == 2 * FOLIO_SNAPSHOT_INTERVAL
    assert 0 < len(replayed) < FOLIO_SNAPSHOT_INTERVAL
    assert sequence_id.version == DERIVED_ID_VERSION  # so the repository looks for snapshots
    sequence: FolioSequence = store.repository.get(sequence_id)
    assert sequence.last_number == total
    assert sequence.issue() == f"CTZ-2026-{total + 1:05d}"


def test_only_the_folio_sequence_and_the_anomaly_watch_are_snapshotted() -> None:
    # A snapshot of a client or a case would be one more copy of her record to shred; the
    # watch holds a position in the trail.
    assert set(CaseStore.snapshotting_intervals) == {FolioSequence, AnomalyWatch}


def test_the_sequence_is_snapshotted_from_the_copy_just_saved_as_a_replay_would(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = coordinator.register_client(a_client())
    store: CaseStore = coordinator._store
    reloads: list[object] = []
    take_snapshot = store.take_snapshot
    monkeypatch.setattr(
        store, "take_snapshot", lambda *a, **k: (reloads.append(a), take_snapshot(*a, **k))[1]
    )
    for _ in range(FOLIO_SNAPSHOT_INTERVAL):  # the sequence's version: 1 + one per folio
        coordinator.open_case(client_id, an_intake())

    sequence_id = FolioSequence.create_id("CTZ", 2026)
    assert store.snapshots is not None
    [snapshot] = store.snapshots.get(sequence_id, desc=True, limit=1)
    assert snapshot.originator_version == FOLIO_SNAPSHOT_INTERVAL
    assert reloads == []  # not loaded again from the store to be snapshotted
    replayed = store.repository.get(sequence_id, version=FOLIO_SNAPSHOT_INTERVAL)
    taken = FolioSequence.Snapshot.take(replayed)
    assert (snapshot.topic, snapshot.state) == (taken.topic, taken.state)
