"""The keyring: LUKS-style slots around one master key (KEK), and duty keys beside it.

Each slot owns an X25519 key pair. Its private key is wrapped under the slot's password
(scrypt), service secret or recovery key (HKDF); the KEK and the slot's *duty keys* are
encrypted to its public key. So a password change touches one slot, a KEK rotation
re-encrypts the KEK to every slot without any password, and enabling a slot is sealing duty
keys to its public key, which only someone holding them can do.

What wraps what (DESIGN §4):
- KEK → institution key (the event store's outer cipher). Every slot has the KEK.
- duty ``expediente`` → index key and every client's subject key (all sections but psychology).
- duty ``psicologia`` → every client's second subject key, which seals psychology fields only.
A slot carries exactly the duty keys its role needs; administración's carries none, so her
password opens no sealed field. The recovery slot (key printed once at ``init``) holds all.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.errors import (
    LOCKED_MESSAGE,
    AccountLocked,
    DamagedSlot,
    KeyringError,
    KeyringNotInitialized,
    MissingDuty,
    PasswordPolicyError,
    SearchUnavailable,
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
    RECOVERY,
    RECOVERY_USERNAME,
    SERVICE,
    SERVICE_USERNAME,
    SUBJECT_PART,
    KeyStore,
    SlotRow,
    WrappedKey,
)

PLACEHOLDER = "[dato eliminado]"
BLIND_INDEX_BITS = 16
_BLIND_INDEX_BYTES = BLIND_INDEX_BITS // 8
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
SUBJECT_KEY_CACHE_SIZE = 4096
SUBJECT_KEY_BATCH = 32
RECOVERY_KEY_BYTES = 20  # 160 bits: 32 base-32 characters, read aloud in 8 groups of 4


class Duty(StrEnum):
    CASE = "expediente"
    PSYCHOLOGY = "psicologia"


INSTITUTION_KEY_ID = "institution"
INDEX_KEY_ID = "index"
_SUBJECT = "subject"
_FORMAT = b"2"  # slots with duty keys; format 1 had every key under the KEK
_LOCKOUT_SALT = "lockout_salt"

_ENVELOPE_VERSION = 1
_SUBJECT_KEY_ID_BYTES = 16
_ENVELOPE_HEADER = 1 + _SUBJECT_KEY_ID_BYTES + NONCE_BYTES

_STORE_ALTERED = "El almacén de llaves fue alterado; avise a administración."
_REVOKED = "El acceso de esta sesión fue revocado; vuelva a iniciar sesión."
_BAD_SERVICE_SECRET = "El secreto de servicio no es válido."  # noqa: S105 (a message)
_BAD_RECOVERY_KEY = "La llave de recuperación no es válida."
_NO_SUCH_SLOT = "No existe un acceso para ese usuario."
_OLD_FORMAT = (
    "El almacén de llaves tiene un formato anterior (sin llaves por función); "
    "inicialice una carpeta nueva e importe los datos."
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class SlotInfo:
    username: str
    account_id: str
    must_change_password: bool
    kind: str
    duties: frozenset[Duty] = frozenset()


def _slot_ad(kind: str, username: str) -> bytes:
    return associated_data(b"violeta:slot", kind, username)


def _kek_ad(username: str) -> bytes:
    return associated_data(b"violeta:kek", username)


def _dek_ad(key_id: str, purpose: str, subject_id: str | None) -> bytes:
    return associated_data(b"violeta:dek", key_id, purpose, subject_id or "")


def _duty_ad(duty: str, username: str) -> bytes:
    return associated_data(b"violeta:duty", duty, username)


def _subject_purpose(duty: Duty) -> str:
    return _SUBJECT if duty is Duty.CASE else f"{_SUBJECT}:{duty.value}"


def _stored_subject(subject_id: str, duty: Duty) -> str:
    return subject_id if duty is Duty.CASE else f"{subject_id}{SUBJECT_PART}{duty.value}"


def _wrapping_duty(purpose: str) -> Duty | None:
    """Which duty key wraps a stored key of this purpose; None: the KEK."""
    if purpose == INSTITUTION_KEY_ID:
        return None
    if purpose in (INDEX_KEY_ID, _SUBJECT):
        return Duty.CASE
    if purpose == _subject_purpose(Duty.PSYCHOLOGY):
        return Duty.PSYCHOLOGY
    raise KeyringError(_STORE_ALTERED)


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalize_recovery_key(text: str) -> str:
    """Accepts it as printed or as typed: spaces, dashes and case do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


