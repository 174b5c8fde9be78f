"""What the statistics API reads and how strictly it publishes, from ``VIOLETA_*`` variables."""

from __future__ import annotations

import re
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from limits import parse_many
from platformdirs import user_data_dir
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VIEWS_FILENAME = "vistas.sqlite"
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIOLETA_", extra="ignore")

    data: Path = Field(default_factory=lambda: Path(user_data_dir("violeta")))
    backend: Literal["sqlite", "postgres"] = "sqlite"
    postgres: str = ""
    postgres_schema: str = "violeta"
    api_limite: str = "60/minute"
    # Addresses of the reverse proxies whose X-Forwarded-For is believed (comma-separated);
    # empty: no proxy header is trusted, and the rate limit counts the peer address.
    api_proxies: str = ""

    @property
    def views_path(self) -> Path:
        return self.data / VIEWS_FILENAME

    @field_validator("api_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"VIOLETA_API_PROXIES «{item[:40]}» no es una dirección IP ni una red"
                ) from None
        return value

    @field_validator("postgres_schema")
    @classmethod
    def _schema_is_identifier(cls, value: str) -> str:
        if not _SCHEMA_NAME.fullmatch(value):
            raise ValueError(
                f"VIOLETA_POSTGRES_SCHEMA «{value[:40]}» no es válido: use minúsculas, dígitos y _"
            )
        return value

    @field_validator("api_limite")
    @classmethod
    def _limit_parses(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"VIOLETA_API_LIMITE «{value[:40]}» no es válido: use p. ej. «60/minute»"
            ) from None
        return value

    @model_validator(mode="after")
    def _postgres_has_conninfo(self) -> ApiSettings:
        if self.backend == "postgres" and not self.postgres:
            raise ValueError(
                "VIOLETA_BACKEND=postgres requiere VIOLETA_POSTGRES (conninfo de libpq)"
            )
        return self
