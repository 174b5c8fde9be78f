"""Where wrapped keys and password slots live: plain tables, deliberately not event-sourced,
because erasure must be able to really delete a subject key.

Every row holds only wrapped (encrypted) material. Two backends share the SQL: SQLite (one
file, WAL) and PostgreSQL (tables in a given schema). Writes that depend on the current master
key lock the ``kek_id`` meta row, so a rotation in another process cannot interleave with them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pathlib
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from keys import journal
from keys.errors import KeyringError, StaleMasterKey, SubjectShredded
from keys.primitives import KdfParams

_log = logging.getLogger(__name__)

PASSWORD = "password"  # noqa: S105 (a slot kind, not a password)
SERVICE = "service"
RECOVERY = "recovery"
SERVICE_USERNAME = ""
"""The service slot's key; password slots always have a non-empty username."""
RECOVERY_USERNAME = "#recuperacion"
"""The recovery slot's key: no username can start with «#», so no account can take it."""
UNKNOWN_FAILURES_KEPT = 1024
"""Failed logins of unknown usernames remembered at most (the oldest are forgotten first)."""


@dataclass(frozen=True)
class SlotRow:
    username: str
    account_id: str
    kind: str
    kdf: KdfParams
    salt: bytes
    wrapped_private_key: bytes
    public_key: bytes
    wrapped_kek: bytes
    must_change_password: bool
    failed_attempts: int = 0
    locked_until: datetime | None = None
    # A digest of what opens the slot (see secret_check): stored beside it, so that bytes
    # altered outside the service read as a damaged slot, not as a wrong password.
    stored_check: bytes = b""

    @property
    def damaged(self) -> bool:
        """The slot's secret part no longer matches its stored digest (a slot written before
        digests were kept has none and is never called damaged)."""
        return bool(self.stored_check) and not hmac.compare_digest(
            self.stored_check,
            secret_check(self.username, self.kind, self.kdf, self.salt, self.wrapped_private_key),
        )


