"""Mi día's agenda: names in the follow-up queue, psicología's next sessions, both audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import a_client, an_intake, staff
from violeta.service import Institute, StaffSession


def ddmmyyyy(institute: Institute, days: int) -> str:
    return (institute.today() + timedelta(days=days)).strftime("%d/%m/%Y")


def test_the_follow_up_queue_shows_her_name_in_one_audited_list(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    bea = coordinator.register_client(a_client("Beatriz Ejemplo Ficticia"))
    for client_id, days in ((ana, 2), (bea, 5)):
        case = coordinator.open_case(client_id, an_intake())
        coordinator.schedule_follow_up(case.case_id, ddmmyyyy(institute, days), "teléfono")
    before = [e for e in coordinator.audit_entries() if e.purpose != "consultar bitácora"]
    due = coordinator.follow_ups_due(7)
    assert [item.client_name for item in due] == [
        "Ana Prueba Sintética",
        "Beatriz Ejemplo Ficticia",
    ]
    entries = [e for e in coordinator.audit_entries() if e.purpose != "consultar bitácora"]
    assert len(entries) == len(before) + 1
    assert entries[0].action == "listar" and set(entries[0].client_ids) == {ana, bea}


def test_psychology_sees_her_next_sessions_and_nobody_else_does(
    institute: Institute, coordinator: StaffSession
) -> None:
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    other = staff(institute, coordinator, "psicologa2", Role.PSYCHOLOGY)
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    bea = coordinator.register_client(a_client("Beatriz Ejemplo Ficticia"))
    carla = coordinator.register_client(a_client("Carla Muestra Inventada"))
    cases = {
        client_id: coordinator.open_case(client_id, an_intake()).case_id
        for client_id in (ana, bea, carla)
    }
    psychologist.record_psychology_session(
        cases[ana],
        modality="presencial",
        notes="Sesión sintética.",
        next_session=ddmmyyyy(institute, 3),
    )
    psychologist.record_psychology_session(
        cases[bea],
        modality="presencial",
        notes="Sesión sintética.",
        next_session=ddmmyyyy(institute, 30),
    )
    # Assigned to the other psychologist: hers, not ours.
    coordinator.assign_area(cases[carla], "psicologica", other.identity.staff_id)
    psychologist.record_psychology_session(
        cases[carla],
        modality="presencial",
        notes="Sesión sintética.",
        next_session=ddmmyyyy(institute, 1),
    )
    due = psychologist.psychology_sessions_due(7)
    assert [(item.client_name, item.case_id) for item in due] == [
        ("Carla Muestra Inventada", cases[carla]),
        ("Ana Prueba Sintética", cases[ana]),
    ]
    listing = [e for e in coordinator.audit_entries() if e.purpose.startswith("mi día: próximas")]
    assert len(listing) == 1 and set(listing[0].client_ids) == {ana, carla}
    assert [item.client_name for item in other.psychology_sessions_due(7)] == [
        "Carla Muestra Inventada"
    ]
    assert len(psychologist.psychology_sessions_due(31)) == 3
    psychologist.close_psychology_process(cases[ana])
    assert [item.case_id for item in psychologist.psychology_sessions_due(7)] == [cases[carla]]
    with pytest.raises(InvalidField):
        psychologist.psychology_sessions_due(-1)
    for role, name in ((Role.LEGAL, "juridica"), (Role.COORDINATION, None)):
        session = staff(institute, coordinator, name, role) if name else coordinator
        with pytest.raises(NotPermitted):
            session.psychology_sessions_due(7)
