"""Backup and restore on PostgreSQL: pg_dump of the events and views, and of the key store
sealed with the backup passphrase; pg_restore into an empty schema of the same name."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from keys.primitives import KdfParams
from violeta.operations.backup_format import (
    BACKUP_KEYS,
    POSTGRES_DUMP,
    BackupSummary,
    Manifest,
    Progress,
    open_key_store_image,
    private_file,
    storage_problem,
    verify_restored,
    write_manifest,
    write_sealed_keys,
)
from violeta.operations.data_checks import (
    POSTGRES_EVENTS_TABLE,
    POSTGRES_VIEW_TRACKING,
    Leftovers,
    UnusableData,
    postgres_connection,
    postgres_tables,
)
from violeta.settings import Settings

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


def backup_postgres(
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
    clear = _not_key_tables() & postgres_tables(settings)
    secret = postgres_tables(settings) - _not_key_tables()
    if not clear or not secret:  # without -t, pg_dump would dump the whole database
        raise UnusableData("El esquema no tiene las tablas de una institución de Violeta.")
    tool, environment = _pg_tool(settings, "pg_dump")
    leftovers = Leftovers.before(Settings(data=destination))
    try:
        with leftovers.removed_on_failure():
            destination.mkdir(mode=0o700, parents=True, exist_ok=True)
            dump = destination / POSTGRES_DUMP
            private_file(dump)
            progress("Volcando eventos y vistas (pg_dump)", 0, 1)
            tables = [f"--table={schema}.{name}" for name in sorted(clear)]
            _run_tool([*tool, "--format=custom", f"--file={dump}", *tables], environment)
            progress("Volcando eventos y vistas (pg_dump)", 1, 1)
            progress("Cifrando el almacén de llaves", 0, 1)
            keys = _run_tool(
                [
                    *tool,
                    "--format=custom",
                    *(f"--table={schema}.{name}" for name in sorted(secret)),
                ],
                environment,
            )
            write_sealed_keys(destination, keys, passphrase, kdf)
            progress("Cifrando el almacén de llaves", 1, 1)
            created = write_manifest(destination, head, postgres_schema=schema)
    except (OSError, sqlite3.Error) as error:
        raise UnusableData(
            f"No se pudo escribir el respaldo en {destination}: {storage_problem(error)}."
        ) from None
    return BackupSummary(destination, head.position, head.head.hex(), created)


def restore_postgres(
    source: Path, manifest: Manifest, settings: Settings, passphrase: str, progress: Progress
) -> tuple[Manifest, Leftovers]:
    """Into a schema of the same name (pg_dump names it in the dump) that is empty or absent:
    on another server, or after the original was dropped."""
    if manifest.schema != settings.postgres_schema:
        raise UnusableData(
            f"El respaldo es del esquema «{manifest.schema}»: restáurelo en un esquema con ese "
            "nombre (en otra base de datos o servidor), que debe estar vacío."
        )
    if postgres_tables(settings):
        raise UnusableData(
            f"El esquema «{settings.postgres_schema}» no está vacío: nunca se escribe sobre "
            "datos existentes."
        )
    progress("Descifrando el almacén de llaves", 0, 1)
    keys = open_key_store_image((source / BACKUP_KEYS).read_bytes(), passphrase)
    progress("Descifrando el almacén de llaves", 1, 1)
    tool, environment = _pg_tool(settings, "pg_restore")
    leftovers = Leftovers.before(settings)
    with leftovers.removed_on_failure():
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
        verify_restored(settings, manifest, progress)
    return manifest, leftovers