def secret_check(
    username: str, kind: str, kdf: KdfParams, salt: bytes, wrapped_private_key: bytes
) -> bytes:
    """A keyless digest of everything that, with the password, opens a slot. GCM alone cannot
    tell a wrong password from an altered envelope; this tells them apart, so that a damaged
    slot is said to be damaged and never counts toward the lockout."""
    digest = hashlib.sha256(b"violeta:acceso:v1")
    for part in (
        username.encode("utf-8"),
        kind.encode("utf-8"),
        f"{kdf.n}:{kdf.r}:{kdf.p}".encode("ascii"),
        salt,
        wrapped_private_key,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


ResealDuty = Callable[[str, str, bytes, bytes], bytes]
"""(username, duty, envelope, public key) → the envelope to store instead."""
RotationProgress = Callable[[int, int], None]
ROTATION_BATCH = 500


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    purpose: str
    subject_id: str | None
    wrapped: bytes


class KeyStore(Protocol):
    def close(self) -> None: ...

    def kek_id(self) -> bytes | None:
        """The id of the current master key; None while the keyring is not initialized."""

    def initialize(
        self,
        kek_id: bytes,
        keys: Sequence[WrappedKey],
        slots: Sequence[tuple[SlotRow, dict[str, bytes]]],
        meta: dict[str, bytes],
    ) -> None: ...

    def slot(self, username: str) -> SlotRow | None: ...

    def put_slot(self, slot: SlotRow, kek_id: bytes, *, replace: bool) -> None:
        """Inserts (or with ``replace`` overwrites) a slot whose KEK envelope was made with
        ``kek_id``; raises ``StaleMasterKey`` if that is no longer the current master key."""

    def update_slot_secret(self, username: str, salt: bytes, wrapped_private_key: bytes) -> None:
        """Re-protects the same slot key pair under a new password; clears the change flag."""

    def remove_slot(self, username: str) -> bool:
        """False if it does not exist or is the last password slot (which is kept)."""

    def slot_duties(self, username: str) -> dict[str, bytes]:
        """The duty keys sealed to a slot's public key, by duty."""

    def put_slot_duties(
        self,
        username: str,
        public_key: bytes,
        wrapped: dict[str, bytes],
        kek_id: bytes | None = None,
    ) -> None:
        """Adds duty keys to a slot, provided it still has ``public_key`` (a reset meanwhile
        gave it a new key pair, and keys sealed to the old one would be useless)."""

    def meta(self, name: str) -> bytes | None: ...

    def journal_check(self, witness: tuple[int, bytes] | None = None) -> journal.JournalCheck:
        """Replays the key journal against the tables (see keys/journal.py)."""

    def slot_usernames(self) -> list[str]: ...

    def record_unknown_failure(
        self, digest: bytes, now: datetime, limit: int, lock_for: timedelta
    ) -> datetime | None:
        """Like ``record_failure`` for a username that has no slot, counted under its keyed
        hash; keeps at most ``UNKNOWN_FAILURES_KEPT`` of them."""

    def unknown_locked_until(self, digest: bytes) -> datetime | None: ...

    def record_failure(
        self, username: str, now: datetime, limit: int, lock_for: timedelta
    ) -> datetime | None:
        """Counts a failed password; at ``limit`` locks the slot and returns until when."""

    def clear_failures(self, username: str) -> None: ...

    def key(self, key_id: str) -> WrappedKey | None: ...

    def subject_key(self, subject_id: str) -> WrappedKey | None: ...

    def subject_keys(self, subject_ids: Sequence[str]) -> list[WrappedKey]:
        """The stored keys of these subjects (as ``subject_key`` would give each, in no
        order; none for a subject without one), read in one query per few hundred."""

    def add_subject_key(
        self, key: WrappedKey, kek_id: bytes, owner: str | None = None
    ) -> WrappedKey:
        """Stores a new subject key unless one exists (then returns the stored one); raises
        ``SubjectShredded`` (when ``owner``, the client, was erased) or ``StaleMasterKey``."""

    def add_fresh_subject_keys(self, keys: Sequence[WrappedKey], kek_id: bytes) -> None:
        """Stores keys of subjects that did not exist before (new random ids), in one
        transaction; raises ``StaleMasterKey``."""

    def discard_unused_subject_keys(self, subject_ids: Sequence[str]) -> None:
        """Deletes keys that never sealed anything; a failure is logged, not raised, because
        such a key protects no data."""

    def is_shredded(self, subject_id: str) -> bool: ...

    def shred(self, subject_id: str, now: datetime) -> None:
        """Deletes every key of the subject (``subject_id`` and ``subject_id/…``)."""

    def rotate(
        self,
        kek_id: bytes,
        new_kek_id: bytes,
        rewrap_key: Callable[[WrappedKey], bytes],
        rewrap_slot: Callable[[SlotRow], bytes],
        reseal_duty: ResealDuty | None = None,
        progress: RotationProgress | None = None,
    ) -> None:
        """Replaces every wrapped key, every slot's KEK envelope and (with ``reseal_duty``)
        every slot's duty envelopes in one transaction: a kill leaves the old keys whole."""


_SLOT_COLUMNS = (
    "username, account_id, kind, kdf_n, kdf_r, kdf_p, salt, wrapped_private_key, public_key,"
    " wrapped_kek, must_change_password, failed_attempts, locked_until, secret_check"
)
_KEY_COLUMNS = "key_id, purpose, subject_id, wrapped"
_KEYS_PER_QUERY = 500
_INSERT_SLOT = (
    "INSERT INTO {p}key_slots ({slots}) VALUES (:username, :account_id, :kind, :kdf_n, :kdf_r,"
    " :kdf_p, :salt, :wrapped_private_key, :public_key, :wrapped_kek, :must_change_password,"
    " :failed_attempts, :locked_until, :secret_check)"
)
_REPLACE_SLOT = (
    _INSERT_SLOT + " ON CONFLICT (username) DO UPDATE SET account_id = excluded.account_id,"
    " kind = excluded.kind, kdf_n = excluded.kdf_n, kdf_r = excluded.kdf_r,"
    " kdf_p = excluded.kdf_p, salt = excluded.salt,"
    " wrapped_private_key = excluded.wrapped_private_key, public_key = excluded.public_key,"
    " wrapped_kek = excluded.wrapped_kek, must_change_password = excluded.must_change_password,"
    " failed_attempts = excluded.failed_attempts, locked_until = excluded.locked_until,"
    " secret_check = excluded.secret_check"
)
SUBJECT_PART = "/"
# The first text after every "subject/…" in binary order: "subject/" <= part < "subject0".
_AFTER_SUBJECT_PART = chr(ord(SUBJECT_PART) + 1)
# One failed login more; at :limit the counter restarts and the lock holds until :until. In one
# statement, so that failures counted by two processes at once all add up.
_COUNT_FAILURE = (
    " failed_attempts = CASE WHEN failed_attempts + 1 >= :limit THEN 0"
    "  ELSE failed_attempts + 1 END,"
    " locked_until = CASE WHEN failed_attempts + 1 >= :limit THEN :until"
    "  ELSE locked_until END"
)
"""A subject's second key (psychology) is stored under ``subject_id/duty``."""


def _key_from(row: Sequence[Any]) -> WrappedKey:
    return WrappedKey(row[0], row[1], row[2], bytes(row[3]))


class _SqlKeyStore(ABC):
    """The SQL common to both backends, written with ``:name`` parameters."""

    _prefix = ""
    _for_share = ""
    _for_update = ""
    _all_rows = ""  # SQLite needs a LIMIT before an OFFSET
    # A subject's other keys ("subject/duty"): LIKE where the collation may not be binary.
    _subject_parts = "subject_id LIKE :parts"
    _journal_lock = ""  # SQLite's BEGIN IMMEDIATE already serializes the journal's writers
    # Subjects among a list (``:among``, made by ``_list``): an array on PostgreSQL.
    _among = "subject_id = ANY(:among)"
    _database_errors: tuple[type[Exception], ...] = ()

    @abstractmethod
    def _read(self) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]: ...

    def _shredding(self) -> AbstractContextManager[Any]:
        """The transaction of a shred, which ``_scrub`` follows at once (see SQLite's)."""
        return self._write()

    def _scrub_shredded(self) -> None:
        self._scrub(["wrapped_keys"])

    @abstractmethod
    def _time_in(self, value: datetime | None) -> object: ...

    @abstractmethod
    def _time_out(self, value: Any) -> datetime | None: ...

    @abstractmethod
    def _scrub(self, tables: Sequence[str]) -> None:
        """Makes deleted and overwritten rows unrecoverable from the storage files."""

    @abstractmethod
    def close(self) -> None: ...

    def _q(self, sql: str) -> str:
        return (
            sql.replace("{p}", self._prefix)
            .replace("{slots}", _SLOT_COLUMNS)
            .replace("{keys}", _KEY_COLUMNS)
        )

    def _slot_from(self, row: Sequence[Any]) -> SlotRow:
        return SlotRow(
            username=row[0],
            account_id=row[1],
            kind=row[2],
            kdf=KdfParams(n=row[3], r=row[4], p=row[5]),
            salt=bytes(row[6]),
            wrapped_private_key=bytes(row[7]),
            public_key=bytes(row[8]),
            wrapped_kek=bytes(row[9]),
            must_change_password=bool(row[10]),
            failed_attempts=row[11],
            locked_until=self._time_out(row[12]),
            stored_check=b"" if row[13] is None else bytes(row[13]),
        )

    def _slot_params(self, slot: SlotRow) -> dict[str, object]:
        return {
            "username": slot.username,
            "account_id": slot.account_id,
            "kind": slot.kind,
            "kdf_n": slot.kdf.n,
            "kdf_r": slot.kdf.r,
            "kdf_p": slot.kdf.p,
            "salt": slot.salt,
            "wrapped_private_key": slot.wrapped_private_key,
            "public_key": slot.public_key,
            "wrapped_kek": slot.wrapped_kek,
            "must_change_password": slot.must_change_password,
            "failed_attempts": slot.failed_attempts,
            "locked_until": self._time_in(slot.locked_until),
            "secret_check": secret_check(
                slot.username, slot.kind, slot.kdf, slot.salt, slot.wrapped_private_key
            ),
        }

    def _insert_slot(self, cur: Any, slot: SlotRow, *, replace: bool) -> None:
        cur.execute(self._q(_REPLACE_SLOT if replace else _INSERT_SLOT), self._slot_params(slot))

    def _insert_key(self, cur: Any, key: WrappedKey) -> None:
        cur.execute(
            self._q(
                "INSERT INTO {p}wrapped_keys ({keys})"
                " VALUES (:key_id, :purpose, :subject_id, :wrapped)"
            ),
            {
                "key_id": key.key_id,
                "purpose": key.purpose,
                "subject_id": key.subject_id,
                "wrapped": key.wrapped,
            },
        )

    def _check_kek(self, cur: Any, kek_id: bytes, lock: str) -> None:
        cur.execute(self._q("SELECT value FROM {p}keyring_meta WHERE name = 'kek_id'") + lock, {})
        row = cur.fetchone()
        if row is None or bytes(row[0]) != kek_id:
            raise StaleMasterKey

    def _journal(self, cur: Any, *records: tuple[str, str]) -> None:
        if self._journal_lock:
            cur.execute(self._journal_lock)
        journal.append(cur, self._q, datetime.now(UTC).isoformat(), records)

    def slot_usernames(self) -> list[str]:
        with self._read() as cur:
            cur.execute(self._q("SELECT username FROM {p}key_slots ORDER BY username"), {})
            return [row[0] for row in cur.fetchall()]

    def journal_check(self, witness: tuple[int, bytes] | None = None) -> journal.JournalCheck:
        with self._read() as cur:
            cur.execute(
                self._q("SELECT seq, at, action, subject, head FROM {p}key_journal ORDER BY seq"),
                {},
            )
            entries = [
                journal.Entry(int(r[0]), r[1], r[2], r[3], bytes(r[4])) for r in cur.fetchall()
            ]
            cur.execute(
                self._q("SELECT subject_id FROM {p}wrapped_keys WHERE subject_id IS NOT NULL"), {}
            )
            subject_keys = {r[0] for r in cur.fetchall()}
            cur.execute(self._q("SELECT subject_id FROM {p}shredded_keys"), {})
            tombstones = {r[0] for r in cur.fetchall()}
            cur.execute(self._q("SELECT username FROM {p}key_slots"), {})
            slots = {r[0] for r in cur.fetchall()}
        return journal.check(entries, journal.StoreState(subject_keys, tombstones, slots), witness)

    # ------------------------------------------------------------------ KeyStore

    def kek_id(self) -> bytes | None:
        with self._read() as cur:
            cur.execute(self._q("SELECT value FROM {p}keyring_meta WHERE name = 'kek_id'"), {})
            row = cur.fetchone()
        return None if row is None else bytes(row[0])

    def initialize(
        self,
        kek_id: bytes,
        keys: Sequence[WrappedKey],
        slots: Sequence[tuple[SlotRow, dict[str, bytes]]],
        meta: dict[str, bytes],
    ) -> None:
        with self._write() as cur:
            cur.execute(
                self._q(
                    "INSERT INTO {p}keyring_meta (name, value) VALUES ('kek_id', :value)"
                    " ON CONFLICT (name) DO NOTHING"
                ),
                {"value": kek_id},
            )
            if cur.rowcount != 1:
                raise KeyringError("El llavero ya fue inicializado.")
            for key in keys:
                self._insert_key(cur, key)
            for name, value in meta.items():
                cur.execute(
                    self._q("INSERT INTO {p}keyring_meta (name, value) VALUES (:name, :value)"),
                    {"name": name, "value": value},
                )
            for slot, duties in slots:
                self._insert_slot(cur, slot, replace=False)
                self._insert_duties(cur, slot.username, duties)
            self._journal(
                cur,
                (journal.INITIALIZED, ""),
                *((journal.SLOT_STORED, slot.username) for slot, _ in slots),
                *((journal.DUTIES, slot.username) for slot, duties in slots if duties),
            )

    def _insert_duties(self, cur: Any, username: str, wrapped: dict[str, bytes]) -> None:
        for duty, envelope in wrapped.items():
            cur.execute(
                self._q(
                    "INSERT INTO {p}slot_duties (username, duty, wrapped)"
                    " VALUES (:username, :duty, :wrapped) ON CONFLICT (username, duty)"
                    " DO UPDATE SET wrapped = excluded.wrapped"
                ),
                {"username": username, "duty": duty, "wrapped": envelope},
            )

    def meta(self, name: str) -> bytes | None:
        with self._read() as cur:
            cur.execute(
                self._q("SELECT value FROM {p}keyring_meta WHERE name = :name"), {"name": name}
            )
            row = cur.fetchone()
        return None if row is None else bytes(row[0])

    def slot_duties(self, username: str) -> dict[str, bytes]:
        with self._read() as cur:
            cur.execute(
                self._q("SELECT duty, wrapped FROM {p}slot_duties WHERE username = :username"),
                {"username": username},
            )
            return {row[0]: bytes(row[1]) for row in cur.fetchall()}

    def put_slot_duties(
        self,
        username: str,
        public_key: bytes,
        wrapped: dict[str, bytes],
        kek_id: bytes | None = None,
    ) -> None:
        with self._write() as cur:
            if kek_id is not None:
                # Duty keys sealed by a keyring that has not seen a rotation would be the
                # old ones, which no longer open anything.
                self._check_kek(cur, kek_id, self._for_share)
            cur.execute(
                self._q("SELECT public_key FROM {p}key_slots WHERE username = :username")
                + self._for_update,
                {"username": username},
            )
            row = cur.fetchone()
            if row is None or bytes(row[0]) != public_key:
                raise KeyringError("El acceso cambió mientras se habilitaba; intente de nuevo.")
            self._insert_duties(cur, username, wrapped)
            self._journal(cur, (journal.DUTIES, username))

    def record_unknown_failure(
        self, digest: bytes, now: datetime, limit: int, lock_for: timedelta
    ) -> datetime | None:
        with self._write() as cur:
            cur.execute(
                self._q(
                    "INSERT INTO {p}unknown_logins (digest, failed_attempts, locked_until, last_at)"
                    " VALUES (:digest, 0, NULL, :now) ON CONFLICT (digest) DO NOTHING"
                ),
                {"digest": digest, "now": self._time_in(now)},
            )
            cur.execute(
                self._q(
                    "UPDATE {p}unknown_logins SET last_at = :now,"  # noqa: S608 - constants only
                    + _COUNT_FAILURE
                    + " WHERE digest = :digest RETURNING failed_attempts, locked_until"
                ),
                {
                    "limit": limit,
                    "until": self._time_in(now + lock_for),
                    "now": self._time_in(now),
                    "digest": digest,
                },
            )
            row = cur.fetchone()
            # Bounded: guessing names cannot grow the store without limit.
            prune = (
                "DELETE FROM {p}unknown_logins WHERE digest IN (SELECT digest FROM"  # noqa: S608 - constants only
                f" {{p}}unknown_logins ORDER BY last_at DESC{self._all_rows} OFFSET :kept)"
            )
            cur.execute(
                self._q(prune),
                {"kept": UNKNOWN_FAILURES_KEPT},
            )
        if row is None or row[0] != 0:
            return None
        return self._time_out(row[1])

    def unknown_locked_until(self, digest: bytes) -> datetime | None:
        with self._read() as cur:
            cur.execute(
                self._q("SELECT locked_until FROM {p}unknown_logins WHERE digest = :digest"),
                {"digest": digest},
            )
            row = cur.fetchone()
        return None if row is None else self._time_out(row[0])

    def slot(self, username: str) -> SlotRow | None:
        with self._read() as cur:
            cur.execute(
                self._q("SELECT {slots} FROM {p}key_slots WHERE username = :username"),
                {"username": username},
            )
            row = cur.fetchone()
        return None if row is None else self._slot_from(row)

    def put_slot(self, slot: SlotRow, kek_id: bytes, *, replace: bool) -> None:
        with self._write() as cur:
            self._check_kek(cur, kek_id, self._for_share)
            if not replace:
                cur.execute(
                    self._q("SELECT 1 FROM {p}key_slots WHERE username = :username"),
                    {"username": slot.username},
                )
                if cur.fetchone() is not None:
                    raise KeyringError("Ya existe un acceso con ese nombre de usuario.")
            # A new key pair: whatever was sealed to the old one is gone with it, so a reset
            # slot holds no duty key until someone enables it again.
            cur.execute(
                self._q("DELETE FROM {p}slot_duties WHERE username = :username"),
                {"username": slot.username},
            )
            self._insert_slot(cur, slot, replace=replace)
            self._journal(cur, (journal.SLOT_STORED, slot.username))
        if replace:
            self._scrub(["key_slots", "slot_duties"])

    def update_slot_secret(self, username: str, salt: bytes, wrapped_private_key: bytes) -> None:
        with self._write() as cur:
            cur.execute(
                self._q(
                    "SELECT kind, kdf_n, kdf_r, kdf_p FROM {p}key_slots WHERE username = :username"
                ),
                {"username": username},
            )
            row = cur.fetchone()
            check = (
                None
                if row is None
                else secret_check(
                    username,
                    row[0],
                    KdfParams(n=row[1], r=row[2], p=row[3]),
                    salt,
                    wrapped_private_key,
                )
            )
            cur.execute(
                self._q(
                    "UPDATE {p}key_slots SET salt = :salt,"
                    " wrapped_private_key = :wrapped_private_key, must_change_password = :false,"
                    " secret_check = :secret_check"
                    " WHERE username = :username"
                ),
                {
                    "salt": salt,
                    "wrapped_private_key": wrapped_private_key,
                    "false": False,
                    "secret_check": check,
                    "username": username,
                },
            )
            self._journal(cur, (journal.SLOT_SECRET, username))
        self._scrub(["key_slots"])

    def remove_slot(self, username: str) -> bool:
        with self._write() as cur:
            cur.execute(
                self._q(
                    "DELETE FROM {p}key_slots WHERE username = :username AND (kind <> :password"
                    " OR (SELECT count(*) FROM {p}key_slots WHERE kind = :password) > 1)"
                ),
                {"username": username, "password": PASSWORD},
            )
            removed = bool(cur.rowcount == 1)
            if removed:
                cur.execute(
                    self._q("DELETE FROM {p}slot_duties WHERE username = :username"),
                    {"username": username},
                )
                self._journal(cur, (journal.SLOT_REMOVED, username))
        self._scrub(["key_slots", "slot_duties"])
        return removed

    def record_failure(
        self, username: str, now: datetime, limit: int, lock_for: timedelta
    ) -> datetime | None:
        # One statement, so that failures counted by two processes at once all add up.
        with self._write() as cur:
            cur.execute(
                self._q(
                    "UPDATE {p}key_slots SET"
                    + _COUNT_FAILURE
                    + " WHERE username = :username AND kind = :password"
                    " RETURNING failed_attempts, locked_until"
                ),
                {
                    "limit": limit,
                    "until": self._time_in(now + lock_for),
                    "username": username,
                    "password": PASSWORD,
                },
            )
            row = cur.fetchone()
        if row is None or row[0] != 0:
            return None
        return self._time_out(row[1])

    def clear_failures(self, username: str) -> None:
        with self._write() as cur:
            cur.execute(
                self._q(
                    "UPDATE {p}key_slots SET failed_attempts = 0, locked_until = NULL"
                    " WHERE username = :username"
                    " AND (failed_attempts <> 0 OR locked_until IS NOT NULL)"
                ),
                {"username": username},
            )

    def key(self, key_id: str) -> WrappedKey | None:
        with self._read() as cur:
            return self._select_key(cur, "key_id", key_id)

    def subject_key(self, subject_id: str) -> WrappedKey | None:
        with self._read() as cur:
            return self._select_key(cur, "subject_id", subject_id)

    def subject_keys(self, subject_ids: Sequence[str]) -> list[WrappedKey]:
        found: list[WrappedKey] = []
        with self._read() as cur:
            for start in range(0, len(subject_ids), _KEYS_PER_QUERY):
                chunk = list(subject_ids[start : start + _KEYS_PER_QUERY])
                cur.execute(
                    self._q(f"SELECT {{keys}} FROM {{p}}wrapped_keys WHERE {self._among}"),  # noqa: S608 - our SQL
                    {"among": self._list(chunk)},
                )
                found += [_key_from(row) for row in cur.fetchall()]
        return found

    def _list(self, values: list[str]) -> object:
        """``values`` as the parameter of ``_among``."""
        return values

    def _select_key(self, cur: Any, column: str, value: str) -> WrappedKey | None:
        """``column`` is one of our own column names, never input."""
        cur.execute(
            self._q(f"SELECT {{keys}} FROM {{p}}wrapped_keys WHERE {column} = :value"),  # noqa: S608 - our column name
            {"value": value},
        )
        row = cur.fetchone()
        return None if row is None else _key_from(row)

    def add_subject_key(
        self, key: WrappedKey, kek_id: bytes, owner: str | None = None
    ) -> WrappedKey:
        with self._write() as cur:
            # FOR UPDATE, not FOR SHARE: it serializes with shred(), so a key can never be
            # created for a subject whose tombstone is being written.
            self._check_kek(cur, kek_id, self._for_update)
            cur.execute(
                self._q("SELECT 1 FROM {p}shredded_keys WHERE subject_id = :subject_id"),
                {"subject_id": owner or key.subject_id},
            )
            if cur.fetchone() is not None:
                raise SubjectShredded
            existing = self._select_key(cur, "subject_id", str(key.subject_id))
            if existing is not None:
                return existing
            self._insert_key(cur, key)
            self._journal(cur, (journal.CREATED, str(key.subject_id)))
        return key

    def add_fresh_subject_keys(self, keys: Sequence[WrappedKey], kek_id: bytes) -> None:
        with self._write() as cur:
            self._check_kek(cur, kek_id, self._for_share)
            for key in keys:
                self._insert_key(cur, key)
            self._journal(cur, *((journal.CREATED, str(key.subject_id)) for key in keys))

    def discard_unused_subject_keys(self, subject_ids: Sequence[str]) -> None:
        if not subject_ids:
            return
        try:
            with self._write() as cur:
                for subject_id in subject_ids:
                    cur.execute(
                        self._q("DELETE FROM {p}wrapped_keys WHERE subject_id = :subject_id"),
                        {"subject_id": subject_id},
                    )
                self._journal(cur, *((journal.DISCARDED, subject) for subject in subject_ids))
        except self._database_errors as error:
            _log.warning("unused subject keys were not discarded: %s", type(error).__name__)

    def is_shredded(self, subject_id: str) -> bool:
        with self._read() as cur:
            cur.execute(
                self._q("SELECT 1 FROM {p}shredded_keys WHERE subject_id = :subject_id"),
                {"subject_id": subject_id},
            )
            return cur.fetchone() is not None

    def shred(self, subject_id: str, now: datetime) -> None:
        with self._shredding() as cur:
            cur.execute(
                self._q("SELECT value FROM {p}keyring_meta WHERE name = 'kek_id'")
                + self._for_update,
                {},
            )
            cur.execute(
                self._q(
                    "DELETE FROM {p}wrapped_keys WHERE subject_id = :subject_id OR "  # noqa: S608 - one of two fixed texts
                    + self._subject_parts
                ),
                {
                    "subject_id": subject_id,
                    "parts": subject_id + SUBJECT_PART + "%",
                    "low": subject_id + SUBJECT_PART,
                    "high": subject_id + _AFTER_SUBJECT_PART,
                },
            )
            cur.execute(
                self._q(
                    "INSERT INTO {p}shredded_keys (subject_id, shredded_at)"
                    " VALUES (:subject_id, :now) ON CONFLICT (subject_id) DO NOTHING"
                ),
                {"subject_id": subject_id, "now": self._time_in(now)},
            )
            if cur.rowcount == 1:
                self._journal(cur, (journal.SHREDDED, subject_id))
        # Also on a repeated shred: an earlier attempt may have failed after committing.
        self._scrub_shredded()

    def rotate(
        self,
        kek_id: bytes,
        new_kek_id: bytes,
        rewrap_key: Callable[[WrappedKey], bytes],
        rewrap_slot: Callable[[SlotRow], bytes],
        reseal_duty: ResealDuty | None = None,
        progress: RotationProgress | None = None,
    ) -> None:
        with self._write() as cur:
            self._check_kek(cur, kek_id, self._for_update)
            cur.execute(self._q("SELECT {keys} FROM {p}wrapped_keys"), {})
            keys = [_key_from(row) for row in cur.fetchall()]
            cur.execute(self._q("SELECT {slots} FROM {p}key_slots"), {})
            slots = [self._slot_from(r) for r in cur.fetchall()]
            total = len(keys) + len(slots)
            update = self._q("UPDATE {p}wrapped_keys SET wrapped = :wrapped WHERE key_id = :key_id")
            for start in range(0, len(keys), ROTATION_BATCH):
                batch = keys[start : start + ROTATION_BATCH]
                cur.executemany(
                    update, [{"wrapped": rewrap_key(key), "key_id": key.key_id} for key in batch]
                )
                if progress is not None:
                    progress(start + len(batch), total)
            for slot in slots:
                cur.execute(
                    self._q(
                        "UPDATE {p}key_slots SET wrapped_kek = :wrapped_kek"
                        " WHERE username = :username"
                    ),
                    {"wrapped_kek": rewrap_slot(slot), "username": slot.username},
                )
            resealed = self._reseal_duties(cur, slots, reseal_duty) if reseal_duty else []
            if progress is not None:
                progress(total, total)
            cur.execute(
                self._q("UPDATE {p}keyring_meta SET value = :value WHERE name = 'kek_id'"),
                {"value": new_kek_id},
            )
            self._journal(
                cur, (journal.ROTATED, ""), *((journal.DUTIES, name) for name in resealed)
            )
        # The overwritten envelopes would give the old keys back to anyone with a slot key.
        self._scrub(["wrapped_keys", "key_slots", "slot_duties"])

    def _reseal_duties(
        self, cur: Any, slots: Sequence[SlotRow], reseal_duty: ResealDuty
    ) -> list[str]:
        """Every slot's duty envelopes, sealed again to its public key (no password)."""
        cur.execute(self._q("SELECT username, duty, wrapped FROM {p}slot_duties"), {})
        envelopes = [(row[0], row[1], bytes(row[2])) for row in cur.fetchall()]
        public_keys = {slot.username: slot.public_key for slot in slots}
        changed: list[str] = []
        for username, duty, envelope in envelopes:
            public_key = public_keys.get(username)
            if public_key is None:
                continue
            resealed = reseal_duty(username, duty, envelope, public_key)
            if resealed == envelope:
                continue
            cur.execute(
                self._q(
                    "UPDATE {p}slot_duties SET wrapped = :wrapped"
                    " WHERE username = :username AND duty = :duty"
                ),
                {"wrapped": resealed, "username": username, "duty": duty},
            )
            if username not in changed:
                changed.append(username)
        return changed


