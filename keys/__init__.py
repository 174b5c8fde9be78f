"""Keys of Violeta (DESIGN §4): master key in password slots, subject keys for crypto-shredding,
institution key for the event store's outer cipher and index key for blind indexes.

Imports nothing of ours: only the standard library, ``cryptography`` and ``psycopg``.
"""

from keys.errors import (
    AccountLocked,
    DamagedSlot,
    KeyringError,
    KeyringNotInitialized,
    MissingDuty,
    PasswordPolicyError,
    SearchUnavailable,
    SubjectShredded,
    TamperedCiphertext,
    UnknownKey,
    WrongPassword,
)
from keys.keyring import (
    BLIND_INDEX_BITS,
    PLACEHOLDER,
    Duty,
    Initialized,
    Keyring,
    SlotInfo,
    UnlockedKeyring,
)
from keys.primitives import KdfParams
from keys.store import KeyStore, PostgresKeyStore, SQLiteKeyStore

__all__ = [
    "BLIND_INDEX_BITS",
    "PLACEHOLDER",
    "AccountLocked",
    "DamagedSlot",
    "Duty",
    "Initialized",
    "KdfParams",
    "KeyStore",
    "Keyring",
    "KeyringError",
    "KeyringNotInitialized",
    "MissingDuty",
    "PasswordPolicyError",
    "PostgresKeyStore",
    "SQLiteKeyStore",
    "SearchUnavailable",
    "SlotInfo",
    "SubjectShredded",
    "TamperedCiphertext",
    "UnknownKey",
    "UnlockedKeyring",
    "WrongPassword",
]
