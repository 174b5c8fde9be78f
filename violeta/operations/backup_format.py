"""What a backup is on disk: its manifest and the fingerprints of its files, its key store
sealed with the backup passphrase, and what backing up and restoring share (progress, private
files, the disk's problems in Spanish, the check of the copied chain)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag

from keys.primitives import SALT_BYTES, KdfParams, associated_data, password_key, unwrap, wrap, zero
from projections.audit_chain import Checkpoint
from violeta.operations.data_checks import LOGIN, UnusableData, check_data
from violeta.settings import EVENTS_FILENAME, TIME_ZONE, VIEWS_FILENAME, Settings

MEXICO = ZoneInfo(TIME_ZONE)


BACKUP_MANIFEST = "respaldo.json"
BACKUP_KEYS = "llaves.cifrado"
LAST_BACKUP = "ultimo-respaldo.json"
BACKUP_FORMAT = 1
PASSPHRASE_MIN_LENGTH = 12
BACKUP_KDF = KdfParams(n=2**17)  # one derivation per backup or restore: it can cost more
_KEYS_MAGIC = b"violeta:respaldo-de-llaves:v1"
_KDF_FORMAT = struct.Struct(">III")


POSTGRES_DUMP = "eventos-y-vistas.dump"
# The files a backup holds, each with its fingerprint in the manifest.
SQLITE_BACKUP_FILES = (EVENTS_FILENAME, VIEWS_FILENAME, BACKUP_KEYS)
POSTGRES_BACKUP_FILES = (POSTGRES_DUMP, BACKUP_KEYS)


Progress = Callable[[str, int, int], None]
"""(what is being done, done, total)"""


@dataclass(frozen=True)
class BackupSummary:
    destination: Path
    events: int
    head: str
    created: str


def no_progress(step: str, done: int, total: int) -> None:
    return None


_OS_PROBLEMS = {
    errno.ENOSPC: "no queda espacio en el disco",
    errno.EDQUOT: "se agotó la cuota de disco",
    errno.EACCES: "no tiene permiso",
    errno.EPERM: "no tiene permiso",
    errno.EROFS: "el disco es de solo lectura",
    errno.ENOENT: "la ruta no existe",
    errno.ENOTDIR: "una parte de la ruta no es un directorio",
    errno.EEXIST: "ya existe un archivo con ese nombre",
    errno.EIO: "error de lectura o escritura del disco",
}


def storage_problem(error: OSError | sqlite3.Error) -> str:
    """What went wrong with the disk, in Spanish (the system's own text is English)."""
    if isinstance(error, sqlite3.Error):
        if "locked" in str(error) or "busy" in str(error):
            return "la base de datos estaba ocupada; inténtelo de nuevo"
        if "disk" in str(error) and "full" in str(error):
            return _OS_PROBLEMS[errno.ENOSPC]
        return "SQLite no pudo leer o escribir un archivo"
    return _OS_PROBLEMS.get(
        error.errno or 0, f"error del sistema de archivos (código {error.errno})"
    )


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < PASSPHRASE_MIN_LENGTH:
        raise UnusableData(
            f"La clave del respaldo debe tener al menos {PASSPHRASE_MIN_LENGTH} caracteres."
        )


def private_file(path: Path) -> None:
    """Creates an empty file readable only by its owner (refuses one that exists)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def seal_key_store(image: bytes, passphrase: str, kdf: KdfParams) -> bytes:
    """scrypt(passphrase) → AES-256-GCM over the key store; the header is authenticated."""
    salt = os.urandom(SALT_BYTES)
    header = _KEYS_MAGIC + salt + _KDF_FORMAT.pack(kdf.n, kdf.r, kdf.p)
    key = password_key(passphrase, salt, kdf)
    try:
        return header + wrap(key, image, associated_data(header))
    finally:
        zero(key)


def open_key_store_image(sealed: bytes, passphrase: str) -> bytes:
    head = len(_KEYS_MAGIC) + SALT_BYTES + _KDF_FORMAT.size
    if len(sealed) <= head or not sealed.startswith(_KEYS_MAGIC):
        raise UnusableData(f"{BACKUP_KEYS} no es el almacén de llaves de un respaldo de Violeta.")
    header = sealed[:head]
    salt = header[len(_KEYS_MAGIC) : len(_KEYS_MAGIC) + SALT_BYTES]
    try:
        kdf = KdfParams(*_KDF_FORMAT.unpack(header[len(_KEYS_MAGIC) + SALT_BYTES :]))
        key = password_key(passphrase, salt, kdf)
    except ValueError:
        raise UnusableData(f"{BACKUP_KEYS} está dañado.") from None
    try:
        return bytes(unwrap(key, sealed[head:], associated_data(header)))
    except InvalidTag:
        raise UnusableData(
            "La clave del respaldo no es correcta, o el almacén de llaves del respaldo fue "
            "alterado; no se restauró nada."
        ) from None
    finally:
        zero(key)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now_text() -> str:
    return datetime.now(MEXICO).strftime("%d/%m/%Y %H:%M")


def verify_copy(
    copy: Settings, witness: Checkpoint | None, progress: Progress, consequence: str
) -> Checkpoint:
    """The head of the copied chain; ``UnusableData`` naming the first broken link if any."""
    from violeta.auditing import verify_chain

    progress("Verificando la cadena de auditoría", 0, 1)
    verification = verify_chain(copy, witness, unprojected_tail=True)
    progress("Verificando la cadena de auditoría", 1, 1)
    if not verification.intact or verification.head is None:
        raise UnusableData(
            f"La cadena de auditoría está rota en el evento {verification.first_broken} "
            f"({verification.reason}): {consequence}"
        )
    return verification.head


@dataclass(frozen=True)
class Manifest:
    created: str
    events: int
    head: bytes
    files: dict[str, str]
    engine: str = "sqlite"
    schema: str = ""


def write_sealed_keys(destination: Path, image: bytes, passphrase: str, kdf: KdfParams) -> None:
    """The key store's image, sealed with the backup passphrase, in a file only its owner
    reads."""
    sealed = seal_key_store(image, passphrase, kdf)
    keys_file = destination / BACKUP_KEYS
    private_file(keys_file)
    keys_file.write_bytes(sealed)


def write_manifest(destination: Path, head: Checkpoint, postgres_schema: str | None = None) -> str:
    """What ``read_manifest`` reads: the format, the date, the copied chain's head and the
    fingerprint of each file (and, from PostgreSQL, the engine and the schema). Returns the
    date it records."""
    created = now_text()
    engine = {} if postgres_schema is None else {"motor": "postgres", "esquema": postgres_schema}
    files = SQLITE_BACKUP_FILES if postgres_schema is None else POSTGRES_BACKUP_FILES
    manifest = {
        "formato": BACKUP_FORMAT,
        **engine,
        "fecha": created,
        "eventos": head.position,
        "cabeza": head.head.hex(),
        "archivos": {name: file_sha256(destination / name) for name in files},
    }
    manifest_file = destination / BACKUP_MANIFEST
    private_file(manifest_file)
    manifest_file.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return created


def read_manifest(source: Path) -> Manifest:
    path = source / BACKUP_MANIFEST
    if not source.is_dir():
        raise UnusableData(f"El respaldo {source} no existe o no es un directorio.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(
            created=str(document["fecha"]),
            events=int(document["eventos"]),
            head=bytes.fromhex(document["cabeza"]),
            files={str(k): str(v) for k, v in dict(document["archivos"]).items()},
            engine=str(document.get("motor", "sqlite")),
            schema=str(document.get("esquema", "")),
        )
        version = int(document["formato"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise UnusableData(
            f"{source} no es un respaldo de «violeta backup» (falta o está dañado "
            f"{BACKUP_MANIFEST}); no se restauró nada."
        ) from None
    if version != BACKUP_FORMAT:
        raise UnusableData(f"El respaldo tiene el formato {version}, que esta versión no lee.")
    expected = POSTGRES_BACKUP_FILES if manifest.engine == "postgres" else SQLITE_BACKUP_FILES
    if set(manifest.files) != set(expected):
        raise UnusableData(f"{BACKUP_MANIFEST} no lista los archivos de un respaldo.")
    return manifest


def check_backup(source: Path, progress: Progress = no_progress) -> Manifest:
    """The manifest, once every file matches the fingerprint written when it was made."""
    manifest = read_manifest(source)
    for done, (name, fingerprint) in enumerate(sorted(manifest.files.items())):
        progress("Comprobando los archivos del respaldo", done, len(manifest.files))
        if not (source / name).is_file():
            raise UnusableData(f"Al respaldo le falta {name}; no se restauró nada.")
        if file_sha256(source / name) != fingerprint:
            raise UnusableData(
                f"{name} del respaldo no coincide con su huella: está dañado o fue alterado; "
                "no se restauró nada."
            )
    progress("Comprobando los archivos del respaldo", len(manifest.files), len(manifest.files))
    return manifest


def verify_restored(settings: Settings, manifest: Manifest, progress: Progress) -> None:
    """A restore is whole when its chain ends at the head its manifest recorded and the data
    directory is one a login can use; ``UnusableData`` otherwise."""
    verify_copy(
        settings,
        Checkpoint(manifest.events, manifest.head),
        progress,
        "el respaldo no coincide con su propio registro; no se restauró nada.",
    )
    check_data(settings, LOGIN)
