from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from keys import (
    AccountLocked,
    Duty,
    KdfParams,
    Keyring,
    KeyringError,
    KeyringNotInitialized,
    MissingDuty,
    PasswordPolicyError,
    SlotInfo,
    SQLiteKeyStore,
    UnlockedKeyring,
    WrongPassword,
)
from tests.unit.keys.conftest import COORDINATOR, COORDINATOR_PASSWORD, FAST

T0 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
WRONG = "no-es-la-contraseña"
PSYCHOLOGIST = "psicologia"
PSYCHOLOGIST_PASSWORD = "contraseña-inicial-2"


def _add_psychologist(keyring: UnlockedKeyring, **extra: bool) -> None:
    keyring.add_password_slot(
        PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD, account_id="cuenta-2", kdf=FAST, **extra
    )


def test_the_first_slot_unlocks_with_its_password(store: SQLiteKeyStore) -> None:
    first = Keyring.initialize(
        store, COORDINATOR, COORDINATOR_PASSWORD, kdf=FAST, account_id="a"
    ).keyring

    again = Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD)

    assert Keyring.is_initialized(store)
    assert (again.username, again.account_id, again.must_change_password) == (
        COORDINATOR,
        "a",
        False,
    )
    assert again.institution_key == first.institution_key
    assert len(again.institution_key) == 32


def test_an_empty_store_is_not_initialized_and_cannot_be_unlocked(
    store: SQLiteKeyStore,
) -> None:
    assert not Keyring.is_initialized(store)
    with pytest.raises(KeyringNotInitialized):
        Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD)


def test_initializing_twice_is_refused(store: SQLiteKeyStore, keyring: UnlockedKeyring) -> None:
    with pytest.raises(KeyringError, match="ya fue inicializado"):
        Keyring.initialize(store, "otra", "otra-contraseña-9", kdf=FAST)


def test_a_short_first_password_is_refused(store: SQLiteKeyStore) -> None:
    with pytest.raises(PasswordPolicyError, match="al menos 10 caracteres"):
        Keyring.initialize(store, COORDINATOR, "corta", kdf=FAST)
    assert not Keyring.is_initialized(store)


def test_a_wrong_password_and_an_unknown_user_give_the_same_message(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    with pytest.raises(WrongPassword) as wrong:
        Keyring.unlock(store, COORDINATOR, WRONG, now=T0)
    with pytest.raises(WrongPassword) as unknown:
        Keyring.unlock(store, "nadie", WRONG, now=T0)

    assert str(wrong.value) == str(unknown.value) == "Usuario o contraseña incorrectos."


def test_five_failures_lock_the_slot_for_fifteen_minutes(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    for minute in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, COORDINATOR, WRONG, now=T0 + timedelta(minutes=minute))
    with pytest.raises(AccountLocked) as fifth:
        Keyring.unlock(store, COORDINATOR, WRONG, now=T0 + timedelta(minutes=4))
    until = T0 + timedelta(minutes=4 + 15)
    assert fifth.value.until == until

    with pytest.raises(AccountLocked) as right_password_while_locked:
        Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD, now=until - timedelta(seconds=1))
    assert right_password_while_locked.value.until == until
    assert right_password_while_locked.value.until.tzinfo is not None
    # 16:19 UTC is 10:19 in central Mexico.
    assert str(right_password_while_locked.value) == (
        "Cuenta bloqueada por intentos fallidos; intente de nuevo después de las 10:19."
    )

    assert Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD, now=until).username == (
        COORDINATOR
    )


def test_an_unknown_username_is_locked_like_a_real_one_so_the_lockout_reveals_nothing(
    store: SQLiteKeyStore, keyring: UnlockedKeyring, tmp_path: Path
) -> None:
    outcomes = {}
    for username in (COORDINATOR, "nadie"):
        for _ in range(4):
            with pytest.raises(WrongPassword):
                Keyring.unlock(store, username, WRONG, now=T0)
        with pytest.raises(AccountLocked) as fifth:
            Keyring.unlock(store, username, WRONG, now=T0)
        with pytest.raises(AccountLocked) as sixth:
            Keyring.unlock(store, username, WRONG, now=T0 + timedelta(minutes=14))
        outcomes[username] = (str(fifth.value), str(sixth.value))

    assert outcomes[COORDINATOR] == outcomes["nadie"]
    with pytest.raises(WrongPassword):
        Keyring.unlock(store, "nadie", WRONG, now=T0 + timedelta(minutes=15))
    assert all(b"nadie" not in path.read_bytes() for path in tmp_path.iterdir())


