from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest

from keys import BLIND_INDEX_BITS, Keyring, KeyringError, SQLiteKeyStore, UnlockedKeyring
from tests.unit.keys.conftest import COORDINATOR, COORDINATOR_PASSWORD, FAST


def test_a_blind_index_is_four_hex_characters(keyring: UnlockedKeyring) -> None:
    assert BLIND_INDEX_BITS == 16
    for token in ["ana", "", "PRSA900101MGTRRR01", "4611234567", "ñ\x00é"]:
        assert re.fullmatch(r"[0-9a-f]{4}", keyring.blind_index("nombre", token))


def test_a_blind_index_is_the_same_in_every_session(
    store: SQLiteKeyStore, keyring: UnlockedKeyring
) -> None:
    tokens = [f"token-{n}" for n in range(50)]
    first = [keyring.blind_index("nombre", t) for t in tokens]

    other_session = Keyring.unlock(store, COORDINATOR, COORDINATOR_PASSWORD)

    assert [other_session.blind_index("nombre", t) for t in tokens] == first
    assert [keyring.blind_index("nombre", t) for t in tokens] == first


def test_the_index_depends_on_the_kind(keyring: UnlockedKeyring) -> None:
    tokens = [f"{n:010d}" for n in range(40)]

    as_phone = [keyring.blind_index("telefono", t) for t in tokens]
    as_curp = [keyring.blind_index("curp", t) for t in tokens]

    assert as_phone != as_curp


def test_collisions_are_expected_so_callers_must_confirm(keyring: UnlockedKeyring) -> None:
    # About 68 collisions are expected among 3000 tokens in 16 bits.
    indexes = {keyring.blind_index("nombre", f"nombre{n}") for n in range(3000)}

    assert 2000 < len(indexes) < 3000


def test_each_keyring_has_its_own_index_key(tmp_path: Path, keyring: UnlockedKeyring) -> None:
    other_store = SQLiteKeyStore(tmp_path / "otra-institucion.db")
    other = Keyring.initialize(other_store, COORDINATOR, COORDINATOR_PASSWORD, kdf=FAST).keyring
    tokens = [f"token-{n}" for n in range(40)]

    assert [other.blind_index("nombre", t) for t in tokens] != [
        keyring.blind_index("nombre", t) for t in tokens
    ]
    other_store.close()


def test_many_tokens_at_once_are_each_one_s_index(keyring: UnlockedKeyring) -> None:
    """``blind_indexes`` copies one prepared HMAC of the index key: the same values as keying
    a new HMAC per token, which ``lock()`` refuses afterwards like every other use."""
    tokens = ["ana", "alejandra", "ale", "4611234567", "ñ\x00é", ""]
    index_key = bytes(keyring._index or b"")
    expected = {
        hmac.new(index_key, b"nombre\0" + token.encode(), hashlib.sha256).hexdigest()[:4]
        for token in tokens
    }
    assert keyring.blind_indexes("nombre", tokens) == expected
    assert {keyring.blind_index("nombre", token) for token in tokens} == expected
    keyring.lock()
    with pytest.raises(KeyringError):
        keyring.blind_indexes("nombre", tokens)
    assert keyring._index_mac is None
