"""The idle lock's time is the institute's setting (VIOLETA_IDLE_LOCK_MINUTES)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from pydantic import ValidationError

from tests.tui.conftest import Seeded
from tui.app import VioletaApp
from violeta.cli_common import settings_for
from violeta.service import Institute
from violeta.settings import Settings


def test_the_app_locks_after_the_minutes_the_setting_says(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert VioletaApp(seeded.institute).idle_lock_seconds == 5 * 60  # the default
    monkeypatch.setenv("VIOLETA_IDLE_LOCK_MINUTES", "2.5")
    settings = Settings(data=tmp_path / "otra")
    assert settings.idle_lock_minutes == 2.5
    institute = Institute(settings)
    try:
        assert VioletaApp(institute).idle_lock_seconds == 150
        assert VioletaApp(institute, idle_lock_seconds=4).idle_lock_seconds == 4
    finally:
        institute.close()


@pytest.mark.parametrize("minutes", ["0", "-1", "500"])
def test_an_idle_time_out_of_range_is_refused(
    minutes: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIOLETA_IDLE_LOCK_MINUTES", minutes)
    with pytest.raises(ValidationError):
        Settings(data=tmp_path)


def test_the_command_line_names_the_bad_setting_in_spanish(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VIOLETA_IDLE_LOCK_MINUTES", "0")
    with pytest.raises(typer.Exit):
        settings_for(tmp_path)
    printed = capsys.readouterr()
    assert "Configuración no válida" in printed.out + printed.err
    assert "VIOLETA_IDLE_LOCK_MINUTES" in printed.out + printed.err
