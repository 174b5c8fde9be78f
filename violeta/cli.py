"""The ``violeta`` command. Thin: parses, wires settings, calls the service or a UI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from platformdirs import user_data_dir
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from domain.errors import DomainError
from violeta.settings import Settings

app = typer.Typer(
    help="Violeta: expediente de atención integral a mujeres (eventos cifrados y auditados).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(stderr=True)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Directorio de datos (por omisión $VIOLETA_DATA; si no, el del usuario).",
        show_default=False,
    ),
]


def _settings(data: Path | None) -> Settings:
    return Settings(data=data) if data is not None else Settings()


def _demo_settings(data: Path | None) -> Settings:
    """The demo never defaults to the real data directory: it uses a ``demo`` folder beside it."""
    if data is not None:
        return Settings(data=data)
    if os.environ.get("VIOLETA_DATA"):
        return Settings()
    return Settings(data=Path(user_data_dir("violeta")) / "demo")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("quedan"),
        TimeRemainingColumn(),
        console=console,
    )


@app.command("init")
def init(data: DataOption = None) -> None:
    """Crea un directorio de datos nuevo y la primera cuenta de coordinación."""
    from violeta.service import Institute

    institute = Institute(_settings(data))
    if institute.is_initialized():
        console.print("[red]Ese directorio ya está inicializado; no se modificó nada.[/red]")
        raise typer.Exit(1)
    username = typer.prompt("Usuario de coordinación")
    display_name = typer.prompt("Nombre completo")
    password = typer.prompt(
        "Contraseña (mínimo 10 caracteres)",
        hide_input=True,
        confirmation_prompt="Repita la contraseña",
    )
    try:
        institute.initialize(username, display_name, password).close()
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Listo. Datos y llaves en {institute.settings.data}")


@app.command("demo")
def demo(
    data: DataOption = None,
    cases: Annotated[
        int, typer.Option("--cases", help="Número de expedientes sintéticos.", min=1)
    ] = 1500,
    seed: Annotated[
        int, typer.Option("--seed", help="Semilla para repetir los mismos datos.")
    ] = 2026,
    years: Annotated[
        int,
        typer.Option("--years", help="Años que abarca la historia, el actual incluido.", min=1),
    ] = 3,
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Solo genera los datos; no abre la aplicación.")
    ] = False,
) -> None:
    """Genera una institución sintética (datos ficticios) y abre la aplicación de terminal."""
    from violeta.demo import COORDINATOR, DEMO_ACCOUNTS, DEMO_MARKER, DEMO_PASSWORD, build_demo
    from violeta.service import Institute, today_in_mexico

    settings = (
        Settings(data=data)
        if data
        else Settings(
            data=Path(os.environ.get("VIOLETA_DATA") or Path(user_data_dir("violeta")) / "demo")
        )
    )
    # Synthetic data only: its commits need not wait for the disk (see Settings).
    settings = settings.model_copy(update={"sqlite_synchronous": "NORMAL"})
    institute = Institute(settings)
    marker = settings.data / DEMO_MARKER
    if institute.is_initialized() and not marker.exists():
        console.print(
            "[red]Ese directorio tiene datos reales; la demostración necesita uno vacío.[/red]"
        )
        raise typer.Exit(1)
    if not institute.is_initialized():
        marker.write_text(
            "Datos sintéticos de demostración: ninguna persona es real.\n", encoding="utf-8"
        )
        with _progress() as progress:
            task = progress.add_task("Generando expedientes sintéticos", total=cases)
            summary = build_demo(
                institute,
                cases=cases,
                seed=seed,
                today=today_in_mexico(),
                years=years,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        console.print(f"{summary.clients} usuarias y {summary.cases} expedientes sintéticos.")
        console.print(f"Datos en {settings.data}")
    users = ", ".join([COORDINATOR[0], *(username for username, *_ in DEMO_ACCOUNTS)])
    accounts = f"Cuentas de demostración: {users}. Contraseña: {DEMO_PASSWORD}"
    console.print(accounts)
    if not no_tui:
        from tui.app import run_app

        run_app(institute, login_notice=f"Datos sintéticos. {accounts}")


@app.command("tui")
def tui(data: DataOption = None) -> None:
    """Abre la aplicación de terminal para el personal."""
    from tui.app import run_app
    from violeta.service import Institute

    institute = Institute(_settings(data))
    if not institute.is_initialized():
        console.print(
            "[red]El directorio no está inicializado: ejecute primero «violeta init».[/red]"
        )
        raise typer.Exit(1)
    run_app(institute)


@app.command("api")
def api(
    data: DataOption = None,
    host: Annotated[str, typer.Option("--host", help="Dirección en la que escucha.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Puerto.")] = 8000,
) -> None:
    """Sirve la API de estadísticas agregadas (solo lectura, sin llaves)."""
    from api.main import serve
    from api.settings import ApiSettings

    settings = _settings(data)
    serve(
        ApiSettings(
            data=settings.data,
            backend=settings.backend,
            postgres=settings.postgres,
            postgres_schema=settings.postgres_schema,
        ),
        host=host,
        port=port,
    )


@app.command("rebuild")
def rebuild(
    data: DataOption = None, user: Annotated[str, typer.Option("--usuario", prompt="Usuario")] = ""
) -> None:
    """Reconstruye desde cero todas las vistas a partir del almacén de eventos."""
    from projections.runner import BrokenChain
    from violeta.service import Institute

    institute = Institute(_settings(data))
    try:
        session = institute.login(user, typer.prompt("Contraseña", hide_input=True))
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    try:
        with _progress() as progress:
            task = progress.add_task("Reconstruyendo vistas", total=None)
            count = session.rebuild_views(
                lambda done, total: progress.update(task, completed=done, total=total)
            )
    except BrokenChain as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        session.close()
    console.print(f"Vistas reconstruidas: {count} eventos aplicados.")


@app.command("import")
def import_csv(
    file: Annotated[
        Path,
        typer.Argument(
            help="Hoja de cálculo en CSV (UTF-8 o Latin-1); columnas en README, «Importar».",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    data: DataOption = None,
    user: Annotated[str, typer.Option("--usuario", prompt="Usuario")] = "",
) -> None:
    """Importa usuarias y expedientes de una hoja de cálculo; cada fila completa o nada."""
    from violeta.service import Institute

    institute = Institute(_settings(data))
    try:
        session = institute.login(user, typer.prompt("Contraseña", hide_input=True))
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    try:
        with _progress() as progress:
            task = progress.add_task("Importando filas", total=None)
            report = session.import_csv(
                file, lambda done, total: progress.update(task, completed=done, total=total)
            )
    except DomainError as error:
        console.print(error.message, markup=False)
        raise typer.Exit(1) from None
    finally:
        session.close()
    for line in report.lines():
        typer.echo(line)
    if report.errors:
        raise typer.Exit(2)


audit = typer.Typer(help="Cadena de auditoría: verificación y puntos de control para un testigo.")
app.add_typer(audit, name="audit")


@audit.command("verify")
def audit_verify(
    data: DataOption = None,
    witness: Annotated[
        Path | None,
        typer.Option(
            "--testigo", help="Punto de control exportado antes (JSON) que debe coincidir."
        ),
    ] = None,
) -> None:
    """Recalcula la cadena de hashes sobre todos los eventos y señala el primer eslabón roto."""
    from violeta.auditing import read_checkpoint, verify_chain

    verification = verify_chain(_settings(data), read_checkpoint(witness) if witness else None)
    if not verification.intact:
        console.print(
            f"[red]Cadena rota en el evento {verification.first_broken}: "
            f"{verification.reason}.[/red]"
        )
        raise typer.Exit(1)
    head = verification.head.head.hex() if verification.head else "—"
    console.print(f"Cadena íntegra: {verification.checked} eventos; cabeza {head}")


@audit.command("checkpoint")
def audit_checkpoint(data: DataOption = None) -> None:
    """Imprime (JSON) el número de eventos y la cabeza de la cadena, para un testigo externo."""
    from violeta.auditing import checkpoint_document, verify_chain

    verification = verify_chain(_settings(data))
    if not verification.intact:
        console.print(f"[red]Cadena rota en el evento {verification.first_broken}.[/red]")
        raise typer.Exit(1)
    typer.echo(checkpoint_document(verification))


def main() -> None:
    app()
