"""The API's configuration: VIOLETA_* variables, and a threshold that never goes below 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import ApiSettings


@pytest.mark.parametrize("k", [2, 1, 0, -5])
def test_a_threshold_below_three_is_rejected_in_spanish(k: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="debe ser al menos 3"):
        ApiSettings(data=tmp_path, umbral_k=k)


def test_settings_are_read_from_violeta_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIOLETA_DATA", str(tmp_path))
    monkeypatch.setenv("VIOLETA_BACKEND", "postgres")
    monkeypatch.setenv("VIOLETA_POSTGRES", "host=db dbname=violeta")
    monkeypatch.setenv("VIOLETA_POSTGRES_SCHEMA", "cortazar")
    monkeypatch.setenv("VIOLETA_UMBRAL_K", "7")
    monkeypatch.setenv("VIOLETA_API_LIMITE", "10/second")

    settings = ApiSettings()

    assert settings.data == tmp_path
    assert settings.views_path == tmp_path / "vistas.sqlite"
    assert (settings.backend, settings.postgres) == ("postgres", "host=db dbname=violeta")
    assert (settings.postgres_schema, settings.umbral_k) == ("cortazar", 7)
    assert settings.api_limite == "10/second"


def test_defaults_are_k_five_sqlite_schema_violeta_and_sixty_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("BACKEND", "POSTGRES_SCHEMA", "UMBRAL_K", "API_LIMITE"):
        monkeypatch.delenv(f"VIOLETA_{name}", raising=False)
    settings = ApiSettings()
    assert settings.umbral_k == 5
    assert settings.backend == "sqlite"
    assert settings.postgres_schema == "violeta"
    assert settings.api_limite == "60/minute"


def test_an_environment_threshold_below_three_stops_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIOLETA_UMBRAL_K", "2")
    with pytest.raises(ValidationError, match="VIOLETA_UMBRAL_K debe ser al menos 3"):
        ApiSettings()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postgres_schema", 'violeta"; DROP SCHEMA x; --', "no es válido"),
        ("api_limite", "muchas", "no es válido"),
        ("backend", "mysql", "backend"),
    ],
)
def test_malformed_settings_are_rejected(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ApiSettings(**{field: value})


def test_postgres_without_a_conninfo_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIOLETA_POSTGRES", raising=False)
    with pytest.raises(ValidationError, match="requiere VIOLETA_POSTGRES"):
        ApiSettings(backend="postgres")
