"""What the terminal app relies on, on both backends: the trail's next page by the last access
shown, «may I?» with an approval's subject (the second-person rule), and search listing her
full name as typed first. Synthetic data only."""

from __future__ import annotations

import pytest

from domain.errors import InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import a_client, staff
from violeta.service import Institute, StaffSession


def test_the_trail_pages_by_the_last_access_shown(coordinator: StaffSession) -> None:
    ana = coordinator.register_client(a_client())
    for _ in range(7):
        coordinator.client_detail(ana)
    first = coordinator.audit_trail(limit=3)
    second = coordinator.audit_trail(limit=3, before=first[-1].access_id)
    everything = coordinator.audit_trail(limit=1000)
    ids = [entry.access_id for entry in everything]
    start = ids.index(first[-1].access_id) + 1
    # The reads of the trail itself came in at the top; the second page is not shifted.
    assert [entry.access_id for entry in second] == ids[start : start + 3]
    assert all(entry.at <= first[-1].at for entry in second)
    with pytest.raises(InvalidField) as refused:
        coordinator.audit_trail(before=ana)
    assert refused.value.field == "Página"


def test_may_with_a_subject_applies_the_second_person_rule(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana = coordinator.register_client(a_client())
    receptionist = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    coordinator.request_erasure(ana)
    assert coordinator.may("approve_erasure") is True
    assert coordinator.may("approve_erasure", subject=ana) is False
    with pytest.raises(NotPermitted):
        coordinator.approve_erasure(ana)
    assert receptionist.may("approve_erasure", subject=ana) is False  # not her role
    assert coordinator.may("approve_erasure", subject=coordinator.identity.staff_id) is False


def test_search_lists_her_full_name_as_typed_first(coordinator: StaffSession) -> None:
    for name in ("Ana Prueba Sintética", "Anabel Sintética Ruiz", "Ana Sintética"):
        coordinator.register_client(a_client(name), confirm_not_duplicate=True)
    found = [summary.name for summary in coordinator.search_clients("ANA sintetica")]
    assert found == ["Ana Sintética", "Ana Prueba Sintética", "Anabel Sintética Ruiz"]
