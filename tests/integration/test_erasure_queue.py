"""Coordinación's queue of ARCO cancellations waiting for approval: in Mi día (one audited
access with the rest of the screen) and on its own; approved only by a second person (both
backends)."""

from __future__ import annotations

import pytest

from domain.errors import NotPermitted
from domain.vocabulary import Role
from tests.support.factories import PASSWORD, a_client, an_intake, enable, staff
from violeta.service import Institute, StaffSession


def accesses(session: StaffSession) -> list[dict[str, object]]:
    session.refresh()
    return [dict(row) for row in session._views.query("SELECT * FROM access_log ORDER BY at")]


def listed(session: StaffSession, access_id: object) -> set[str]:
    rows = session._views.query(
        "SELECT client_id FROM access_subjects WHERE access_id = ?", (str(access_id),)
    )
    return {row["client_id"] for row in rows}


def test_mi_dia_lists_the_erasures_to_approve_in_its_one_access(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    asked = social.register_client(a_client("Ana Prueba Sintética"))
    kept = social.register_client(a_client("Berta Prueba Ficticia"))
    social.open_case(kept, an_intake())
    social.request_erasure(asked)
    before = accesses(coordinator)

    day = coordinator.my_day()

    new = accesses(coordinator)[len(before) :]
    assert len(new) == 1, [row["purpose"] for row in new]
    (access,) = new
    assert "cancelaciones pendientes de aprobación" in str(access["purpose"])
    assert str(asked) in listed(coordinator, access["access_id"])
    (pending,) = day.erasures
    assert (pending.client_id, pending.name) == (asked, "Ana Prueba Sintética")
    assert pending.requested_by == "Persona Trabajo social Prueba"
    assert pending.requested_by_id == social.identity.staff_id
    assert day.dashboard.pending_erasures == 1
    # The same queue on its own, and only for coordinación, who approves.
    assert coordinator.pending_erasures() == [pending]
    assert social.my_day().erasures == () and lawyer.my_day().erasures == ()
    with pytest.raises(NotPermitted):
        social.pending_erasures()

    coordinator.approve_erasure(asked)

    assert coordinator.my_day().erasures == ()
    assert coordinator.client_detail(asked).erased


def test_whoever_asked_for_an_erasure_sees_it_queued_but_cannot_approve_it(
    institute: Institute, coordinator: StaffSession
) -> None:
    # A colleague whose account she created is no second person either; one created by
    # administración is.
    hers = staff(institute, coordinator, "coordinacion2", Role.COORDINATION)
    admin = staff(institute, coordinator, "admin", Role.ADMINISTRATION)
    admin.create_account("coordinacion3", "Otra Coordinación Prueba", Role.COORDINATION, PASSWORD)
    enable(institute, "coordinacion3")
    other = institute.login("coordinacion3", PASSWORD)
    other.change_password(PASSWORD, PASSWORD + "-nueva")
    client_id = coordinator.register_client(a_client("Carla Prueba Inventada"))
    coordinator.request_erasure(client_id)

    (mine,) = coordinator.my_day().erasures
    assert mine.requested_by_id == coordinator.identity.staff_id
    assert coordinator.may("approve_erasure", subject=client_id) is False
    with pytest.raises(NotPermitted) as refused:
        coordinator.approve_erasure(client_id)
    assert "segunda persona" in refused.value.message
    assert [item.client_id for item in coordinator.pending_erasures()] == [client_id]

    assert hers.may("approve_erasure", subject=client_id) is False
    with pytest.raises(NotPermitted):
        hers.approve_erasure(client_id)

    try:
        assert other.may("approve_erasure", subject=client_id) is True
        (listed_to_her,) = other.my_day().erasures
        assert listed_to_her.requested_by == coordinator.identity.display_name
        other.approve_erasure(client_id)
        assert other.pending_erasures() == [] and coordinator.my_day().erasures == ()
    finally:
        other.close()


def test_a_woman_in_both_of_coordinacion_s_queues_is_read_and_her_name_opened_once(
    institute: Institute, coordinator: StaffSession
) -> None:
    """The age and erasure queues share one step: her ids as the views give them (one
    listing of Mi día), her name opened once per screen (``_listed_names``), like the
    other queues."""
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    both = social.register_client(
        a_client(birth_date="01/01/1950", age_exception_reason="Acude sola (dato sintético)")
    )
    social.request_erasure(both)
    coordinator.refresh()
    keyring = coordinator._keyring
    opened: list[tuple[str, str]] = []
    real_open = keyring.open

    def counting(subject: str, label: str, envelope: bytes) -> str:
        opened.append((subject, label))
        return real_open(subject, label, envelope)

    keyring.open = counting  # type: ignore[method-assign]
    try:
        day = coordinator.my_day()
    finally:
        keyring.open = real_open  # type: ignore[method-assign]

    assert [item.client_id for item in day.age_authorizations] == [both]
    assert [item.client_id for item in day.erasures] == [both]
    assert day.erasures[0].name == day.age_authorizations[0].name == "Ana Prueba Sintética"
    assert opened.count((str(both), "client.name")) == 1
    social.close()
