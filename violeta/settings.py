"""Where data and keys live, read from the environment (``VIOLETA_*``) or the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EVENTS_FILENAME = "eventos.sqlite"
VIEWS_FILENAME = "vistas.sqlite"
KEYS_FILENAME = "llaves.sqlite"
TIME_ZONE = "America/Mexico_City"


class AlertThresholds(BaseModel):
    """When the access trail raises an alert for coordinación (``VIOLETA_ALERTS`` as JSON)."""

    many_women: int = Field(default=20, ge=1)  # more than this many distinct women...
    many_women_minutes: int = Field(default=10, ge=1)  # ...opened by one person in this time
    office_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    office_start: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    office_end: str = Field(default="18:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    denials: int = Field(default=3, ge=1)  # this many denied attempts by one person...
    denials_minutes: int = Field(default=60, ge=1)  # ...within this time
    assignment_roles: tuple[str, ...] = ("trabajo_social", "juridica", "psicologia")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIOLETA_", extra="ignore")

    data: Path = Field(default_factory=lambda: Path(user_data_dir("violeta")))
    backend: Literal["sqlite", "postgres"] = "sqlite"
    postgres: str = ""
    postgres_schema: str = "violeta"
    folio_prefix: str = "CTZ"
    municipality: str = "Cortazar, Guanajuato"
    alerts: AlertThresholds = Field(default_factory=AlertThresholds)
    # Whether a commit to the SQLite event store waits for the disk (FULL, always for real
    # data). The synthetic demo alone uses NORMAL: in WAL mode a power cut may lose the last
    # transactions but never corrupts the file or splits one.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # Minutes without a key before the terminal app locks (the form stays, for her alone).
    idle_lock_minutes: float = Field(default=5.0, gt=0, le=120)

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
