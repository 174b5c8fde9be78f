"""The search index: tokens that a session without the case key could not compute
(administración catching the views up first) are computed by the next session holding it; a
session asks for such clients only when a registration or a correction arrived that another
session applied, not after every command; a common name reads only the candidates a search
considers. Both backends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from domain.vocabulary import Role, Section
from tests.support.factories import a_client, an_intake, staff
from violeta import lookups
from violeta.queries import clients as clients_queries
from violeta.service import Institute, StaffSession


def pending(session: StaffSession) -> int:
    return int(session._views.query("SELECT COUNT(*) AS n FROM search_pending")[0]["n"])


def test_a_client_projected_by_a_session_without_the_case_key_is_found_later(
    institute: Institute, coordinator: StaffSession
) -> None:
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    client_id = coordinator.register_client(
        a_client(name="Berenice Sintética Ochoa"), confirm_not_duplicate=True
    )
    admin.refresh()  # administración projects the registration first: her tokens wait
    assert pending(coordinator) == 1
    found = coordinator.search_clients("Berenice Ochoa")
    assert [summary.client_id for summary in found] == [client_id]
    assert pending(coordinator) == 0


def test_the_pending_list_is_asked_only_after_a_registration_another_session_applied(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a session applied with the search key it indexed itself: only a registration or
    correction that another session applied (perhaps without the key) may have waited."""
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    client_id = coordinator.register_client(a_client(), confirm_not_duplicate=True)
    case = coordinator.open_case(client_id, an_intake())
    coordinator.refresh()
    asked: list[str] = []
    query = coordinator._views.query

    def counting(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if "search_pending" in sql:
            asked.append(sql)
        return query(sql, params)

    monkeypatch.setattr(coordinator._views, "query", counting)
    for _ in range(3):
        coordinator.add_note(case.case_id, Section.FOLLOW_UPS, "Nota sintética.")
        coordinator.client_detail(client_id)
    assert asked == []
    coordinator.register_client(a_client(name="Otra Usuaria Sintética"), confirm_not_duplicate=True)
    coordinator.refresh()
    assert asked == []  # her own registration, indexed by her own projection
    coordinator.register_client(
        a_client(name="Tercera Usuaria Sintética"), confirm_not_duplicate=True
    )
    admin.refresh()  # administración applies it first, without the key: its tokens wait
    coordinator.refresh()
    assert len(asked) == 1
    assert pending(coordinator) == 0


def test_a_common_name_reads_only_the_first_candidates_by_id(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many women are called María, a search reads the first few by id (and opens
    at most those): the same ones it kept when it read them all."""
    ids = sorted(
        str(
            coordinator.register_client(
                a_client(name=f"María Sintética {surname}"), confirm_not_duplicate=True
            )
        )
        for surname in ("Alba", "Bravo", "Cano", "Duarte", "Esparza", "Flores")
    )
    coordinator.refresh()
    assert lookups.clients_matching_each(coordinator, {"nombre": ["maria"]})["nombre"] == set(ids)
    monkeypatch.setattr(lookups, "SEARCH_CANDIDATES", 4)
    assert lookups.clients_matching(coordinator, "nombre", ["maria"]) == set(ids[:4])
    assert len(coordinator.search_clients("María")) == 4


def test_a_common_name_reads_the_rows_of_its_first_page_of_candidates_only(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each first candidate is her (a common name): one page of rows is read and opened,
    not the four pages of candidates a large archive gives."""
    ids = sorted(
        str(
            coordinator.register_client(
                a_client(name=f"María Sintética {surname}"), confirm_not_duplicate=True
            )
        )
        for surname in ("Alba", "Bravo", "Cano", "Duarte", "Esparza", "Flores")
    )
    read: list[str] = []
    rows_of = clients_queries.client_rows

    def recording(ctx: Any, client_ids: Sequence[str]) -> Any:
        read.extend(client_ids)
        return rows_of(ctx, client_ids)

    monkeypatch.setattr(clients_queries, "SEARCH_LIMIT", 2)
    monkeypatch.setattr(clients_queries, "client_rows", recording)
    found = coordinator.search_clients("María")
    assert sorted(str(summary.client_id) for summary in found) == ids[:2]
    assert read == ids[:2]
