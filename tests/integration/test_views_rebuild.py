"""A rebuild gathers the case views in memory (projections/views_rebuild.py) and writes each
changed row once per batch: every view table must come out exactly as incremental projection
left it (one command at a time), row by row; also when the rebuild is interrupted and resumed,
when another session applies some of its batches meanwhile, and for random histories. An
erased woman leaves no sealed value and no search token in the rebuilt views (both
backends)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import projections.audit_rebuild as trail
import projections.runner
import projections.views_rebuild as memory
from domain.errors import DomainError
from domain.vocabulary import Section
from keys.keyring import PLACEHOLDER
from projections.audit_chain import AUDIT_SCHEMA
from projections.storage import PostgresViewStore, Statement
from projections.views import SCHEMA
from projections.views_rebuild import CaseViewsRebuild
from tests.integration.test_statistics_store import World, make_world, step
from violeta.service import Institute, StaffSession
from violeta.session import case_label

TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")
TABLES = [m.group(1) for s in (*SCHEMA, *AUDIT_SCHEMA) if (m := TABLE.match(s))]
# Statements that read another view or update a case's row one event at a time: a rebuild
# must not run any of them (their rows come from memory).
NEVER_RUN = (
    memory.CASE_INSERT,
    memory.CASE_TOUCH,
    memory.CASE_STATUS,
    memory.CASE_NOTE,
    memory.FOLLOW_UP_INSERT,
    memory.AGENDA_UPSERT,
    memory.REFERRAL_INSERT,
    memory.ORDER_INSERT,
    trail.ACCESS_FACT,
    trail.UNASSIGNED,
    trail.OPENER,
)


@dataclass
class Story:
    """The statistics store's world (cases, referrals, orders, merges, erasures…) and the
    case views' own events: notes, follow-ups, rectifications, reads, declined closures."""

    world: World
    follow_ups: list[tuple[UUID, UUID]] = field(default_factory=list)
    erased: set[UUID] = field(default_factory=set)


def every_view(session: StaffSession) -> dict[str, list[str]]:
    session.refresh()
    session._refresh_read_side()
    return {
        name: sorted(
            repr(sorted(dict(row).items())) for row in session._views.query(f"SELECT * FROM {name}")
        )
        for name in TABLES
    }


