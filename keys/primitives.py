"""The few cryptographic constructions the keyring is built from, all from ``cryptography``.

Key material is handed around as ``bytearray`` so that the keyring can overwrite it when it
locks; copies made inside ``cryptography`` or by ``bytes()`` are beyond our reach (best effort).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
SALT_BYTES = 16
PUBLIC_KEY_BYTES = 32
KEK_ID_BYTES = 16

_KEK_ENVELOPE_VERSION = 1
_KEK_ENVELOPE_HEADER = 1 + KEK_ID_BYTES + PUBLIC_KEY_BYTES + NONCE_BYTES


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost of one password slot; stored with the slot so it can be raised later."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.r < 1 or self.p < 1:
            raise ValueError(
                "Parámetros de scrypt no válidos: n debe ser potencia de dos; r y p, positivos."
            )

    @classmethod
    def fast(cls) -> KdfParams:
        """Cheap enough for tests and the demo; never for real accounts."""
        return cls(n=2**12)


def random_key() -> bytearray:
    return bytearray(os.urandom(KEY_BYTES))


def zero(buffer: bytearray) -> None:
    buffer[:] = bytes(len(buffer))


def associated_data(*parts: bytes | str) -> bytes:
    """Length-prefixes every part, so that no two different part lists give the same bytes
    (a subject id or label may contain any character, NUL included)."""
    out = bytearray()
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        out += struct.pack(">I", len(raw)) + raw
    return bytes(out)


def wrap(key: bytes | bytearray, plaintext: bytes | bytearray, ad: bytes) -> bytes:
    """AES-256-GCM; returns nonce || ciphertext || tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, bytes(plaintext), ad)


def unwrap(key: bytes | bytearray, wrapped: bytes, ad: bytes) -> bytearray:
    """Raises ``InvalidTag`` on a wrong key, wrong associated data or altered bytes."""
    if len(wrapped) < NONCE_BYTES + TAG_BYTES:
        raise InvalidTag
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    return bytearray(AESGCM(key).decrypt(nonce, body, ad))


def password_key(password: str, salt: bytes, kdf: KdfParams) -> bytearray:
    derived = Scrypt(salt=salt, length=KEY_BYTES, n=kdf.n, r=kdf.r, p=kdf.p)
    # A lone surrogate cannot be in a password the policy accepted, but a login may be typed
    # with one: it is hashed like any other text (and fails), never raised as an error.
    return bytearray(derived.derive(password.encode("utf-8", "surrogatepass")))


def service_key(secret: str, salt: bytes) -> bytearray:
    # The service secret is 256 random bits, so a plain HKDF suffices where a password needs
    # scrypt's cost.
    derived = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"violeta:service")
    return bytearray(derived.derive(secret.encode("utf-8")))


def new_key_pair() -> tuple[bytearray, bytes]:
    """Returns (raw private key, raw public key) of a fresh X25519 slot key pair."""
    private = X25519PrivateKey.generate()
    return bytearray(private.private_bytes_raw()), private.public_key().public_bytes_raw()


def _sealing_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=ephemeral + recipient,
        info=b"violeta:kek-to-slot:v1",
    )
    return hkdf.derive(shared)


def seal_kek_to_slot(kek: bytearray, kek_id: bytes, recipient_public: bytes, ad: bytes) -> bytes:
    """Encrypts the KEK to a slot's public key (ECIES: ephemeral X25519, HKDF, AES-GCM), so the
    KEK can be re-sent to every slot on rotation without knowing any password.

    Envelope: version || kek id || ephemeral public key || nonce || ciphertext || tag.
    """
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = _sealing_key(shared, ephemeral_public, recipient_public)
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(key).encrypt(nonce, bytes(kek), ad + associated_data(kek_id))
    return bytes([_KEK_ENVELOPE_VERSION]) + kek_id + ephemeral_public + nonce + body


def open_kek_from_slot(
    envelope: bytes, private_raw: bytearray, ad: bytes
) -> tuple[bytearray, bytes]:
    """Returns (KEK, kek id); raises ``InvalidTag`` if the envelope is not for this key pair."""
    if len(envelope) < _KEK_ENVELOPE_HEADER + TAG_BYTES or envelope[0] != _KEK_ENVELOPE_VERSION:
        raise InvalidTag
    kek_id = envelope[1 : 1 + KEK_ID_BYTES]
    ephemeral_public = envelope[1 + KEK_ID_BYTES : 1 + KEK_ID_BYTES + PUBLIC_KEY_BYTES]
    nonce = envelope[_KEK_ENVELOPE_HEADER - NONCE_BYTES : _KEK_ENVELOPE_HEADER]
    private = X25519PrivateKey.from_private_bytes(bytes(private_raw))
    recipient_public = private.public_key().public_bytes_raw()
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:
        # An altered ephemeral key can be a low-order point; to callers that is one more
        # authentication failure.
        raise InvalidTag from None
    key = _sealing_key(shared, ephemeral_public, recipient_public)
    kek = AESGCM(key).decrypt(nonce, envelope[_KEK_ENVELOPE_HEADER:], ad + associated_data(kek_id))
    return bytearray(kek), kek_id
