"""The ``violeta`` command as staff use it: Spanish, never a default password."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import typer
from typer._click.core import Context
from typer.core import TyperGroup
from typer.testing import CliRunner, Result

from domain.errors import DomainError
from tests.conftest import PostgresTarget
from tests.integration.test_projections import populate
from tests.support.factories import PASSWORD as STAFF_PASSWORD
from tests.support.factories import initialized, make_institute
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


def test_rebuild_run_again_after_an_interruption_says_it_resumed(data_dir: Path) -> None:
    class Interrupted(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Interrupted

    with initialized(Settings(data=data_dir)) as (_, coordinator):
        populate(coordinator)
        with pytest.raises(Interrupted):
            coordinator._projector.rebuild(stop, batch_size=5)
        events = coordinator._store.recorder.max_notification_id()
    rebuilt = runner.invoke(
        app,
        ["rebuild", "--data", str(data_dir), "--usuario", "coordinacion"],
        input=f"{STAFF_PASSWORD}\n",
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Vistas reconstruidas" in rebuilt.output
    assert "Se reanudó una reconstrucción interrumpida" in rebuilt.output
    assert f"evento {events}" in " ".join(rebuilt.output.split())


def test_the_demo_refuses_a_directory_with_real_data(data_dir: Path) -> None:
    answers = f"coordinacion\nCarmen Coordinación Prueba\n{PASSWORD}\n{PASSWORD}\n"
    runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    demo = runner.invoke(app, ["demo", "--data", str(data_dir), "--no-tui"])
    assert demo.exit_code == 1
    assert "datos reales" in demo.output


def test_help_is_in_spanish() -> None:
    result = runner.invoke(app, ["--help"])
    assert "expediente" in result.output
    assert "Institución sintética de demostración" in result.output


# --- A wrong or uninitialized data directory: Spanish, non-zero, nothing created -----------

# Every command that works on an existing institute, with what it needs typed afterwards.
EXISTING_DATA_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("tui",),
    ("api",),
    ("rebuild", "--usuario", "coordinacion"),
    ("audit", "verify"),
    ("audit", "checkpoint"),
    ("backup", "--to", "DESTINO"),
    ("doctor",),
    ("publish",),
    ("keys", "enable", "--usuario", "juridica"),
    ("keys", "rotate", "--usuario", "coordinacion"),
    ("keys", "recovery", "--usuario", "coordinacion"),
    ("zones", "import", "zonas.csv", "--usuario", "coordinacion"),
    ("zones", "merge", "C001", "C002", "--usuario", "coordinacion"),
)


def _invoke(arguments: list[str], data: Path, stdin: str = PASSWORD + "\n") -> Result:
    return runner.invoke(app, [*arguments, "--data", str(data)], input=stdin)


def _refused_in_spanish(result: Result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Error" not in result.output  # no exception name, no framework prefix
    for word in words:
        assert word in result.output, result.output


@pytest.fixture
def no_app_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the terminal app nor the API may start on a wrong directory."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("se abrió una aplicación sobre un directorio no inicializado")

    monkeypatch.setattr("tui.app.run_app", forbidden)
    monkeypatch.setattr("api.main.serve", forbidden)


@pytest.mark.parametrize("command", [*EXISTING_DATA_COMMANDS, ("import", "ARCHIVO")])
def test_a_missing_directory_is_named_and_not_created(
    command: tuple[str, ...], tmp_path: Path, no_app_starts: None
) -> None:
    missing = tmp_path / "no" / "existe"
    arguments = _with_csv(command, tmp_path)
    result = _invoke(arguments, missing)
    _refused_in_spanish(result, "no existe")
    assert not (tmp_path / "no").exists()
    assert not (tmp_path / "respaldo").exists()


@pytest.mark.parametrize("command", [*EXISTING_DATA_COMMANDS, ("import", "ARCHIVO")])
def test_an_empty_directory_is_not_initialized_and_stays_empty(
    command: tuple[str, ...], data_dir: Path, tmp_path: Path, no_app_starts: None
) -> None:
    result = _invoke(_with_csv(command, tmp_path), data_dir)
    _refused_in_spanish(result, "no")
    assert "inicializado" in result.output or "vistas" in result.output
    assert "íntegra" not in result.output
    assert list(data_dir.iterdir()) == []


@pytest.mark.parametrize("command", [*EXISTING_DATA_COMMANDS, ("init",), ("demo", "--no-tui")])
def test_a_file_given_as_the_directory_is_refused(
    command: tuple[str, ...], tmp_path: Path, no_app_starts: None
) -> None:
    not_a_directory = tmp_path / "notas.txt"
    not_a_directory.write_text("no es un directorio", encoding="utf-8")
    result = _invoke(_with_csv(command, tmp_path), not_a_directory)
    _refused_in_spanish(result, "no es un directorio")
    assert not_a_directory.read_text(encoding="utf-8") == "no es un directorio"


def test_a_folder_with_events_but_no_key_store_says_so(data_dir: Path, no_app_starts: None) -> None:
    settings = Settings(data=data_dir)
    with initialized(settings):
        pass
    settings.keys_path.unlink()
    result = _invoke(["tui"], data_dir)
    _refused_in_spanish(result, "almacén de llaves")
    assert not settings.keys_path.exists()


def test_a_damaged_database_file_is_named(data_dir: Path, no_app_starts: None) -> None:
    (data_dir / "eventos.sqlite").write_bytes(b"esto no es SQLite" * 100)
    result = _invoke(["audit", "verify"], data_dir)
    _refused_in_spanish(result, "eventos.sqlite", "dañado")
    assert sorted(p.name for p in data_dir.iterdir()) == ["eventos.sqlite"]


def test_the_terminal_app_and_the_api_start_on_an_initialized_directory(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with initialized(Settings(data=data_dir)):
        pass
    started: list[str] = []
    monkeypatch.setattr("tui.app.run_app", lambda institute: started.append("tui"))
    monkeypatch.setattr("api.main.serve", lambda *a, **k: started.append("api"))
    assert runner.invoke(app, ["tui", "--data", str(data_dir)]).exit_code == 0
    assert runner.invoke(app, ["api", "--data", str(data_dir)]).exit_code == 0
    assert started == ["tui", "api"]


def _with_csv(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    """The command with its file arguments filled in (a backup destination that must never
    be created, a spreadsheet to import)."""
    if command != ("import", "ARCHIVO"):
        return [str(tmp_path / "respaldo") if part == "DESTINO" else part for part in command]
    sheet = tmp_path / "hoja.csv"
    sheet.write_text("nombre,fecha_nacimiento,zona\n", encoding="utf-8")
    return ["import", str(sheet), "--usuario", "coordinacion"]


def test_postgres_without_an_institute_is_named_and_left_empty(
    postgres_target: PostgresTarget, no_app_starts: None, tmp_path: Path
) -> None:
    environment = {
        "VIOLETA_BACKEND": "postgres",
        "VIOLETA_POSTGRES": postgres_target.conninfo,
        "VIOLETA_POSTGRES_SCHEMA": postgres_target.schema,
    }
    for command in EXISTING_DATA_COMMANDS:
        arguments = _with_csv(command, tmp_path)
        result = runner.invoke(app, arguments, env=environment, input=PASSWORD + "\n")
        _refused_in_spanish(result, "PostgreSQL")
    with psycopg.connect(postgres_target.conninfo) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            (postgres_target.schema,),
        ).fetchone()
    assert tables == (0,)


def test_an_unreachable_postgres_is_said_in_spanish(postgres_target: PostgresTarget) -> None:
    environment = {
        "VIOLETA_BACKEND": "postgres",
        "VIOLETA_POSTGRES": "host=127.0.0.1 port=1 user=nadie dbname=nada connect_timeout=2",
        "VIOLETA_POSTGRES_SCHEMA": postgres_target.schema,
    }
    result = runner.invoke(app, ["audit", "verify"], env=environment)
    _refused_in_spanish(result, "No se pudo conectar con PostgreSQL")


# --- init checks every answer as soon as it is typed, and leaves nothing behind -------------


def test_init_refuses_a_short_password_before_asking_it_again(tmp_path: Path) -> None:
    target = tmp_path / "nuevo"
    answers = "coordinacion\nCarmen Coordinación Prueba\n" + "corta\n" * 3
    result = runner.invoke(app, ["init", "--data", str(target)], input=answers)
    assert result.exit_code == 1
    assert "Repita" not in result.output
    assert result.output.count("al menos 10 caracteres") == 3
    assert "no se creó nada" in result.output
    assert not target.exists()


def test_init_asks_again_after_a_short_password_and_then_succeeds(data_dir: Path) -> None:
    answers = f"coordinacion\nCarmen Coordinación Prueba\ncorta\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    assert result.exit_code == 0, result.output
    assert make_institute(Settings(data=data_dir)).login("coordinacion", PASSWORD)


def test_init_says_in_spanish_that_the_two_passwords_differ(data_dir: Path) -> None:
    answers = "coordinacion\nCarmen Coordinación Prueba\n" + f"{PASSWORD}\notra-contraseña-9\n" * 3
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    assert result.exit_code == 1
    assert "no coinciden" in result.output
    assert "do not match" not in result.output
    assert list(data_dir.iterdir()) == []


def test_init_refuses_a_bad_name_before_asking_for_a_password(data_dir: Path) -> None:
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input="coordinacion\n1\n")
    assert result.exit_code == 1
    assert "Contraseña" not in result.output
    assert list(data_dir.iterdir()) == []


def test_a_failed_initialization_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(self: object, *args: object) -> None:
        raise DomainError("Falla simulada al guardar.")

    monkeypatch.setattr("violeta.service.Institute.initialize", fails)
    target = tmp_path / "nuevo" / "datos"
    answers = f"coordinacion\nCarmen Coordinación Prueba\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(app, ["init", "--data", str(target)], input=answers)
    assert result.exit_code == 1
    assert "Falla simulada" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_a_folder_holding_a_leftover_key_store(data_dir: Path) -> None:
    (data_dir / "llaves.sqlite").write_bytes(b"")
    answers = f"coordinacion\nCarmen Coordinación Prueba\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input=answers)
    assert result.exit_code == 1
    assert "llaves.sqlite" in result.output
    assert sorted(p.name for p in data_dir.iterdir()) == ["llaves.sqlite"]


# --- Every word of help and of the framework's own messages is Spanish -----------------------

ENGLISH_FRAMEWORK_WORDS = (
    "Usage:",
    "Options",
    "Arguments",
    "Commands",
    "Show this message",
    "[default",
    "[required",
    "default:",
    "required]",
    "Error: The two",
    "do not match",
    "Missing",
    "Invalid value",
    "No such",
    "Try '",
    "for help",
    "Aborted",
    "does not exist",
    "is not",
    "Input should",
    "<int",
    "<str>",
    "<path>",
    "<file>",
    "[OPTIONS]",
    "COMMAND",
    "ARGS",
    "TEXT",
    "INTEGER",
    "PATH",
    "FILE",
)


def _every_command(group: TyperGroup, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    context = Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, TyperGroup):
            found += _every_command(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def _english(text: str) -> list[str]:
    return [word for word in ENGLISH_FRAMEWORK_WORDS if word in text]


def test_every_help_page_is_in_spanish() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    commands = _every_command(root)
    assert ("audit", "verify") in commands and ("import",) in commands
    for command in commands:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Uso:" in result.output and "Muestra esta ayuda y termina." in result.output
        assert not _english(result.output), (command, _english(result.output))
        # Every option and argument says what it is for.
        for line in result.output.splitlines():
            if line.startswith("  -") or line.startswith("  ARCHIVO"):
                assert len(line.split()) > 2, (command, line)
                # Typer's own type label («<int range>») is rewritten after the columns are
                # laid out, so the option's text would stand out of line: name the value.
                assert "<número>" not in line and "<texto>" not in line, (command, line)


@pytest.mark.parametrize(
    "arguments",
    [
        ["nada"],
        ["audit"],
        ["audit", "nada"],
        ["init", "--bogus"],
        ["demo", "--cases", "abc"],
        ["demo", "--cases", "0"],
        ["api", "--port", "70000"],
        ["import"],
        ["import", "/no/existe.csv"],
        ["audit", "verify", "--testigo"],
        ["audit", "verify", "--testigo", "/no/existe.json"],
        ["rebuild", "sobrante"],
    ],
)
def test_usage_errors_are_in_spanish(arguments: list[str]) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code != 0
    assert not _english(result.output), (arguments, result.output)
    assert "Traceback" not in result.output


def test_a_cancelled_prompt_says_so_in_spanish(data_dir: Path) -> None:
    result = runner.invoke(app, ["init", "--data", str(data_dir)], input="")
    assert result.exit_code == 1
    assert "Cancelado." in result.output
    assert list(data_dir.iterdir()) == []


def test_an_initialized_postgres_institute_is_recognized(postgres_target: PostgresTarget) -> None:
    settings = Settings(
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
    )
    with initialized(settings):
        pass
    environment = {
        "VIOLETA_BACKEND": "postgres",
        "VIOLETA_POSTGRES": postgres_target.conninfo,
        "VIOLETA_POSTGRES_SCHEMA": postgres_target.schema,
    }
    result = runner.invoke(app, ["audit", "verify"], env=environment)
    assert result.exit_code == 0, result.output
    assert "Cadena íntegra" in result.output
