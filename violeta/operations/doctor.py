"""``violeta doctor``: a health check of an institute in plain Spanish; reads only."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from violeta.operations.backup_format import BACKUP_MANIFEST, LAST_BACKUP, Progress, no_progress
from violeta.operations.data_checks import (
    LOGIN,
    UnusableData,
    check_data,
    postgres_connection,
    postgres_place,
)
from violeta.settings import EVENTS_FILENAME, KEYS_FILENAME, VIEWS_FILENAME, Settings

GOOD, WARNING, PROBLEM = "bien", "atención", "problema"
BACKUP_WARNING_DAYS = 7
FREE_SPACE_WARNING_BYTES = 1024**3


@dataclass(frozen=True)
class Finding:
    level: str  # GOOD, WARNING or PROBLEM
    topic: str
    text: str


def doctor(settings: Settings, progress: Progress = no_progress) -> list[Finding]:
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
    where = postgres_place(settings) if settings.backend == "postgres" else str(settings.data)
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