# Iterating the enum itself builds its members anew each time: every open walks them.
_DUTIES = tuple(Duty)


# The same field is opened again and again (her name: in the projection of her registration,
# in her record, in every list she is in). Ids and labels only, nothing about her.
@lru_cache(maxsize=1024)
def _seal_ad(key_id: bytes, subject_id: str, label: str) -> bytes:
    return associated_data(b"violeta:seal:v1", key_id, subject_id, label)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres."
        )
    if not _typeable(password):
        raise PasswordPolicyError(
            "La contraseña contiene caracteres de control o que no son texto válido."
        )


def _check_username(username: str) -> None:
    if not username.strip():
        raise KeyringError("El nombre de usuario no puede estar vacío.")
    if not _typeable(username):
        raise KeyringError(
            "El nombre de usuario contiene caracteres de control o que no son texto válido."
        )


def _typeable(text: str) -> bool:
    """Text a person can type: valid Unicode (no lone surrogate), no control character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return text.isprintable()


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


def _seal_duties(
    duties: dict[Duty, tuple[bytes, bytearray]], public_key: bytes, username: str
) -> dict[str, bytes]:
    return {
        duty.value: seal_kek_to_slot(key, key_id, public_key, _duty_ad(duty.value, username))
        for duty, (key_id, key) in duties.items()
    }


def _open_kek(slot: SlotRow, private: bytearray) -> tuple[bytearray, bytes]:
    try:
        return open_kek_from_slot(slot.wrapped_kek, private, _kek_ad(slot.username))
    except InvalidTag:
        raise KeyringError(_STORE_ALTERED) from None


def _open_duties(
    store: KeyStore, slot: SlotRow, private: bytearray
) -> dict[Duty, tuple[bytes, bytearray]]:
    opened: dict[Duty, tuple[bytes, bytearray]] = {}
    for name, envelope in store.slot_duties(slot.username).items():
        try:
            duty = Duty(name)
            key, key_id = open_kek_from_slot(envelope, private, _duty_ad(name, slot.username))
        except (ValueError, InvalidTag):
            for _, held in opened.values():
                zero(held)
            raise DamagedSlot from None
        opened[duty] = (key_id, key)
    return opened


def _recovery_secret_key(recovery_key: str, salt: bytes) -> bytearray:
    return service_key(normalize_recovery_key(recovery_key), salt)


def _new_recovery_slot(
    kek: bytearray, kek_id: bytes, duties: dict[Duty, tuple[bytes, bytearray]]
) -> tuple[SlotRow, dict[str, bytes], str]:
    text = format_recovery_key(secrets.token_bytes(RECOVERY_KEY_BYTES))
    salt = os.urandom(SALT_BYTES)
    secret_key = _recovery_secret_key(text, salt)
    slot, private = _new_slot(
        RECOVERY,
        RECOVERY_USERNAME,
        "",
        secret_key,
        KdfParams(),
        salt,
        kek,
        kek_id,
        must_change_password=False,
    )
    zero(secret_key)
    zero(private)
    return slot, _seal_duties(duties, slot.public_key, slot.username), text


@dataclass(frozen=True)
class Initialized:
    """What ``Keyring.initialize`` gives back: the first coordinator's unlocked keyring and the
    recovery key, to be printed once and kept in the institute's safe."""

    keyring: UnlockedKeyring
    recovery_key: str


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
        duties: Iterable[Duty] = (Duty.CASE,),
    ) -> Initialized:
        """Creates every key. The first account's slot gets ``duties`` (a coordinator needs
        the case key only); the psychology key is held by the recovery slot alone until the
        first psychology account is enabled with it."""
        _check_username(username)
        _check_new_password(password)
        if Keyring.is_initialized(store):
            raise KeyringError("El llavero ya fue inicializado.")
        kek, kek_id = random_key(), os.urandom(KEK_ID_BYTES)
        all_duties = {duty: (os.urandom(KEK_ID_BYTES), random_key()) for duty in Duty}
        institution, index = random_key(), random_key()
        keys = [
            WrappedKey(
                INSTITUTION_KEY_ID,
                INSTITUTION_KEY_ID,
                None,
                wrap(kek, institution, _dek_ad(INSTITUTION_KEY_ID, INSTITUTION_KEY_ID, None)),
            ),
            WrappedKey(
                INDEX_KEY_ID,
                INDEX_KEY_ID,
                None,
                wrap(all_duties[Duty.CASE][1], index, _dek_ad(INDEX_KEY_ID, INDEX_KEY_ID, None)),
            ),
        ]
        zero(institution)
        zero(index)
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
        granted = {duty: all_duties[duty] for duty in duties}
        recovery, recovery_duties, recovery_text = _new_recovery_slot(kek, kek_id, all_duties)
        try:
            store.initialize(
                kek_id,
                keys,
                [
                    (slot, _seal_duties(granted, slot.public_key, slot.username)),
                    (recovery, recovery_duties),
                ],
                {"format": _FORMAT, _LOCKOUT_SALT: os.urandom(32)},
            )
        finally:
            for _, key in all_duties.values():
                zero(key)
        return Initialized(UnlockedKeyring(store, slot, private, kek, kek_id), recovery_text)

    @staticmethod
    def unlock(
        store: KeyStore, username: str, password: str, *, now: datetime | None = None
    ) -> UnlockedKeyring:
        _check_format(store)
        moment = now or datetime.now(UTC)
        # A username no account can have (a lone surrogate, a control character) is unknown.
        slot = store.slot(username) if username and _typeable(username) else None
        if slot is None or slot.kind != PASSWORD:
            _check_unknown(store, username, moment)
            # Costs what a real attempt costs, so timing does not tell whether the user exists.
            zero(password_key(password, bytes(SALT_BYTES), KdfParams()))
            raise _unknown_failure(store, username, moment)
        private = _open_password_slot(store, slot, password, moment)
        return _unlocked(store, slot, private)

    @staticmethod
    def unlock_with_service_secret(store: KeyStore, secret: str) -> UnlockedKeyring:
        _check_format(store)
        slot = store.slot(SERVICE_USERNAME)
        if slot is None or slot.kind != SERVICE:
            raise WrongPassword(_BAD_SERVICE_SECRET)
        if slot.damaged:
            raise DamagedSlot
        secret_key = service_key(secret, slot.salt)
        try:
            private = unwrap(secret_key, slot.wrapped_private_key, _slot_ad(SERVICE, slot.username))
        except InvalidTag:
            raise WrongPassword(_BAD_SERVICE_SECRET) from None
        finally:
            zero(secret_key)
        return _unlocked(store, slot, private)

    @staticmethod
    def unlock_with_recovery_key(store: KeyStore, recovery_key: str) -> UnlockedKeyring:
        """The recovery slot: every duty key. Used to enable a slot when no second person
        who holds the keys can, and to replace the recovery key itself."""
        _check_format(store)
        slot = store.slot(RECOVERY_USERNAME)
        if slot is None or slot.kind != RECOVERY:
            raise KeyringError(_STORE_ALTERED)
        if slot.damaged:
            raise DamagedSlot
        secret_key = _recovery_secret_key(recovery_key, slot.salt)
        try:
            private = unwrap(
                secret_key, slot.wrapped_private_key, _slot_ad(RECOVERY, slot.username)
            )
        except InvalidTag:
            raise WrongPassword(_BAD_RECOVERY_KEY) from None
        finally:
            zero(secret_key)
        return _unlocked(store, slot, private)

    @staticmethod
    def slot_info(store: KeyStore, username: str) -> SlotInfo | None:
        slot = store.slot(username)
        if slot is None:
            return None
        return SlotInfo(
            slot.username,
            slot.account_id,
            slot.must_change_password,
            slot.kind,
            frozenset(Duty(name) for name in store.slot_duties(username) if name in set(Duty)),
        )


