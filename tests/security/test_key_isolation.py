"""One damaged key harms what it protects and nothing else (issue 13, keys part)."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from tests.support.factories import PASSWORD, a_client
from violeta.errors import LoginFailed
from violeta.service import Institute, StaffSession


def _flip_stored(institute: Institute, table: str, column: str, key: str, value: str) -> None:
    """Flips one bit of a stored envelope, as someone editing the key store file would."""
    store = institute.keystore
    select = f"SELECT {column} FROM {{p}}{table} WHERE {key} = :value"
    update = f"UPDATE {{p}}{table} SET {column} = :bytes WHERE {key} = :value"
    with store._write() as cursor:  # type: ignore[attr-defined]
        cursor.execute(store._q(select), {"value": value})  # type: ignore[attr-defined]
        stored = bytearray(cursor.fetchone()[0])
        stored[-1] ^= 0x01
        cursor.execute(store._q(update), {"bytes": bytes(stored), "value": value})  # type: ignore[attr-defined]


def test_a_damaged_index_key_turns_off_search_and_nothing_else(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client())
    coordinator.close()
    _flip_stored(institute, "wrapped_keys", "wrapped", "key_id", "index")

    session = institute.login("coordinacion", PASSWORD)
    assert session.client_detail(client_id).name == "Ana Prueba Sintética"
    with pytest.raises(DomainError, match="búsqueda no está disponible"):
        session.search_clients("ana")
    session.close()


def test_a_damaged_slot_says_so_instead_of_wrong_password(
    institute: Institute, coordinator: StaffSession
) -> None:
    coordinator.close()
    _flip_stored(institute, "key_slots", "wrapped_kek", "username", "coordinacion")
    for _ in range(6):  # more than the lockout allows: a damaged slot is not a guess
        with pytest.raises(LoginFailed, match="dañado"):
            institute.login("coordinacion", PASSWORD)


@pytest.mark.parametrize("column", ["wrapped_private_key", "salt"])
def test_a_damaged_password_envelope_says_so_and_is_never_counted_as_a_guess(
    institute: Institute, coordinator: StaffSession, column: str
) -> None:
    """GCM alone cannot tell an altered envelope from a wrong password: the slot's stored
    digest does, before any password is tried."""
    coordinator.close()
    _flip_stored(institute, "key_slots", column, "username", "coordinacion")
    for _ in range(8):  # more than the lockout allows
        with pytest.raises(LoginFailed, match="dañado") as refused:
            institute.login("coordinacion", PASSWORD)
        assert "incorrectos" not in str(refused.value)
    slot = institute.keystore.slot("coordinacion")
    assert slot is not None
    assert slot.failed_attempts == 0
    assert slot.locked_until is None
    # A wrong password on an intact slot is still a wrong password.
    with pytest.raises(LoginFailed, match="incorrectos"):
        institute.login("nadie", PASSWORD)


def test_a_password_change_keeps_the_slot_digest_in_step(
    institute: Institute, coordinator: StaffSession
) -> None:
    coordinator.change_password(PASSWORD, PASSWORD + "-otra")
    coordinator.close()
    institute.login("coordinacion", PASSWORD + "-otra").close()
    with pytest.raises(LoginFailed, match="incorrectos"):
        institute.login("coordinacion", PASSWORD)
