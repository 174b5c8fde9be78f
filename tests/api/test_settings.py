"""The API's configuration: VIOLETA_* variables, validated with Spanish messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import ApiSettings


def test_settings_are_read_from_violeta_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIOLETA_DATA", str(tmp_path))
    monkeypatch.setenv("VIOLETA_BACKEND", "postgres")
    monkeypatch.setenv("VIOLETA_POSTGRES", "host=db dbname=violeta")
    monkeypatch.setenv("VIOLETA_POSTGRES_SCHEMA", "cortazar")
    monkeypatch.setenv("VIOLETA_API_LIMITE", "10/second")
    monkeypatch.setenv("VIOLETA_API_PROXIES", "10.0.0.5, 192.0.2.0/24")

    settings = ApiSettings()

    assert settings.data == tmp_path
    assert settings.views_path == tmp_path / "vistas.sqlite"
    assert (settings.backend, settings.postgres) == ("postgres", "host=db dbname=violeta")
    assert settings.postgres_schema == "cortazar"
    assert settings.api_limite == "10/second"
    assert settings.api_proxies == "10.0.0.5, 192.0.2.0/24"


def test_defaults_are_sqlite_schema_violeta_sixty_a_minute_and_no_trusted_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("BACKEND", "POSTGRES_SCHEMA", "API_LIMITE", "API_PROXIES"):
        monkeypatch.delenv(f"VIOLETA_{name}", raising=False)
    settings = ApiSettings()
    assert settings.backend == "sqlite"
    assert settings.postgres_schema == "violeta"
    assert settings.api_limite == "60/minute"
    assert settings.api_proxies == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postgres_schema", 'violeta"; DROP SCHEMA x; --', "no es válido"),
        ("api_limite", "muchas", "no es válido"),
        ("api_proxies", "proxy.example", "no es una dirección IP"),
        ("backend", "mysql", "backend"),
    ],
)
def test_malformed_settings_are_rejected(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ApiSettings(**{field: value})


def test_a_long_bad_setting_is_quoted_only_by_its_prefix() -> None:
    with pytest.raises(ValidationError) as caught:
        ApiSettings(api_limite="x" * 5000)
    assert "x" * 41 not in str(caught.value).split("input_value")[0]


def test_postgres_without_a_conninfo_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIOLETA_POSTGRES", raising=False)
    with pytest.raises(ValidationError, match="requiere VIOLETA_POSTGRES"):
        ApiSettings(backend="postgres")