def _check_format(store: KeyStore) -> None:
    if not Keyring.is_initialized(store):
        raise KeyringNotInitialized
    if store.meta("format") != _FORMAT:
        raise KeyringError(_OLD_FORMAT)


def _unlocked(store: KeyStore, slot: SlotRow, private: bytearray) -> UnlockedKeyring:
    try:
        kek, kek_id = open_kek_from_slot(slot.wrapped_kek, private, _kek_ad(slot.username))
    except InvalidTag:
        zero(private)
        raise DamagedSlot from None
    return UnlockedKeyring(store, slot, private, kek, kek_id)


def _unknown_digest(store: KeyStore, username: str) -> bytes:
    """A keyed hash: a mistyped username is often a password, so it is never stored as such."""
    mac = hmac.HMAC(store.meta(_LOCKOUT_SALT) or b"", hashes.SHA256())
    mac.update(username.encode("utf-8", "surrogatepass"))
    return mac.finalize()


def _check_unknown(store: KeyStore, username: str, now: datetime) -> None:
    locked_until = store.unknown_locked_until(_unknown_digest(store, username))
    if locked_until is not None and now < locked_until:
        raise AccountLocked(locked_until)


def _unknown_failure(store: KeyStore, username: str, now: datetime) -> KeyringError:
    """Unknown usernames lock like real accounts, across processes, so that the lockout does
    not tell which usernames exist."""
    until = store.record_unknown_failure(
        _unknown_digest(store, username), now, MAX_FAILED_ATTEMPTS, LOCKOUT
    )
    return WrongPassword() if until is None else AccountLocked(until)