def test_a_success_resets_the_failure_count(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, COORDINATOR, WRONG, now=T0)
    Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD, now=T0)

    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, COORDINATOR, WRONG, now=T0)


def test_after_a_lockout_expires_the_count_starts_again(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, COORDINATOR, WRONG, now=T0)
    with pytest.raises(AccountLocked):
        Keyring.unlock(store, COORDINATOR, WRONG, now=T0)

    later = T0 + timedelta(minutes=15)
    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, COORDINATOR, WRONG, now=later)


def test_the_lockout_is_per_slot(store: SQLiteKeyStore, keyring: UnlockedKeyring) -> None:
    _add_psychologist(keyring)
    for _ in range(5):
        with pytest.raises((WrongPassword, AccountLocked)):
            Keyring.unlock(store, COORDINATOR, WRONG, now=T0)

    assert Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD, now=T0).username == (
        PSYCHOLOGIST
    )


def test_a_new_slot_opens_nothing_until_enabled_and_asks_for_a_password_change(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    envelope = keyring.seal("s", "client.name", "Ana")
    _add_psychologist(keyring)

    pending = Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD)
    assert pending.must_change_password
    assert pending.account_id == "cuenta-2"
    assert pending.duties == frozenset()
    with pytest.raises(MissingDuty):
        pending.open("s", "client.name", envelope)
    with pytest.raises(MissingDuty):
        pending.blind_index("nombre", "ana")

    keyring.enable_slot(PSYCHOLOGIST, [Duty.CASE])
    other = Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD)
    assert other.open("s", "client.name", envelope) == "Ana"
    assert other.institution_key == keyring.institution_key


def test_a_slot_for_an_existing_username_is_refused(keyring: UnlockedKeyring) -> None:
    _add_psychologist(keyring)

    with pytest.raises(KeyringError, match="Ya existe"):
        _add_psychologist(keyring)


def test_slot_info_tells_no_secrets(store: SQLiteKeyStore, keyring: UnlockedKeyring) -> None:
    _add_psychologist(keyring)

    info = Keyring.slot_info(store, PSYCHOLOGIST)

    assert info == SlotInfo(PSYCHOLOGIST, "cuenta-2", True, "password", frozenset())
    assert [f.name for f in fields(SlotInfo)] == [
        "username",
        "account_id",
        "must_change_password",
        "kind",
        "duties",
    ]
    assert Keyring.slot_info(store, "nadie") is None


def test_changing_a_password_rewraps_only_that_slot(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    _add_psychologist(keyring)
    coordinator_before = store.slot(COORDINATOR)
    psychologist_before = store.slot(PSYCHOLOGIST)
    assert psychologist_before is not None
    new_password = "nueva-contraseña-3"

    keyring.change_password(PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD, new_password)

    assert store.slot(COORDINATOR) == coordinator_before
    psychologist_after = store.slot(PSYCHOLOGIST)
    assert psychologist_after is not None
    assert psychologist_after.wrapped_private_key != psychologist_before.wrapped_private_key
    assert psychologist_after.salt != psychologist_before.salt
    assert psychologist_after.wrapped_kek == psychologist_before.wrapped_kek
    assert not psychologist_after.must_change_password
    with pytest.raises(WrongPassword):
        Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD)
    unlocked = Keyring.unlock(store, PSYCHOLOGIST, new_password)
    assert not unlocked.must_change_password


def test_changing_ones_own_password_clears_the_change_flag(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    _add_psychologist(keyring)
    session = Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD)

    session.change_password(PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD, "nueva-contraseña-3")

    assert not session.must_change_password


def test_a_password_change_needs_the_old_password(keyring: UnlockedKeyring) -> None:
    with pytest.raises(WrongPassword):
        keyring.change_password(COORDINATOR, WRONG, "nueva-contraseña-3")


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("corta", "al menos 10 caracteres"),
        (COORDINATOR_PASSWORD, "distinta de la anterior"),
    ],
)
def test_a_new_password_must_follow_the_policy(
    keyring: UnlockedKeyring, new_password: str, message: str
) -> None:
    with pytest.raises(PasswordPolicyError, match=message):
        keyring.change_password(COORDINATOR, COORDINATOR_PASSWORD, new_password)


