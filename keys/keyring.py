"""The keyring: LUKS-style slots around one master key (KEK), which wraps every other key.

Each slot owns an X25519 key pair. Its private key is wrapped under the slot's password
(scrypt) or service secret (HKDF); the KEK is encrypted to its public key. So a password change
touches one slot, and a KEK rotation re-encrypts the KEK to every slot without any password.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from weakref import WeakKeyDictionary

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.errors import (
    LOCKED_MESSAGE,
    AccountLocked,
    KeyringError,
    KeyringNotInitialized,
    PasswordPolicyError,
    StaleMasterKey,
    TamperedCiphertext,
    UnknownKey,
    WrongPassword,
)
from keys.primitives import (
    KEK_ID_BYTES,
    NONCE_BYTES,
    SALT_BYTES,
    TAG_BYTES,
    KdfParams,
    associated_data,
    new_key_pair,
    open_kek_from_slot,
    password_key,
    random_key,
    seal_kek_to_slot,
    service_key,
    unwrap,
    wrap,
    zero,
)
from keys.store import (
    PASSWORD,
    SERVICE,
    SERVICE_USERNAME,
    KeyStore,
    SlotRow,
    WrappedKey,
)

PLACEHOLDER = "[dato eliminado]"
BLIND_INDEX_BITS = 16
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
SUBJECT_KEY_CACHE_SIZE = 4096
SUBJECT_KEY_BATCH = 32

INSTITUTION_KEY_ID = "institution"
INDEX_KEY_ID = "index"
_SUBJECT = "subject"

_ENVELOPE_VERSION = 1
_SUBJECT_KEY_ID_BYTES = 16
_ENVELOPE_HEADER = 1 + _SUBJECT_KEY_ID_BYTES + NONCE_BYTES

_STORE_ALTERED = "El almacén de llaves fue alterado; avise a administración."
_REVOKED = "El acceso de esta sesión fue revocado; vuelva a iniciar sesión."
_BAD_SERVICE_SECRET = "El secreto de servicio no es válido."  # noqa: S105 (a message)
_NO_SUCH_SLOT = "No existe un acceso para ese usuario."

_T = TypeVar("_T")


@dataclass(frozen=True)
class SlotInfo:
    username: str
    account_id: str
    must_change_password: bool
    kind: str


def _slot_ad(kind: str, username: str) -> bytes:
    return associated_data(b"violeta:slot", kind, username)


def _kek_ad(username: str) -> bytes:
    return associated_data(b"violeta:kek", username)


def _dek_ad(key_id: str, purpose: str, subject_id: str | None) -> bytes:
    return associated_data(b"violeta:dek", key_id, purpose, subject_id or "")


def _seal_ad(key_id: bytes, subject_id: str, label: str) -> bytes:
    return associated_data(b"violeta:seal:v1", key_id, subject_id, label)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres."
        )


def _check_username(username: str) -> None:
    if not username.strip():
        raise KeyringError("El nombre de usuario no puede estar vacío.")


def _new_slot(
    kind: str,
    username: str,
    account_id: str,
    secret_key: bytearray,
    kdf: KdfParams,
    salt: bytes,
    kek: bytearray,
    kek_id: bytes,
    *,
    must_change_password: bool,
) -> tuple[SlotRow, bytearray]:
    """Returns the row and the slot's private key, which the caller keeps or zeroes."""
    private, public = new_key_pair()
    row = SlotRow(
        username=username,
        account_id=account_id,
        kind=kind,
        kdf=kdf,
        salt=salt,
        wrapped_private_key=wrap(secret_key, private, _slot_ad(kind, username)),
        public_key=public,
        wrapped_kek=seal_kek_to_slot(kek, kek_id, public, _kek_ad(username)),
        must_change_password=must_change_password,
    )
    return row, private


def _open_kek(slot: SlotRow, private: bytearray) -> tuple[bytearray, bytes]:
    try:
        return open_kek_from_slot(slot.wrapped_kek, private, _kek_ad(slot.username))
    except InvalidTag:
        raise KeyringError(_STORE_ALTERED) from None


