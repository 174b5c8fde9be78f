"""Is this a data directory (or PostgreSQL schema) an institute can use, and what ``init``
created, so that a failed initialization leaves nothing behind."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from violeta.settings import EVENTS_FILENAME, KEYS_FILENAME, VIEWS_FILENAME, Settings

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


def postgres_place(settings: Settings) -> str:
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
            f"No se pudo conectar con PostgreSQL ({postgres_place(settings)}): revise "
            "VIOLETA_POSTGRES, que el servidor esté en marcha y la contraseña."
        ) from None
    with connection:
        yield connection


def postgres_tables(settings: Settings) -> set[str]:
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
    tables = postgres_tables(settings)
    place = postgres_place(settings)
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
        tables = postgres_tables(settings)
        if POSTGRES_EVENTS_TABLE in tables or KEYS_META_TABLE in tables:
            raise UnusableData(
                f"PostgreSQL ({postgres_place(settings)}) ya contiene datos de Violeta; "
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
            return cls(settings, [], set(), postgres_tables(settings))
        missing = [p for p in (settings.data, *settings.data.parents) if not p.exists()]
        existing = set(settings.data.iterdir()) if settings.data.is_dir() else set()
        return cls(settings, missing, existing, set())

    @contextmanager
    def removed_on_failure(self) -> Iterator[None]:
        """Whatever fails inside (an interruption too) first removes what was created since
        ``before``; the failure then goes on as it was."""
        try:
            yield
        except BaseException:
            self.remove()
            raise

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
        for table in sorted(postgres_tables(settings) - existing):
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
        if POSTGRES_VIEW_TRACKING not in postgres_tables(settings):
            raise UnusableData(
                f"PostgreSQL ({postgres_place(settings)}) no tiene vistas proyectadas: "
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
