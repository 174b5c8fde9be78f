"""Rules of the StaffAccount aggregate (credentials live in the keyring, not here)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.accounts import StaffAccount
from domain.errors import DomainError, InvalidField
from domain.vocabulary import Role


def an_account() -> StaffAccount:
    return StaffAccount.open(
        account_id=uuid4(),
        username_text="Abogada.Prueba",
        display_name="Laura Abogada Prueba",
        role=Role.LEGAL,
        opened_by=uuid4(),
    )


def test_an_account_opens_active_with_its_role_and_a_normalized_username() -> None:
    account = an_account()
    assert (account.username, account.role, account.active) == ("abogada.prueba", Role.LEGAL, True)
    assert account.role.label == "Jurídica"


def test_usernames_are_validated_naming_the_field() -> None:
    with pytest.raises(InvalidField, match=r"^Usuario"):
        StaffAccount.open(
            account_id=uuid4(),
            username_text="a b",
            display_name="Laura Prueba",
            role=Role.LEGAL,
            opened_by=None,
        )


def test_deactivation_by_someone_else_once_then_reactivation() -> None:
    account = an_account()
    with pytest.raises(DomainError, match="propia cuenta"):
        account.deactivate(account.id)
    admin = uuid4()
    account.deactivate(admin)
    with pytest.raises(DomainError, match="ya está desactivada"):
        account.deactivate(admin)
    with pytest.raises(DomainError, match="desactivada"):
        account.reset_password(admin)
    account.reactivate(admin)
    with pytest.raises(DomainError, match="ya está activa"):
        account.reactivate(admin)
    events = account.collect_events()
    rebuilt = None
    for item in events:
        rebuilt = item.mutate(rebuilt)
    assert isinstance(rebuilt, StaffAccount) and rebuilt.active


def test_a_password_reset_is_for_someone_else_s_account() -> None:
    account = an_account()
    with pytest.raises(DomainError, match="cambiar contraseña"):
        account.reset_password(account.id)
    account.reset_password(uuid4())
    assert [type(e).__name__ for e in account.collect_events()] == ["Opened", "PasswordReset"]
