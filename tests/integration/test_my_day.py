"""Mi día: her recent cases and the follow-ups coming due, each an audited list (both
backends)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.identity import format_date
from domain.vocabulary import Role, Section
from tests.support.factories import PASSWORD, a_client, an_intake, staff
from violeta.queries import my_day
from violeta.service import Institute, StaffSession


def test_mi_dia_lists_the_cases_where_she_attends_an_area(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    assigned = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    coordinator.open_case(
        coordinator.register_client(a_client("Beatriz Prueba Ficticia")), an_intake()
    )
    coordinator.assign_area(assigned.case_id, "juridica", lawyer.identity.staff_id)

    recent = lawyer.dashboard().my_recent_cases

    assert [case.case_id for case in recent] == [assigned.case_id]


def test_mi_dia_lists_overdue_and_coming_follow_ups_of_the_cases_she_attends(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    today = institute.today()

    def day(offset: int) -> str:
        return format_date(today + timedelta(days=offset))

    cases = [
        coordinator.open_case(
            coordinator.register_client(a_client(name, registered_on=day(-10))),
            an_intake(opened_on=day(-10)),
        ).case_id
        for name in ("Ana Prueba Sintética", "Beatriz Prueba Ficticia")
    ]
    coordinator.assign_area(cases[0], "juridica", lawyer.identity.staff_id)
    overdue, soon, later = day(-2), day(3), day(30)
    coordinator.schedule_follow_up(cases[0], soon, "telefono")
    coordinator.schedule_follow_up(cases[0], overdue, "presencial")
    coordinator.schedule_follow_up(cases[0], later, "presencial")
    coordinator.schedule_follow_up(cases[1], soon, "presencial")

    hers = lawyer.dashboard().follow_ups_due
    everyone = coordinator.dashboard().follow_ups_due
    admin = staff(institute, coordinator, "admin", Role.ADMINISTRATION)

    assert [(item.case_id, item.channel, item.overdue) for item in hers] == [
        (cases[0], "Presencial", True),
        (cases[0], "Teléfono", False),
    ]
    assert sorted(item.case_id for item in everyone) == sorted([cases[0], cases[0], cases[1]])
    assert admin.dashboard().follow_ups_due == ()
    assert institute.login("abogada", PASSWORD + "-nueva").dashboard().follow_ups_due == hers


def test_only_coordinacion_s_mi_dia_lists_the_closures_waiting_for_approval(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    case = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    coordinator.assign_area(case.case_id, "juridica", lawyer.identity.staff_id)
    lawyer.request_closure(case.case_id, "Motivo sintético de cierre.")

    (waiting,) = coordinator.dashboard().closures_to_approve

    assert (waiting.case_id, waiting.folio) == (case.case_id, case.folio)
    assert waiting.requested_by == "Persona Jurídica Prueba"
    assert lawyer.dashboard().closures_to_approve == ()
    coordinator.approve_closure(case.case_id)
    assert coordinator.dashboard().closures_to_approve == ()


def test_mi_dia_shows_and_records_only_the_most_urgent_follow_ups(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = institute.today()
    names = ("Ana Prueba Sintética", "Beatriz Prueba Ficticia", "Carla Prueba Inventada")
    cases = {}
    for offset, name in enumerate(names):
        client_id = coordinator.register_client(
            a_client(name, registered_on=format_date(today - timedelta(days=10)))
        )
        case_id = coordinator.open_case(
            client_id, an_intake(opened_on=format_date(today - timedelta(days=10)))
        ).case_id
        coordinator.schedule_follow_up(
            case_id, format_date(today - timedelta(days=3 - offset)), "telefono"
        )
        cases[case_id] = client_id
    monkeypatch.setattr(my_day, "FOLLOW_UPS_SHOWN", 2)
    # Recepción calls about every follow-up and attends none of these cases: her Mi día
    # lists these women only as follow-ups.
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)

    board = reception.dashboard()
    shown = board.follow_ups_due

    assert [item.case_id for item in shown] == list(cases)[:2]  # the most overdue first
    assert board.more_follow_ups  # the screen says so, and where the rest are
    [listing] = [
        entry
        for entry in coordinator.audit_entries(limit=20)
        if "seguimientos por vencer" in entry.purpose and entry.role == Role.RECEPTION.label
    ][:1]
    assert set(listing.client_ids) == {cases[item.case_id] for item in shown}
    monkeypatch.setattr(my_day, "FOLLOW_UPS_SHOWN", 3)
    assert not reception.dashboard().more_follow_ups  # exactly a page: nothing more


def test_her_recent_cases_come_from_the_institute_s_latest_activity_or_else_all_hers(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    names = ("Ana", "Berta", "Carla", "Dora", "Elena", "Fabiola")
    cases = [
        coordinator.open_case(
            coordinator.register_client(a_client(f"{name} Prueba Sintética")), an_intake()
        ).case_id
        for name in names
    ]
    for case_id in cases[:4]:
        coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    for case_id in reversed(cases[:4]):  # her last activity: the first case most recently
        lawyer.add_note(case_id, Section.LEGAL, "Nota sintética reciente.")
    monkeypatch.setattr(my_day, "RECENT_CASES", 2)
    monkeypatch.setattr(my_day, "RECENT_WINDOW", 3)  # the window holds enough of hers

    assert [case.case_id for case in lawyer.dashboard().my_recent_cases] == cases[:2]

    monkeypatch.setattr(my_day, "RECENT_WINDOW", 0)  # the window holds none: all hers
    assert [case.case_id for case in lawyer.dashboard().my_recent_cases] == cases[:2]


def accesses(session: StaffSession) -> list[dict[str, object]]:
    session.refresh()
    return [dict(row) for row in session._views.query("SELECT * FROM access_log ORDER BY at")]


def listed(session: StaffSession, access_id: object) -> set[str]:
    rows = session._views.query(
        "SELECT client_id FROM access_subjects WHERE access_id = ?", (str(access_id),)
    )
    return {row["client_id"] for row in rows}


def test_one_load_of_mi_dia_is_one_access_naming_every_woman_and_every_list_shown(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    names = ("Ana Prueba Sintética", "Berta Prueba Ficticia", "Carla Prueba Inventada")
    clients = [coordinator.register_client(a_client(name)) for name in names]
    cases = [coordinator.open_case(client_id, an_intake()).case_id for client_id in clients]
    coordinator.assign_area(cases[0], "juridica", lawyer.identity.staff_id)
    coordinator.schedule_follow_up(cases[1], format_date(institute.today()), "telefono")
    lawyer.request_closure(cases[0], "Motivo sintético de cierre.")
    # Outside the served ages, no case yet: listed only in coordinación's age queue.
    older = reception.register_client(
        a_client(
            "Dora Prueba Simulada",
            birth_date="01/01/1950",
            age_exception_reason="Acude sola; no hay otra instancia",
        )
    )
    before = accesses(coordinator)

    day = coordinator.my_day()

    new = accesses(coordinator)[len(before) :]
    assert len(new) == 1, [row["purpose"] for row in new]
    (access,) = new
    assert access["action"] == "listar" and access["staff_id"] == str(coordinator.identity.staff_id)
    shown = {
        *(case.client_id for case in day.dashboard.my_recent_cases),
        *(client.client_id for client in day.age_authorizations),
    }
    assert shown == {*clients, older}
    assert listed(coordinator, access["access_id"]) == {str(c) for c in shown}
    assert day.dashboard.follow_ups_due and day.dashboard.closures_to_approve
    purpose = str(access["purpose"])
    for what in (
        "mis expedientes recientes",
        "seguimientos por vencer",
        "cierres pendientes de aprobación",
        "autorizaciones de edad pendientes",
    ):
        assert what in purpose
    assert purpose.startswith("mi día: ")
    # The counters and each queue alone: the dashboard's lists are one access too.
    coordinator.dashboard()
    assert len(accesses(coordinator)) == len(before) + 2


def test_mi_dia_returns_nothing_when_its_access_cannot_be_recorded(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    coordinator.refresh()

    def failing_save(*aggregates: object) -> None:
        raise RuntimeError("almacén no disponible")

    monkeypatch.setattr(coordinator._store, "save", failing_save)
    with pytest.raises(RuntimeError):
        coordinator.my_day()
    with pytest.raises(RuntimeError):
        coordinator.dashboard()


def test_a_woman_in_several_of_mi_dia_s_lists_is_read_and_her_name_opened_once(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Her recent case and her follow-up due name her twice: one row of hers is read, with
    only the columns shown, and her name is opened once (what each listed row costs)."""
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    client_id = coordinator.register_client(a_client())
    case = coordinator.open_case(client_id, an_intake())
    coordinator.assign_area(case.case_id, "juridica", lawyer.identity.staff_id)
    coordinator.schedule_follow_up(
        case.case_id, format_date(institute.today() + timedelta(days=1)), "telefono"
    )
    lawyer.refresh()
    opened: list[str] = []
    original_open = lawyer._keyring.open

    def counting_open(subject_id: str, label: str, envelope: bytes) -> str:
        opened.append(label)
        return original_open(subject_id, label, envelope)

    statements: list[str] = []
    original_query = lawyer._views.query

    def counting_query(sql: str, params: Any = ()) -> Any:
        statements.append(sql)
        return original_query(sql, params)

    monkeypatch.setattr(lawyer._keyring, "open", counting_open)
    monkeypatch.setattr(lawyer._views, "query", counting_query)

    day = lawyer.my_day()

    assert [item.case_id for item in day.dashboard.my_recent_cases] == [case.case_id]
    assert [item.case_id for item in day.dashboard.follow_ups_due] == [case.case_id]
    assert day.dashboard.follow_ups_due[0].client_name == "Ana Prueba Sintética"
    assert day.dashboard.my_recent_cases[0].client_name == "Ana Prueba Sintética"
    assert opened == ["client.name"]
    read_clients = [sql for sql in statements if "FROM clients_view WHERE client_id" in sql]
    assert len(read_clients) == 1 and "SELECT *" not in read_clients[0]
