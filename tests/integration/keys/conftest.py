"""Key stores on both backends; ``open_store`` opens one more store on the same data, as a
second process would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from keys import KeyStore, PostgresKeyStore, SQLiteKeyStore

StoreOpener = Callable[[], KeyStore]


@pytest.fixture
def open_store(
    backend: str, data_dir: Path, request: pytest.FixtureRequest
) -> Iterator[StoreOpener]:
    opened: list[KeyStore] = []
    if backend == "sqlite":

        def make() -> KeyStore:
            return SQLiteKeyStore(data_dir / "llaves.db")

    else:
        target = request.getfixturevalue("postgres_target")

        def make() -> KeyStore:
            return PostgresKeyStore(target.conninfo, target.schema)

    def opener() -> KeyStore:
        store = make()
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def key_store(open_store: StoreOpener) -> KeyStore:
    return open_store()