class Keyring:
    """Entry points that need no unlocked key: initialize, unlock, inspect a slot."""

    @staticmethod
    def is_initialized(store: KeyStore) -> bool:
        return store.kek_id() is not None

    @staticmethod
    def initialize(
        store: KeyStore,
        username: str,
        password: str,
        *,
        kdf: KdfParams = KdfParams(),  # noqa: B008 (frozen, so sharing the default is safe)
        account_id: str = "",
    ) -> UnlockedKeyring:
        _check_username(username)
        _check_new_password(password)
        if Keyring.is_initialized(store):
            raise KeyringError("El llavero ya fue inicializado.")
        kek, kek_id = random_key(), os.urandom(KEK_ID_BYTES)
        keys = []
        for key_id in (INSTITUTION_KEY_ID, INDEX_KEY_ID):
            key = random_key()
            keys.append(
                WrappedKey(key_id, key_id, None, wrap(kek, key, _dek_ad(key_id, key_id, None)))
            )
            zero(key)
        salt = os.urandom(SALT_BYTES)
        secret_key = password_key(password, salt, kdf)
        slot, private = _new_slot(
            PASSWORD,
            username,
            account_id,
            secret_key,
            kdf,
            salt,
            kek,
            kek_id,
            must_change_password=False,
        )
        zero(secret_key)
        store.initialize(kek_id, keys, slot)
        return UnlockedKeyring(store, slot, private, kek, kek_id)

    @staticmethod
    def unlock(
        store: KeyStore, username: str, password: str, *, now: datetime | None = None
    ) -> UnlockedKeyring:
        if not Keyring.is_initialized(store):
            raise KeyringNotInitialized
        slot = store.slot(username) if username else None
        if slot is None or slot.kind != PASSWORD:
            moment = now or datetime.now(UTC)
            _UNKNOWN_USERNAMES.check(store, username, moment)
            # Costs what a real attempt costs, so timing does not tell whether the user exists.
            zero(password_key(password, bytes(SALT_BYTES), KdfParams()))
            raise _UNKNOWN_USERNAMES.failure(store, username, moment)
        private = _open_password_slot(store, slot, password, now or datetime.now(UTC))
        kek, kek_id = _open_kek(slot, private)
        return UnlockedKeyring(store, slot, private, kek, kek_id)

    @staticmethod
    def unlock_with_service_secret(store: KeyStore, secret: str) -> UnlockedKeyring:
        if not Keyring.is_initialized(store):
            raise KeyringNotInitialized
        slot = store.slot(SERVICE_USERNAME)
        if slot is None or slot.kind != SERVICE:
            raise WrongPassword(_BAD_SERVICE_SECRET)
        secret_key = service_key(secret, slot.salt)
        try:
            private = unwrap(secret_key, slot.wrapped_private_key, _slot_ad(SERVICE, slot.username))
        except InvalidTag:
            raise WrongPassword(_BAD_SERVICE_SECRET) from None
        finally:
            zero(secret_key)
        kek, kek_id = _open_kek(slot, private)
        return UnlockedKeyring(store, slot, private, kek, kek_id)

    @staticmethod
    def slot_info(store: KeyStore, username: str) -> SlotInfo | None:
        slot = store.slot(username)
        if slot is None:
            return None
        return SlotInfo(slot.username, slot.account_id, slot.must_change_password, slot.kind)


