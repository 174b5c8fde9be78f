"""Running an institute for years: is this a data directory, backup, restore and a health check.

Everything here is read by a person at a terminal, so every message is Spanish (es-MX) and
names what to do next. Nothing here creates or changes a data directory unless that is the
command's whole point (``init``, ``restore``): a mistyped ``--data`` must never look like an
empty, healthy institute.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import psycopg
from cryptography.exceptions import InvalidTag
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from keys.primitives import (
    SALT_BYTES,
    KdfParams,
    associated_data,
    password_key,
    unwrap,
    wrap,
    zero,
)
from projections.audit_chain import Checkpoint
from violeta.settings import (
    EVENTS_FILENAME,
    KEYS_FILENAME,
    TIME_ZONE,
    VIEWS_FILENAME,
    Settings,
)

if TYPE_CHECKING:
    from keys import KeyStore

MEXICO = ZoneInfo(TIME_ZONE)

EVENTS_TABLE = "stored_events"
POSTGRES_EVENTS_TABLE = "violeta_events"
KEYS_META_TABLE = "keyring_meta"
CONNECT_TIMEOUT_SECONDS = 5
INIT_HINT = "para empezar uno nuevo ejecute «violeta init --data DIRECTORIO»"


class UnusableData(Exception):
    """The data directory (or PostgreSQL schema) cannot be used for what was asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Need:
    """What a command needs of the data directory."""

    keys: bool = True  # the key store (anything that logs in)
    views: bool = False  # the recorded chain heads, without logging in (``audit``)


LOGIN = Need(keys=True)
AUDIT = Need(keys=False, views=True)


def _postgres_place(settings: Settings) -> str:
    params = conninfo_to_dict(settings.postgres)
    host = params.get("host", "127.0.0.1")
    port = params.get("port", "5432")
    database = params.get("dbname", "")
    return f"{host}:{port}/{database}, esquema «{settings.postgres_schema}»"


