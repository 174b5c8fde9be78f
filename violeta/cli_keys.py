"""``violeta keys …``: the recovery key (enable an account, replace the key itself)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from domain.errors import DomainError
from violeta import cli_spanish
from violeta.settings import Settings

keys_app = typer.Typer(
    help="Llaves: habilitar cuentas, rotar la llave maestra y reemplazar la de recuperación.",
    no_args_is_help=True,
    options_metavar="[OPCIONES]",
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    cls=cli_spanish.SpanishGroup,
)
console = Console(stderr=True)

RECOVERY_WARNING = (
    "Guárdela impresa en la caja fuerte de la institución, nunca junto a la computadora ni en "
    "un archivo: habilita cualquier cuenta y no se volverá a mostrar."
)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Directorio de datos (por omisión $VIOLETA_DATA; si no, el del usuario).",
        show_default=False,
    ),
]
UserOption = Annotated[
    str, typer.Option("--usuario", prompt="Usuario", help="Cuenta del personal.")
]


def print_recovery_key(recovery_key: str) -> None:
    """Shown exactly once: grouped so it can be read aloud and copied by hand."""
    console.print("\nLLAVE DE RECUPERACIÓN (se muestra una sola vez):", style="bold")
    console.print(f"    {recovery_key}", style="bold", markup=False, highlight=False)
    console.print(RECOVERY_WARNING)


@keys_app.command("enable", cls=cli_spanish.SpanishCommand)
def enable(data: DataOption = None, user: UserOption = "") -> None:
    """Habilita una cuenta con la llave de recuperación (cuando no hay segunda persona)."""
    from violeta.service import Institute

    institute = Institute(Settings(data=data) if data else Settings())
    recovery_key = typer.prompt("Llave de recuperación", hide_input=True)
    try:
        institute.enable_with_recovery_key(recovery_key, user)
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    finally:
        institute.close()
    console.print(f"Cuenta «{user}» habilitada con la llave de recuperación.", markup=False)


@keys_app.command("rotate", cls=cli_spanish.SpanishCommand)
def rotate(data: DataOption = None, user: UserOption = "") -> None:
    """Rota la llave maestra (administración o coordinación); nadie cambia su contraseña."""
    from violeta.service import Institute

    institute = Institute(Settings(data=data) if data else Settings())
    try:
        session = institute.login(user, typer.prompt("Contraseña", hide_input=True))
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    try:
        with console.status("Rotando la llave maestra (una sola transacción)…"):
            session.rotate_master_key()
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    finally:
        session.close()
        institute.close()
    console.print("Llave maestra rotada: todos los accesos siguen funcionando.")


@keys_app.command("recovery", cls=cli_spanish.SpanishCommand)
def recovery(data: DataOption = None, user: UserOption = "") -> None:
    """Reemplaza la llave de recuperación: coordinación y la llave vigente, juntas."""
    from violeta.service import Institute

    institute = Institute(Settings(data=data) if data else Settings())
    try:
        session = institute.login(user, typer.prompt("Contraseña", hide_input=True))
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    try:
        old_key = typer.prompt("Llave de recuperación vigente", hide_input=True)
        new_key = institute.replace_recovery_key(session, old_key)
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    finally:
        session.close()
        institute.close()
    print_recovery_key(new_key)
    console.print("La llave anterior ya no sirve; destrúyala.")