class _UnknownUsernames:
    """Failed logins with usernames that have no slot, locked like real accounts so that the
    lockout does not tell which usernames exist.

    Counted in memory only, under a keyed hash: a mistyped username is often a password, so
    it is never written anywhere. A process that restarts forgets them; real slots keep
    their count in the key store."""

    _REMEMBERED = 1024

    def __init__(self) -> None:
        self._secret = os.urandom(32)
        self._mutex = threading.Lock()
        self._failures: WeakKeyDictionary[KeyStore, OrderedDict[bytes, _Failures]] = (
            WeakKeyDictionary()
        )

    def check(self, store: KeyStore, username: str, now: datetime) -> None:
        with self._mutex:
            failures = self._for(store).get(self._digest(username))
        locked_until = None if failures is None else failures.locked_until
        if locked_until is not None and now < locked_until:
            raise AccountLocked(locked_until)

    def failure(self, store: KeyStore, username: str, now: datetime) -> KeyringError:
        digest = self._digest(username)
        with self._mutex:
            known = self._for(store)
            count = known.pop(digest, _Failures()).count + 1
            if count >= MAX_FAILED_ATTEMPTS:
                known[digest] = _Failures(0, now + LOCKOUT)
            else:
                known[digest] = _Failures(count, None)
            if len(known) > self._REMEMBERED:
                known.popitem(last=False)
            locked_until = known[digest].locked_until
        return WrongPassword() if locked_until is None else AccountLocked(locked_until)

    def _for(self, store: KeyStore) -> OrderedDict[bytes, _Failures]:
        return self._failures.setdefault(store, OrderedDict())

    def _digest(self, username: str) -> bytes:
        mac = hmac.HMAC(self._secret, hashes.SHA256())
        mac.update(username.encode("utf-8"))
        return mac.finalize()


@dataclass(frozen=True)
class _Failures:
    count: int = 0
    locked_until: datetime | None = None


_UNKNOWN_USERNAMES = _UnknownUsernames()


def _open_password_slot(store: KeyStore, slot: SlotRow, password: str, now: datetime) -> bytearray:
    """Returns the slot's private key, counting failures and honouring the lockout."""
    if slot.locked_until is not None and now < slot.locked_until:
        # Refused before checking the password, so a locked slot cannot be guessed at.
        raise AccountLocked(slot.locked_until)
    secret_key = password_key(password, slot.salt, slot.kdf)
    try:
        private = unwrap(secret_key, slot.wrapped_private_key, _slot_ad(PASSWORD, slot.username))
    except InvalidTag:
        until = store.record_failure(slot.username, now, MAX_FAILED_ATTEMPTS, LOCKOUT)
        if until is not None:
            raise AccountLocked(until) from None
        raise WrongPassword from None
    finally:
        zero(secret_key)
    if slot.failed_attempts or slot.locked_until is not None:
        store.clear_failures(slot.username)
    return private


