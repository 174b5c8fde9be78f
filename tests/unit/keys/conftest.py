from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from keys import KdfParams, Keyring, SQLiteKeyStore, UnlockedKeyring

COORDINATOR = "coordinacion"
COORDINATOR_PASSWORD = "contraseña-de-prueba-1"
FAST = KdfParams.fast()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteKeyStore]:
    store = SQLiteKeyStore(tmp_path / "llaves.db")
    yield store
    store.close()


@pytest.fixture
def keyring(store: SQLiteKeyStore) -> Iterator[UnlockedKeyring]:
    keyring = Keyring.initialize(
        store, COORDINATOR, COORDINATOR_PASSWORD, kdf=FAST, account_id="cuenta-1"
    ).keyring
    yield keyring
    keyring.lock()
