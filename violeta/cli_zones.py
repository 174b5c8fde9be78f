"""``violeta zones …``: the institute's catalogue of colonias and localities (coordinación)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from domain.errors import DomainError
from violeta import cli_spanish
from violeta.cli_keys import DataOption, UserOption
from violeta.settings import Settings

zones_app = typer.Typer(
    help="Zonas: importar colonias o localidades y fusionar zonas.",
    no_args_is_help=True,
    options_metavar="[OPCIONES]",
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    cls=cli_spanish.SpanishGroup,
)
console = Console(stderr=True)

if TYPE_CHECKING:
    from violeta.service import StaffSession


def _session(data: Path | None, user: str) -> StaffSession:
    from violeta.service import Institute

    institute = Institute(Settings(data=data) if data else Settings())
    try:
        return institute.login(user, typer.prompt("Contraseña", hide_input=True))
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None


@zones_app.command("import", cls=cli_spanish.SpanishCommand)
def import_zones(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV con clave, nombre, tipo, localidad, mujeres 18-60 y/o mujeres, latitud, "
            "longitud (todas las filas o ninguna).",
            metavar="ARCHIVO",
        ),
    ],
    data: DataOption = None,
    user: UserOption = "",
) -> None:
    """Carga colonias o localidades; revisa cada fila e informa en español."""
    session = _session(data, user)
    try:
        report = session.import_zones(file)
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    finally:
        session.close()
    typer.echo(report.text)
    if not report.imported:
        raise typer.Exit(1)


@zones_app.command("merge", cls=cli_spanish.SpanishCommand)
def merge_zones(
    code: Annotated[str, typer.Argument(help="Clave de la zona que desaparece.", metavar="CLAVE")],
    into: Annotated[
        str, typer.Argument(help="Clave de la zona que la absorbe.", metavar="DESTINO")
    ],
    data: DataOption = None,
    user: UserOption = "",
) -> None:
    """Fusiona una zona en otra: sus expedientes y conteos pasan a la que queda."""
    session = _session(data, user)
    try:
        session.merge_zones(code, into)
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    finally:
        session.close()
    console.print(f"Zona {code} fusionada en {into}.", markup=False)