def test_a_reset_replaces_the_secret_and_asks_for_a_change(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    envelope = keyring.seal("s", "client.name", "Ana")
    _add_psychologist(keyring, must_change_password=False)
    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, PSYCHOLOGIST, WRONG, now=T0)

    keyring.reset_password(PSYCHOLOGIST, "restablecida-4444")

    with pytest.raises(WrongPassword):
        Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD, now=T0)
    session = Keyring.unlock(store, PSYCHOLOGIST, "restablecida-4444", now=T0)
    assert session.must_change_password
    # The reset slot lost its duty keys with its old key pair: the resetter's new password
    # opens nothing until someone enables it again.
    with pytest.raises(MissingDuty):
        session.open("s", "client.name", envelope)
    keyring.enable_slot(PSYCHOLOGIST, [Duty.CASE])
    enabled = Keyring.unlock(store, PSYCHOLOGIST, "restablecida-4444", now=T0)
    assert enabled.open("s", "client.name", envelope) == "Ana"


def test_resetting_an_unknown_slot_is_refused(keyring: UnlockedKeyring) -> None:
    with pytest.raises(KeyringError, match="No existe"):
        keyring.reset_password("nadie", "restablecida-4444")


def test_a_removed_slot_can_no_longer_unlock(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    _add_psychologist(keyring)

    keyring.remove_slot(PSYCHOLOGIST)

    assert Keyring.slot_info(store, PSYCHOLOGIST) is None
    with pytest.raises(WrongPassword):
        Keyring.unlock(store, PSYCHOLOGIST, PSYCHOLOGIST_PASSWORD)


def test_the_last_password_slot_cannot_be_removed(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    keyring.add_service_slot()

    with pytest.raises(KeyringError, match="último acceso"):
        keyring.remove_slot(COORDINATOR)
    assert Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD).username == COORDINATOR


def test_the_service_secret_unlocks_the_same_keys(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    envelope = keyring.seal("s", "client.name", "Ana")

    secret = keyring.add_service_slot()
    service = Keyring.unlock_with_service_secret(store, secret)

    assert len(secret) >= 43
    assert service.username is None
    assert service.institution_key == keyring.institution_key
    assert service.open("s", "client.name", envelope) == "Ana"
    assert service.blind_index("curp", "X") == keyring.blind_index("curp", "X")


def test_a_new_service_secret_replaces_the_old_one(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    old = keyring.add_service_slot()
    new = keyring.add_service_slot()

    with pytest.raises(WrongPassword, match="secreto de servicio"):
        Keyring.unlock_with_service_secret(store, old)
    assert Keyring.unlock_with_service_secret(store, new).username is None


def test_the_service_secret_is_not_a_password(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    secret = keyring.add_service_slot()

    with pytest.raises(WrongPassword):
        Keyring.unlock(store, "", secret)
    with pytest.raises(WrongPassword):
        Keyring.unlock_with_service_secret(store, COORDINATOR_PASSWORD)


def test_without_a_service_slot_no_secret_unlocks(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    with pytest.raises(WrongPassword):
        Keyring.unlock_with_service_secret(store, "cualquier-cosa")


def test_a_locked_keyring_refuses_every_use(keyring: UnlockedKeyring) -> None:
    envelope = keyring.seal("s", "client.name", "Ana")

    keyring.lock()
    keyring.lock()

    uses: list[Callable[[], object]] = [
        lambda: keyring.seal("s", "client.name", "Ana"),
        lambda: keyring.open("s", "client.name", envelope),
        lambda: keyring.blind_index("nombre", "ana"),
        lambda: keyring.institution_key,
        lambda: keyring.shred("s"),
        lambda: keyring.is_shredded("s"),
        keyring.rotate_master_key,
        keyring.add_service_slot,
        lambda: keyring.add_password_slot("x", "contraseña-larga", account_id="x", kdf=FAST),
    ]
    for use in uses:
        with pytest.raises(KeyringError, match=r"^El llavero está bloqueado\.$"):
            use()


def test_kdf_parameters_are_validated() -> None:
    assert KdfParams.fast().n == 2**12
    assert KdfParams() == KdfParams(n=2**15, r=8, p=1)
    with pytest.raises(ValueError, match="potencia de dos"):
        KdfParams(n=1000)
