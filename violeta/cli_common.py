"""What every ``violeta`` command shares: the options, the Spanish failure, and the checks that
the data folder holds an institute before anything opens it (so a wrong folder creates nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from domain.errors import DomainError
from violeta.operations.data_checks import LOGIN, Need, UnusableData, check_data
from violeta.settings import Settings

if TYPE_CHECKING:
    from violeta.service import Institute, StaffSession

console = Console(stderr=True)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Directorio de datos (por omisión $VIOLETA_DATA; si no, el del usuario).",
        show_default=False,
        metavar="DIRECTORIO",
    ),
]
UserOption = Annotated[
    str,
    typer.Option(
        "--usuario",
        help="Su nombre de usuario; si lo omite, se le pregunta. La contraseña siempre se "
        "pregunta sin mostrarla.",
        show_default=False,
        metavar="USUARIO",
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_for(data: Path | None) -> Settings:
    try:
        return Settings(data=data) if data is not None else Settings()
    except ValidationError as error:
        names = ", ".join("VIOLETA_" + str(e["loc"][0]).upper() for e in error.errors())
        fail(f"Configuración no válida en las variables de entorno: {names}.")


def ready_settings(data: Path | None, need: Need = LOGIN) -> Settings:
    """The settings of an initialized data directory; otherwise says why in Spanish and
    exits 1, having created nothing."""
    settings = settings_for(data)
    try:
        check_data(settings, need)
    except UnusableData as error:
        fail(error.message)
    return settings


def open_institute(settings: Settings) -> Institute:
    from violeta.service import Institute

    institute = Institute(settings)
    if not institute.is_initialized():
        institute.close()
        fail("El directorio no está inicializado: ejecute primero «violeta init».")
    return institute


def log_in(institute: Institute, user: str) -> StaffSession:
    username = user or typer.prompt("Usuario")
    try:
        return institute.login(username, typer.prompt("Contraseña", hide_input=True))
    except DomainError as error:
        fail(error.message)
