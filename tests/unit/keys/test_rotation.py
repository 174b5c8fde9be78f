from __future__ import annotations

import pytest

from keys import Duty, Keyring, KeyringError, SQLiteKeyStore, UnlockedKeyring
from tests.unit.keys.conftest import COORDINATOR, COORDINATOR_PASSWORD, FAST

PASSWORDS = {COORDINATOR: COORDINATOR_PASSWORD, "trabajo.social": "contraseña-de-ts-5"}
SUBJECTS = [f"usuaria-{n}" for n in range(5)]


def _populate(keyring: UnlockedKeyring) -> dict[str, bytes]:
    keyring.add_password_slot(
        "trabajo.social", PASSWORDS["trabajo.social"], account_id="ts", kdf=FAST
    )
    keyring.enable_slot("trabajo.social", [Duty.CASE])
    return {s: keyring.seal(s, "client.name", f"Nombre de {s}") for s in SUBJECTS}


def _stored_bytes(store: SQLiteKeyStore) -> tuple[dict[str, bytes], list[bytes]]:
    slots = [store.slot(name) for name in [*PASSWORDS, ""]]
    keys = {s: store.subject_key(s) for s in SUBJECTS}
    for fixed in ("institution", "index"):
        keys[fixed] = store.key(fixed)
    return (
        {k: v.wrapped for k, v in keys.items() if v is not None},
        [s.wrapped_kek for s in slots if s is not None],
    )


def test_rotation_keeps_every_value_key_index_and_password_working(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    envelopes = _populate(keyring)
    secret = keyring.add_service_slot()
    institution_key = keyring.institution_key
    indexes = [keyring.blind_index("nombre", s) for s in SUBJECTS]

    keyring.rotate_master_key()

    for subject, envelope in envelopes.items():
        assert keyring.open(subject, "client.name", envelope) == f"Nombre de {subject}"
    assert keyring.institution_key == institution_key
    assert [keyring.blind_index("nombre", s) for s in SUBJECTS] == indexes
    for username, password in PASSWORDS.items():
        session = Keyring.unlock(store, username, password)
        assert session.institution_key == institution_key
        assert session.open(SUBJECTS[0], "client.name", envelopes[SUBJECTS[0]]) == (
            f"Nombre de {SUBJECTS[0]}"
        )
    service = Keyring.unlock_with_service_secret(store, secret)
    assert service.blind_index("nombre", SUBJECTS[0]) == indexes[0]


def test_rotation_rewrites_every_wrap_under_the_master_key(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    _populate(keyring)
    keyring.add_service_slot()
    keys_before, keks_before = _stored_bytes(store)

    keyring.rotate_master_key()

    keys_after, keks_after = _stored_bytes(store)
    assert len(keks_after) == len(keks_before) == 3
    assert not set(keks_before) & set(keks_after)
    assert keys_after.keys() == keys_before.keys()
    # The institution key is the KEK's; the index and subject keys are under the case key,
    # which a master key rotation does not touch.
    assert keys_after["institution"] != keys_before["institution"]
    assert all(keys_after[k] == keys_before[k] for k in keys_before if k != "institution")


def test_rotation_leaves_password_wraps_alone(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    _populate(keyring)
    before = store.slot(COORDINATOR)
    assert before is not None

    keyring.rotate_master_key()

    after = store.slot(COORDINATOR)
    assert after is not None
    assert (after.salt, after.wrapped_private_key, after.public_key) == (
        before.salt,
        before.wrapped_private_key,
        before.public_key,
    )


def test_a_session_opened_before_a_rotation_elsewhere_keeps_working(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    envelopes = _populate(keyring)
    earlier = Keyring.unlock(store, "trabajo.social", PASSWORDS["trabajo.social"])

    keyring.rotate_master_key()

    assert earlier.open(SUBJECTS[1], "client.name", envelopes[SUBJECTS[1]]) == (
        f"Nombre de {SUBJECTS[1]}"
    )
    new_envelope = earlier.seal("nueva", "client.name", "Dato nuevo")
    assert keyring.open("nueva", "client.name", new_envelope) == "Dato nuevo"
    earlier.add_password_slot("juridico", "contraseña-juridica", account_id="j", kdf=FAST)
    earlier.enable_slot("juridico", [Duty.CASE])
    assert Keyring.unlock(store, "juridico", "contraseña-juridica").open(
        "nueva", "client.name", new_envelope
    ) == ("Dato nuevo")


def test_a_removed_slot_loses_its_open_session_at_the_next_rotation(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    _populate(keyring)
    removed = Keyring.unlock(store, "trabajo.social", PASSWORDS["trabajo.social"])
    keyring.remove_slot("trabajo.social")

    keyring.rotate_master_key()

    with pytest.raises(KeyringError, match="revocado"):
        removed.new_subject()
    with pytest.raises(KeyringError, match="bloqueado"):
        removed.blind_index("nombre", "ana")


def test_rotating_twice_in_a_row_works(store: SQLiteKeyStore, keyring: UnlockedKeyring) -> None:
    envelopes = _populate(keyring)

    keyring.rotate_master_key()
    keyring.rotate_master_key()

    fresh = Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD)
    assert fresh.open(SUBJECTS[3], "client.name", envelopes[SUBJECTS[3]]) == (
        f"Nombre de {SUBJECTS[3]}"
    )
