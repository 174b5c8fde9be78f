"""The event store: the library's Application with the institution key as its outer cipher."""

from __future__ import annotations

from base64 import b64decode, b64encode
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    JSONTranscoder,
    Transcoding,
)
from eventsourcing.utils import Environment
from psycopg.conninfo import conninfo_to_dict

from domain.sealed import Sealed
from violeta.settings import Settings


class SealedAsBase64(Transcoding):
    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> str:
        return b64encode(obj.envelope).decode("ascii")

    def decode(self, data: str) -> Sealed:
        return Sealed(b64decode(data))


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class CaseStore(Application[UUID]):
    """All case, client, account, zone and access events of one institute."""

    name = "Violeta"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(SealedAsBase64())
        transcoder.register(DateAsISO())


def store_environment(settings: Settings, institution_key: bytes) -> dict[str, str]:
    return persistence_environment(settings) | {
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": b64encode(institution_key).decode("ascii"),
        # No aggregate cache: no decrypted value may outlive a shredded key in memory.
        "AGGREGATE_CACHE_MAXSIZE": "",
    }


def persistence_environment(settings: Settings) -> dict[str, str]:
    env: dict[str, str] = {}
    if settings.backend == "sqlite":
        # SQLite gives the -wal and -shm files the database file's mode: create it private.
        settings.events_path.touch(mode=0o600, exist_ok=True)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.events_path),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    else:
        params: dict[str, Any] = conninfo_to_dict(settings.postgres)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": str(params.get("dbname", "")),
            "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(params.get("port", "5432")),
            "POSTGRES_USER": str(params.get("user", "")),
            "POSTGRES_PASSWORD": str(params.get("password", "")),
            "POSTGRES_SCHEMA": settings.postgres_schema,
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_POOL_SIZE": "3",
        }
    return env


def open_case_store(settings: Settings, institution_key: bytes) -> CaseStore:
    return CaseStore(env=store_environment(settings, institution_key))


def open_sealed_recorder(settings: Settings) -> ApplicationRecorder:
    """The stored events as they are on disk, still encrypted: enough to verify the audit
    chain, and usable by someone who holds no key at all (an outside witness)."""
    environment = Environment(CaseStore.name, persistence_environment(settings))
    return InfrastructureFactory.construct(environment).application_recorder()