@contextmanager
def postgres_connection(settings: Settings) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection, or ``UnusableData`` in Spanish (libpq's own text is English)."""
    if not settings.postgres:
        raise UnusableData(
            "Falta la conexión a PostgreSQL: defina VIOLETA_POSTGRES (cadena de conexión libpq)."
        )
    try:
        connection = psycopg.connect(
            settings.postgres, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
    except (psycopg.Error, ValueError):
        raise UnusableData(
            f"No se pudo conectar con PostgreSQL ({_postgres_place(settings)}): revise "
            "VIOLETA_POSTGRES, que el servidor esté en marcha y la contraseña."
        ) from None
    with connection:
        yield connection


def _postgres_tables(settings: Settings) -> set[str]:
    with postgres_connection(settings) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (settings.postgres_schema,),
        ).fetchall()
        return {str(row[0]) for row in rows}


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of one SQLite file, opened read-only; ``UnusableData`` if it is not one."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            return {str(row[0]) for row in rows}
    except sqlite3.Error:
        raise UnusableData(
            f"{path.name} en {path.parent} no es una base de datos de Violeta o está dañado; "
            "no se modificó nada."
        ) from None


def _sqlite_has_rows(path: Path, table: str) -> bool:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
        return connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None  # noqa: S608 - our table


def check_data(settings: Settings, need: Need = LOGIN) -> None:
    """Raises ``UnusableData`` unless the data directory holds an initialized institute.

    Reads only; never creates the directory, a database file or a table."""
    if settings.backend == "postgres":
        _check_postgres(settings, need)
        return
    data = settings.data
    if not data.exists():
        raise UnusableData(
            f"El directorio de datos {data} no existe. Revise --data o VIOLETA_DATA; {INIT_HINT}."
        )
    if not data.is_dir():
        raise UnusableData(f"{data} no es un directorio; revise --data o VIOLETA_DATA.")
    if not os.access(data, os.R_OK | os.W_OK | os.X_OK):
        raise UnusableData(f"No tiene permiso de lectura y escritura sobre {data}.")
    events = settings.events_path
    if not events.is_file():
        raise UnusableData(
            f"El directorio {data} no está inicializado (no contiene {EVENTS_FILENAME}); "
            f"{INIT_HINT}."
        )
    if EVENTS_TABLE not in _sqlite_tables(events) or not _sqlite_has_rows(events, EVENTS_TABLE):
        raise UnusableData(
            f"El directorio {data} no está inicializado: {EVENTS_FILENAME} no contiene "
            f"eventos; {INIT_HINT}."
        )
    if need.keys:
        keys = settings.keys_path
        if not keys.is_file() or KEYS_META_TABLE not in _sqlite_tables(keys):
            raise UnusableData(
                f"El directorio {data} tiene eventos pero no su almacén de llaves "
                f"({KEYS_FILENAME}): sin él nada puede descifrarse. Si tiene un respaldo, "
                "restáurelo en un directorio vacío con «violeta restore»."
            )
        if not _sqlite_has_rows(keys, KEYS_META_TABLE):
            raise UnusableData(f"El directorio {data} no está inicializado; {INIT_HINT}.")
    if need.views and not settings.views_path.is_file():
        raise UnusableData(
            f"El directorio {data} no contiene {VIEWS_FILENAME}, donde se registran las "
            "cabezas de la cadena: sin ellas la cadena no puede verificarse. Inicie sesión "
            "(la aplicación lo reconstruye) y vuelva a verificar."
        )
    if need.views:
        _sqlite_tables(settings.views_path)


def _check_postgres(settings: Settings, need: Need) -> None:
    tables = _postgres_tables(settings)
    place = _postgres_place(settings)
    if POSTGRES_EVENTS_TABLE not in tables:
        raise UnusableData(
            f"PostgreSQL ({place}) no tiene una institución inicializada; {INIT_HINT}."
        )
    with postgres_connection(settings) as connection:
        query = sql.SQL("SELECT 1 FROM {}.{} LIMIT 1").format(
            sql.Identifier(settings.postgres_schema), sql.Identifier(POSTGRES_EVENTS_TABLE)
        )
        if connection.execute(query).fetchone() is None:
            raise UnusableData(
                f"PostgreSQL ({place}) no tiene eventos: no está inicializado; {INIT_HINT}."
            )
        if need.keys:
            if KEYS_META_TABLE not in tables:
                raise UnusableData(
                    f"PostgreSQL ({place}) tiene eventos pero no su almacén de llaves: sin él "
                    "nada puede descifrarse."
                )
            meta = sql.SQL("SELECT 1 FROM {}.{} LIMIT 1").format(
                sql.Identifier(settings.postgres_schema), sql.Identifier(KEYS_META_TABLE)
            )
            if connection.execute(meta).fetchone() is None:
                raise UnusableData(f"PostgreSQL ({place}) no está inicializado; {INIT_HINT}.")


def check_new_data(settings: Settings) -> None:
    """For ``init``: raises ``UnusableData`` if the target already holds anything of Violeta's
    (initialized or not), or cannot become a data directory. Creates nothing."""
    if settings.backend == "postgres":
        tables = _postgres_tables(settings)
        if POSTGRES_EVENTS_TABLE in tables or KEYS_META_TABLE in tables:
            raise UnusableData(
                f"PostgreSQL ({_postgres_place(settings)}) ya contiene datos de Violeta; "
                "no se modificó nada."
            )
        return
    data = settings.data
    if data.exists() and not data.is_dir():
        raise UnusableData(f"{data} no es un directorio; no se modificó nada.")
    if data.is_dir():
        present = [
            name
            for name in (EVENTS_FILENAME, KEYS_FILENAME, VIEWS_FILENAME)
            if (data / name).exists()
        ]
        if present:
            try:
                check_data(settings)
            except UnusableData:
                raise UnusableData(
                    f"{data} ya contiene {', '.join(present)} sin ser una institución "
                    "completa; no se modificó nada. Use un directorio vacío."
                ) from None
            raise UnusableData("Ese directorio ya está inicializado; no se modificó nada.")
        return
    parent = next((p for p in data.parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise UnusableData(f"No se puede crear el directorio de datos {data}: revise la ruta.")


@dataclass
class Leftovers:
    """What ``init`` created, so that a failed initialization leaves nothing behind."""

    settings: Settings
    created_directories: list[Path]
    existing_files: set[Path]
    existing_tables: set[str]

    @classmethod
    def before(cls, settings: Settings) -> Leftovers:
        if settings.backend == "postgres":
            return cls(settings, [], set(), _postgres_tables(settings))
        missing = [p for p in (settings.data, *settings.data.parents) if not p.exists()]
        existing = set(settings.data.iterdir()) if settings.data.is_dir() else set()
        return cls(settings, missing, existing, set())

    def remove(self) -> None:
        if self.settings.backend == "postgres":
            _drop_new_postgres_tables(self.settings, self.existing_tables)
            return
        if self.settings.data.is_dir():
            for path in self.settings.data.iterdir():
                if path not in self.existing_files and path.is_file():
                    path.unlink()
        for directory in self.created_directories:  # the deepest first
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()


def _drop_new_postgres_tables(settings: Settings, existing: set[str]) -> None:
    """After a failed ``init`` on PostgreSQL: the tables it created are dropped again."""
    with postgres_connection(settings) as connection:
        for table in sorted(_postgres_tables(settings) - existing):
            connection.execute(
                sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(
                    sql.Identifier(settings.postgres_schema), sql.Identifier(table)
                )
            )


SQLITE_VIEW_TRACKING = "tracking"
POSTGRES_VIEW_TRACKING = "violeta_view_tracking"


def check_views(settings: Settings) -> None:
    """For the statistics API, which reads only the views: raises ``UnusableData`` unless
    they exist and have been brought up to date at least once. Creates nothing."""
    if settings.backend == "postgres":
        if POSTGRES_VIEW_TRACKING not in _postgres_tables(settings):
            raise UnusableData(
                f"PostgreSQL ({_postgres_place(settings)}) no tiene vistas proyectadas: "
                f"la API no tendría nada que publicar; {INIT_HINT}."
            )
        return
    data = settings.data
    if not data.is_dir():
        raise UnusableData(
            f"El directorio de datos {data} no existe o no es un directorio. Revise --data o "
            "VIOLETA_DATA."
        )
    views = settings.views_path
    if not views.is_file():
        raise UnusableData(
            f"El directorio {data} no contiene {VIEWS_FILENAME}: no está inicializado o las "
            "vistas no se han generado; la API no tendría nada que publicar."
        )
    if SQLITE_VIEW_TRACKING not in _sqlite_tables(views) or not _sqlite_has_rows(
        views, SQLITE_VIEW_TRACKING
    ):
        raise UnusableData(
            f"Las vistas de {data} están vacías (nunca se proyectaron): la API no tendría nada "
            "que publicar. Inicie sesión una vez o ejecute «violeta rebuild»."
        )


# --- Backup and restore ----------------------------------------------------------------------

BACKUP_MANIFEST = "respaldo.json"
BACKUP_KEYS = "llaves.cifrado"
LAST_BACKUP = "ultimo-respaldo.json"
BACKUP_FORMAT = 1
PASSPHRASE_MIN_LENGTH = 12
BACKUP_KDF = KdfParams(n=2**17)  # one derivation per backup or restore: it can cost more
_KEYS_MAGIC = b"violeta:respaldo-de-llaves:v1"
_KDF_FORMAT = struct.Struct(">III")
_SQLITE_PAGES_PER_STEP = 1024
_SQLITE_HEADER_WRITE_VERSION = slice(18, 20)

Progress = Callable[[str, int, int], None]
"""(what is being done, done, total)"""


@dataclass(frozen=True)
class BackupSummary:
    destination: Path
    events: int
    head: str
    created: str


def _no_progress(step: str, done: int, total: int) -> None:
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


def _private_file(path: Path) -> None:
    """Creates an empty file readable only by its owner (refuses one that exists)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


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
    _private_file(target)
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
    _private_file(target)
    with (
        closing(sqlite3.connect(":memory:")) as memory,
        closing(sqlite3.connect(target)) as copy,
    ):
        memory.deserialize(image)
        memory.backup(copy)


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now_text() -> str:
    return datetime.now(MEXICO).strftime("%d/%m/%Y %H:%M")


def backup(
    settings: Settings,
    destination: Path,
    passphrase: str,
    *,
    kdf: KdfParams = BACKUP_KDF,
    progress: Progress = _no_progress,
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
        return _backup_postgres(settings, destination, passphrase, kdf, progress)
    leftovers = Leftovers.before(Settings(data=destination))
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        copy = Settings(data=destination)
        _copy_sqlite(settings.views_path, copy.views_path, "Copiando las vistas", progress)
        _copy_sqlite(settings.events_path, copy.events_path, "Copiando los eventos", progress)
        progress("Cifrando el almacén de llaves", 0, 1)
        sealed = seal_key_store(_serialized_sqlite(settings.keys_path), passphrase, kdf)
        keys_file = destination / BACKUP_KEYS
        _private_file(keys_file)
        keys_file.write_bytes(sealed)
        progress("Cifrando el almacén de llaves", 1, 1)
        head = _verify_copy(
            copy,
            None,
            progress,
            "no se respalda una historia alterada. Ejecute «violeta audit verify» y avise a "
            "coordinación.",
        )
        created = _now_text()
        manifest = {
            "formato": BACKUP_FORMAT,
            "fecha": created,
            "eventos": head.position,
            "cabeza": head.head.hex(),
            "archivos": {
                name: _sha256(destination / name)
                for name in (EVENTS_FILENAME, VIEWS_FILENAME, BACKUP_KEYS)
            },
        }
        manifest_file = destination / BACKUP_MANIFEST
        _private_file(manifest_file)
        manifest_file.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    except (OSError, sqlite3.Error) as error:
        leftovers.remove()
        raise UnusableData(
            f"No se pudo escribir el respaldo en {destination}: {storage_problem(error)}. No "
            "quedó nada a medias."
        ) from None
    except BaseException:
        leftovers.remove()
        raise
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
        _private_file(record)
    record.write_text(json.dumps(document, ensure_ascii=False), "utf-8")


def _verify_copy(
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
    expected = (
        {POSTGRES_DUMP, BACKUP_KEYS}
        if manifest.engine == "postgres"
        else {EVENTS_FILENAME, VIEWS_FILENAME, BACKUP_KEYS}
    )
    if set(manifest.files) != expected:
        raise UnusableData(f"{BACKUP_MANIFEST} no lista los archivos de un respaldo.")
    return manifest


def check_backup(source: Path, progress: Progress = _no_progress) -> Manifest:
    """The manifest, once every file matches the fingerprint written when it was made."""
    manifest = read_manifest(source)
    for done, (name, fingerprint) in enumerate(sorted(manifest.files.items())):
        progress("Comprobando los archivos del respaldo", done, len(manifest.files))
        if not (source / name).is_file():
            raise UnusableData(f"Al respaldo le falta {name}; no se restauró nada.")
        if _sha256(source / name) != fingerprint:
            raise UnusableData(
                f"{name} del respaldo no coincide con su huella: está dañado o fue alterado; "
                "no se restauró nada."
            )
    progress("Comprobando los archivos del respaldo", len(manifest.files), len(manifest.files))
    return manifest


def restore(
    source: Path,
    settings: Settings,
    passphrase: str,
    *,
    progress: Progress = _no_progress,
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
        return _restore_postgres(source, manifest, settings, passphrase, progress)
    _check_empty_target(settings.data, "El directorio de datos")
    progress("Descifrando el almacén de llaves", 0, 1)
    image = open_key_store_image((source / BACKUP_KEYS).read_bytes(), passphrase)
    progress("Descifrando el almacén de llaves", 1, 1)
    leftovers = Leftovers.before(settings)
    try:
        settings.data.mkdir(mode=0o700, parents=True, exist_ok=True)
        settings.data.chmod(0o700)
        backup_settings = Settings(data=source)
        _copy_sqlite(
            backup_settings.events_path, settings.events_path, "Restaurando los eventos", progress
        )
        _copy_sqlite(
            backup_settings.views_path, settings.views_path, "Restaurando las vistas", progress
        )
        _write_sqlite_image(image, settings.keys_path)
        _verify_copy(
            settings,
            Checkpoint(manifest.events, manifest.head),
            progress,
            "el respaldo no coincide con su propio registro; no se restauró nada.",
        )
        check_data(settings, LOGIN)
    except (OSError, sqlite3.Error) as error:
        leftovers.remove()
        raise UnusableData(
            f"No se pudo restaurar en {settings.data}: {storage_problem(error)}. No se restauró "
            "nada."
        ) from None
    except BaseException:
        leftovers.remove()
        raise
    return manifest, leftovers


# --- Health check ------------------------------------------------------------------------------

GOOD, WARNING, PROBLEM = "bien", "atención", "problema"
BACKUP_WARNING_DAYS = 7
FREE_SPACE_WARNING_BYTES = 1024**3
_PRIVATE_DIRECTORY, _PRIVATE_FILE = 0o700, 0o600


@dataclass(frozen=True)
class Finding:
    level: str  # GOOD, WARNING or PROBLEM
    topic: str
    text: str


def doctor(settings: Settings, progress: Progress = _no_progress) -> list[Finding]:
    """A health check in plain Spanish; reads only. Stops at the first finding that makes
    the rest meaningless (no institute there)."""
    checks: list[tuple[str, Callable[[Settings], list[Finding]]]] = [
        ("Permisos", _permissions),
        ("Integridad de los archivos", _integrity),
        ("Cadena de auditoría", _chain),
        ("Llaves", _key_store),
        ("Vistas", _projection_lag),
        ("Respaldo", _backup_age),
        ("Espacio en disco", _free_space),
    ]
    progress("Revisando", 0, len(checks) + 1)
    try:
        check_data(settings, LOGIN)
    except UnusableData as error:
        return [Finding(PROBLEM, "Datos", error.message)]
    where = _postgres_place(settings) if settings.backend == "postgres" else str(settings.data)
    findings = [
        Finding(GOOD, "Datos", f"Institución inicializada en {where}."),
    ]
    if settings.backend == "postgres":
        findings += _postgres_health(settings)
    for done, (_, check) in enumerate(checks, start=1):
        progress("Revisando", done, len(checks) + 1)
        findings += check(settings)
    progress("Revisando", len(checks) + 1, len(checks) + 1)
    return findings


def _permissions(settings: Settings) -> list[Finding]:
    if settings.backend == "postgres":
        return []
    loose = []
    if settings.data.stat().st_mode & 0o077:
        loose.append(f"{settings.data} (debe ser 700)")
    ours = (EVENTS_FILENAME, VIEWS_FILENAME, KEYS_FILENAME)
    for path in sorted(settings.data.iterdir()):
        mine = path.name.startswith(ours) or path.name == LAST_BACKUP  # -wal and -shm too
        if mine and path.is_file() and path.stat().st_mode & 0o077:
            loose.append(f"{path.name} (debe ser 600)")
    if loose:
        return [
            Finding(
                PROBLEM,
                "Permisos",
                "Otras cuentas del equipo pueden leer: " + ", ".join(loose) + ". Corríjalo con "
                f"«chmod 700 {settings.data}» y «chmod 600» en cada archivo.",
            )
        ]
    return [Finding(GOOD, "Permisos", "Solo la cuenta dueña puede leer los datos (700/600).")]


def _integrity(settings: Settings) -> list[Finding]:
    if settings.backend == "postgres":
        return []
    damaged = []
    for path in (settings.events_path, settings.views_path, settings.keys_path):
        if not path.exists():
            continue
        try:
            with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
                (answer,) = connection.execute("PRAGMA quick_check").fetchone()
        except sqlite3.Error:
            answer = "ilegible"
        if answer != "ok":
            damaged.append(path.name)
    if damaged:
        return [
            Finding(
                PROBLEM,
                "Integridad de los archivos",
                "Dañados: " + ", ".join(damaged) + ". Restaure el último respaldo en un "
                "directorio nuevo con «violeta restore».",
            )
        ]
    return [Finding(GOOD, "Integridad de los archivos", "Los archivos SQLite están sanos.")]


def _key_store(settings: Settings) -> list[Finding]:
    """The key journal against the key store, and who holds which duty key (ids only)."""
    from keys import Keyring
    from keys.store import PASSWORD
    from violeta.auditing import verify_key_journal
    from violeta.service import open_key_store

    check = verify_key_journal(settings)
    if not check.intact:
        return [
            Finding(
                PROBLEM,
                "Llaves",
                f"Almacén de llaves alterado fuera del sistema: {check.problem}. Avise a "
                "coordinación y restaure desde un respaldo.",
            )
        ]
    store = open_key_store(settings)
    try:
        slots = store.slot_usernames()
        damaged = sorted(
            "recuperación" if name.startswith("#") else name
            for name in slots
            if (row := store.slot(name)) is not None and row.damaged
        )
        pending = sorted(
            name
            for name in slots
            if (info := Keyring.slot_info(store, name)) is not None
            and info.kind == PASSWORD
            and not info.duties
        )
    finally:
        store.close()
    findings = [
        Finding(GOOD, "Llaves", f"Bitácora de llaves íntegra: {check.entries} entradas."),
    ]
    if damaged:
        findings.append(
            Finding(
                PROBLEM,
                "Llaves",
                f"Accesos dañados ({len(damaged)}): {', '.join(damaged)}. Sus datos fueron "
                "alterados fuera del sistema y no abren con ninguna contraseña: restablezca "
                "esas contraseñas (coordinación) o restaure el almacén desde un respaldo.",
            )
        )
    if pending:
        findings.append(
            Finding(
                GOOD,
                "Llaves",
                f"Accesos sin llaves de función ({len(pending)}): {', '.join(pending)}. Son "
                "cuentas pendientes de habilitar o de administración, que no abren datos.",
            )
        )
    return findings


def _chain(settings: Settings) -> list[Finding]:
    from violeta.auditing import verify_chain

    verification = verify_chain(settings)
    if verification.intact and verification.quarantined:
        return [
            Finding(
                PROBLEM,
                "Cadena de auditoría",
                f"Íntegra, pero estos eventos {verification.quarantine_report}. Avise a "
                "coordinación; restáurelos desde un respaldo.",
            )
        ]
    if verification.intact:
        return [
            Finding(
                GOOD,
                "Cadena de auditoría",
                f"Íntegra: {verification.checked} eventos verificados.",
            )
        ]
    return [
        Finding(
            PROBLEM,
            "Cadena de auditoría",
            f"Rota en el evento {verification.first_broken}: {verification.reason}. Avise a "
            "coordinación; compare con el último punto de control del testigo.",
        )
    ]


def _projection_lag(settings: Settings) -> list[Finding]:
    from violeta.auditing import close_recorder
    from violeta.service import open_view_store
    from violeta.store import CaseStore, open_sealed_recorder

    recorder = open_sealed_recorder(settings)
    try:
        stored = recorder.max_notification_id() or 0
    finally:
        close_recorder(recorder)
    views = open_view_store(settings)
    try:
        projected = views.max_tracking_id(CaseStore.name) or 0
    finally:
        views.close()
    if projected >= stored:
        return [Finding(GOOD, "Vistas", "Al día con el almacén de eventos.")]
    return [
        Finding(
            WARNING,
            "Vistas",
            f"Hasta {stored - projected} eventos aún no se reflejan en las vistas; se ponen al "
            "día en cuanto alguien inicia sesión.",
        )
    ]


def _backup_age(settings: Settings) -> list[Finding]:
    record = settings.data / LAST_BACKUP
    try:
        document = json.loads(record.read_text(encoding="utf-8"))
        moment = datetime.fromisoformat(str(document["instante"]))
        destination = Path(str(document["destino"]))
        created = str(document["fecha"])
    except (OSError, ValueError, KeyError, TypeError):
        if settings.backend == "postgres":
            return [
                Finding(
                    WARNING,
                    "Respaldo",
                    "En PostgreSQL los respaldos se hacen con pg_dump y Violeta no los ve: "
                    "compruebe que haya uno reciente del esquema "
                    f"«{settings.postgres_schema}».",
                )
            ]
        return [
            Finding(
                PROBLEM,
                "Respaldo",
                "No hay registro de ningún respaldo: haga uno con «violeta backup --to "
                "DESTINO» (de preferencia en otro disco).",
            )
        ]
    days = (datetime.now(UTC) - moment).days
    if not (destination / BACKUP_MANIFEST).is_file():
        return [
            Finding(
                WARNING,
                "Respaldo",
                f"El último respaldo ({created}) ya no está en {destination}; compruebe que "
                "siga guardado en lugar seguro.",
            )
        ]
    age = "hoy" if days == 0 else f"hace {days} días" if days > 1 else "ayer"
    if days > BACKUP_WARNING_DAYS:
        return [
            Finding(
                WARNING,
                "Respaldo",
                f"El último respaldo es del {created} ({age}); haga uno nuevo.",
            )
        ]
    return [Finding(GOOD, "Respaldo", f"Último respaldo: {created} ({age}), en {destination}.")]


def _free_space(settings: Settings) -> list[Finding]:
    if settings.backend == "postgres" or not settings.data.is_dir():
        return []
    free = shutil.disk_usage(settings.data).free
    gib = free / 1024**3
    if free < FREE_SPACE_WARNING_BYTES:
        return [
            Finding(
                WARNING,
                "Espacio en disco",
                f"Quedan {gib:.1f} GB libres junto a los datos; libere espacio.",
            )
        ]
    return [Finding(GOOD, "Espacio en disco", f"{gib:.1f} GB libres.")]


def _postgres_health(settings: Settings) -> list[Finding]:
    try:
        with postgres_connection(settings) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except UnusableData as error:
        return [Finding(PROBLEM, "PostgreSQL", error.message)]
    version = str(row[0]) if row else "?"
    return [Finding(GOOD, "PostgreSQL", f"Responde (versión {version}).")]


# --- PostgreSQL: pg_dump / pg_restore ---------------------------------------------------------

POSTGRES_DUMP = "eventos-y-vistas.dump"
_ENGINE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
_DUMP_TIMEOUT_SECONDS = 3600


def _not_key_tables() -> set[str]:
    """Tables known to hold no key material: the events, the views and their tracking.
    Everything else in the schema (the key store, and whatever it adds later) goes into the
    encrypted part, so a new key table is never dumped in clear by mistake."""
    from projections.audit_chain import AUDIT_SCHEMA
    from projections.views import SCHEMA

    names = {
        match.group(1)
        for statement in (*SCHEMA, *AUDIT_SCHEMA)
        if (match := re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", statement))
    }
    return names | {POSTGRES_EVENTS_TABLE, POSTGRES_VIEW_TRACKING}


def _pg_tool(settings: Settings, tool: str) -> tuple[list[str], dict[str, str]]:
    """The tool with the connection, its password in the environment (never in argv)."""
    executable = shutil.which(tool)
    if executable is None:
        raise UnusableData(f"No se encontró {tool}: instale el cliente de PostgreSQL.")
    params = {k: str(v) for k, v in conninfo_to_dict(settings.postgres).items()}
    password = params.pop("password", "")
    environment = dict(os.environ)
    if password:
        environment["PGPASSWORD"] = password
    return [executable, "--no-owner", "--no-privileges", f"--dbname={make_conninfo(**params)}"], (
        environment
    )


def _run_tool(command: list[str], environment: dict[str, str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603 - pg_dump / pg_restore, arguments are ours
            command,
            input=stdin,
            capture_output=True,
            env=environment,
            timeout=_DUMP_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        raise UnusableData(f"{Path(command[0]).name} no terminó; no quedó nada a medias.") from None
    if done.returncode != 0:
        # Its message is English and may name tables; only the fact is shown.
        raise UnusableData(
            f"{Path(command[0]).name} falló (código {done.returncode}); revise la conexión y "
            "los permisos en PostgreSQL. No quedó nada a medias."
        )
    return done.stdout


def _backup_postgres(
    settings: Settings, destination: Path, passphrase: str, kdf: KdfParams, progress: Progress
) -> BackupSummary:
    from violeta.auditing import verify_chain

    schema = settings.postgres_schema
    progress("Verificando la cadena de auditoría", 0, 1)
    verification = verify_chain(settings)
    progress("Verificando la cadena de auditoría", 1, 1)
    if not verification.intact or verification.head is None:
        raise UnusableData(
            f"La cadena de auditoría está rota en el evento {verification.first_broken} "
            f"({verification.reason}): no se respalda una historia alterada."
        )
    head = verification.head
    clear = _not_key_tables() & _postgres_tables(settings)
    secret = _postgres_tables(settings) - _not_key_tables()
    if not clear or not secret:  # without -t, pg_dump would dump the whole database
        raise UnusableData("El esquema no tiene las tablas de una institución de Violeta.")
    tool, environment = _pg_tool(settings, "pg_dump")
    leftovers = Leftovers.before(Settings(data=destination))
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        dump = destination / POSTGRES_DUMP
        _private_file(dump)
        progress("Volcando eventos y vistas (pg_dump)", 0, 1)
        tables = [f"--table={schema}.{name}" for name in sorted(clear)]
        _run_tool([*tool, "--format=custom", f"--file={dump}", *tables], environment)
        progress("Volcando eventos y vistas (pg_dump)", 1, 1)
        progress("Cifrando el almacén de llaves", 0, 1)
        keys = _run_tool(
            [*tool, "--format=custom", *(f"--table={schema}.{name}" for name in sorted(secret))],
            environment,
        )
        keys_file = destination / BACKUP_KEYS
        _private_file(keys_file)
        keys_file.write_bytes(seal_key_store(keys, passphrase, kdf))
        progress("Cifrando el almacén de llaves", 1, 1)
        created = _now_text()
        manifest = {
            "formato": BACKUP_FORMAT,
            "motor": "postgres",
            "esquema": schema,
            "fecha": created,
            "eventos": head.position,
            "cabeza": head.head.hex(),
            "archivos": {
                name: _sha256(destination / name) for name in (POSTGRES_DUMP, BACKUP_KEYS)
            },
        }
        manifest_file = destination / BACKUP_MANIFEST
        _private_file(manifest_file)
        manifest_file.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    except (OSError, sqlite3.Error) as error:
        leftovers.remove()
        raise UnusableData(
            f"No se pudo escribir el respaldo en {destination}: {storage_problem(error)}."
        ) from None
    except BaseException:
        leftovers.remove()
        raise
    return BackupSummary(destination, head.position, head.head.hex(), created)


def _restore_postgres(
    source: Path, manifest: Manifest, settings: Settings, passphrase: str, progress: Progress
) -> tuple[Manifest, Leftovers]:
    """Into a schema of the same name (pg_dump names it in the dump) that is empty or absent:
    on another server, or after the original was dropped."""
    if manifest.schema != settings.postgres_schema:
        raise UnusableData(
            f"El respaldo es del esquema «{manifest.schema}»: restáurelo en un esquema con ese "
            "nombre (en otra base de datos o servidor), que debe estar vacío."
        )
    if _postgres_tables(settings):
        raise UnusableData(
            f"El esquema «{settings.postgres_schema}» no está vacío: nunca se escribe sobre "
            "datos existentes."
        )
    progress("Descifrando el almacén de llaves", 0, 1)
    keys = open_key_store_image((source / BACKUP_KEYS).read_bytes(), passphrase)
    progress("Descifrando el almacén de llaves", 1, 1)
    tool, environment = _pg_tool(settings, "pg_restore")
    leftovers = Leftovers.before(settings)
    try:
        with postgres_connection(settings) as connection:
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.postgres_schema)
                )
            )
        progress("Restaurando eventos y vistas (pg_restore)", 0, 1)
        restore_command = [*tool, "--exit-on-error", "--single-transaction"]
        _run_tool([*restore_command, str(source / POSTGRES_DUMP)], environment)
        progress("Restaurando eventos y vistas (pg_restore)", 1, 1)
        progress("Restaurando el almacén de llaves", 0, 1)
        _run_tool(restore_command, environment, stdin=keys)
        progress("Restaurando el almacén de llaves", 1, 1)
        _verify_copy(
            settings,
            Checkpoint(manifest.events, manifest.head),
            progress,
            "el respaldo no coincide con su propio registro; no se restauró nada.",
        )
        check_data(settings, LOGIN)
    except BaseException:
        leftovers.remove()
        raise
    return manifest, leftovers


def rotate_with_recovery_key(
    keystore: KeyStore, recovery_key: str, progress: Callable[[int, int], None] | None = None
) -> list[str]:
    """``violeta keys rotate --recuperacion``: the recovery key holds every duty key, so the
    master key and both duty keys (expediente and psicologia) are rotated. One transaction:
    a kill leaves the old keys whole, and running it again finishes it."""
    from keys import Keyring, KeyringError

    try:
        keyring = Keyring.unlock_with_recovery_key(keystore, recovery_key)
    except KeyringError as error:
        raise UnusableData(str(error)) from None
    try:
        return sorted(duty.value for duty in keyring.rotate_keys(progress))
    except KeyringError as error:
        raise UnusableData(str(error)) from None
    finally:
        keyring.lock()
