"""Sealed drafts: saved, listed and resumed by their author only, destroyed with her erasure."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.vocabulary import Role
from tests.support.factories import a_client, staff
from violeta.auditing import verify_key_journal
from violeta.service import Institute, StaffSession

TYPED = {"motivo": "Motivo sintético", "relato": "Relato borradorcanario sintético"}


def test_an_intake_draft_is_sealed_resumed_and_replaced(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    draft_id = coordinator.save_draft("entrevista_inicial", TYPED, client_id=ana)
    rows = coordinator._views.query("SELECT payload FROM drafts")
    assert len(rows) == 1 and b"borradorcanario" not in bytes(rows[0]["payload"])
    [listed] = coordinator.my_drafts()
    assert (listed.draft_id, listed.client_name, listed.kind.label) == (
        draft_id,
        "Ana Prueba Sintética",
        "Entrevista inicial",
    )
    assert coordinator.open_draft(draft_id).values == TYPED
    again = coordinator.save_draft(
        "entrevista_inicial", {**TYPED, "riesgo": "alto"}, client_id=ana, draft_id=draft_id
    )
    assert again == draft_id and len(coordinator.my_drafts()) == 1
    assert coordinator.open_draft(draft_id).values["riesgo"] == "alto"
    purposes = [e.purpose for e in coordinator.audit_entries(ana)]
    assert "mi día: mis borradores" in purposes and "retomar borrador" in purposes
    coordinator.discard_draft(draft_id)
    assert coordinator.my_drafts() == []
    with pytest.raises(UnknownRecord):
        coordinator.open_draft(draft_id)


def test_only_the_author_sees_her_drafts(institute: Institute, coordinator: StaffSession) -> None:
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    draft_id = reception.save_draft("registro", {"nombre": "Zoila Borrador Sintética"})
    assert [d.client_name for d in reception.my_drafts()] == [""]
    assert coordinator.my_drafts() == []
    for attempt in (coordinator.open_draft, coordinator.discard_draft):
        with pytest.raises(NotPermitted):
            attempt(draft_id)
    with pytest.raises(NotPermitted):
        coordinator.save_draft("registro", {"nombre": "Otra"}, draft_id=draft_id)
    assert reception.open_draft(draft_id).values == {"nombre": "Zoila Borrador Sintética"}
    admin = staff(institute, coordinator, "administracion", Role.ADMINISTRATION)
    with pytest.raises(NotPermitted):
        admin.my_drafts()
    # Discarding a registration draft shreds its own key; the key journal still verifies.
    subject = reception._views.query("SELECT subject FROM drafts")[0]["subject"]
    reception.discard_draft(draft_id)
    reception.close()
    check = verify_key_journal(institute.settings)
    assert subject in check.shredded and check.intact, check.problem


def test_bad_drafts_are_refused_in_spanish_and_change_nothing(
    coordinator: StaffSession,
) -> None:
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    cases = (
        ("carta", {}, None, "Tipo de borrador"),
        ("entrevista_inicial", TYPED, None, "Usuaria"),
        ("registro", TYPED, ana, "Usuaria"),
        ("registro", {"nombre": 3}, None, "Borrador"),
        ("registro", {"relato": "x" * 70_000}, None, "Borrador"),
    )
    for kind, values, client_id, field in cases:
        with pytest.raises(InvalidField) as refused:
            coordinator.save_draft(kind, values, client_id=client_id)  # type: ignore[arg-type]
        assert refused.value.field == field
    assert coordinator.my_drafts() == []


def test_her_erasure_destroys_the_drafts_about_her(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
    draft_id = social_work.save_draft("entrevista_inicial", TYPED, client_id=ana)
    social_work.request_erasure(ana)
    coordinator.approve_erasure(ana)
    assert social_work.my_drafts() == []
    assert coordinator._views.query("SELECT * FROM drafts") == []
    with pytest.raises(UnknownRecord):
        social_work.open_draft(draft_id)
    with pytest.raises(DomainError):
        social_work.save_draft("entrevista_inicial", TYPED, client_id=ana)
