"""The account list comes from the views (staff_view + staff_enabled), not from loading every
account: whether each one is enabled follows creation, enabling, a reset and a reactivation.
Both backends."""

from __future__ import annotations

import pytest

from domain.vocabulary import Role
from tests.support.factories import PASSWORD, enable, staff
from violeta.service import Institute, StaffSession


def enabled(coordinator: StaffSession) -> dict[str, bool]:
    return {view.username: view.enabled for view in coordinator.accounts()}


def test_the_account_list_loads_no_account(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff(institute, coordinator, "juridica", Role.LEGAL)
    waiting = coordinator.create_account(
        "psicologa", "Persona Psicología Prueba", Role.PSYCHOLOGY, PASSWORD
    )

    def no_loading(*_: object) -> None:
        raise AssertionError("the list loaded an account")

    monkeypatch.setattr(coordinator, "_managed_account", no_loading)
    assert enabled(coordinator) == {"coordinacion": True, "juridica": True, "psicologa": False}
    monkeypatch.undo()

    enable(institute, "psicologa")
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    legal = next(v.staff_id for v in coordinator.accounts() if v.username == "juridica")
    admin.reset_password(legal, PASSWORD + "-temporal")
    monkeypatch.setattr(coordinator, "_managed_account", no_loading)
    assert enabled(coordinator) == {
        "coordinacion": True,
        "juridica": False,
        "psicologa": True,
        "administra": True,
    }
    assert waiting is not None
