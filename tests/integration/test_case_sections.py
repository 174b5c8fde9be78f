"""A case section shows its structured records with its notes, in one audited read (both
backends)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotPermitted
from domain.vocabulary import Role, Section
from tests.support.factories import a_case, a_client, an_intake, staff
from violeta.dto import RecordEntry
from violeta.service import Institute, StaffSession


def accesses(session: StaffSession) -> int:
    session.refresh()
    return len(session._views.query("SELECT access_id FROM access_log"))


def test_the_legal_tab_shows_advice_decisions_and_reports_with_its_notes_in_one_read(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, case_id = a_case(coordinator)
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    lawyer.give_legal_advice(case_id, "familiar", "Asesoría sintética sobre pensión.", "02/10/2026")
    lawyer.decide_accompaniment(
        case_id,
        severity=True,
        lacks_resources=False,
        deadline="30/11/2026",
        unfamiliar_with_procedure=False,
        accompany=True,
        decided_on="03/10/2026",
    )
    lawyer.report_misconduct(
        case_id,
        institution="Fiscalía",
        conduct="otra",
        facts="Hechos sintéticos.",
        reported_to="Titular sintético",
    )
    lawyer.add_note(case_id, Section.LEGAL, "Nota jurídica sintética.")
    before = accesses(lawyer)

    detail = lawyer.case_detail(case_id, Section.LEGAL)

    assert accesses(lawyer) == before + 1
    assert [note.text for note in detail.notes] == ["Nota jurídica sintética."]
    advice, decision, report = detail.records
    assert advice == RecordEntry(
        title="Asesoría jurídica · Familiar",
        on=date(2026, 10, 2),
        by="Persona Jurídica Prueba",
        details=(("Notas", "Asesoría sintética sobre pensión."),),
    )
    assert decision.title == "Decisión de acompañamiento ante la Fiscalía: se acompaña"
    assert ("Plazo legal inminente", "30/11/2026") in decision.details
    assert ("Carece de recursos económicos", "No") in decision.details
    assert report.title == "Reporte de actuación · Fiscalía"
    assert ("Hechos", "Hechos sintéticos.") in report.details


def test_follow_ups_and_psychology_sessions_show_as_records_of_their_tabs(
    institute: Institute, coordinator: StaffSession
) -> None:
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    _, case_id = a_case(coordinator)
    psychologist.record_psychology_session(
        case_id, modality="presencial", notes="Sesión sintética.", held_on="05/10/2026"
    )
    done = coordinator.schedule_follow_up(case_id, "10/10/2026", "telefono")
    coordinator.settle_follow_up(
        case_id, done, done=True, outcome="Resultado sintético.", settled_on="10/10/2026"
    )
    coordinator.schedule_follow_up(case_id, "20/12/2026", "presencial")

    sessions = psychologist.case_detail(case_id, Section.PSYCHOLOGICAL).records
    follow_ups = coordinator.case_detail(case_id, Section.FOLLOW_UPS).records

    assert [(entry.title, entry.on, entry.details) for entry in sessions] == [
        ("Sesión presencial", date(2026, 10, 5), (("Notas", "Sesión sintética."),))
    ]
    assert [(entry.title, entry.on) for entry in follow_ups] == [
        ("Seguimiento programado · Teléfono · Realizado", date(2026, 10, 10)),
        ("Seguimiento programado · Presencial · Pendiente", date(2026, 12, 20)),
    ]
    assert follow_ups[0].details == (
        ("Resultado registrado el", "10/10/2026"),
        ("Resultado", "Resultado sintético."),
    )
    # A pending follow-up has nothing more to say than its day.
    assert follow_ups[1].details == ()


def test_the_intake_tab_has_no_records_and_a_denied_section_opens_nothing(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client())
    case_id = coordinator.open_case(client_id, an_intake()).case_id

    assert coordinator.case_detail(case_id, Section.INTAKE).records == ()
    with pytest.raises(NotPermitted):
        coordinator.case_detail(case_id, Section.PSYCHOLOGICAL)
