"""A rebuild keeps the statistics in memory (projections/stats_rebuild.py) and writes each
changed row once per batch: every statistics table, bookkeeping included, must come out
exactly as the statements of ``stats_tables`` left it when the same events were applied one
command at a time; also when the rebuild is interrupted and resumed from the tables, and when
another session's catch-up applies some of its batches meanwhile (both backends)."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import projections.runner
from domain.errors import DomainError
from projections.stats_rebuild import StatisticsMemory
from projections.stats_tables import STATS_SCHEMA, StatisticsProjection
from tests.integration.test_statistics_store import (
    World,
    assert_tables_match,
    make_world,
    step,
)
from violeta.service import Institute, StaffSession

TABLES = [
    m.group(1) for s in STATS_SCHEMA if (m := re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", s))
]
# Every kind of step of the statistics store's tests, withdrawals, erasures and merges among
# them, on cases opened before and after each merge.
HISTORY = [(0, n) for n in (2, 3, 4, 5, 7, 9, 11)]
HISTORY += [(1, 0), (1, 1), (1, 2), (1, 4), (2, 1), (3, 2), (4, 0), (5, 1), (5, 2), (6, 0)]
HISTORY += [(6, 1), (7, 1), (7, 2), (8, 0), (8, 1), (9, 0), (10, 0), (10, 1), (11, 0), (12, 1)]
HISTORY += [(13, 1), (14, 1), (14, 3), (16, 1), (0, 8), (0, 13), (14, 1), (2, 3), (1, 5)]
HISTORY += [(16, 0), (0, 12), (15, 2), (14, 4), (11, 3), (12, 4), (5, 3), (6, 2), (16, 2)]
HISTORY += [(14, 2), (14, 5), (0, 14), (14, 6), (14, 2), (1, 3), (8, 1), (14, 0)]


def every_row(session: StaffSession) -> dict[str, list[tuple[object, ...]]]:
    """Every statistics table whole (facts, memberships, windows of 0, consent rows…)."""
    session._refresh_read_side()
    return {
        table: sorted(
            tuple(row[key] for key in row.keys())  # noqa: SIM118 - sqlite3.Row is no mapping
            for row in session._views.query(f"SELECT * FROM {table}")
        )
        for table in TABLES
    }


class Interrupted(Exception):
    pass


def no_statements(self: StatisticsProjection, event: object) -> list[object]:
    raise AssertionError("a rebuild applied the statistics' statements")


def play(world: World, history: list[tuple[int, int]]) -> None:
    for kind, n in history:
        with contextlib.suppress(DomainError):  # a step the rules refuse changes nothing
            step(world, kind, n)


def close_and_reopen(world: World) -> None:
    """Cases the lawyer attends closed (she asks, coordination approves), one reopened."""
    lawyer = world.lawyer
    for case_id in world.cases[:4]:
        lawyer.request_closure(case_id, "Cierre sintético.")
        world.coordinator.approve_closure(case_id)
    world.coordinator.reopen_case(world.cases[1], "Reapertura sintética.")


def test_a_rebuild_writes_the_tables_the_statements_kept(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(institute, coordinator)
    play(world, HISTORY)
    for case_id in world.cases[:4]:
        with contextlib.suppress(DomainError):  # she may attend it already
            coordinator.assign_area(case_id, "juridica", world.lawyer.identity.staff_id)
    close_and_reopen(world)
    play(world, [(14, 3), (14, 1), (11, 6), (11, 7)])
    before = every_row(coordinator)
    statuses = {row[5] for row in before["stats_contrib"] if row[0] == "stats_cases_status"}
    assert {"cerrado", "reabierto", "en_seguimiento"} <= statuses
    assert len(before["stats_contrib"]) > 50
    assert any(row[-1] == 0 for row in before["stats_contrib"]), "a withdrawn consent"
    assert before["stats_zone_merges"], "merged zones"
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH_SIZE", 9)  # many batches
    monkeypatch.setattr(StatisticsProjection, "process", no_statements)
    coordinator.rebuild_views()
    monkeypatch.undo()
    assert every_row(coordinator) == before
    assert_tables_match(coordinator)


def test_an_interrupted_rebuild_resumes_from_the_tables(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(institute, coordinator)
    play(world, HISTORY)
    before = every_row(coordinator)
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH_SIZE", 11)
    monkeypatch.setattr(StatisticsProjection, "process", no_statements)
    loaded: list[int] = []
    real_load = StatisticsMemory.load

    def load(self: StatisticsMemory, views: object, at: int) -> None:
        loaded.append(at)
        real_load(self, views, at)  # type: ignore[arg-type]

    monkeypatch.setattr(StatisticsMemory, "load", load)
    batches: list[int] = []

    def stop_after_three(done: int, total: int) -> None:
        batches.append(done)
        if len(batches) == 3:
            raise Interrupted

    read_side = [coordinator._follower.read_side]
    with pytest.raises(Interrupted):
        coordinator._projector.rebuild(stop_after_three, companions=read_side)
    assert loaded == [0]
    coordinator._projector.rebuild(companions=read_side)
    assert len(loaded) == 2
    assert loaded[1] > 0, "resumed from what the tables held"
    monkeypatch.undo()
    assert every_row(coordinator) == before
    assert_tables_match(coordinator)


def test_batches_another_session_applied_meanwhile_are_read_back(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(institute, coordinator)
    play(world, HISTORY)
    before = every_row(coordinator)
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH_SIZE", 13)
    batches: list[int] = []

    loaded: list[int] = []
    real_load = StatisticsMemory.load

    def load(self: StatisticsMemory, views: object, at: int) -> None:
        loaded.append(at)
        real_load(self, views, at)  # type: ignore[arg-type]

    monkeypatch.setattr(StatisticsMemory, "load", load)

    def another_session_catches_up(done: int, total: int) -> None:
        # The lawyer's terminal applies the next 17 events to the case views, then to the
        # read side by the statements of stats_tables, between two batches of the rebuild.
        batches.append(done)
        if len(batches) in (2, 4):
            lawyer = world.lawyer._projector
            at = lawyer.position
            notifications = lawyer.application.recorder.select_notifications(at + 1, 17)
            assert lawyer.apply(notifications, after=at)
            world.lawyer._follower.catch_up_read_side(17, once=True)

    coordinator.rebuild_views(another_session_catches_up)
    monkeypatch.undo()
    assert len(loaded) == 3, "read again after each batch it had not applied"
    assert every_row(coordinator) == before
    assert_tables_match(coordinator)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.integers(0, 16), st.integers(0, 1000)), min_size=1, max_size=25))
def test_random_histories_rebuild_to_the_same_tables(
    institute: Institute, coordinator: StaffSession, steps: list[tuple[int, int]]
) -> None:
    world = WORLDS.get(id(institute)) or WORLDS.setdefault(
        id(institute), make_world(institute, coordinator)
    )
    play(world, steps)
    before = every_row(coordinator)
    read_side = [coordinator._follower.read_side]
    coordinator._projector.rebuild(batch_size=1 + len(steps) % 7, companions=read_side)
    assert every_row(coordinator) == before


WORLDS: dict[int, World] = {}