def index_names(session: StaffSession) -> set[str]:
    views = session._views
    if isinstance(views, PostgresViewStore):
        rows = views.query(
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = ?",
            (views.datastore.schema,),
        )
    else:
        rows = views.query("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {str(row["name"]) for row in rows}


def case_step(story: Story, kind: int, n: int) -> None:  # noqa: PLR0912 - one branch per kind
    w = story.world
    if not w.cases or kind < 17:
        step(w, kind % 17, n)
        if kind % 17 == 15:
            story.erased = {c for c in w.clients if w.coordinator._get_client(c).erased}
        return
    case_id = w.cases[n % len(w.cases)]
    client_id = w.clients[n % len(w.clients)]
    if kind == 17:
        w.lawyer.add_note(case_id, Section.LEGAL, "Nota sintética.")
    elif kind == 18:
        follow_up = w.social.schedule_follow_up(case_id, f"{1 + n % 27:02d}/11/2026", "teléfono")
        story.follow_ups.append((case_id, follow_up))
    elif kind == 19 and story.follow_ups:
        case, follow_up = story.follow_ups[n % len(story.follow_ups)]
        w.social.settle_follow_up(case, follow_up, done=n % 2 == 0, outcome="Estable (sintético).")
    elif kind == 20:
        fields = [("name", "Ximena Rectificada Sintética"), ("phone", "4611234567")]
        name, value = fields[n % 2]
        w.coordinator.correct_client(client_id, name, value)
    elif kind == 21:
        w.psychologist.close_psychology_process(case_id)
    elif kind == 22:
        ask_closure(w, case_id)
        w.coordinator.decline_closure(case_id)
    elif kind == 23:
        w.coordinator.client_detail(client_id)  # an audited read
        w.lawyer.case_detail(case_id, Section.LEGAL)
    elif kind == 24:
        w.second.request_erasure(client_id)  # not approved: her name stays
    elif kind == 25:
        w.coordinator.set_sharing_consent(client_id, n % 2 == 0)
    elif kind == 26:
        ask_closure(w, case_id)
    elif kind == 27:  # asked, declined and asked again: the row replaced
        ask_closure(w, case_id)
        w.coordinator.decline_closure(case_id)
        with contextlib.suppress(DomainError):  # she may attend it already
            w.coordinator.assign_area(case_id, "psicologica", w.psychologist.identity.staff_id)
        w.psychologist.request_closure(case_id, "Cierre sintético, otra vez.")  # another row
    elif kind == 28:
        with contextlib.suppress(DomainError):  # she may attend it already
            w.coordinator.assign_area(case_id, "trabajo_social", w.social.identity.staff_id)
        w.social.record_gestion(
            case_id, what="Gestión sintética.", institution="DIF municipal", outcome="favorable"
        )
    elif kind == 29:  # (kind 12's asker may not attend the case: this one does)
        ask_closure(w, case_id)
        w.coordinator.approve_closure(case_id)


def ask_closure(w: World, case_id: UUID) -> None:
    with contextlib.suppress(DomainError):  # she may attend it already
        w.coordinator.assign_area(case_id, "juridica", w.lawyer.identity.staff_id)
    w.lawyer.request_closure(case_id, "Cierre sintético.")


# Every kind of the statistics store's steps (openings, areas, attentions, referrals and their
# outcomes, orders and extensions, misconduct reports, follow-up stage, closures, reopenings,
# consent withdrawals, erasures, zone merges) and the case views' own, on many cases; every
# kind that a rebuild takes in directly (views_rebuild.DIRECT) among them.
HISTORY = [(0, n) for n in (2, 3, 4, 5, 7, 9, 11, 13)]
HISTORY += [(1, 0), (1, 1), (1, 2), (1, 4), (3, 2), (3, 5), (17, 1), (17, 2), (18, 1), (18, 2)]
HISTORY += [(18, 3), (19, 0), (23, 1), (2, 1), (20, 0), (20, 1), (21, 2), (22, 3), (26, 4)]
HISTORY += [(5, 1), (5, 2), (6, 0), (7, 1), (7, 2), (8, 0), (9, 0), (10, 0), (11, 0), (12, 1)]
HISTORY += [(13, 1), (14, 1), (16, 1), (24, 5), (25, 1), (25, 2), (0, 8), (17, 5), (18, 6)]
HISTORY += [(19, 1), (19, 2), (23, 4), (15, 2), (17, 2), (18, 2), (3, 2), (20, 3), (16, 0)]
HISTORY += [(0, 12), (19, 3), (12, 4), (13, 4), (22, 5), (4, 1), (14, 2), (23, 2), (15, 5)]
HISTORY += [(17, 6), (26, 6), (12, 6), (21, 3), (3, 3), (19, 4), (0, 14), (17, 7), (8, 1)]
HISTORY += [(27, 2), (17, 2), (27, 9), (19, 5), (27, 4), (23, 3), (27, 10), (0, 3), (27, 12)]
HISTORY += [(28, 1), (17, 3), (28, 4), (29, 5), (17, 5), (13, 5)]


def play(story: Story, history: list[tuple[int, int]]) -> None:
    for kind, n in history:
        with contextlib.suppress(DomainError):  # a step the rules refuse changes nothing
            case_step(story, kind, n)


def watch_statements(monkeypatch: pytest.MonkeyPatch, session: StaffSession) -> list[str]:
    """The SQL of every statement the views run from here on."""
    run: list[str] = []
    views = session._views
    real_apply = views.apply

    def apply(statements: list[Statement], name: str, after: int, last: int) -> None:
        run.extend(statement.sql for statement in statements)
        real_apply(statements, name, after, last)

    monkeypatch.setattr(views, "apply", apply)
    return run


def assert_no_trace_of_the_erased(session: StaffSession, story: Story) -> None:
    """Her name and tokens are gone; what a session that still cached her key sealed after
    the erasure (a follow-up settled, keys/keyring.py ``seal``) no longer opens."""
    assert story.erased, "the history erases someone"
    for client_id in map(str, story.erased):
        rows = session._views.query("SELECT * FROM clients_view WHERE client_id = ?", (client_id,))
        assert [(row["name"], row["erased"]) for row in rows] == [(None, 1)]
        for sql in (
            "SELECT token FROM search_index WHERE client_id = ?",
            "SELECT client_id FROM search_pending WHERE client_id = ?",
        ):
            assert session._views.query(sql, (client_id,)) == [], sql
        for table, key, value, label_of in (
            ("follow_ups_view", "follow_up_id", "outcome", "follow_up_outcome"),
            ("protection_orders_view", "order_id", "detail", "order_detail"),
        ):
            for row in session._views.query(
                f"SELECT case_id, {key}, {value} FROM {table} "
                f"WHERE client_id = ? AND {value} IS NOT NULL",
                (client_id,),
            ):
                label = case_label(UUID(row["case_id"]), f"{label_of}:{row[key]}")
                opened = session._keyring.open(client_id, label, bytes(row[value]))
                assert opened == PLACEHOLDER


def rich_story(institute: Institute, coordinator: StaffSession) -> Story:
    story = Story(make_world(institute, coordinator))
    play(story, HISTORY)
    return story


def test_a_rebuild_writes_the_views_incremental_projection_kept(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = rich_story(institute, coordinator)
    before = every_view(coordinator)
    indexes = index_names(coordinator)
    assert set(memory.QUERY_ONLY_INDEXES) <= indexes
    assert len(before["follow_ups_view"]) > 3
    assert len(before["closure_requests"]) >= 1
    assert len(before["psychology_agenda"]) >= 1
    assert len(before["referrals_view"]) >= 1
    assert len(before["protection_orders_view"]) >= 1
    assert len(before["search_index"]) > 20
    assert len(before["access_unassigned"]) >= 1
    assert len(before["access_facts"]) >= 8
    assert_no_trace_of_the_erased(coordinator, story)
    topics = {n.topic for n in coordinator._store.recorder.select_notifications(1, 100_000)}
    for kind in memory.DIRECT:  # each kind taken in directly is compared below
        assert f"{kind.__module__}:{kind.__qualname__}" in topics, kind
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH_SIZE", 9)  # many batches
    run = watch_statements(monkeypatch, coordinator)
    coordinator.rebuild_views()
    monkeypatch.undo()
    assert set(NEVER_RUN).isdisjoint(run), "a statement the memory should have absorbed ran"
    bulk = [sql for sql in run if " FROM unnest(" in sql]
    assert memory.NEW_CASE in run or bulk
    assert memory.CASE_CHANGES in run, "cases written by an earlier batch were changed"
    assert trail.FACT_ROW in run or bulk
    assert trail.UNASSIGNED_ROW in run or bulk, "she read a case she does not attend"
    if isinstance(coordinator._views, PostgresViewStore):  # many rows per statement there
        assert any(sql.startswith("INSERT INTO cases_view (") for sql in bulk)
        assert any(sql.startswith("INSERT INTO access_facts (") for sql in bulk)
    assert index_names(coordinator) == indexes, "the indexes put off until the end are back"
    assert every_view(coordinator) == before
    assert_no_trace_of_the_erased(coordinator, story)
    coordinator.rebuild_views()  # in one batch: every event of a row folded into it
    assert every_view(coordinator) == before
    assert_no_trace_of_the_erased(coordinator, story)


def test_an_interrupted_rebuild_resumes_from_the_views(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_story(institute, coordinator)
    before = every_view(coordinator)
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH_SIZE", 11)
    loaded: list[int] = []
    real_load = CaseViewsRebuild.load

    def load(self: CaseViewsRebuild, views: object, at: int) -> None:
        loaded.append(at)
        real_load(self, views, at)  # type: ignore[arg-type]

    monkeypatch.setattr(CaseViewsRebuild, "load", load)
    batches: list[int] = []

    class Interrupted(Exception):
        pass

    def stop_past_the_middle(done: int, total: int) -> None:
        batches.append(done)
        if done > total * 0.6:  # accesses read, cases attended, follow-ups settled by then
            raise Interrupted

    read_side = [coordinator._follower.read_side]
    indexes = index_names(coordinator)
    with pytest.raises(Interrupted):
        coordinator._projector.rebuild(stop_past_the_middle, companions=read_side)
    assert loaded == [0]
    assert not set(memory.QUERY_ONLY_INDEXES) & index_names(coordinator), "built at the end"
    coordinator._projector.rebuild(companions=read_side)
    assert len(loaded) == 2
    assert loaded[1] > 0, "resumed from what the views held"
    assert index_names(coordinator) == indexes
    monkeypatch.undo()
    assert every_view(coordinator) == before


def test_batches_another_session_applied_meanwhile_are_read_back(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = rich_story(institute, coordinator)
    before = every_view(coordinator)
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH_SIZE", 13)
    loaded: list[int] = []
    real_load = CaseViewsRebuild.load

    def load(self: CaseViewsRebuild, views: object, at: int) -> None:
        loaded.append(at)
        real_load(self, views, at)  # type: ignore[arg-type]

    monkeypatch.setattr(CaseViewsRebuild, "load", load)
    batches: list[int] = []

    def another_session_catches_up(done: int, total: int) -> None:
        # The lawyer's terminal applies the next 17 events to the case views by the
        # statements of projections.views, between two batches of the rebuild.
        batches.append(done)
        if len(batches) in (2, 4):
            lawyer = story.world.lawyer._projector
            at = lawyer.position
            notifications = lawyer.application.recorder.select_notifications(at + 1, 17)
            assert lawyer.apply(notifications, after=at)

    coordinator.rebuild_views(another_session_catches_up)
    monkeypatch.undo()
    assert len(loaded) == 3, "read again after each batch it had not applied"
    assert every_view(coordinator) == before


def test_a_statement_that_would_add_a_known_row_unseen_is_refused() -> None:
    class Unknown:
        def process(self, event: object) -> list[Statement]:
            return [Statement("DELETE FROM cases_view WHERE case_id = ?", ("x",))]

    with pytest.raises(RuntimeError, match="cannot follow"):
        CaseViewsRebuild(Unknown()).process(object())


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 1000)), min_size=1, max_size=25))
def test_random_histories_rebuild_to_the_same_views(
    institute: Institute, coordinator: StaffSession, steps: list[tuple[int, int]]
) -> None:
    story = STORIES.get(id(institute)) or STORIES.setdefault(
        id(institute), Story(make_world(institute, coordinator))
    )
    play(story, steps)
    before = every_view(coordinator)
    read_side = [coordinator._follower.read_side]
    coordinator._projector.rebuild(batch_size=1 + len(steps) % 7, companions=read_side)
    assert every_view(coordinator) == before


STORIES: dict[int, Story] = {}