class UnlockedKeyring:
    """Holds the KEK, the institution and index keys and a cache of subject keys in memory
    until ``lock()``."""

    def __init__(
        self, store: KeyStore, slot: SlotRow, private: bytearray, kek: bytearray, kek_id: bytes
    ) -> None:
        self._store = store
        self._mutex = threading.RLock()
        self._locked = False
        # Kept so that a rotation by another process can be followed without a new login.
        self._slot_username = slot.username
        self._slot_private = private
        self._kek = kek
        self._kek_id = kek_id
        self._cache: OrderedDict[str, tuple[bytes, bytearray]] = OrderedDict()
        # Keys already stored for subjects that do not exist yet; see new_subject().
        self._unused: OrderedDict[str, tuple[bytes, bytearray]] = OrderedDict()
        self.username: str | None = slot.username if slot.kind == PASSWORD else None
        self.account_id = slot.account_id
        self.must_change_password = slot.must_change_password
        self._institution = self._load(INSTITUTION_KEY_ID)
        self._index = self._load(INDEX_KEY_ID)

    # ------------------------------------------------------------------ state

    def _check_unlocked(self) -> None:
        if self._locked:
            raise KeyringError(LOCKED_MESSAGE)

    def lock(self) -> None:
        with self._mutex:
            if self._locked:
                return
            self._locked = True
            self._store.discard_unused_subject_keys(list(self._unused))
            for buffer in (self._kek, self._slot_private, self._institution, self._index):
                zero(buffer)
            for _, key in [*self._cache.values(), *self._unused.values()]:
                zero(key)
            self._cache.clear()
            self._unused.clear()

    @property
    def institution_key(self) -> bytes:
        self._check_unlocked()
        return bytes(self._institution)

    def _refresh(self) -> None:
        """Re-reads the KEK from this session's own slot after another process rotated it."""
        slot = self._store.slot(self._slot_username)
        own_public = X25519PrivateKey.from_private_bytes(bytes(self._slot_private)).public_key()
        if slot is None or slot.public_key != own_public.public_bytes_raw():
            self.lock()
            raise KeyringError(_REVOKED)
        kek, kek_id = _open_kek(slot, self._slot_private)
        with self._mutex:
            zero(self._kek)
            self._kek, self._kek_id = kek, kek_id

    def _with_current_kek(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except StaleMasterKey:
            self._refresh()
            return action()

    def _unwrap(self, stored: WrappedKey) -> bytearray:
        ad = _dek_ad(stored.key_id, stored.purpose, stored.subject_id)
        try:
            return unwrap(self._kek, stored.wrapped, ad)
        except InvalidTag:
            if self._store.kek_id() == self._kek_id:
                raise KeyringError(_STORE_ALTERED) from None
        self._refresh()
        try:
            return unwrap(self._kek, stored.wrapped, ad)
        except InvalidTag:
            raise KeyringError(_STORE_ALTERED) from None

    def _load(self, key_id: str) -> bytearray:
        stored = self._store.key(key_id)
        if stored is None:
            raise KeyringError(_STORE_ALTERED)
        return self._unwrap(stored)

    # ------------------------------------------------------------------ subject keys

    def _find_subject_key(self, subject_id: str) -> tuple[bytes, bytearray] | None:
        with self._mutex:
            cached = self._cache.get(subject_id)
            if cached is not None:
                self._cache.move_to_end(subject_id)
                return cached
        stored = self._store.subject_key(subject_id)
        return None if stored is None else self._remember(subject_id, stored)

    def _subject_key_for_sealing(self, subject_id: str) -> tuple[bytes, bytearray]:
        found = self._find_subject_key(subject_id)
        if found is not None:
            return found
        stored = self._with_current_kek(lambda: self._create_subject_key(subject_id))
        return self._remember(subject_id, stored)

    def _remember(self, subject_id: str, stored: WrappedKey) -> tuple[bytes, bytearray]:
        return self._cache_entry(subject_id, (bytes.fromhex(stored.key_id), self._unwrap(stored)))

    def _cache_entry(
        self, subject_id: str, entry: tuple[bytes, bytearray]
    ) -> tuple[bytes, bytearray]:
        with self._mutex:
            self._check_unlocked()
            self._cache[subject_id] = entry
            if len(self._cache) > SUBJECT_KEY_CACHE_SIZE:
                _, (_, evicted) = self._cache.popitem(last=False)
                zero(evicted)
        return entry

    def new_subject(self) -> str:
        """The id of a new subject (a client being registered) whose key is already stored.

        Keys are stored in batches, so a registration costs no key-store write of its own;
        ``lock()`` discards the ones left unused. The ids are random and known only to this
        session until it saves something about them."""
        self._check_unlocked()
        with self._mutex:
            if not self._unused:
                self._unused = self._with_current_kek(self._store_fresh_subject_keys)
            subject_id, entry = self._unused.popitem(last=False)
        self._cache_entry(subject_id, entry)
        return subject_id

    def return_subject(self, subject_id: str) -> None:
        """Gives back a subject from new_subject() that nothing was saved about (her
        registration was refused), so that lock() discards its key with the other unused
        ones. Whatever was sealed for her existed only in memory."""
        with self._mutex:
            entry = self._cache.pop(subject_id, None)
            if entry is not None and not self._locked:
                self._unused[subject_id] = entry

    def _store_fresh_subject_keys(self) -> OrderedDict[str, tuple[bytes, bytearray]]:
        made: OrderedDict[str, tuple[bytes, bytearray]] = OrderedDict()
        wrapped: list[WrappedKey] = []
        for _ in range(SUBJECT_KEY_BATCH):
            subject_id = str(uuid.uuid4())
            stored, key = self._new_subject_key(subject_id)
            made[subject_id] = (bytes.fromhex(stored.key_id), key)
            wrapped.append(stored)
        try:
            self._store.add_fresh_subject_keys(wrapped, self._kek_id)
        except BaseException:
            for _, key in made.values():
                zero(key)
            raise
        return made

    def _create_subject_key(self, subject_id: str) -> WrappedKey:
        stored, key = self._new_subject_key(subject_id)
        zero(key)
        # Another process may have created it meanwhile; the store then returns that one.
        return self._store.add_subject_key(stored, self._kek_id)

    def _new_subject_key(self, subject_id: str) -> tuple[WrappedKey, bytearray]:
        key = random_key()
        key_id = secrets.token_hex(_SUBJECT_KEY_ID_BYTES)
        wrapped = wrap(self._kek, key, _dek_ad(key_id, _SUBJECT, subject_id))
        return WrappedKey(key_id, _SUBJECT, subject_id, wrapped), key

    def seal(self, subject_id: str, label: str, plaintext: str) -> bytes:
        """Refuses a subject whose key is gone from the store (``SubjectShredded``).

        A key this session still caches after another session shredded it keeps sealing
        until ``forget()`` (the application calls it when it reads the erasure): what it
        seals meanwhile can never be opened once the cache lets go, as the erasure asked."""
        self._check_unlocked()
        key_id, key = self._subject_key_for_sealing(subject_id)
        nonce = os.urandom(NONCE_BYTES)
        body = AESGCM(key).encrypt(
            nonce, plaintext.encode("utf-8"), _seal_ad(key_id, subject_id, label)
        )
        return bytes([_ENVELOPE_VERSION]) + key_id + nonce + body

    def open(self, subject_id: str, label: str, envelope: bytes) -> str:
        self._check_unlocked()
        if len(envelope) < _ENVELOPE_HEADER + TAG_BYTES or envelope[0] != _ENVELOPE_VERSION:
            raise TamperedCiphertext
        entry = self._find_subject_key(subject_id)
        if entry is None:
            if self._store.is_shredded(subject_id):
                return PLACEHOLDER
            raise UnknownKey
        key_id, key = entry
        if envelope[1 : 1 + _SUBJECT_KEY_ID_BYTES] != key_id:
            raise TamperedCiphertext
        nonce = envelope[1 + _SUBJECT_KEY_ID_BYTES : _ENVELOPE_HEADER]
        try:
            plaintext = AESGCM(key).decrypt(
                nonce, envelope[_ENVELOPE_HEADER:], _seal_ad(key_id, subject_id, label)
            )
        except InvalidTag:
            raise TamperedCiphertext from None
        return plaintext.decode("utf-8")

    def is_shredded(self, subject_id: str) -> bool:
        self._check_unlocked()
        return self._store.is_shredded(subject_id)

    def shred(self, subject_id: str) -> None:
        self._check_unlocked()
        self._store.shred(subject_id, datetime.now(UTC))
        self.forget(subject_id)

    def forget(self, subject_id: str) -> None:
        with self._mutex:
            entry = self._cache.pop(subject_id, None)
        if entry is not None:
            zero(entry[1])

    def blind_index(self, kind: str, normalized_token: str) -> str:
        self._check_unlocked()
        mac = hmac.HMAC(self._index, hashes.SHA256())
        mac.update(kind.encode("utf-8") + b"\0" + normalized_token.encode("utf-8"))
        return mac.finalize()[: BLIND_INDEX_BITS // 8].hex()

    # ------------------------------------------------------------------ master key

    def rotate_master_key(self) -> None:
        self._check_unlocked()
        self._with_current_kek(self._rotate)

    def _rotate(self) -> None:
        new_kek, new_kek_id = random_key(), os.urandom(KEK_ID_BYTES)

        def rewrap_key(stored: WrappedKey) -> bytes:
            key = self._unwrap(stored)
            try:
                ad = _dek_ad(stored.key_id, stored.purpose, stored.subject_id)
                return wrap(new_kek, key, ad)
            finally:
                zero(key)

        def rewrap_slot(slot: SlotRow) -> bytes:
            return seal_kek_to_slot(new_kek, new_kek_id, slot.public_key, _kek_ad(slot.username))

        try:
            self._store.rotate(self._kek_id, new_kek_id, rewrap_key, rewrap_slot)
        except BaseException:
            zero(new_kek)
            raise
        with self._mutex:
            zero(self._kek)
            self._kek, self._kek_id = new_kek, new_kek_id

    # ------------------------------------------------------------------ slots

    def add_password_slot(
        self,
        username: str,
        password: str,
        *,
        account_id: str,
        must_change_password: bool = True,
        kdf: KdfParams = KdfParams(),  # noqa: B008 (frozen, so sharing the default is safe)
    ) -> None:
        self._check_unlocked()
        _check_username(username)
        _check_new_password(password)
        salt = os.urandom(SALT_BYTES)
        secret_key = password_key(password, salt, kdf)
        private = self._put_new_slot(
            PASSWORD,
            username,
            account_id,
            secret_key,
            kdf,
            salt,
            must_change_password=must_change_password,
            replace=False,
        )
        zero(private)

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        self._check_unlocked()
        if new_password == old_password:
            raise PasswordPolicyError("La contraseña nueva debe ser distinta de la anterior.")
        _check_new_password(new_password)
        slot = self._store.slot(username) if username else None
        if slot is None or slot.kind != PASSWORD:
            raise WrongPassword
        private = _open_password_slot(self._store, slot, old_password, datetime.now(UTC))
        salt = os.urandom(SALT_BYTES)
        secret_key = password_key(new_password, salt, slot.kdf)
        try:
            wrapped = wrap(secret_key, private, _slot_ad(PASSWORD, username))
        finally:
            zero(secret_key)
            zero(private)
        self._store.update_slot_secret(username, salt, wrapped)
        if username == self.username:
            self.must_change_password = False

    def reset_password(self, username: str, new_password: str) -> None:
        """Without the old password the old private key is out of reach, so the slot gets a new
        key pair and this session encrypts the KEK to it."""
        self._check_unlocked()
        _check_new_password(new_password)
        old = self._store.slot(username) if username else None
        if old is None or old.kind != PASSWORD:
            raise KeyringError(_NO_SUCH_SLOT)
        salt = os.urandom(SALT_BYTES)
        secret_key = password_key(new_password, salt, old.kdf)
        private = self._put_new_slot(
            PASSWORD,
            username,
            old.account_id,
            secret_key,
            old.kdf,
            salt,
            must_change_password=True,
            replace=True,
        )
        if username == self._slot_username:
            with self._mutex:
                zero(self._slot_private)
                self._slot_private = private
            self.must_change_password = True
        else:
            zero(private)

    def remove_slot(self, username: str) -> None:
        self._check_unlocked()
        if not self._store.remove_slot(username):
            if self._store.slot(username) is None:
                raise KeyringError(_NO_SUCH_SLOT)
            raise KeyringError("No se puede eliminar el último acceso con contraseña al llavero.")

    def add_service_slot(self) -> str:
        self._check_unlocked()
        secret = secrets.token_urlsafe(32)
        salt = os.urandom(SALT_BYTES)
        secret_key = service_key(secret, salt)
        # The service key comes from HKDF; the scrypt columns only keep the row uniform.
        private = self._put_new_slot(
            SERVICE,
            SERVICE_USERNAME,
            "",
            secret_key,
            KdfParams(),
            salt,
            must_change_password=False,
            replace=True,
        )
        zero(private)
        return secret

    def _put_new_slot(
        self,
        kind: str,
        username: str,
        account_id: str,
        secret_key: bytearray,
        kdf: KdfParams,
        salt: bytes,
        *,
        must_change_password: bool,
        replace: bool,
    ) -> bytearray:
        """Stores a new slot (a new key pair) with the KEK encrypted to it, following a master
        key rotated meanwhile, and zeroes ``secret_key``. Returns the slot's private key: the
        caller zeroes it or keeps it as its own."""

        def put() -> bytearray:
            slot, private = _new_slot(
                kind,
                username,
                account_id,
                secret_key,
                kdf,
                salt,
                self._kek,
                self._kek_id,
                must_change_password=must_change_password,
            )
            try:
                self._store.put_slot(slot, self._kek_id, replace=replace)
            except BaseException:
                zero(private)
                raise
            return private

        try:
            return self._with_current_kek(put)
        finally:
            zero(secret_key)