def _open_password_slot(store: KeyStore, slot: SlotRow, password: str, now: datetime) -> bytearray:
    """Returns the slot's private key, counting failures and honouring the lockout."""
    if slot.damaged:
        # Altered outside the service: no password would open it, and no failure is counted.
        raise DamagedSlot
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
    """Holds the KEK, the institution key, the slot's duty keys (and with the case duty the
    index key) and a cache of subject keys in memory until ``lock()``."""

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
        self._duties = _open_duties(store, slot, private)
        self._cache: OrderedDict[tuple[str, Duty], tuple[bytes, bytearray]] = OrderedDict()
        # Case keys already stored for subjects that do not exist yet; see new_subject().
        self._unused: OrderedDict[str, tuple[bytes, bytearray]] = OrderedDict()
        self.username: str | None = slot.username if slot.kind == PASSWORD else None
        self.account_id = slot.account_id
        self.must_change_password = slot.must_change_password
        self.is_recovery = slot.kind == RECOVERY
        self._institution = self._load(INSTITUTION_KEY_ID)
        self._index: bytearray | None = None
        # The index key's HMAC prepared once (``blind_index`` copies it: a fifth of the cost
        # of keying a new one per token); dropped at ``lock()`` with the key.
        self._index_mac: hmac.HMAC | None = None
        # A damaged index key disables search only: everything else keeps working.
        self.search_damaged = False
        if Duty.CASE in self._duties:
            try:
                self._index = self._load(INDEX_KEY_ID)
            except KeyringError:
                self.search_damaged = True

    # ------------------------------------------------------------------ state

    def _check_unlocked(self) -> None:
        if self._locked:
            raise KeyringError(LOCKED_MESSAGE)

    def lock(self) -> None:
        with self._mutex:
            if self._locked:
                return
            self._locked = True
            self._index_mac = None
            self._store.discard_unused_subject_keys(list(self._unused))
            for buffer in (self._kek, self._slot_private, self._institution, self._index):
                if buffer is not None:
                    zero(buffer)
            for _, key in [*self._cache.values(), *self._unused.values(), *self._duties.values()]:
                zero(key)
            self._cache.clear()
            self._unused.clear()
            self._duties.clear()

    @property
    def duties(self) -> frozenset[Duty]:
        return frozenset(self._duties)

    @property
    def institution_key(self) -> bytes:
        self._check_unlocked()
        return bytes(self._institution)

    def _duty_key(self, duty: Duty) -> bytearray:
        self._check_unlocked()
        held = self._duties.get(duty)
        if held is None:
            raise MissingDuty
        return held[1]

    def _refresh(self) -> None:
        """Re-reads the KEK from this session's own slot after another process rotated it."""
        slot = self._store.slot(self._slot_username)
        own_public = X25519PrivateKey.from_private_bytes(bytes(self._slot_private)).public_key()
        if slot is None or slot.public_key != own_public.public_bytes_raw():
            self.lock()
            raise KeyringError(_REVOKED)
        kek, kek_id = _open_kek(slot, self._slot_private)
        # A rotation may also have replaced the duty keys (the keys they wrap are the same).
        duties = _open_duties(self._store, slot, self._slot_private)
        with self._mutex:
            zero(self._kek)
            self._kek, self._kek_id = kek, kek_id
            for _, key in self._duties.values():
                zero(key)
            self._duties = duties

    def _with_current_kek(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except StaleMasterKey:
            self._refresh()
            return action()

    def _unwrap(self, stored: WrappedKey) -> bytearray:
        ad = _dek_ad(stored.key_id, stored.purpose, stored.subject_id)
        duty = _wrapping_duty(stored.purpose)
        if duty is not None:
            try:
                return unwrap(self._duty_key(duty), stored.wrapped, ad)
            except InvalidTag:
                if self._store.kek_id() == self._kek_id:
                    raise KeyringError(_STORE_ALTERED) from None
            self._refresh()  # another process rotated the keys since this one unlocked
            try:
                return unwrap(self._duty_key(duty), stored.wrapped, ad)
            except InvalidTag:
                raise KeyringError(_STORE_ALTERED) from None
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

    def _find_subject_key(self, subject_id: str, duty: Duty) -> tuple[bytes, bytearray] | None:
        with self._mutex:
            cached = self._cache.get((subject_id, duty))
            if cached is not None:
                self._cache.move_to_end((subject_id, duty))
                return cached
        self._duty_key(duty)  # refused before any read when the slot lacks the duty
        stored = self._store.subject_key(_stored_subject(subject_id, duty))
        return None if stored is None else self._remember(subject_id, duty, stored)

    def _subject_key_for_sealing(self, subject_id: str, duty: Duty) -> tuple[bytes, bytearray]:
        found = self._find_subject_key(subject_id, duty)
        if found is not None:
            return found
        stored = self._with_current_kek(lambda: self._create_subject_key(subject_id, duty))
        return self._remember(subject_id, duty, stored)

    def _remember(self, subject_id: str, duty: Duty, stored: WrappedKey) -> tuple[bytes, bytearray]:
        entry = (bytes.fromhex(stored.key_id), self._unwrap(stored))
        return self._cache_entry((subject_id, duty), entry)

    def _cache_entry(
        self, slot: tuple[str, Duty], entry: tuple[bytes, bytearray]
    ) -> tuple[bytes, bytearray]:
        with self._mutex:
            self._check_unlocked()
            self._cache[slot] = entry
            if len(self._cache) > SUBJECT_KEY_CACHE_SIZE:
                _, (_, evicted) = self._cache.popitem(last=False)
                zero(evicted)
        return entry

    def new_subject(self) -> str:
        """The id of a new subject (a client being registered) whose case key is already
        stored.

        Keys are stored in batches, so a registration costs no key-store write of its own;
        ``lock()`` discards the ones left unused. The ids are random and known only to this
        session until it saves something about them. Her psychology key is created when
        psychology first seals something for her."""
        self._duty_key(Duty.CASE)
        with self._mutex:
            if not self._unused:
                self._unused = self._with_current_kek(self._store_fresh_subject_keys)
            subject_id, entry = self._unused.popitem(last=False)
        self._cache_entry((subject_id, Duty.CASE), entry)
        return subject_id

    def return_subject(self, subject_id: str) -> None:
        """Gives back a subject from new_subject() that nothing was saved about (her
        registration was refused), so that lock() discards its key with the other unused
        ones. Whatever was sealed for her existed only in memory."""
        with self._mutex:
            entry = self._cache.pop((subject_id, Duty.CASE), None)
            if entry is not None and not self._locked:
                self._unused[subject_id] = entry

    def _store_fresh_subject_keys(self) -> OrderedDict[str, tuple[bytes, bytearray]]:
        made: OrderedDict[str, tuple[bytes, bytearray]] = OrderedDict()
        wrapped: list[WrappedKey] = []
        for _ in range(SUBJECT_KEY_BATCH):
            subject_id = str(uuid.uuid4())
            stored, key = self._new_subject_key(subject_id, Duty.CASE)
            made[subject_id] = (bytes.fromhex(stored.key_id), key)
            wrapped.append(stored)
        try:
            self._store.add_fresh_subject_keys(wrapped, self._kek_id)
        except BaseException:
            for _, key in made.values():
                zero(key)
            raise
        return made

    def _create_subject_key(self, subject_id: str, duty: Duty) -> WrappedKey:
        stored, key = self._new_subject_key(subject_id, duty)
        zero(key)
        # Another process may have created it meanwhile; the store then returns that one.
        return self._store.add_subject_key(stored, self._kek_id, subject_id)

    def _new_subject_key(self, subject_id: str, duty: Duty) -> tuple[WrappedKey, bytearray]:
        key = random_key()
        key_id = secrets.token_hex(_SUBJECT_KEY_ID_BYTES)
        purpose, stored_subject = _subject_purpose(duty), _stored_subject(subject_id, duty)
        wrapped = wrap(self._duty_key(duty), key, _dek_ad(key_id, purpose, stored_subject))
        return WrappedKey(key_id, purpose, stored_subject, wrapped), key

    def seal(self, subject_id: str, label: str, plaintext: str, duty: Duty = Duty.CASE) -> bytes:
        """Seals with the subject's key of ``duty`` (psychology fields: ``Duty.PSYCHOLOGY``).

        Refuses a subject whose key is gone from the store (``SubjectShredded``) and a duty
        this slot does not hold (``MissingDuty``). A key this session still caches after
        another session shredded it keeps sealing until ``forget()`` (the application calls
        it when it reads the erasure): what it seals meanwhile can never be opened once the
        cache lets go, as the erasure asked."""
        self._check_unlocked()
        key_id, key = self._subject_key_for_sealing(subject_id, duty)
        nonce = os.urandom(NONCE_BYTES)
        body = AESGCM(key).encrypt(
            nonce, plaintext.encode("utf-8"), _seal_ad(key_id, subject_id, label)
        )
        return bytes([_ENVELOPE_VERSION]) + key_id + nonce + body

    def open(self, subject_id: str, label: str, envelope: bytes) -> str:
        """Opens with whichever of her keys sealed it (the envelope names it); a key of a duty
        this slot does not hold raises ``MissingDuty``."""
        self._check_unlocked()
        if len(envelope) < _ENVELOPE_HEADER + TAG_BYTES or envelope[0] != _ENVELOPE_VERSION:
            raise TamperedCiphertext
        key_id = envelope[1 : 1 + _SUBJECT_KEY_ID_BYTES]
        key = self._key_for_envelope(subject_id, key_id)
        if key is None:
            if self._store.is_shredded(subject_id):
                return PLACEHOLDER
            if self._store.subject_key(subject_id) is not None:
                raise TamperedCiphertext  # she has a key, but the envelope names another
            raise UnknownKey
        nonce = envelope[1 + _SUBJECT_KEY_ID_BYTES : _ENVELOPE_HEADER]
        try:
            plaintext = AESGCM(key).decrypt(
                nonce, envelope[_ENVELOPE_HEADER:], _seal_ad(key_id, subject_id, label)
            )
        except InvalidTag:
            raise TamperedCiphertext from None
        return plaintext.decode("utf-8")

    def _key_for_envelope(self, subject_id: str, key_id: bytes) -> bytearray | None:
        with self._mutex:
            for duty in _DUTIES:
                cached = self._cache.get((subject_id, duty))
                if cached is not None and cached[0] == key_id:
                    self._cache.move_to_end((subject_id, duty))
                    return cached[1]
        stored = self._store.key(key_id.hex())
        if stored is None:
            return None
        owner = _wrapping_duty(stored.purpose)
        if owner is None or stored.subject_id != _stored_subject(subject_id, owner):
            return None  # another subject's key: open() tells tampering from a missing key
        return self._remember(subject_id, owner, stored)[1]

    def is_shredded(self, subject_id: str) -> bool:
        self._check_unlocked()
        return self._store.is_shredded(subject_id)

    def shred(self, subject_id: str) -> None:
        """Destroys both of her keys; needs no duty, since it only deletes."""
        self._check_unlocked()
        self._store.shred(subject_id, datetime.now(UTC))
        self.forget(subject_id)

    def forget(self, subject_id: str) -> None:
        with self._mutex:
            entries = [self._cache.pop((subject_id, duty), None) for duty in Duty]
        for entry in entries:
            if entry is not None:
                zero(entry[1])

    @property
    def can_index(self) -> bool:
        return self._index is not None

    def blind_index(self, kind: str, normalized_token: str) -> str:
        return next(iter(self.blind_indexes(kind, (normalized_token,))))

    def blind_indexes(self, kind: str, normalized_tokens: Iterable[str]) -> set[str]:
        """``blind_index`` of each token (one check of the keyring for all of them)."""
        with self._mutex:
            self._check_unlocked()
            if self.search_damaged:
                raise SearchUnavailable
            if self._index is None:
                raise MissingDuty
            if self._index_mac is None:
                self._index_mac = hmac.HMAC(self._index, hashes.SHA256())
            prepared = self._index_mac
        prefix = kind.encode("utf-8") + b"\0"
        tokens = set()
        for token in normalized_tokens:
            mac = prepared.copy()
            mac.update(prefix + token.encode("utf-8"))
            tokens.add(mac.finalize()[:_BLIND_INDEX_BYTES].hex())
        return tokens

    def load_case_keys(self, subject_ids: Iterable[str]) -> None:
        """Brings the case keys of these subjects into the cache with one read of the store
        (a rebuild opens the names of a batch's registrations: one query each cost more than
        unwrapping them). Only as many as half the cache holds, so none is evicted before it
        is used; a subject without a stored key (erased) is left to ``open``."""
        self._duty_key(Duty.CASE)
        with self._mutex:
            wanted = [s for s in dict.fromkeys(subject_ids) if (s, Duty.CASE) not in self._cache]
        for stored in self._store.subject_keys(wanted[: SUBJECT_KEY_CACHE_SIZE // 2]):
            if stored.purpose == _SUBJECT and stored.subject_id is not None:
                self._remember(stored.subject_id, Duty.CASE, stored)

    # ------------------------------------------------------------------ master key

    def rotate_master_key(self) -> None:
        """Rewraps the institution key and re-sends the KEK to every slot; keys under duty
        keys are not the KEK's and stay as they are."""
        self._check_unlocked()
        self._with_current_kek(lambda: self._rotate(frozenset(), None))

    def rotate_keys(self, progress: Callable[[int, int], None] | None = None) -> frozenset[Duty]:
        """The master key and every duty key this keyring holds, in one transaction: each key
        a rotated duty key wraps (the index key, every woman's key) is rewrapped under its new
        one, and the new duty keys are sealed to every slot that held the old ones. A kill
        rolls all of it back, leaving the old keys whole, so running it again finishes it;
        other terminals follow the new keys on their next miss, without a new login.
        Returns the duties rotated."""
        self._check_unlocked()
        duties = self.duties
        self._with_current_kek(lambda: self._rotate(duties, progress))
        return duties

    def _rotate(self, duties: frozenset[Duty], progress: Callable[[int, int], None] | None) -> None:
        new_kek, new_kek_id = random_key(), os.urandom(KEK_ID_BYTES)
        fresh = {duty: (os.urandom(KEK_ID_BYTES), random_key()) for duty in duties}

        def rewrap_key(stored: WrappedKey) -> bytes:
            duty = _wrapping_duty(stored.purpose)
            if duty is not None and duty not in fresh:
                return stored.wrapped
            key = self._unwrap(stored)
            try:
                ad = _dek_ad(stored.key_id, stored.purpose, stored.subject_id)
                return wrap(new_kek if duty is None else fresh[duty][1], key, ad)
            finally:
                zero(key)

        def rewrap_slot(slot: SlotRow) -> bytes:
            return seal_kek_to_slot(new_kek, new_kek_id, slot.public_key, _kek_ad(slot.username))

        def reseal_duty(username: str, name: str, envelope: bytes, public_key: bytes) -> bytes:
            replacement = fresh.get(Duty(name)) if name in set(Duty) else None
            if replacement is None:
                return envelope
            key_id, key = replacement
            return seal_kek_to_slot(key, key_id, public_key, _duty_ad(name, username))

        try:
            self._store.rotate(
                self._kek_id,
                new_kek_id,
                rewrap_key,
                rewrap_slot,
                reseal_duty if fresh else None,
                progress,
            )
        except BaseException:
            zero(new_kek)
            for _, key in fresh.values():
                zero(key)
            raise
        with self._mutex:
            zero(self._kek)
            self._kek, self._kek_id = new_kek, new_kek_id
            for duty, replacement in fresh.items():
                zero(self._duties[duty][1])
                self._duties[duty] = replacement

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
        """A new slot holds the KEK only: no duty key until someone enables it."""
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

    def enable_slot(self, username: str, duties: Iterable[Duty]) -> None:
        """Seals the given duty keys, all of which this keyring must hold, to the slot."""
        self._check_unlocked()
        wanted = {duty: self._duties[duty] for duty in duties if duty in self._duties}
        if len(wanted) != len(set(duties)):
            raise MissingDuty
        slot = self._store.slot(username) if username else None
        if slot is None or slot.kind != PASSWORD:
            raise KeyringError(_NO_SUCH_SLOT)

        def put() -> None:
            held = {duty: self._duties[duty] for duty in wanted}  # as of now (a rotation)
            self._store.put_slot_duties(
                username,
                slot.public_key,
                _seal_duties(held, slot.public_key, username),
                self._kek_id,
            )

        self._with_current_kek(put)

    def replace_recovery_key(self) -> str:
        """Only the recovery keyring itself, which holds every duty key, can make a new one;
        the old recovery slot is overwritten."""
        self._check_unlocked()
        if not self.is_recovery or set(self._duties) != set(Duty):
            raise KeyringError("Solo la llave de recuperación vigente puede reemplazarse.")

        def put() -> str:
            slot, duties, text = _new_recovery_slot(self._kek, self._kek_id, self._duties)
            self._store.put_slot(slot, self._kek_id, replace=True)
            self._store.put_slot_duties(slot.username, slot.public_key, duties, self._kek_id)
            return text

        text = self._with_current_kek(put)
        self.lock()  # the old recovery key's private half is worthless now
        return text

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
        key pair and this session encrypts the KEK to it. Its duty keys are gone with the old
        key pair: a reset slot must be enabled again, by someone other than the resetter."""
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
            # Its own slot: this session keeps the new private key (the duty keys it holds in
            # memory stay until it locks; the stored slot has none any more).
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
        """For unattended projector processes: the KEK and the case duty (to index names),
        if this keyring holds it; never the psychology key."""
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
        if Duty.CASE in self._duties:
            slot = self._store.slot(SERVICE_USERNAME)
            assert slot is not None  # noqa: S101 (just stored)
            case = {Duty.CASE: self._duties[Duty.CASE]}
            self._store.put_slot_duties(
                SERVICE_USERNAME, slot.public_key, _seal_duties(case, slot.public_key, "")
            )
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
