"""Where data and keys live, read from the environment (``VIOLETA_*``) or the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EVENTS_FILENAME = "eventos.sqlite"
VIEWS_FILENAME = "vistas.sqlite"
KEYS_FILENAME = "llaves.sqlite"
TIME_ZONE = "America/Mexico_City"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIOLETA_", extra="ignore")

    data: Path = Field(default_factory=lambda: Path(user_data_dir("violeta")))
    backend: Literal["sqlite", "postgres"] = "sqlite"
    postgres: str = ""
    postgres_schema: str = "violeta"
    folio_prefix: str = "CTZ"
    municipality: str = "Cortazar, Guanajuato"
    # Whether a commit to the SQLite event store waits for the disk (FULL, always for real
    # data). The synthetic demo alone uses NORMAL: in WAL mode a power cut may lose the last
    # transactions but never corrupts the file or splits one.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    @property
    def events_path(self) -> Path:
        return self.data / EVENTS_FILENAME

    @property
    def views_path(self) -> Path:
        return self.data / VIEWS_FILENAME

    @property
    def keys_path(self) -> Path:
        return self.data / KEYS_FILENAME

    def ensure_data_dir(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        self.data.chmod(0o700)
