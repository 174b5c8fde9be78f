"""Mi día and an erasure never walk the archive: every statement they send to the views uses
an index on the tables that grow with it (both backends).

SQLite plans without statistics here, so the plan on a small institute is the plan on a
large one; a full scan of a growing table shows as a ``SCAN <table>`` line. PostgreSQL plans
by cost, and on a test's few rows a sequential scan is cheapest whatever the indexes: the
plans are asked with sequential scans priced out (``enable_seqscan = off``), so a ``Seq Scan``
on a growing table left in a plan is one no index can serve.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from domain.vocabulary import Role
from projections.storage import Statement
from tests.integration.test_activities import a_talk
from tests.support.factories import a_client, an_intake, initialized, staff
from violeta.service import StaffSession
from violeta.settings import Settings

GROWING = (
    "cases_view",
    "access_log",
    "access_subjects",
    "clients_view",
    "search_index",
    "follow_ups_view",
    "protection_orders_view",
    "case_areas",
    "client_flags",
    "referrals_view",
    "psychology_agenda",
    "drafts",
    "activities_view",
    "access_facts",
    "alerts_view",
)
BOUNDED = re.compile(r"ORDER BY \w+ DESC LIMIT 1 OFFSET \?$")
FULL_SCAN = re.compile(rf"^SCAN ({'|'.join(GROWING)})\b")
# A statement that stops at a LIMIT must walk its index in the order asked, not sort all it
# matched first (Mi día's follow-ups due: a screen's worth, whatever is due in the archive).
SORTED_ALL = "USE TEMP B-TREE FOR"


@contextmanager
def statements_sent(*sessions: StaffSession) -> Iterator[list[tuple[str, Sequence[Any]]]]:
    """Every query and every view change the sessions send, with its parameters."""
    sent: list[tuple[str, Sequence[Any]]] = []
    originals = []
    for session in sessions:
        views = session._views
        query, apply = views.query, views.apply

        def recording_query(sql: str, params: Sequence[Any] = (), *, _query: Any = query) -> Any:
            sent.append((sql, params))
            return _query(sql, params)

        def recording_apply(
            statements: Sequence[Statement], *args: Any, _apply: Any = apply
        ) -> Any:
            sent.extend((statement.sql, statement.params) for statement in statements)
            return _apply(statements, *args)

        originals.append((views, query, apply))
        views.query = recording_query  # type: ignore[method-assign]
        views.apply = recording_apply  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        for views, query, apply in originals:
            views.query = query  # type: ignore[method-assign]
            views.apply = apply  # type: ignore[method-assign]


def full_scans(settings: Settings, sent: list[tuple[str, Sequence[Any]]]) -> list[str]:
    if settings.backend == "postgres":
        return _postgres_full_scans(settings, sent)
    connection = sqlite3.connect(settings.views_path)
    try:
        found = []
        for sql, params in sent:
            for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", tuple(params)):
                # Walking an index in its order up to a LIMIT/OFFSET is bounded, not a scan.
                bounded = "USING COVERING INDEX" in row[3] and BOUNDED.search(sql)
                if FULL_SCAN.match(row[3]) and not bounded:
                    found.append(f"{row[3]}  <-  {sql}")
        return found
    finally:
        connection.close()


def _postgres_full_scans(settings: Settings, sent: list[tuple[str, Sequence[Any]]]) -> list[str]:
    found = []
    with psycopg.connect(settings.postgres, autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{settings.postgres_schema}"')
        connection.execute("SET enable_seqscan = off")
        for sql, params in sent:
            (plan,) = connection.execute(
                f"EXPLAIN (FORMAT JSON) {sql.replace('?', '%s')}",  # type: ignore[arg-type]
                tuple(params),
            ).fetchone() or ([],)
            found += [f"{walk}  <-  {sql}" for walk in _whole_walks(plan[0]["Plan"], limited=False)]
    return found


def _whole_walks(node: dict[str, Any], *, limited: bool) -> list[str]:
    """Scans of a growing table in a JSON plan that read all of it: a sequential scan, or an
    index walked without a condition on it (unless a LIMIT above stops it)."""
    table = node.get("Relation Name", "")
    kind = node["Node Type"]
    walks = []
    if table in GROWING:
        if kind == "Seq Scan":
            walks.append(f"{kind} on {table}")
        elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node and not limited:
            walks.append(f"{kind} on {table} without a condition")
        elif kind == "Bitmap Heap Scan" and "Recheck Cond" not in node:
            walks.append(f"{kind} on {table} over a whole index")
    below = limited or kind == "Limit"
    for child in node.get("Plans", []):
        walks += _whole_walks(child, limited=below)
    return walks


def sorted_all(settings: Settings, sql: str, params: Sequence[Any]) -> bool:
    """Whether SQLite sorts every row the statement matched (before its LIMIT)."""
    connection = sqlite3.connect(settings.views_path)
    try:
        plan = connection.execute(f"EXPLAIN QUERY PLAN {sql}", tuple(params)).fetchall()
        return any(SORTED_ALL in row[3] for row in plan)
    finally:
        connection.close()


def test_mi_dia_of_every_role_and_an_erasure_use_indexes(settings: Settings) -> None:
    with initialized(settings) as (institute, coordinator):
        sessions = {
            role: staff(institute, coordinator, f"persona_{role.value}", role)
            for role in Role
            if role is not Role.COORDINATION
        }
        clients = [
            coordinator.register_client(a_client(name))
            for name in ("Ana Prueba Sintética", "Berta Prueba Ficticia", "Carla Prueba Inventada")
        ]
        cases = [coordinator.open_case(client_id, an_intake()).case_id for client_id in clients]
        lawyer = sessions[Role.LEGAL]
        coordinator.assign_area(cases[0], "juridica", lawyer.identity.staff_id)
        coordinator.schedule_follow_up(cases[0], "25/11/2026", "telefono")
        lawyer.request_closure(cases[0], "Motivo sintético de cierre.")
        sessions[Role.SOCIAL_WORK].request_erasure(clients[2])
        everyone = [coordinator, *sessions.values()]
        for session in everyone:
            session.refresh()

        with statements_sent(*everyone) as sent:
            for session in everyone:
                session.dashboard()
            coordinator.approve_erasure(clients[2])
            for session in everyone:
                session.dashboard()

        # Mi día's own queues (the screen: age exceptions, erasures, misconduct reports…). On
        # SQLite, whose plans do not depend on a test's few rows; PostgreSQL prices a walk of a
        # joined table's index in ORDER BY order below a sort of those few rows.
        with statements_sent(*everyone) as screen:
            for session in everyone:
                session.my_day()
        if settings.backend == "sqlite":
            assert full_scans(settings, screen) == []

        assert len(sent) > 30
        assert any("search_index" in sql for sql, _ in sent)  # the erasure was applied here
        assert full_scans(settings, sent) == []
        # Its counters read rows the projection keeps: nothing counts the cases.
        assert [sql for sql, _ in sent if "COUNT(" in sql and "cases_view" in sql] == []
        follow_ups = [(sql, p) for sql, p in sent if sql.startswith("SELECT * FROM follow_ups")]
        assert follow_ups
        if settings.backend == "sqlite":
            assert [sql for sql, p in follow_ups if sorted_all(settings, sql, p)] == []
        for session in sessions.values():
            session.close()


def test_the_check_catches_a_full_scan(settings: Settings) -> None:
    with initialized(settings):
        sent: list[tuple[str, Sequence[Any]]] = [
            ("SELECT COUNT(*) FROM cases_view WHERE status <> 'cerrado'", ()),
            ("SELECT * FROM access_log WHERE purpose = ?", ("x",)),
        ]
        assert len(full_scans(settings, sent)) == 2


def test_the_check_catches_a_sort_of_everything_due(data_dir: Path) -> None:
    settings = Settings(data=data_dir)
    with initialized(settings):
        # The order of before: by date then folio, over an index on the date alone.
        sql = (
            "SELECT * FROM follow_ups_view INDEXED BY follow_ups_view_client "
            "WHERE client_id = ? ORDER BY due_on, folio LIMIT 50"
        )
        assert sorted_all(settings, sql, ("x",))


def test_search_by_beginning_or_folio_the_agenda_and_the_year_s_activities_use_indexes(
    settings: Settings,
) -> None:
    with initialized(settings) as (institute, coordinator):
        psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
        client_id = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
        case = coordinator.open_case(client_id, an_intake())
        psychologist.record_psychology_session(
            case.case_id, modality="presencial", notes="Sesión.", next_session="25/11/2026"
        )
        coordinator.save_draft("entrevista_inicial", {"motivo": "M"}, client_id=client_id)
        psychologist.record_activity(a_talk())
        for session in (coordinator, psychologist):
            session.refresh()
        with statements_sent(coordinator, psychologist) as sent:
            assert coordinator.search_clients("alej sint")
            assert coordinator.search_clients(case.folio)
            assert psychologist.psychology_sessions_due()
            assert coordinator.my_drafts()
            assert coordinator.activities_of_year(2026)
        assert any("psychology_agenda" in sql for sql, _ in sent)
        assert any("activities_view" in sql for sql, _ in sent)
        assert full_scans(settings, sent) == []
        psychologist.close()


def test_shredding_her_keys_finds_them_through_the_key_store_s_index(data_dir: Path) -> None:
    """An erasure deletes her keys by their subject: through the index, not by reading every
    woman's key (SQLite's LIKE uses no index there)."""
    settings = Settings(data=data_dir)
    with initialized(settings) as (institute, coordinator):
        clients = [
            coordinator.register_client(a_client(name))
            for name in ("Ana Prueba Sintética", "Berta Prueba Ficticia")
        ]
        staff(institute, coordinator, "trabajo", Role.SOCIAL_WORK).request_erasure(clients[1])
        coordinator.refresh()
        sent: list[str] = []
        connection = institute.keystore._conn  # type: ignore[attr-defined]
        connection.set_trace_callback(sent.append)
        try:
            coordinator.approve_erasure(clients[1])
        finally:
            connection.set_trace_callback(None)
        deletes = [sql for sql in sent if sql.lstrip().upper().startswith("DELETE")]
        assert deletes
        plans = [
            row[3]
            for sql in deletes
            for row in sqlite3.connect(settings.keys_path).execute(f"EXPLAIN QUERY PLAN {sql}")
        ]
        assert [plan for plan in plans if plan.startswith("SCAN")] == []


def test_a_sweep_reads_the_window_s_accesses_and_no_listing_before_its_position(
    settings: Settings,
) -> None:
    """The anomaly sweep (coordinación's Mi día runs one) looks back through the index on the
    time, not up the positions from the first access ever; and of the accesses it already
    swept it reads only what its window rules count (reads, denials), never the women of a
    listing (a Mi día names dozens)."""
    with initialized(settings) as (institute, coordinator):
        receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
        clients = [
            coordinator.register_client(a_client(name))
            for name in ("Ana Prueba Sintética", "Berta Prueba Ficticia")
        ]
        for client_id in clients:
            coordinator.open_case(client_id, an_intake())
        assert len(coordinator.dashboard().my_recent_cases) == 2  # a listing naming both
        coordinator.alerts()  # swept past it
        receptionist.client_detail(clients[0])
        returned: list[tuple[str, list[Any]]] = []
        views = coordinator._views
        query = views.query

        def recording(sql: str, params: Sequence[Any] = ()) -> Any:
            rows = query(sql, params)
            returned.append((sql, rows))
            return rows

        views.query = recording  # type: ignore[method-assign]
        try:
            coordinator.alerts()
        finally:
            views.query = query  # type: ignore[method-assign]
        sent = [(sql, ()) for sql, _ in returned]
        read = [
            row
            for sql, rows in returned
            if "LEFT JOIN access_subjects" in sql
            for row in rows
            if row["client_id"] is not None
        ]
        assert read and all(row["action"] != "listar" for row in read)
        if settings.backend == "sqlite":
            windows = [sql for sql, _ in sent if "WHERE at >= ?" in sql]
            assert windows
            connection = sqlite3.connect(settings.views_path)
            try:
                for sql in windows:
                    plan = connection.execute(
                        f"EXPLAIN QUERY PLAN {sql}", ("2026-01-01", 1)
                    ).fetchall()
                    assert any("access_facts_at" in row[3] for row in plan), plan
            finally:
                connection.close()
        receptionist.close()
