"""The same behaviour from both key stores, including between two instances on the same data
(two processes)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from keys import (
    PLACEHOLDER,
    AccountLocked,
    KdfParams,
    Keyring,
    KeyringError,
    KeyStore,
    SubjectShredded,
    UnlockedKeyring,
    WrongPassword,
)
from keys.store import WrappedKey
from tests.integration.keys.conftest import StoreOpener

USER = "coordinacion"
PASSWORD = "contraseña-de-prueba-1"
WRONG = "no-es-la-contraseña"
FAST = KdfParams.fast()
T0 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


@pytest.fixture
def keyring(key_store: KeyStore) -> UnlockedKeyring:
    return Keyring.initialize(key_store, USER, PASSWORD, kdf=FAST, account_id="cuenta-1").keyring


def test_a_second_process_sees_the_initialized_keyring(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    other = open_store()

    assert Keyring.is_initialized(other)
    with pytest.raises(KeyringError, match="ya fue inicializado"):
        Keyring.initialize(other, "otra", "otra-contraseña-9", kdf=FAST)
    session = Keyring.unlock(other, USER, PASSWORD)
    assert session.institution_key == keyring.institution_key
    assert session.account_id == "cuenta-1"


def test_values_sealed_in_one_process_open_in_another(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    envelope = keyring.seal("s1", "client.name", "Ana Sintética")

    other = Keyring.unlock(open_store(), USER, PASSWORD)

    assert other.open("s1", "client.name", envelope) == "Ana Sintética"
    assert other.blind_index("nombre", "ana") == keyring.blind_index("nombre", "ana")


def test_both_processes_count_toward_one_lockout(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    first, second = open_store(), open_store()
    for store in (first, second, first, second):
        with pytest.raises(WrongPassword):
            Keyring.unlock(store, USER, WRONG, now=T0)

    with pytest.raises(AccountLocked):
        Keyring.unlock(first, USER, WRONG, now=T0)
    with pytest.raises(AccountLocked) as raised:
        Keyring.unlock(second, USER, PASSWORD, now=T0 + timedelta(minutes=1))
    assert raised.value.until == T0 + timedelta(minutes=15)


def test_concurrent_failures_are_all_counted(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    stores = [open_store() for _ in range(5)]
    outcomes: list[type[KeyringError]] = []

    def fail(store: KeyStore) -> None:
        try:
            Keyring.unlock(store, USER, WRONG, now=T0)
        except KeyringError as error:
            outcomes.append(type(error))

    threads = [threading.Thread(target=fail, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o.__name__ for o in outcomes) == ["AccountLocked", *["WrongPassword"] * 4]
    with pytest.raises(AccountLocked):
        Keyring.unlock(open_store(), USER, PASSWORD, now=T0)


def test_a_success_in_one_process_resets_the_count_for_the_other(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    first, second = open_store(), open_store()
    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(first, USER, WRONG, now=T0)

    Keyring.unlock(second, USER, PASSWORD, now=T0)

    for _ in range(4):
        with pytest.raises(WrongPassword):
            Keyring.unlock(first, USER, WRONG, now=T0)


def test_a_shred_in_one_process_is_seen_by_the_other(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    envelope = keyring.seal("s1", "client.name", "Ana Sintética")
    kept = keyring.seal("s2", "client.name", "Beatriz Sintética")
    other = Keyring.unlock(open_store(), USER, PASSWORD)
    assert other.open("s1", "client.name", envelope) == "Ana Sintética"

    keyring.shred("s1")
    other.forget("s1")

    assert other.is_shredded("s1")
    assert other.open("s1", "client.name", envelope) == PLACEHOLDER
    assert other.open("s2", "client.name", kept) == "Beatriz Sintética"
    with pytest.raises(SubjectShredded):
        other.seal("s1", "client.name", "Ana")


def test_a_rotation_in_one_process_is_followed_by_the_other(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    envelope = keyring.seal("s1", "client.name", "Ana Sintética")
    other = Keyring.unlock(open_store(), USER, PASSWORD)

    keyring.rotate_master_key()

    assert other.open("s1", "client.name", envelope) == "Ana Sintética"
    fresh = other.seal("s2", "client.name", "Dato nuevo")
    assert keyring.open("s2", "client.name", fresh) == "Dato nuevo"
    other.rotate_master_key()
    assert Keyring.unlock(open_store(), USER, PASSWORD).open("s2", "client.name", fresh) == (
        "Dato nuevo"
    )


def test_password_slots_and_the_service_slot_work_across_processes(
    open_store: StoreOpener, keyring: UnlockedKeyring
) -> None:
    keyring.add_password_slot("psicologia", "contraseña-inicial-2", account_id="p", kdf=FAST)
    secret = keyring.add_service_slot()
    other = open_store()

    session = Keyring.unlock(other, "psicologia", "contraseña-inicial-2")
    session.change_password("psicologia", "contraseña-inicial-2", "contraseña-nueva-3")
    keyring.reset_password(USER, "restablecida-4444")

    assert Keyring.unlock(open_store(), "psicologia", "contraseña-nueva-3").account_id == "p"
    assert Keyring.unlock(other, USER, "restablecida-4444").must_change_password
    assert Keyring.unlock_with_service_secret(other, secret).username is None
    session.remove_slot("psicologia")
    assert Keyring.slot_info(other, "psicologia") is None


def test_a_subject_key_created_twice_keeps_the_first(
    key_store: KeyStore, keyring: UnlockedKeyring
) -> None:
    kek_id = key_store.kek_id()
    assert kek_id is not None
    first = WrappedKey("a" * 32, "subject", "s1", b"primero")

    assert key_store.add_subject_key(first, kek_id) == first
    assert key_store.add_subject_key(WrappedKey("b" * 32, "subject", "s1", b"x"), kek_id) == first
    assert key_store.subject_key("s1") == first


def test_a_stale_master_key_cannot_write(key_store: KeyStore, keyring: UnlockedKeyring) -> None:
    with pytest.raises(KeyringError, match="llave maestra cambió"):
        key_store.add_subject_key(WrappedKey("a" * 32, "subject", "s1", b"x"), b"\0" * 16)
    assert key_store.subject_key("s1") is None


def test_no_key_is_created_for_a_shredded_subject(
    key_store: KeyStore, keyring: UnlockedKeyring
) -> None:
    kek_id = key_store.kek_id()
    assert kek_id is not None
    key_store.shred("s1", T0)

    with pytest.raises(SubjectShredded):
        key_store.add_subject_key(WrappedKey("a" * 32, "subject", "s1", b"x"), kek_id)
    assert key_store.subject_key("s1") is None
    assert key_store.is_shredded("s1")


def test_fresh_subject_keys_are_stored_together_and_unused_ones_discarded(
    key_store: KeyStore, keyring: UnlockedKeyring
) -> None:
    kek_id = key_store.kek_id()
    assert kek_id is not None
    fresh = [WrappedKey(f"{n:032x}", "subject", f"nueva-{n}", b"envuelta") for n in range(3)]

    key_store.add_fresh_subject_keys(fresh, kek_id)
    key_store.discard_unused_subject_keys(["nueva-1", "nueva-2"])

    assert key_store.subject_key("nueva-0") == fresh[0]
    assert key_store.subject_key("nueva-1") is None
    assert not key_store.is_shredded("nueva-1")  # never used: no tombstone either


def test_fresh_subject_keys_under_a_stale_master_key_are_refused_whole(
    key_store: KeyStore, keyring: UnlockedKeyring
) -> None:
    fresh = [WrappedKey(f"{n:032x}", "subject", f"nueva-{n}", b"envuelta") for n in range(2)]
    with pytest.raises(KeyringError, match="llave maestra cambió"):
        key_store.add_fresh_subject_keys(fresh, b"\0" * 16)
    assert key_store.subject_key("nueva-0") is None


def test_a_batch_of_case_keys_is_read_at_once(
    open_store: StoreOpener, keyring: UnlockedKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild's batch fetches its women's keys in one read (``load_case_keys``); then
    opening their names asks the store nothing. An erased woman has no key to fetch: her
    fields still open as the placeholder."""
    subjects = [f"s{n}" for n in range(7)]
    envelopes = {s: keyring.seal(s, "client.name", f"Nombre Sintético {s}") for s in subjects}
    keyring.shred("s3")
    store = open_store()
    assert {key.subject_id for key in store.subject_keys([*subjects, "nadie"])} == set(subjects) - {
        "s3"
    }
    other = Keyring.unlock(store, USER, PASSWORD)
    reads: list[str] = []
    real_key = store.key
    monkeypatch.setattr(store, "key", lambda key_id: reads.append(key_id) or real_key(key_id))
    other.load_case_keys(subjects)
    for subject in subjects:
        expected = PLACEHOLDER if subject == "s3" else f"Nombre Sintético {subject}"
        assert other.open(subject, "client.name", envelopes[subject]) == expected
    assert len(reads) == 1, "only the erased woman's key was looked for one by one"
    other.lock()
    with pytest.raises(KeyringError):
        other.load_case_keys(subjects)
