"""A rebuild hashes each event once, and resumes where an interrupted one stopped."""

from __future__ import annotations

import gc

import pytest

import projections.audit_chain
from projections.audit_chain import Checkpoint, Verification
from projections.runner import REBUILD_GC_THRESHOLD
from projections.storage import Statement
from tests.integration.test_projections import populate, snapshot
from violeta.service import StaffSession

TABLES_TOO = ("access_log", "access_subjects", "audit_chain")


class Interrupted(Exception):
    pass


def full_snapshot(session: StaffSession) -> dict[str, list[tuple[object, ...]]]:
    views = snapshot(session)
    for table in TABLES_TOO:
        views[table] = sorted(
            tuple(row[key] for key in row.keys())  # noqa: SIM118 - sqlite3.Row is no mapping
            for row in session._views.query(f"SELECT * FROM {table}")
        )
    return views


def test_a_rebuild_hashes_each_event_once(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(coordinator)
    before = full_snapshot(coordinator)
    events = coordinator._store.recorder.max_notification_id() or 0
    real_link = projections.audit_chain.link
    hashed: list[int] = []

    def counting_link(previous: bytes, notification: object) -> bytes:
        hashed.append(notification.id)  # type: ignore[attr-defined]
        return real_link(previous, notification)  # type: ignore[arg-type]

    monkeypatch.setattr(projections.audit_chain, "link", counting_link)
    assert coordinator._projector.rebuild(batch_size=7) == events
    assert sorted(hashed) == list(range(1, events + 1))
    monkeypatch.undo()
    assert full_snapshot(coordinator) == before


def test_an_interrupted_rebuild_resumes_where_it_stopped(coordinator: StaffSession) -> None:
    populate(coordinator)
    before = full_snapshot(coordinator)
    events = coordinator._store.recorder.max_notification_id() or 0
    batches: list[int] = []

    def stop_after_two_batches(done: int, total: int) -> None:
        batches.append(done)
        if len(batches) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        coordinator._projector.rebuild(stop_after_two_batches, batch_size=5)
    stopped_at = coordinator._projector.position
    assert 0 < stopped_at < events

    resumed = coordinator._projector.rebuild(batch_size=5)

    assert resumed == events - stopped_at  # nothing applied twice, nothing from zero
    assert full_snapshot(coordinator) == before
    assert coordinator._projector.verify().intact


def test_a_terminal_catching_up_after_an_interrupted_rebuild_completes_it(
    coordinator: StaffSession,
) -> None:
    populate(coordinator)
    before = full_snapshot(coordinator)

    def stop(done: int, total: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        coordinator._projector.rebuild(stop, batch_size=5)
    coordinator._projector.catch_up()  # what any terminal's next refresh does
    assert full_snapshot(coordinator) == before
    assert coordinator._projector.verify().intact


def test_an_interrupted_rebuild_run_again_chains_what_was_recorded_meanwhile(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(coordinator)

    def stop(done: int, total: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        coordinator._projector.rebuild(stop, batch_size=5)
    coordinator._projector.catch_up()  # a terminal's refresh finished the views
    with monkeypatch.context() as patched:  # recorded, not projected: a terminal killed then
        patched.setattr(coordinator._projector, "catch_up", lambda *args, **kwargs: 0)
        populate(coordinator)
    events = coordinator._store.recorder.max_notification_id() or 0
    assert coordinator._projector.position < events

    progress: list[tuple[int, int]] = []
    # Resumed, not refused for the events without a head yet.
    coordinator.rebuild_views(lambda done, total: progress.append((done, total)))

    assert coordinator._projector.verify().intact
    assert coordinator._projector.position == events
    assert progress[-1] == (events, events)  # the bar ends full
    resumed = full_snapshot(coordinator)
    coordinator.rebuild_views()  # from zero this time
    assert full_snapshot(coordinator) == resumed


def test_a_rebuild_sets_the_collector_aside_and_gives_it_back(coordinator: StaffSession) -> None:
    populate(coordinator)
    before = gc.get_threshold()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        if len(seen) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        coordinator._projector.rebuild(progress, batch_size=7)
    assert gc.get_threshold() == before  # given back when interrupted too
    assert gc.get_freeze_count() == 0
    coordinator._projector.rebuild(progress, batch_size=7)
    assert all(threshold >= REBUILD_GC_THRESHOLD and frozen > 0 for threshold, frozen in seen)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_events_past_the_verified_ones_are_chained_in_the_rebuild(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch reads only the head of the last event the verification covered (ids up to it
    all have theirs); one saved after the verification (its head not yet recorded) is
    hashed and recorded by the rebuild, also in a batch that straddles the two."""
    populate(coordinator)
    before = full_snapshot(coordinator)
    events = coordinator._store.recorder.max_notification_id() or 0
    verified = events - 5
    heads = coordinator._views.query(
        "SELECT head FROM audit_chain WHERE notification_id = ?", (verified,)
    )
    coordinator._views.execute(
        [Statement("DELETE FROM audit_chain WHERE notification_id > ?", (verified,))]
    )
    coordinator._projector.verify = lambda witness=None: Verification(  # type: ignore[method-assign]
        verified, Checkpoint(verified, bytes(heads[0]["head"])), None, ""
    )
    real_link = projections.audit_chain.link
    hashed: list[int] = []

    def counting_link(previous: bytes, notification: object) -> bytes:
        hashed.append(notification.id)  # type: ignore[attr-defined]
        return real_link(previous, notification)  # type: ignore[arg-type]

    monkeypatch.setattr(projections.audit_chain, "link", counting_link)
    assert coordinator._projector.rebuild(batch_size=7) == events
    assert hashed == list(range(verified + 1, events + 1))
    monkeypatch.undo()
    assert full_snapshot(coordinator) == before
    del coordinator._projector.verify
    assert coordinator._projector.verify().intact
