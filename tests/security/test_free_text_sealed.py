"""Free text that concerns a woman is sealed with her key (issue 13, item 1): a
break-the-glass reason that names her is unreadable at rest and gone with her erasure."""

from __future__ import annotations

from domain.vocabulary import Role
from tests.support.factories import a_case, all_bytes_under, staff
from violeta.service import Institute, StaffSession

REASON = "Revisión urgente solicitada por Anacanaria Pruebísima en ventanilla"


def test_a_break_the_glass_reason_is_sealed_and_erased_with_her(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id, case_id = a_case(coordinator)
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    reception.legal_section(case_id, justification=REASON)
    (entry,) = [e for e in coordinator.audit_entries(client_id) if e.exceptional]
    assert entry.justification == REASON  # coordinación reads it, audited
    if institute.settings.backend == "sqlite":
        assert b"Anacanaria" not in all_bytes_under(institute.settings.data)

    reception.request_erasure(client_id)
    coordinator.approve_erasure(client_id)
    (entry,) = [e for e in coordinator.audit_entries(client_id) if e.exceptional]
    assert entry.justification == "[dato eliminado]"


def test_an_institution_typed_by_hand_is_sealed_and_erased_with_her(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id, case_id = a_case(coordinator)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    social.record_gestion(
        case_id, what="Gestión sintética", institution=REASON, outcome="favorable"
    )
    (gestion,) = social.social_work_section(case_id).gestiones
    assert gestion.institution == REASON
    if institute.settings.backend == "sqlite":
        assert b"Anacanaria" not in all_bytes_under(institute.settings.data)
    social.request_erasure(client_id)
    coordinator.approve_erasure(client_id)
    (gestion,) = social.social_work_section(case_id).gestiones
    assert gestion.institution == "[dato eliminado]"
