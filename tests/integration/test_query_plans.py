"""Mi día and an erasure never walk the archive: every statement they send to the views uses
an index on the tables that grow with it (EXPLAIN QUERY PLAN, SQLite).

SQLite plans without statistics here, so the plan on a small institute is the plan on a
large one; a full scan of a growing table shows as a ``SCAN <table>`` line.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.vocabulary import Role
from projections.storage import Statement
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
)
BOUNDED = re.compile(r"ORDER BY \w+ DESC LIMIT 1 OFFSET \?$")
FULL_SCAN = re.compile(rf"^SCAN ({'|'.join(GROWING)})\b")


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


def full_scans(views_path: Path, sent: list[tuple[str, Sequence[Any]]]) -> list[str]:
    connection = sqlite3.connect(views_path)
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


def test_mi_dia_of_every_role_and_an_erasure_use_indexes(data_dir: Path) -> None:
    settings = Settings(data=data_dir)
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

        assert len(sent) > 30
        assert any("search_index" in sql for sql, _ in sent)  # the erasure was applied here
        assert full_scans(settings.views_path, sent) == []
        for session in sessions.values():
            session.close()


def test_the_check_catches_a_full_scan(data_dir: Path) -> None:
    with initialized(Settings(data=data_dir)) as (_, coordinator):
        sent: list[tuple[str, Sequence[Any]]] = [
            ("SELECT COUNT(*) FROM cases_view WHERE status <> 'cerrado'", ()),
            ("SELECT * FROM access_log WHERE purpose = ?", ("x",)),
        ]
        assert len(full_scans(coordinator._institute.settings.views_path, sent)) == 2


def test_search_by_beginning_or_folio_and_the_agenda_use_indexes(data_dir: Path) -> None:
    settings = Settings(data=data_dir)
    with initialized(settings) as (institute, coordinator):
        psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
        client_id = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
        case = coordinator.open_case(client_id, an_intake())
        psychologist.record_psychology_session(
            case.case_id, modality="presencial", notes="Sesión.", next_session="25/11/2026"
        )
        coordinator.save_draft("entrevista_inicial", {"motivo": "M"}, client_id=client_id)
        for session in (coordinator, psychologist):
            session.refresh()
        with statements_sent(coordinator, psychologist) as sent:
            assert coordinator.search_clients("alej sint")
            assert coordinator.search_clients(case.folio)
            assert psychologist.psychology_sessions_due()
            assert coordinator.my_drafts()
        assert any("psychology_agenda" in sql for sql, _ in sent)
        assert full_scans(settings.views_path, sent) == []
        psychologist.close()
