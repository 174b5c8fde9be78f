"""``violeta zones …``: the institute's catalogue of colonias and localities (coordinación)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from domain.errors import DomainError
from violeta import cli_spanish
from violeta.cli_common import DataOption, UserOption, console, fail, log_in, open_institute
from violeta.cli_common import ready_settings as ready

zones_app = typer.Typer(
    help="Zonas: importar colonias o localidades y fusionar zonas.",
    no_args_is_help=True,
    options_metavar="[OPCIONES]",
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    cls=cli_spanish.SpanishGroup,
)


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
    institute = open_institute(ready(data))
    session = log_in(institute, user)
    try:
        report = session.import_zones(file)
    except DomainError as error:
        fail(error.message)
    finally:
        session.close()
        institute.close()
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
    institute = open_institute(ready(data))
    session = log_in(institute, user)
    try:
        session.merge_zones(code, into)
    except DomainError as error:
        fail(error.message)
    finally:
        session.close()
        institute.close()
    console.print(f"Zona {code} fusionada en {into}.", markup=False)
