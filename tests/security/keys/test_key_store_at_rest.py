"""P1 for the key store: after normal use, a shred and a rotation, no byte of any file in the
SQLite key store directory holds a plaintext, a key in clear, or a wrap that was destroyed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from keys import Duty, KdfParams, Keyring, SQLiteKeyStore, UnlockedKeyring
from keys.keyring import _slot_ad
from keys.primitives import password_key, unwrap

USER = "coordinacion"
PASSWORD = "contraseña-de-prueba-1"
FAST = KdfParams.fast()
CANARIES = {
    f"usuaria-{n}": f"CANARIO-{n}-Xóchitl Sintética Ramírez PRSA900101MGTRRR0{n}" for n in range(6)
}
SHREDDED = "usuaria-0"


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def _slot_private_key(store: SQLiteKeyStore, username: str, password: str) -> bytes:
    """Test-only: recomputes what only a correct password yields, to look for it on disk."""
    slot = store.slot(username)
    assert slot is not None
    secret_key = password_key(password, slot.salt, slot.kdf)
    return bytes(unwrap(secret_key, slot.wrapped_private_key, _slot_ad("password", username)))


def _secrets_in_memory(keyring: UnlockedKeyring) -> dict[str, bytes]:
    """Test-only: every key the session holds in clear."""
    held = {
        "kek": bytes(keyring._kek),
        "institution": keyring.institution_key,
        "index": bytes(keyring._index),
    }
    for subject in CANARIES:
        entry = keyring._find_subject_key(subject, Duty.CASE)
        if entry is not None:
            held[f"dek:{subject}"] = bytes(entry[1])
    return held


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "llaves"
    path.mkdir()
    return path


def _assert_absent(files: dict[str, bytes], needles: dict[str, bytes]) -> None:
    assert files, "no files to scan"
    for file_name, content in files.items():
        for what, needle in needles.items():
            assert len(needle) >= 16, what
            assert needle not in content, f"{what} found in {file_name}"


def test_nothing_secret_or_destroyed_remains_in_any_key_store_file(directory: Path) -> None:
    store = SQLiteKeyStore(directory / "llaves.db")
    keyring = Keyring.initialize(store, USER, PASSWORD, kdf=FAST, account_id="c").keyring
    keyring.add_password_slot("psicologia", "contraseña-inicial-2", account_id="p", kdf=FAST)
    keyring.add_service_slot()
    envelopes = {s: keyring.seal(s, "client.name", text) for s, text in CANARIES.items()}
    shredded_key = store.subject_key(SHREDDED)
    assert shredded_key is not None
    secrets = _secrets_in_memory(keyring)
    secrets["private:coordinacion"] = _slot_private_key(store, USER, PASSWORD)
    secrets["private:psicologia"] = _slot_private_key(store, "psicologia", "contraseña-inicial-2")
    old_slots = [store.slot(name) for name in (USER, "psicologia", "")]
    old_wraps = {
        f"old kek envelope {n}": s.wrapped_kek for n, s in enumerate(old_slots) if s is not None
    }
    institution = store.key("institution")
    assert institution is not None
    old_wraps["old institution wrap"] = institution.wrapped
    old_wraps["shredded subject wrap"] = shredded_key.wrapped

    keyring.shred(SHREDDED)
    keyring.rotate_master_key()

    # The old KEK, like every other key, must not be on disk; the new one neither.
    secrets["new kek"] = bytes(keyring._kek)
    canaries = {subject: text.encode() for subject, text in CANARIES.items()}
    files = _files(directory)
    assert "llaves.db" in files
    _assert_absent(files, secrets | old_wraps | canaries)
    for content in files.values():
        assert b"CANARIO" not in content
    for subject, envelope in envelopes.items():
        if subject != SHREDDED:
            assert keyring.open(subject, "client.name", envelope) == CANARIES[subject]
    keyring.lock()
    store.close()

    _assert_absent(_files(directory), secrets | old_wraps | canaries)


def test_the_shredded_wrap_is_gone_even_while_another_connection_is_open(
    directory: Path,
) -> None:
    store = SQLiteKeyStore(directory / "llaves.db")
    other_process = SQLiteKeyStore(directory / "llaves.db")
    keyring = Keyring.initialize(store, USER, PASSWORD, kdf=FAST).keyring
    for subject, text in CANARIES.items():
        keyring.seal(subject, "client.name", text)
    assert other_process.subject_key(SHREDDED) is not None
    stored = store.subject_key(SHREDDED)
    assert stored is not None
    dek = _secrets_in_memory(keyring)[f"dek:{SHREDDED}"]

    keyring.shred(SHREDDED)

    assert other_process.subject_key(SHREDDED) is None
    _assert_absent(_files(directory), {"shredded wrap": stored.wrapped, "shredded dek": dek})
    other_process.close()
    store.close()


def test_key_store_files_are_readable_only_by_their_owner(directory: Path) -> None:
    store = SQLiteKeyStore(directory / "llaves.db")
    keyring = Keyring.initialize(store, USER, PASSWORD, kdf=FAST).keyring
    keyring.seal("s", "client.name", "Ana")

    files = sorted(p for p in directory.iterdir() if p.name.startswith("llaves.db"))

    assert [p.name for p in files] == ["llaves.db", "llaves.db-shm", "llaves.db-wal"]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    store.close()


def test_an_existing_key_store_file_is_tightened_to_owner_only(directory: Path) -> None:
    path = directory / "llaves.db"
    path.touch(mode=0o644)
    path.chmod(0o644)

    SQLiteKeyStore(path).close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
