"""Anomaly rules one by one, with thresholds from the settings; alerts are raised once, stay,
and are acknowledged by an audited event; the trail filters, on both backends."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.alerts import Alert, AlertRule
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import a_case, a_client, staff
from violeta import alerts
from violeta.alerts import AlertView
from violeta.service import Institute, StaffSession
from violeta.settings import AlertThresholds

ALWAYS_OPEN = AlertThresholds(
    office_days=(0, 1, 2, 3, 4, 5, 6), office_start="00:00", office_end="23:59"
)


@pytest.fixture(autouse=True)
def office_always_open(institute: Institute) -> None:
    """Tests run at any hour: only the out-of-hours tests close the office."""
    institute.settings.alerts = ALWAYS_OPEN


def mine(alerts: list[AlertView], rule: AlertRule, person: StaffSession) -> list[AlertView]:
    return [a for a in alerts if a.rule is rule and a.staff_id == person.identity.staff_id]


def women(coordinator: StaffSession, count: int) -> list[UUID]:
    names = ["Ana", "Berta", "Carla", "Diana", "Elena", "Fina", "Gema", "Hilda"]
    return [
        coordinator.register_client(
            a_client(f"{names[i]} Prueba Sintética"), confirm_not_duplicate=True
        )
        for i in range(count)
    ]


def test_more_than_the_threshold_of_women_in_the_window_raises_one_alert(
    institute: Institute, coordinator: StaffSession
) -> None:
    institute.settings.alerts = ALWAYS_OPEN.model_copy(update={"many_women": 3})
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    ids = women(coordinator, 6)
    for client_id in ids[:3]:
        receptionist.client_detail(client_id)
    assert mine(coordinator.alerts(), AlertRule.MANY_WOMEN, receptionist) == []
    for client_id in ids[3:]:
        receptionist.client_detail(client_id)  # the 4th crosses; the 5th and 6th are the same burst
    [alert] = mine(coordinator.alerts(), AlertRule.MANY_WOMEN, receptionist)
    assert alert.women == 4
    assert alert.staff == receptionist.identity.display_name


def test_reading_a_case_she_is_not_assigned_to_is_flagged_for_roles_that_work_by_assignment(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, assigned = a_case(coordinator, "Ana Asignada Sintética")
    _, other = a_case(coordinator, "Berta Ajena Sintética")
    coordinator.assign_area(assigned, "juridica", lawyer.identity.staff_id)
    lawyer.legal_section(assigned)
    assert mine(coordinator.alerts(), AlertRule.NOT_ASSIGNED, lawyer) == []
    lawyer.legal_section(other)
    assert len(mine(coordinator.alerts(), AlertRule.NOT_ASSIGNED, lawyer)) == 1
    # Coordinación does not work by assignment: its reads are not flagged by this rule.
    coordinator.legal_section(other)
    assert mine(coordinator.alerts(), AlertRule.NOT_ASSIGNED, coordinator) == []


def test_the_roles_that_work_by_assignment_come_from_the_settings(
    institute: Institute, coordinator: StaffSession
) -> None:
    institute.settings.alerts = ALWAYS_OPEN.model_copy(update={"assignment_roles": ()})
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    _, other = a_case(coordinator)
    lawyer.legal_section(other)
    assert mine(coordinator.alerts(), AlertRule.NOT_ASSIGNED, lawyer) == []


def test_reads_outside_office_hours_raise_one_alert_per_person_and_day(
    institute: Institute, coordinator: StaffSession
) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    ids = women(coordinator, 2)
    receptionist.client_detail(ids[0])
    assert mine(coordinator.alerts(), AlertRule.OUT_OF_HOURS, receptionist) == []
    institute.settings.alerts = ALWAYS_OPEN.model_copy(update={"office_days": ()})  # closed
    receptionist.client_detail(ids[0])
    receptionist.client_detail(ids[1])
    [alert] = mine(coordinator.alerts(), AlertRule.OUT_OF_HOURS, receptionist)
    assert alert.accesses == 2
    assert alert.women == 2
    receptionist.client_detail(ids[1])  # the same day: still that one alert
    assert len(mine(coordinator.alerts(), AlertRule.OUT_OF_HOURS, receptionist)) == 1


def test_office_hours_bound_the_day(institute: Institute, coordinator: StaffSession) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    [client_id] = women(coordinator, 1)
    # An office that opens and closes at the same minute is never open.
    institute.settings.alerts = ALWAYS_OPEN.model_copy(
        update={"office_start": "12:00", "office_end": "12:00"}
    )
    receptionist.client_detail(client_id)
    assert len(mine(coordinator.alerts(), AlertRule.OUT_OF_HOURS, receptionist)) == 1


def test_every_break_the_glass_raises_an_alert(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    _, case_id = a_case(coordinator)
    reason = "Urgencia: la usuaria llamó y jurídica no está (sintético)."
    social.legal_section(case_id, justification=reason)
    social.legal_section(case_id, justification=reason)
    assert len(mine(coordinator.alerts(), AlertRule.BREAK_GLASS, social)) == 2


def test_repeated_denials_raise_an_alert_at_the_threshold(
    institute: Institute, coordinator: StaffSession
) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    _, case_id = a_case(coordinator)
    for _ in range(2):
        with pytest.raises(NotPermitted):
            receptionist.psychology_section(case_id)
    assert mine(coordinator.alerts(), AlertRule.REPEATED_DENIALS, receptionist) == []
    with pytest.raises(NotPermitted):
        receptionist.psychology_section(case_id)
    assert len(mine(coordinator.alerts(), AlertRule.REPEATED_DENIALS, receptionist)) == 1


def test_acknowledging_takes_a_note_is_an_event_and_the_alert_stays(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    second = staff(institute, coordinator, "coordinadora2", Role.COORDINATION)
    _, case_id = a_case(coordinator)
    social.legal_section(case_id, justification="Urgencia documentada en guardia (sintético).")
    [alert] = mine(coordinator.alerts(), AlertRule.BREAK_GLASS, social)

    with pytest.raises(InvalidField, match="Nota"):
        coordinator.acknowledge_alert(alert.alert_id, "ok")
    with pytest.raises(InvalidField, match="Nota"):
        coordinator.acknowledge_alert(alert.alert_id, "   ")
    with pytest.raises(NotPermitted):
        social.acknowledge_alert(alert.alert_id, "Revisado con la persona (sintético).")
    coordinator.acknowledge_alert(alert.alert_id, "Revisado con la persona, justificado.")
    with pytest.raises(DomainError, match="ya fue atendida"):
        second.acknowledge_alert(alert.alert_id, "Otra nota sobre lo mismo (sintético).")

    assert mine(coordinator.alerts(), AlertRule.BREAK_GLASS, social) == []
    [kept] = mine(coordinator.alerts(include_acknowledged=True), AlertRule.BREAK_GLASS, social)
    assert kept.acknowledged
    assert kept.note == "Revisado con la persona, justificado."
    assert kept.acknowledged_by == coordinator.identity.display_name
    events = list(coordinator._store.events.get(alert.alert_id))
    assert [type(e) for e in events] == [Alert.Raised, Alert.Acknowledged]
    # Rebuilding the views keeps it: it is an event, not a derived flag.
    coordinator.rebuild_views()
    [rebuilt] = mine(coordinator.alerts(include_acknowledged=True), AlertRule.BREAK_GLASS, social)
    assert rebuilt.acknowledged


def test_nobody_acknowledges_an_alert_about_herself(
    institute: Institute, coordinator: StaffSession
) -> None:
    second = staff(institute, coordinator, "coordinadora2", Role.COORDINATION)
    [client_id] = women(coordinator, 1)
    institute.settings.alerts = ALWAYS_OPEN.model_copy(update={"office_days": ()})
    second.client_detail(client_id)
    [alert] = mine(coordinator.alerts(), AlertRule.OUT_OF_HOURS, second)
    with pytest.raises(DomainError, match="otra persona"):
        second.acknowledge_alert(alert.alert_id, "Fui yo, estaba de guardia (sintético).")
    coordinator.acknowledge_alert(alert.alert_id, "Guardia autorizada esa noche (sintético).")


def test_two_coordinators_sweeping_raise_each_alert_once(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    second = staff(institute, coordinator, "coordinadora2", Role.COORDINATION)
    _, case_id = a_case(coordinator)
    social.legal_section(case_id, justification="Urgencia documentada en guardia (sintético).")
    # Break-the-glass and, social work working by assignment, a read outside her cases.
    assert coordinator.sweep_anomalies() == 2
    assert second.sweep_anomalies() == 0
    assert coordinator.sweep_anomalies() == 0
    assert len(mine(second.alerts(), AlertRule.BREAK_GLASS, social)) == 1
    assert len(mine(second.alerts(), AlertRule.NOT_ASSIGNED, social)) == 1


def test_only_coordination_reads_alerts_and_the_trail(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    with pytest.raises(NotPermitted):
        lawyer.alerts()
    with pytest.raises(NotPermitted):
        lawyer.audit_trail()


def test_the_trail_filters_by_person_woman_day_section_purpose_and_outcome(
    institute: Institute, coordinator: StaffSession
) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    ana, berta = women(coordinator, 2)
    receptionist.client_detail(ana)
    receptionist.client_detail(berta)
    _, case_id = a_case(coordinator, "Carla Caso Sintética")
    with pytest.raises(NotPermitted):
        receptionist.psychology_section(case_id)

    by_her = coordinator.audit_trail(staff_id=receptionist.identity.staff_id)
    assert {e.staff for e in by_her} == {receptionist.identity.display_name}
    assert len(by_her) == 3
    about_ana = coordinator.audit_trail(client_id=ana)
    assert about_ana and all(ana in e.client_ids for e in about_ana)
    today = coordinator.audit_trail(day=by_her[0].at.strftime("%d/%m/%Y"))
    assert {e.access_id for e in by_her} <= {e.access_id for e in today}
    assert coordinator.audit_trail(day="01/01/2001") == []
    psychological = coordinator.audit_trail(section="Psicológica")
    assert [e.outcome for e in psychological] == ["denegado"]
    assert coordinator.audit_trail(outcome="denegado", staff_id=receptionist.identity.staff_id)
    assert all(
        "identificación" in e.purpose for e in coordinator.audit_trail(purpose="IDENTIFICACIÓN")
    )
    # Newest first.
    assert [e.at for e in by_her] == sorted((e.at for e in by_her), reverse=True)


def test_the_trail_refuses_bad_filters_in_spanish(coordinator: StaffSession) -> None:
    with pytest.raises(InvalidField, match="Día"):
        coordinator.audit_trail(day="31/02/2026")
    with pytest.raises(InvalidField, match="Sección"):
        coordinator.audit_trail(section="cocina")
    with pytest.raises(InvalidField, match="Resultado"):
        coordinator.audit_trail(outcome="quizá")
    with pytest.raises(InvalidField, match="Límite"):
        coordinator.audit_trail(limit=0)


def test_reading_the_trail_is_itself_audited(
    institute: Institute, coordinator: StaffSession
) -> None:
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    [ana] = women(coordinator, 1)
    receptionist.client_detail(ana)
    coordinator.audit_trail(client_id=ana)
    latest = coordinator.audit_trail(client_id=ana)
    assert latest[0].action == "auditar"
    assert latest[0].staff == coordinator.identity.display_name


def test_the_queue_is_bounded_and_counted(institute: Institute, coordinator: StaffSession) -> None:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    _, case_id = a_case(coordinator)
    for _ in range(3):
        social.legal_section(case_id, justification="Urgencia documentada en guardia (sintético).")
    # Each read is a break-the-glass; the three of one woman on one day, one «not assigned».
    assert coordinator.open_alert_count() == 4
    assert len(coordinator.alerts(limit=2)) == 2
    with pytest.raises(InvalidField, match="Límite"):
        coordinator.alerts(limit=0)


def test_a_backlog_is_swept_in_steps_with_the_alerts_of_one_sweep(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sweep of a large archive goes a few accesses at a time (bounded memory):
    a burst still counts the accesses of the steps before it (they are its window)."""
    monkeypatch.setattr(alerts, "SWEEP_BATCH", 2)
    institute.settings.alerts = ALWAYS_OPEN.model_copy(update={"many_women": 3})
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    ids = women(coordinator, 6)
    _, other = a_case(coordinator, "Berta Ajena Sintética")
    for client_id in ids:
        receptionist.client_detail(client_id)
    lawyer.legal_section(other)
    lawyer.legal_section(other)
    steps: list[int] = []
    sweep_once = alerts.sweep_once

    def counted(ctx: object) -> tuple[int, bool]:
        outcome = sweep_once(ctx)  # type: ignore[arg-type]
        steps.append(outcome[0])
        return outcome

    monkeypatch.setattr(alerts, "sweep_once", counted)
    coordinator.sweep_anomalies()
    assert len(steps) > 3  # several steps, not one
    [burst] = mine(coordinator.alerts(), AlertRule.MANY_WOMEN, receptionist)
    assert burst.women == 4
    assert len(mine(coordinator.alerts(), AlertRule.NOT_ASSIGNED, lawyer)) == 1
