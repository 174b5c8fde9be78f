"""The ``violeta`` command as staff use it: Spanish, never a default password."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.support.factories import make_institute
from violeta.cli import app
from violeta.settings import Settings

PASSWORD = "contraseña-inicial-1"
runner = CliRunner()


def test_init_creates_the_first_coordinator_with_the_password_she_types(data_dir: Path) -> None:
    answers = f"coordinacion\nCarmen Coordinación Prueba\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    assert result.exit_code == 0, result.output
    session = make_institute(Settings(data=data_dir)).login("coordinacion", PASSWORD)
    assert session.identity.display_name == "Carmen Coordinación Prueba"
    assert PASSWORD not in result.output


def test_init_refuses_a_short_password_and_creates_nothing(data_dir: Path) -> None:
    answers = "coordinacion\nCarmen Coordinación Prueba\ncorta\ncorta\n"
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    assert result.exit_code == 1
    assert "10" in result.output
    assert not make_institute(Settings(data=data_dir)).is_initialized()


def test_init_never_overwrites_an_initialized_directory(data_dir: Path) -> None:
    answers = f"coordinacion\nCarmen Coordinación Prueba\n{PASSWORD}\n{PASSWORD}\n"
    runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    again = runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    assert again.exit_code == 1
    assert "ya está inicializado" in again.output


def test_demo_builds_a_synthetic_institute_and_rebuild_replays_it(data_dir: Path) -> None:
    demo = runner.invoke(
        app, ["demo", "--data", str(data_dir), "--cases", "30", "--seed", "3", "--no-tui"]
    )
    assert demo.exit_code == 0, demo.output
    assert "demo-violeta-2026" in demo.output
    rebuilt = runner.invoke(
        app,
        ["rebuild", "--data", str(data_dir), "--usuario", "coordinacion"],
        input="demo-violeta-2026\n",
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Vistas reconstruidas" in rebuilt.output


def test_the_demo_refuses_a_directory_with_real_data(data_dir: Path) -> None:
    answers = f"coordinacion\nCarmen Coordinación Prueba\n{PASSWORD}\n{PASSWORD}\n"
    runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    demo = runner.invoke(app, ["demo", "--data", str(data_dir), "--no-tui"])
    assert demo.exit_code == 1
    assert "datos reales" in demo.output


def test_help_is_in_spanish() -> None:
    result = runner.invoke(app, ["--help"])
    assert "expediente" in result.output
    assert "Genera una institución sintética" in result.output
