"""``violeta keys …``: enable an account with the recovery key, rotate the master key, replace
the recovery key. Each checks the data folder first, so a wrong one creates nothing."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.errors import DomainError
from violeta import cli_spanish
from violeta.cli_common import DataOption, UserOption, console, fail, log_in, open_institute
from violeta.cli_common import ready_settings as ready

keys_app = typer.Typer(
    help="Llaves: habilitar cuentas, rotar la llave maestra y reemplazar la de recuperación.",
    no_args_is_help=True,
    options_metavar="[OPCIONES]",
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    cls=cli_spanish.SpanishGroup,
)

RECOVERY_WARNING = (
    "Guárdela impresa en la caja fuerte de la institución, nunca junto a la computadora ni en "
    "un archivo: habilita cualquier cuenta y no se volverá a mostrar."
)


def print_recovery_key(recovery_key: str) -> None:
    """Shown exactly once: grouped so it can be read aloud and copied by hand."""
    console.print("\nLLAVE DE RECUPERACIÓN (se muestra una sola vez):", style="bold")
    console.print(f"    {recovery_key}", style="bold", markup=False, highlight=False)
    console.print(RECOVERY_WARNING)


@keys_app.command("enable", cls=cli_spanish.SpanishCommand)
def enable(data: DataOption = None, user: UserOption = "") -> None:
    """Habilita una cuenta con la llave de recuperación (cuando no hay segunda persona)."""
    institute = open_institute(ready(data))
    username = user or typer.prompt("Usuario que se habilita")
    recovery_key = typer.prompt("Llave de recuperación", hide_input=True)
    try:
        institute.enable_with_recovery_key(recovery_key, username)
    except DomainError as error:
        fail(error.message)
    finally:
        institute.close()
    console.print(f"Cuenta «{username}» habilitada con la llave de recuperación.", markup=False)


@keys_app.command("rotate", cls=cli_spanish.SpanishCommand)
def rotate(
    data: DataOption = None,
    user: UserOption = "",
    recovery: Annotated[
        bool,
        typer.Option(
            "--recuperacion",
            help="Con la llave de recuperación, que tiene todas las llaves de función: rota "
            "también la de psicología.",
        ),
    ] = False,
) -> None:
    """Rota la llave maestra y las llaves de función (expediente; con --recuperacion también
    psicología), en una sola transacción: si se interrumpe, las llaves anteriores siguen
    completas y basta con ejecutarla de nuevo. Nadie cambia su contraseña."""
    from violeta.operations.data_checks import UnusableData
    from violeta.operations.key_rotation import rotate_with_recovery_key

    institute = open_institute(ready(data))
    try:
        if recovery:
            recovery_key = typer.prompt("Llave de recuperación", hide_input=True)
            with _progress() as bar:
                task = bar.add_task("Rotando llaves", total=None)
                rotated = rotate_with_recovery_key(
                    institute.keystore,
                    recovery_key,
                    lambda done, total: bar.update(task, completed=done, total=total),
                )
        else:
            session = log_in(institute, user)
            try:
                with _progress() as bar:
                    task = bar.add_task("Rotando llaves", total=None)
                    rotated = session.rotate_master_key(
                        lambda done, total: bar.update(task, completed=done, total=total)
                    )
            finally:
                session.close()
    except (DomainError, UnusableData) as error:
        fail(error.message)
    finally:
        institute.close()
    duties = ", ".join(f"«{name}»" for name in rotated)
    console.print(
        "Llave maestra rotada"
        + (f" y llaves de función {duties}" if duties else "")
        + ": todos los accesos siguen funcionando.",
        markup=False,
    )
    if "psicologia" not in rotated:
        console.print(
            "La llave de función «psicologia» no se rotó: su cuenta no la tiene. Use "
            "--recuperacion (o una cuenta de psicología) para rotarla.",
            markup=False,
        )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@keys_app.command("recovery", cls=cli_spanish.SpanishCommand)
def recovery(data: DataOption = None, user: UserOption = "") -> None:
    """Reemplaza la llave de recuperación: coordinación y la llave vigente, juntas."""
    institute = open_institute(ready(data))
    session = log_in(institute, user)
    try:
        old_key = typer.prompt("Llave de recuperación vigente", hide_input=True)
        new_key = institute.replace_recovery_key(session, old_key)
    except DomainError as error:
        fail(error.message)
    finally:
        session.close()
        institute.close()
    print_recovery_key(new_key)
    console.print("La llave anterior ya no sirve; destrúyala.")