_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS keyring_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS key_slots (
    username TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    kdf_n INTEGER NOT NULL,
    kdf_r INTEGER NOT NULL,
    kdf_p INTEGER NOT NULL,
    salt BLOB NOT NULL,
    wrapped_private_key BLOB NOT NULL,
    public_key BLOB NOT NULL,
    wrapped_kek BLOB NOT NULL,
    must_change_password INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    secret_check BLOB
);
CREATE TABLE IF NOT EXISTS wrapped_keys (
    key_id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    subject_id TEXT UNIQUE,
    wrapped BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS shredded_keys (subject_id TEXT PRIMARY KEY, shredded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS slot_duties (
    username TEXT NOT NULL, duty TEXT NOT NULL, wrapped BLOB NOT NULL,
    PRIMARY KEY (username, duty)
);
CREATE TABLE IF NOT EXISTS unknown_logins (
    digest BLOB PRIMARY KEY, failed_attempts INTEGER NOT NULL, locked_until TEXT,
    last_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS key_journal (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
    head BLOB NOT NULL
);
"""


class SQLiteKeyStore(_SqlKeyStore):
    """One SQLite file (plus its -wal and -shm), readable only by its owner."""

    _all_rows = " LIMIT -1"
    # Through the index (SQLite's LIKE never uses one here: it scanned every key per erasure);
    # text compares bytewise in SQLite, so the range holds exactly the "subject/…" keys.
    _subject_parts = "(subject_id >= :low AND subject_id < :high)"
    _database_errors = (sqlite3.Error,)
    # (a JSON array: SQLite binds no lists; the primary key's index still answers each)
    _among = "subject_id IN (SELECT value FROM json_each(:among))"

    def _list(self, values: list[str]) -> object:
        return json.dumps(values)

    def __init__(self, path: pathlib.Path) -> None:
        # Created before SQLite opens it, so it never exists with looser permissions; SQLite
        # gives the -wal and -shm files the same mode.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        path.chmod(0o600)
        self._lock = threading.RLock()
        self._path = path
        self._conn = sqlite3.connect(
            path, timeout=5.0, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        # Deleted rows are overwritten with zeros instead of lingering in free pages.
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute("PRAGMA busy_timeout=5000")
        with self._lock:
            self._conn.executescript(_SQLITE_SCHEMA)
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(key_slots)")}
            if "secret_check" not in columns:  # a store made before slots kept their digest
                with suppress(sqlite3.OperationalError):  # another process added it first
                    self._conn.execute("ALTER TABLE key_slots ADD COLUMN secret_check BLOB")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            try:
                yield cur
            finally:
                cur.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            # IMMEDIATE takes the write lock up front: read-then-write sequences in another
            # process cannot interleave, and there is no lock upgrade to deadlock on.
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    @contextmanager
    def _shredding(self) -> Iterator[sqlite3.Cursor]:
        """A shred's commit waits for no disk flush of its own: the truncating checkpoint
        that follows at once (``_scrub_shredded``) flushes the log before it copies it into
        the file, then the file, so the deletion is on the disk before ``shred`` returns,
        and before any event claims it. In full mode the commit flushed the log twice (its
        new header, its frames), then the checkpoint a third time. Whatever else this store
        writes keeps its own flush at commit."""
        with self._lock:
            (mode,) = self._conn.execute("PRAGMA synchronous").fetchone()
            self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._write() as cur:
                    yield cur
            finally:
                self._conn.execute(f"PRAGMA synchronous={int(mode)}")

    def _scrub_shredded(self) -> None:
        with self._lock:
            if not self._truncated():
                # A reader elsewhere kept the checkpoint from copying all of the log: the
                # deletion is made durable here instead, as the commit would have.
                self._flush_log()

    def _flush_log(self) -> None:
        fd = os.open(f"{self._path}-wal", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _time_in(self, value: datetime | None) -> object:
        return None if value is None else value.astimezone(UTC).isoformat()

    def _time_out(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    def _scrub(self, tables: Sequence[str]) -> None:
        self._truncated()

    def _truncated(self) -> bool:
        # secure_delete zeroed the pages, but older page images stay in the WAL until it is
        # checkpointed and truncated; a reader in another process can delay that.
        with self._lock:
            busy = 1
            for _ in range(3):
                busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return True
            _log.warning("key store WAL could not be truncated after deleting key material")
            return False

    def close(self) -> None:
        with self._lock:
            self._conn.close()


_POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS {p}keyring_meta (name TEXT PRIMARY KEY, value BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS {p}key_slots (
    username TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    kdf_n INTEGER NOT NULL,
    kdf_r INTEGER NOT NULL,
    kdf_p INTEGER NOT NULL,
    salt BYTEA NOT NULL,
    wrapped_private_key BYTEA NOT NULL,
    public_key BYTEA NOT NULL,
    wrapped_kek BYTEA NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    secret_check BYTEA
);
ALTER TABLE {p}key_slots ADD COLUMN IF NOT EXISTS secret_check BYTEA;
CREATE TABLE IF NOT EXISTS {p}wrapped_keys (
    key_id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    subject_id TEXT UNIQUE,
    wrapped BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS {p}shredded_keys (
    subject_id TEXT PRIMARY KEY,
    shredded_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS {p}slot_duties (
    username TEXT NOT NULL, duty TEXT NOT NULL, wrapped BYTEA NOT NULL,
    PRIMARY KEY (username, duty)
);
CREATE TABLE IF NOT EXISTS {p}unknown_logins (
    digest BYTEA PRIMARY KEY, failed_attempts INTEGER NOT NULL, locked_until TIMESTAMPTZ,
    last_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS {p}key_journal (
    seq BIGINT PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
    head BYTEA NOT NULL
);
"""

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_NAMED_PARAMETER = re.compile(r"(?<!:):([a-z_]+)")


class PostgresKeyStore(_SqlKeyStore):
    _journal_lock = "SELECT pg_advisory_xact_lock(hashtext('violeta:key_journal'))"
    _for_share = " FOR SHARE"
    _for_update = " FOR UPDATE"
    _database_errors = (psycopg.Error,)

    def __init__(self, conninfo: str, schema: str) -> None:
        if not _IDENTIFIER.fullmatch(schema):
            raise KeyringError("El nombre del esquema de PostgreSQL no es válido.")
        self._schema = schema
        self._prefix = f'"{schema}".'
        self._pool: ConnectionPool = ConnectionPool(
            conninfo, min_size=1, max_size=4, kwargs={"autocommit": True}, open=True
        )
        with self._write() as cur:
            # Two processes starting at once may both try to create the tables.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._prefix,))
            cur.execute(self._q(_POSTGRES_SCHEMA))

    def _q(self, sql: str) -> str:
        return _NAMED_PARAMETER.sub(r"%(\1)s", super()._q(sql))

    @contextmanager
    def _read(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.cursor() as cur:
            yield cur

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def _time_in(self, value: datetime | None) -> object:
        return value

    def _time_out(self, value: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def _scrub(self, tables: Sequence[str]) -> None:
        # Plain VACUUM only marks dead tuples' space free; FULL rewrites the (small) table into
        # new files, so the old wrapped bytes are no longer in the table's files.
        with self._pool.connection() as conn:
            for table in tables:
                conn.execute(
                    sql.SQL("VACUUM FULL {}.{}").format(
                        sql.Identifier(self._schema), sql.Identifier(table)
                    )
                )

    def close(self) -> None:
        self._pool.close()
