"""Staff accounts on both backends: deactivation removes the key slot, reset forces a change."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, NotPermitted
from domain.vocabulary import Role, Section
from keys import Keyring
from tests.support.factories import PASSWORD, a_client, an_intake, staff
from violeta.service import Institute, LoginFailed, StaffSession

TEMPORARY = "temporal-de-prueba-9"


def test_deactivation_removes_her_slot_so_her_password_unlocks_nothing(
    institute: Institute, coordinator: StaffSession
) -> None:
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    lawyer_id = lawyer.identity.staff_id
    lawyer.close()
    admin.deactivate_account(lawyer_id)
    assert Keyring.slot_info(institute.keystore, "abogada") is None
    with pytest.raises(LoginFailed):
        institute.login("abogada", PASSWORD + "-nueva")
    listed = {view.username: view for view in admin.accounts()}
    assert not listed["abogada"].active and listed["abogada"].role == "Jurídica"

    admin.reactivate_account(lawyer_id, TEMPORARY)
    back = institute.login("abogada", TEMPORARY)
    assert back.identity.must_change_password
    assert {view.username: view.active for view in admin.accounts()}["abogada"]
    back.close()


def test_reset_by_administracion_forces_a_change_at_next_login(
    institute: Institute, coordinator: StaffSession
) -> None:
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    with pytest.raises(NotPermitted):
        coordinator.reset_password(psychologist.identity.staff_id, TEMPORARY)
    with pytest.raises(DomainError, match="propia cuenta"):
        admin.reset_password(admin.identity.staff_id, TEMPORARY)
    admin.reset_password(psychologist.identity.staff_id, TEMPORARY)
    session = institute.login("psicologa", TEMPORARY)
    assert session.identity.must_change_password
    assert {v.username: v.must_change_password for v in admin.accounts()}["psicologa"]
    session.close()


def test_only_account_managers_manage_accounts_and_administracion_reads_no_case(
    institute: Institute, coordinator: StaffSession
) -> None:
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    with pytest.raises(NotPermitted):
        lawyer.deactivate_account(admin.identity.staff_id)
    with pytest.raises(NotPermitted):
        lawyer.accounts()
    case = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    for section in Section:
        with pytest.raises(NotPermitted):
            admin.case_detail(case.case_id, section, "Motivo suficientemente largo para leer.")
    with pytest.raises(NotPermitted):
        admin.legal_section(case.case_id, "Motivo suficientemente largo para leer.")


def test_the_last_active_coordinator_cannot_be_deactivated(
    institute: Institute, coordinator: StaffSession
) -> None:
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    with pytest.raises(DomainError, match="última cuenta activa de coordinación"):
        admin.deactivate_account(coordinator.identity.staff_id)
    second = staff(institute, coordinator, "coordina2", Role.COORDINATION)
    admin.deactivate_account(coordinator.identity.staff_id)
    assert {v.username: v.active for v in second.accounts()}["coordinacion"] is False
