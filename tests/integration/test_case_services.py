"""Services on a case on both backends: life cycle, legal, psychology, social work,
follow-ups and protection orders, and one client walked through all of them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from keys import PLACEHOLDER
from tests.support.factories import a_case, a_client, an_intake, staff
from violeta.dto import InstitutionForm, NewReferral
from violeta.service import Institute, JustificationRequired, StaffSession


def view_rows(session: StaffSession, sql: str, params: tuple[object, ...] = ()) -> list[dict]:
    session.refresh()
    return [dict(row) for row in session._views.query(sql, params)]


def test_one_client_walked_from_intake_to_approved_closure(
    institute: Institute, coordinator: StaffSession
) -> None:
    """Intake → legal advice → accompaniment decision → psychological sessions → referral →
    protection order → follow-ups → closure approval."""
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    client_id = coordinator.register_client(
        replace(a_client(registered_on="01/10/2026"), consent_to_share=True)
    )
    case_id = coordinator.open_case(client_id, an_intake(opened_on="01/10/2026")).case_id
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    coordinator.assign_area(case_id, "psicologica", psychologist.identity.staff_id)
    coordinator.assign_area(case_id, "trabajo_social", social.identity.staff_id)

    lawyer.give_legal_advice(case_id, "familiar", "Asesoría sintética sobre pensión.", "02/10/2026")
    lawyer.decide_accompaniment(
        case_id,
        severity=True,
        lacks_resources=True,
        deadline="30/11/2026",
        unfamiliar_with_procedure=False,
        accompany=True,
        decided_on="02/10/2026",
    )
    lawyer.record_accompaniment(
        case_id,
        "juridica",
        "Fiscalía Especializada",
        "Denuncia presentada (sintético).",
        "05/10/2026",
    )
    psychologist.record_psychology_session(
        case_id,
        modality="presencial",
        notes="Sesión sintética uno.",
        held_on="03/10/2026",
        next_session="10/10/2026",
    )
    psychologist.record_psychology_session(
        case_id, modality="en línea", notes="Sesión sintética dos.", held_on="10/10/2026"
    )
    psychologist.close_psychology_process(case_id, "15/11/2026")
    shelter = social.add_institution(
        InstitutionForm(
            name="Refugio para mujeres (institución sintética)",
            kind="refugio",
            services=("refugio",),
        )
    )
    referral = social.refer_case(
        case_id, NewReferral(shelter, "Necesita un lugar seguro (sintético).", made_on="12/10/2026")
    )
    social.record_referral_outcome(case_id, referral, "atendida", recorded_on="14/10/2026")
    order_id = lawyer.record_protection_order(
        case_id,
        kind="administrativa",
        measures=("prohibicion_acercamiento", "Vigilancia o rondines policiales"),
        detail="Detalle sintético de las medidas.",
        authority="Ministerio Público de Cortazar",
        issued_on="06/10/2026",
    )
    lawyer.extend_protection_order(case_id, order_id)
    social.enter_follow_up(case_id)
    done = social.schedule_follow_up(case_id, "12/11/2026", "teléfono")
    missed = social.schedule_follow_up(case_id, "18/11/2026", "presencial")
    later = social.schedule_follow_up(case_id, "24/11/2026", "presencial")
    social.settle_follow_up(case_id, done, done=True, outcome="Se encuentra estable (sintético).")
    social.settle_follow_up(case_id, missed, done=False, outcome="")
    assert [(f.follow_up_id, f.overdue) for f in social.follow_ups_due(7)] == [(later, False)]

    lawyer.request_closure(case_id, "Objetivos de la atención cumplidos (sintético).")
    assert [p.case_id for p in coordinator.pending_closures()] == [case_id]
    coordinator.approve_closure(case_id)

    life = coordinator.case_life(case_id)
    assert life.status == "Cerrado"
    assert [change.status for change in life.history] == ["En seguimiento", "Cerrado"]
    assert life.history[-1].reason == "Objetivos de la atención cumplidos (sintético)."
    assert life.history[-1].by == "Carmen Coordinación Prueba"
    assert dict(life.areas)["Psicológica"] == "Persona Psicología Prueba"
    assert coordinator.pending_closures() == []

    legal = lawyer.legal_section(case_id)
    assert legal.advice[0].notes == "Asesoría sintética sobre pensión."
    assert legal.decisions[0].deadline == date(2026, 11, 30)
    assert legal.accompaniments[0].authority == "Fiscalía Especializada"
    psychology = psychologist.psychology_section(case_id)
    assert [s.modality for s in psychology.sessions] == ["Presencial", "En línea"]
    assert psychology.closed_on == date(2026, 11, 15)
    orders = lawyer.protection_order_section(case_id)
    assert orders[0].expires_on == date(2027, 1, 4)  # 60 days from 06/10, then 30 more
    assert orders[0].extended and orders[0].detail == "Detalle sintético de las medidas."
    referrals = social.referrals(case_id)
    assert [(r.institution, r.outcome) for r in referrals] == [
        ("Refugio para mujeres (institución sintética)", "Atendida por la institución")
    ]
    follow_ups = social.follow_up_section(case_id)
    assert [f.state for f in follow_ups] == ["Realizado", "No realizado", "Pendiente"]

    # The views: status, areas, work queues and attentions by area, none holding plaintext.
    assert view_rows(
        coordinator, "SELECT status FROM cases_view WHERE case_id = ?", (str(case_id),)
    ) == [{"status": "cerrado"}]
    assert (
        len(view_rows(coordinator, "SELECT * FROM case_areas WHERE case_id = ?", (str(case_id),)))
        == 3
    )
    attentions = {
        (row["area"], row["kind"]): row["attentions"]
        for row in view_rows(coordinator, "SELECT * FROM stats_attentions")
    }
    assert attentions == {
        ("juridica", "asesoria"): 1,
        ("juridica", "acompanamiento"): 1,
        ("psicologica", "sesion"): 2,
    }
    order_row = view_rows(coordinator, "SELECT * FROM protection_orders_view")[0]
    assert order_row["expires_on"] == "2027-01-04" and order_row["extensions"] == 1

    # The access trail of the client names who read which section, in order.
    trail = [
        (entry.staff, entry.section, entry.action)
        for entry in reversed(coordinator.audit_entries(client_id))
    ]
    assert ("Persona Jurídica Prueba", "Jurídica", "ver") in trail
    assert ("Persona Psicología Prueba", "Psicológica", "ver") in trail
    assert ("Persona Trabajo social Prueba", "Seguimientos", "listar") in trail
    assert ("Persona Trabajo social Prueba", "Canalizaciones", "ver") in trail
    assert ("Carmen Coordinación Prueba", "Entrevista inicial", "listar") in trail

    with pytest.raises(DomainError, match="cerrado"):
        lawyer.give_legal_advice(case_id, "penal", "Otra asesoría.")
    coordinator.reopen_case(case_id, "La usuaria regresa por un nuevo incidente (sintético).")
    assert coordinator.case_life(case_id).status == "Reabierto"


def test_closure_needs_assigned_staff_and_a_different_approver(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, case_id = a_case(coordinator)
    with pytest.raises(DomainError, match="asignado"):
        lawyer.request_closure(case_id, "Motivo sintético.")
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    with pytest.raises(NotPermitted):
        lawyer.approve_closure(case_id)
    lawyer.request_closure(case_id, "Motivo sintético.")
    with pytest.raises(DomainError, match="pendiente"):
        lawyer.request_closure(case_id, "Otra vez.")
    coordinator.decline_closure(case_id)
    assert coordinator.pending_closures() == []
    assert coordinator.case_life(case_id).status == "Abierto"


def test_areas_go_only_to_active_staff_of_the_matching_role(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, case_id = a_case(coordinator)
    with pytest.raises(InvalidField, match="Personal asignado"):
        coordinator.assign_area(case_id, "psicologica", lawyer.identity.staff_id)
    with pytest.raises(InvalidField, match="Personal asignado"):
        coordinator.assign_area(case_id, "juridica", uuid4())
    with pytest.raises(InvalidField, match="Área"):
        coordinator.assign_area(case_id, "astrología", lawyer.identity.staff_id)
    with pytest.raises(NotPermitted):
        lawyer.assign_area(case_id, "juridica", lawyer.identity.staff_id)


def test_psychology_notes_are_psychology_s_alone(
    institute: Institute, coordinator: StaffSession
) -> None:
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    client_id, case_id = a_case(coordinator)
    psychologist.record_psychology_session(case_id, modality="telefónica", notes="Nota sintética.")
    for other in (coordinator, lawyer):
        with pytest.raises(NotPermitted):
            other.psychology_section(case_id)
        with pytest.raises(NotPermitted):
            other.record_psychology_session(case_id, modality="presencial", notes="x")
    denied = [e for e in coordinator.audit_entries(client_id) if e.outcome == "denegado"]
    assert len(denied) == 4 and {e.section for e in denied} == {"Psicológica"}


def test_reading_legal_outside_the_role_breaks_the_glass(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    client_id, case_id = a_case(coordinator)
    coordinator_view = coordinator.legal_section(case_id)
    assert coordinator_view.exceptional_access is False
    with pytest.raises(JustificationRequired):
        social.legal_section(case_id)
    view = social.legal_section(case_id, "Coordinar el acompañamiento ante la Fiscalía hoy.")
    assert view.exceptional_access
    assert coordinator.audit_entries(client_id)[0].exceptional


def test_misconduct_report_follows_its_own_course_until_closed(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, case_id = a_case(coordinator)
    report_id = lawyer.report_misconduct(
        case_id,
        institution="Fiscalía Regional (sintético)",
        conduct="dilacion",
        facts="Hechos sintéticos del reporte.",
        reported_to="Titular de la unidad (sintético)",
    )
    lawyer.update_misconduct_report(case_id, report_id, "en trámite")
    assert [(r.report_id, r.status) for r in coordinator.open_misconduct_reports()] == [
        (report_id, "En trámite")
    ]
    lawyer.update_misconduct_report(case_id, report_id, "cerrado")
    with pytest.raises(DomainError, match="cerrado"):
        lawyer.update_misconduct_report(case_id, report_id, "en trámite")
    report = lawyer.legal_section(case_id).misconduct_reports[0]
    assert (report.conduct, report.status, report.facts) == (
        "Dilación",
        "Cerrado",
        "Hechos sintéticos del reporte.",
    )
    assert view_rows(lawyer, "SELECT status FROM misconduct_reports_view") == [
        {"status": "cerrado"}
    ]
    assert lawyer.open_misconduct_reports() == []


def test_social_work_gestiones_visits_and_accompaniment(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    _, case_id = a_case(coordinator)
    social.record_gestion(
        case_id,
        what="Beca escolar para su hija (sintético).",
        institution="DIF municipal",
        outcome="favorable",
    )
    social.record_social_visit(case_id, kind="domicilio", notes="Visita sintética.")
    social.record_accompaniment(
        case_id, "trabajo_social", "Hospital general", "Acompañó a consulta."
    )
    section = social.social_work_section(case_id)
    assert section.gestiones[0].what == "Beca escolar para su hija (sintético)."
    assert section.gestiones[0].outcome == "Favorable"
    assert section.visits[0].kind == "Visita domiciliaria"
    assert section.accompaniments[0].authority == "Hospital general"
    with pytest.raises(NotPermitted):
        social.record_accompaniment(case_id, "juridica", "Fiscalía", "Sin decisión.")


def test_legal_accompaniment_needs_a_favourable_decision_with_a_criterion(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, case_id = a_case(coordinator)
    with pytest.raises(DomainError, match="decisión"):
        lawyer.record_accompaniment(case_id, "juridica", "Fiscalía", "Sin decisión.")
    with pytest.raises(DomainError, match="criterios"):
        lawyer.decide_accompaniment(
            case_id,
            severity=False,
            lacks_resources=False,
            deadline="",
            unfamiliar_with_procedure=False,
            accompany=True,
        )
    with pytest.raises(InvalidField, match="Vencimiento del término"):
        lawyer.decide_accompaniment(
            case_id,
            severity=False,
            lacks_resources=False,
            deadline="31/02/2026",
            unfamiliar_with_procedure=True,
            accompany=True,
        )


def test_orders_expiring_and_overdue_follow_ups_make_the_work_queues(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    client_id, case_id = a_case(coordinator)
    soon = lawyer.record_protection_order(
        case_id,
        kind="jurisdiccional",
        measures=("prohibicion_comunicacion",),
        detail="Detalle sintético.",
        authority="Juzgado de Oralidad Familiar",
        issued_on="01/10/2026",
        expires_on="25/11/2026",
    )
    lawyer.record_protection_order(
        case_id,
        kind="administrativa",
        measures=("otra",),
        detail="Detalle sintético.",
        authority="Ministerio Público",
        issued_on="20/11/2026",
    )
    expiring = lawyer.orders_expiring(10)
    assert [(o.order_id, o.days_left, o.extendable) for o in expiring] == [(soon, 5, True)]
    overdue = lawyer.schedule_follow_up(case_id, "10/11/2026", "teléfono")
    due = lawyer.follow_ups_due(3)
    assert [(f.follow_up_id, f.overdue) for f in due] == [(overdue, True)]
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    # A work queue is never opened by break-the-glass: one reason cannot justify many women.
    with pytest.raises(NotPermitted):
        reception.orders_expiring()
    listing = [e for e in coordinator.audit_entries(client_id) if e.action == "listar"]
    assert {e.section for e in listing} >= {"Órdenes de protección", "Seguimientos"}


def test_protection_order_terms_follow_the_law(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, case_id = a_case(coordinator)
    with pytest.raises(InvalidField, match="Vencimiento"):
        lawyer.record_protection_order(
            case_id,
            kind="administrativa",
            measures=("otra",),
            detail="Detalle.",
            authority="Ministerio Público",
            issued_on="01/10/2026",
            expires_on="01/12/2026",
        )
    with pytest.raises(InvalidField, match="Medidas"):
        lawyer.record_protection_order(
            case_id,
            kind="administrativa",
            measures=(),
            detail="Detalle.",
            authority="Ministerio Público",
            issued_on="01/10/2026",
        )
    order_id = lawyer.record_protection_order(
        case_id,
        kind="administrativa",
        measures=("otra",),
        detail="Detalle.",
        authority="Ministerio Público",
        issued_on="01/10/2026",
    )
    with pytest.raises(InvalidField, match="Nuevo vencimiento"):
        lawyer.extend_protection_order(case_id, order_id, "31/12/2026")
    lawyer.extend_protection_order(case_id, order_id, "15/12/2026")
    with pytest.raises(DomainError, match="una prórroga"):
        lawyer.extend_protection_order(case_id, order_id)


def test_work_queues_can_keep_only_the_cases_where_she_attends_an_area(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, mine = a_case(coordinator)
    _, other = a_case(coordinator, "Beatriz Prueba Ficticia")
    coordinator.assign_area(mine, "juridica", lawyer.identity.staff_id)
    for case_id in (mine, other):
        lawyer.schedule_follow_up(case_id, "21/11/2026", "teléfono")
        lawyer.record_protection_order(
            case_id,
            kind="administrativa",
            measures=("otra",),
            detail="Detalle sintético.",
            authority="Ministerio Público",
            issued_on="01/10/2026",
            expires_on="22/11/2026",
        )
    assert {f.case_id for f in lawyer.follow_ups_due()} == {mine, other}
    assert [f.case_id for f in lawyer.follow_ups_due(assigned_to_me=True)] == [mine]
    assert [o.case_id for o in lawyer.orders_expiring(assigned_to_me=True)] == [mine]


def test_after_erasure_every_sealed_service_field_reads_as_erased(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    client_id, case_id = a_case(coordinator)
    lawyer.give_legal_advice(case_id, "familiar", "Asesoría sintética.")
    follow_up = lawyer.schedule_follow_up(case_id, "20/11/2026", "teléfono")
    lawyer.settle_follow_up(case_id, follow_up, done=True, outcome="Resultado sintético.")
    lawyer.record_protection_order(
        case_id,
        kind="administrativa",
        measures=("otra",),
        detail="Detalle sintético.",
        authority="Ministerio Público",
        issued_on="20/11/2026",
    )
    lawyer.request_erasure(client_id)
    coordinator.approve_erasure(client_id)
    assert lawyer.legal_section(case_id).advice[0].notes == PLACEHOLDER
    assert lawyer.protection_order_section(case_id)[0].detail == PLACEHOLDER
    assert view_rows(lawyer, "SELECT outcome FROM follow_ups_view") == [{"outcome": None}]
    assert view_rows(lawyer, "SELECT detail FROM protection_orders_view") == [{"detail": None}]
    # Dates and categories stay: the work queues and the statistics do not change.
    assert [row["attentions"] for row in view_rows(lawyer, "SELECT * FROM stats_attentions")] == [1]


def test_two_terminals_writing_one_case_lose_no_update(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lawyer's save meets a newer version written by social work in between: it is
    retried on the fresh case, and both writes are kept."""
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    _, case_id = a_case(coordinator)
    load = lawyer._get_case
    interleaved: list[UUID] = []
    loads: list[int] = []

    def load_then_race(case_id: UUID) -> object:
        loads.append(1)
        case = load(case_id)
        if len(loads) == 1:  # the case the lawyer will save is loaded: social writes now
            interleaved.append(social.schedule_follow_up(case_id, "25/11/2026", "teléfono"))
        return case

    monkeypatch.setattr(lawyer, "_get_case", load_then_race)
    lawyer.give_legal_advice(case_id, "civil", "Asesoría sintética en carrera.")
    # validation (its case is the first attempt's too), and the retry after the conflict
    assert len(loads) == 2
    assert [f.follow_up_id for f in social.follow_up_section(case_id)] == interleaved
    assert [a.notes for a in lawyer.legal_section(case_id).advice] == [
        "Asesoría sintética en carrera."
    ]
