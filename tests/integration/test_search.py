"""Search by beginnings of names (blind-index prefixes), by folio, and what erasure leaves."""

from __future__ import annotations

import pytest

from domain.errors import InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import a_client, an_intake, staff
from violeta.name_search import PREFIX_MIN, index_terms
from violeta.service import Institute, StaffSession


def test_three_letters_of_the_beginning_find_her(coordinator: StaffSession) -> None:
    alejandra = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
    coordinator.register_client(a_client("Beatriz Alemán Ficticia"))
    assert [s.client_id for s in coordinator.search_clients("Alej")] == [alejandra]
    assert [s.name for s in coordinator.search_clients("ale")] == [
        "Alejandra Prueba Sintética",
        "Beatriz Alemán Ficticia",
    ]
    # Every word must begin a word of her name: «Alej Fict» is nobody.
    assert coordinator.search_clients("alej fict") == []
    assert [s.client_id for s in coordinator.search_clients("alej sint")] == [alejandra]
    # The middle of a word is not its beginning.
    assert coordinator.search_clients("lejandra") == []
    # Whole words still work, accents and case aside.
    assert [s.client_id for s in coordinator.search_clients("ALEJANDRA sintetica")] == [alejandra]


def test_two_letters_explain_the_rule_in_spanish(coordinator: StaffSession) -> None:
    coordinator.register_client(a_client("Alejandra Prueba Sintética"))
    with pytest.raises(InvalidField) as refused:
        coordinator.search_clients("Al")
    assert refused.value.field == "Búsqueda"
    assert "al menos tres letras del inicio" in refused.value.message
    assert "palabras completas" in refused.value.message
    # A two-letter word is matched whole next to a longer one.
    found = coordinator.search_clients("de sint")
    assert found == []
    coordinator.register_client(a_client("Luz de Prueba Sintética"), confirm_not_duplicate=True)
    assert [s.name for s in coordinator.search_clients("de sint")] == ["Luz de Prueba Sintética"]


def test_a_folio_finds_the_woman_of_that_case(coordinator: StaffSession) -> None:
    client_id = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
    case = coordinator.open_case(client_id, an_intake())
    assert case.folio == "CTZ-2026-00001"
    for typed in ("CTZ-2026-00001", "ctz-2026-1", " CTZ-2026-001 "):
        assert [s.client_id for s in coordinator.search_clients(typed)] == [client_id]
    assert coordinator.search_clients("CTZ-2026-00002") == []
    missed, found = coordinator.audit_entries()[:2]
    assert missed.action == found.action == "buscar"
    assert (list(found.client_ids), list(missed.client_ids)) == ([client_id], [])


def test_a_role_without_identification_cannot_search_a_folio(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
    coordinator.open_case(client_id, an_intake())
    admin = staff(institute, coordinator, "administracion", Role.ADMINISTRATION)
    with pytest.raises(NotPermitted) as refused:
        admin.search_clients("CTZ-2026-00001")
    assert "Alejandra" not in str(refused.value)


def test_prefix_rows_are_blind_and_erasure_removes_them(
    institute: Institute, coordinator: StaffSession
) -> None:
    erased = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
    kept = coordinator.register_client(a_client("Beatriz Alemán Ficticia"))
    views = coordinator._views

    def rows(client_id: object) -> list[str]:
        found = views.query("SELECT token FROM search_index WHERE client_id = ?", (str(client_id),))
        return [row["token"] for row in found]

    terms = index_terms("Alejandra Prueba Sintética")
    assert {"ale", "alej", "alejandr", "alejandra", "pru", "sintetic"} <= terms
    assert all(len(term) >= PREFIX_MIN for term in terms)
    stored = rows(erased)
    # One row per distinct blind index of her words and their beginnings (16-bit indexes may
    # collide, so at most as many rows as terms), and none of them is a term in clear.
    assert 3 < len(stored) <= len(terms)
    assert not set(stored) & terms
    social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
    social_work.request_erasure(erased)
    coordinator.approve_erasure(erased)
    assert rows(erased) == []
    assert rows(kept)
    assert [s.client_id for s in coordinator.search_clients("alej")] == []
    assert [s.client_id for s in coordinator.search_clients("ale")] == [kept]


def test_a_rectified_name_is_found_by_its_new_beginning(coordinator: StaffSession) -> None:
    client_id = coordinator.register_client(a_client("Alejandra Prueba Sintética"))
    coordinator.correct_client(client_id, "name", "Ximena Prueba Sintética")
    assert [s.client_id for s in coordinator.search_clients("xim")] == [client_id]
    # The old name's rows remain until erasure, but the candidate is confirmed on her name.
    assert coordinator.search_clients("alej") == []
