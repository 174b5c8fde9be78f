"""``violeta backup`` and ``violeta restore``: a consistent online copy of an institute into an
empty directory, and back into an empty data directory, verified against its own manifest
(SQLite here; PostgreSQL through ``postgres_backup``)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from keys.primitives import KdfParams
from violeta.operations.backup_format import (
    BACKUP_KDF,
    BACKUP_KEYS,
    LAST_BACKUP,
    BackupSummary,
    Manifest,
    Progress,
    check_backup,
    check_passphrase,
    no_progress,
    open_key_store_image,
    private_file,
    storage_problem,
    verify_copy,
    verify_restored,
    write_manifest,
    write_sealed_keys,
)
from violeta.operations.data_checks import LOGIN, Leftovers, UnusableData, check_data
from violeta.operations.postgres_backup import backup_postgres, restore_postgres
from violeta.settings import Settings

_SQLITE_PAGES_PER_STEP = 1024
_SQLITE_HEADER_WRITE_VERSION = slice(18, 20)


_ENGINE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _check_empty_target(path: Path, what: str) -> None:
    if path.exists() and not path.is_dir():
        raise UnusableData(f"{path} no es un directorio; no se modificó nada.")
    if path.is_dir() and any(path.iterdir()):
        raise UnusableData(
            f"{what} {path} no está vacío: nunca se escribe sobre datos existentes. Use un "
            "directorio nuevo o vacío."
        )


def _copy_sqlite(source: Path, target: Path, step: str, progress: Progress) -> None:
    """A consistent copy of a live SQLite file (the backup API), made private."""
    private_file(target)
    with (
        closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as origin,
        closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(
            copy,
            pages=_SQLITE_PAGES_PER_STEP,
            progress=lambda status, remaining, total: progress(step, total - remaining, total),
        )
        copy.execute("PRAGMA journal_mode=DELETE")


def _serialized_sqlite(source: Path) -> bytes:
    """The whole database as bytes, through memory only: the key store never touches the
    backup's disk unencrypted."""
    with (
        closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as origin,
        closing(sqlite3.connect(":memory:")) as memory,
    ):
        origin.backup(memory)
        image = bytearray(memory.serialize())
    image[_SQLITE_HEADER_WRITE_VERSION] = b"\x01\x01"  # rollback journal, not WAL
    return bytes(image)


def _write_sqlite_image(image: bytes, target: Path) -> None:
    private_file(target)
    with (
        closing(sqlite3.connect(":memory:")) as memory,
        closing(sqlite3.connect(target)) as copy,
    ):
        memory.deserialize(image)
        memory.backup(copy)


def backup(
    settings: Settings,
    destination: Path,
    passphrase: str,
    *,
    kdf: KdfParams = BACKUP_KDF,
    progress: Progress = no_progress,
) -> BackupSummary:
    """A consistent online copy of one institute into an empty ``destination``.

    The views are copied first and the events after them, so every recorded head has its
    event in the copy (events saved meanwhile are in it without a head, and are projected
    after a restore). The key store goes in a separate file encrypted with the backup
    passphrase: the events and views alone reveal nothing (personal fields are sealed with
    keys that only the key store holds). The copied chain is verified before it is reported."""
    check_data(settings, LOGIN)
    check_passphrase(passphrase)
    _check_empty_target(destination, "El destino")
    if settings.backend == "postgres":
        return backup_postgres(settings, destination, passphrase, kdf, progress)
    leftovers = Leftovers.before(Settings(data=destination))
    try:
        with leftovers.removed_on_failure():
            destination.mkdir(mode=0o700, parents=True, exist_ok=True)
            copy = Settings(data=destination)
            _copy_sqlite(settings.views_path, copy.views_path, "Copiando las vistas", progress)
            _copy_sqlite(settings.events_path, copy.events_path, "Copiando los eventos", progress)
            progress("Cifrando el almacén de llaves", 0, 1)
            image = _serialized_sqlite(settings.keys_path)
            write_sealed_keys(destination, image, passphrase, kdf)
            progress("Cifrando el almacén de llaves", 1, 1)
            head = verify_copy(
                copy,
                None,
                progress,
                "no se respalda una historia alterada. Ejecute «violeta audit verify» y avise a "
                "coordinación.",
            )
            created = write_manifest(destination, head)
    except (OSError, sqlite3.Error) as error:
        raise UnusableData(
            f"No se pudo escribir el respaldo en {destination}: {storage_problem(error)}. No "
            "quedó nada a medias."
        ) from None
    _record_backup(settings, destination, created, head.position)
    return BackupSummary(destination, head.position, head.head.hex(), created)


def _record_backup(settings: Settings, destination: Path, created: str, events: int) -> None:
    """What ``doctor`` reads to tell the age of the last backup."""
    record = settings.data / LAST_BACKUP
    document = {
        "fecha": created,
        "instante": datetime.now(UTC).isoformat(),
        "destino": str(destination.resolve()),
        "eventos": events,
    }
    if not record.exists():
        private_file(record)
    record.write_text(json.dumps(document, ensure_ascii=False), "utf-8")


def restore(
    source: Path,
    settings: Settings,
    passphrase: str,
    *,
    progress: Progress = no_progress,
) -> tuple[Manifest, Leftovers]:
    """Restores a backup into an empty data directory and verifies its chain against the
    backup's own manifest. Returns what was created, so that the caller can remove it if the
    decryption probe that follows (a login) fails. Raises ``UnusableData`` having removed
    everything it created."""
    manifest = check_backup(source, progress)
    if (manifest.engine == "postgres") != (settings.backend == "postgres"):
        raise UnusableData(
            f"El respaldo es de {_ENGINE_NAMES[manifest.engine]} y el destino es "
            f"{_ENGINE_NAMES[settings.backend]}; restáurelo en el mismo tipo de almacén."
        )
    if settings.backend == "postgres":
        return restore_postgres(source, manifest, settings, passphrase, progress)
    _check_empty_target(settings.data, "El directorio de datos")
    progress("Descifrando el almacén de llaves", 0, 1)
    image = open_key_store_image((source / BACKUP_KEYS).read_bytes(), passphrase)
    progress("Descifrando el almacén de llaves", 1, 1)
    leftovers = Leftovers.before(settings)
    try:
        with leftovers.removed_on_failure():
            settings.data.mkdir(mode=0o700, parents=True, exist_ok=True)
            settings.data.chmod(0o700)
            backup_settings = Settings(data=source)
            _copy_sqlite(
                backup_settings.events_path,
                settings.events_path,
                "Restaurando los eventos",
                progress,
            )
            _copy_sqlite(
                backup_settings.views_path, settings.views_path, "Restaurando las vistas", progress
            )
            _write_sqlite_image(image, settings.keys_path)
            verify_restored(settings, manifest, progress)
    except (OSError, sqlite3.Error) as error:
        raise UnusableData(
            f"No se pudo restaurar en {settings.data}: {storage_problem(error)}. No se restauró "
            "nada."
        ) from None
    return manifest, leftovers
