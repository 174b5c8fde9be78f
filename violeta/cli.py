"""The ``violeta`` command. Thin: parses, wires settings, calls the service or a UI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from platformdirs import user_data_dir
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from domain.errors import DomainError
from violeta import cli_spanish
from violeta.cli_common import DataOption, UserOption, console
from violeta.cli_common import fail as _fail
from violeta.cli_common import log_in as _login
from violeta.cli_common import open_institute as _institute
from violeta.cli_common import ready_settings as _ready
from violeta.cli_common import settings_for as _settings
from violeta.cli_keys import keys_app, print_recovery_key
from violeta.cli_zones import zones_app
from violeta.operations.data_checks import AUDIT, UnusableData
from violeta.settings import Settings

if TYPE_CHECKING:
    from projections.audit_chain import Checkpoint, Verification

cli_spanish.install()

OPTIONS_METAVAR = "[OPCIONES]"
app = typer.Typer(
    help="Violeta: expediente de atención integral a mujeres (eventos cifrados y auditados).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    options_metavar=OPTIONS_METAVAR,
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    pretty_exceptions_enable=False,
    cls=cli_spanish.SpanishGroup,
)


def _demo_settings(data: Path | None) -> Settings:
    """The demo never defaults to the real data directory: it uses a ``demo`` folder beside it."""
    if data is not None:
        return _settings(data)
    if os.environ.get("VIOLETA_DATA"):
        return _settings(None)
    return _settings(Path(user_data_dir("violeta")) / "demo")


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


@app.command(
    "init",
    cls=cli_spanish.SpanishCommand,
    short_help="Crea una institución nueva y su cuenta de coordinación.",
)
def init(data: DataOption = None) -> None:
    """Crea un directorio de datos nuevo y la primera cuenta de coordinación."""
    from uuid import uuid4

    from domain.accounts import StaffAccount
    from domain.vocabulary import Role
    from violeta.operations.data_checks import Leftovers, check_new_data
    from violeta.service import Institute

    settings = _settings(data)
    try:
        check_new_data(settings)
    except UnusableData as error:
        _fail(error.message)
    try:  # every answer is checked as soon as it is typed, before anything is created
        username = typer.prompt("Usuario de coordinación")
        display_name = typer.prompt("Nombre completo")
        StaffAccount.open(
            account_id=uuid4(),
            username_text=username,
            display_name=display_name,
            role=Role.COORDINATION,
            opened_by=None,
        )
    except DomainError as error:
        _fail(error.message + " No se creó nada.")
    password = _new_password()
    try:
        leftovers = Leftovers.before(settings)
    except UnusableData as error:
        _fail(error.message)
    try:
        with leftovers.removed_on_failure():
            institute = Institute(settings)
            try:
                session, recovery_key = institute.initialize(username, display_name, password)
                session.close()
            finally:
                institute.close()
    except DomainError as error:
        _fail(error.message + " No se creó nada.")
    console.print(f"Listo. Datos y llaves en {settings.data}", markup=False)
    print_recovery_key(recovery_key)


PASSWORD_ATTEMPTS = 3


def _new_password() -> str:
    """Asks for a new password, checks the policy at once, then asks it again to confirm."""
    from keys.keyring import MIN_PASSWORD_LENGTH

    for _attempt in range(PASSWORD_ATTEMPTS):
        password = str(
            typer.prompt(f"Contraseña (mínimo {MIN_PASSWORD_LENGTH} caracteres)", hide_input=True)
        )
        if len(password) < MIN_PASSWORD_LENGTH:
            console.print(
                f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres.",
                style="red",
            )
            continue
        if typer.prompt("Repita la contraseña", hide_input=True) == password:
            return password
        console.print("Las dos contraseñas no coinciden; escríbala de nuevo.", style="red")
    _fail("No se pudo fijar la contraseña; no se creó nada.")


@app.command(
    "demo", cls=cli_spanish.SpanishCommand, short_help="Institución sintética de demostración."
)
def demo(
    data: DataOption = None,
    cases: Annotated[
        int,
        typer.Option("--cases", help="Número de expedientes sintéticos.", min=1, metavar="NÚMERO"),
    ] = 1500,
    seed: Annotated[
        int, typer.Option("--seed", help="Semilla para repetir los mismos datos.", metavar="NÚMERO")
    ] = 2026,
    years: Annotated[
        int,
        typer.Option(
            "--years",
            help="Años que abarca la historia, el actual incluido.",
            min=1,
            metavar="AÑOS",
        ),
    ] = 3,
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Solo genera los datos; no abre la aplicación.")
    ] = False,
) -> None:
    """Genera una institución sintética (datos ficticios) y abre la aplicación de terminal."""
    from violeta.demo import COORDINATOR, DEMO_ACCOUNTS, DEMO_MARKER, DEMO_PASSWORD, build_demo
    from violeta.service import Institute, today_in_mexico

    settings = _demo_settings(data)
    if settings.backend == "sqlite" and settings.data.exists() and not settings.data.is_dir():
        _fail(f"{settings.data} no es un directorio; revise --data o VIOLETA_DATA.")
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
        from violeta.cli_publish import publish_release

        for line in publish_release(settings):  # so that `violeta api` has a release at once
            console.print(line, markup=False)
        # Synthetic data only: the demo's recovery key is kept beside its printed password.
        with marker.open("a", encoding="utf-8") as handle:
            handle.write(f"Llave de recuperación de la demostración: {summary.recovery_key}\n")
    users = ", ".join([COORDINATOR[0], *(username for username, *_ in DEMO_ACCOUNTS)])
    accounts = f"Cuentas de demostración: {users}. Contraseña: {DEMO_PASSWORD}"
    console.print(accounts)
    console.print(marker.read_text(encoding="utf-8").splitlines()[-1], markup=False)
    if not no_tui:
        from tui.app import run_app

        run_app(institute, login_notice=f"Datos sintéticos. {accounts}")


@app.command("tui", cls=cli_spanish.SpanishCommand)
def tui(data: DataOption = None) -> None:
    """Abre la aplicación de terminal para el personal."""
    from tui.app import run_app

    institute = _institute(_ready(data))
    try:
        run_app(institute)
    finally:
        institute.close()


@app.command(
    "api",
    cls=cli_spanish.SpanishCommand,
    short_help="API de estadísticas agregadas (solo lectura).",
)
def api(
    data: DataOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Dirección en la que escucha.", metavar="DIRECCIÓN")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Puerto.", metavar="PUERTO", min=1, max=65535)
    ] = 8000,
) -> None:
    """Sirve la API de estadísticas agregadas (solo lectura, sin llaves)."""
    from api.main import serve
    from api.settings import ApiSettings
    from violeta.operations.data_checks import check_views

    settings = _settings(data)
    try:
        check_views(settings)
    except UnusableData as error:
        _fail(error.message)
    try:
        api_settings = ApiSettings(
            data=settings.data,
            backend=settings.backend,
            postgres=settings.postgres,
            postgres_schema=settings.postgres_schema,
        )
    except ValidationError as error:
        _fail(
            "Configuración de la API no válida: "
            + "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        )
    serve(api_settings, host=host, port=port)


@app.command(
    "rebuild",
    cls=cli_spanish.SpanishCommand,
    short_help="Reconstruye las vistas desde los eventos.",
)
def rebuild(data: DataOption = None, user: UserOption = "") -> None:
    """Reconstruye desde cero todas las vistas a partir del almacén de eventos."""
    from projections.runner import BrokenChain

    session = _login(_institute(_ready(data)), user)
    reached = [0]

    def advance(done: int, total: int) -> None:
        reached[0] = done
        progress.update(task, completed=done, total=total)

    try:
        with _progress() as progress:
            task = progress.add_task("Reconstruyendo vistas", total=None)
            count = session.rebuild_views(advance)
    except BrokenChain as error:
        _fail(str(error))
    finally:
        session.close()
    console.print(f"Vistas reconstruidas: {count} eventos aplicados.")
    if count < reached[0]:  # an interrupted rebuild, resumed (partly by the login itself)
        console.print(
            f"Se reanudó una reconstrucción interrumpida: las vistas están al día hasta el "
            f"evento {reached[0]}."
        )


@app.command("publish", cls=cli_spanish.SpanishCommand)
def publish(
    data: DataOption = None,
    threshold: Annotated[
        int,
        typer.Option(
            "--umbral", min=3, help="Celdas menores que este número se suprimen.", metavar="NÚMERO"
        ),
    ] = 5,
    lag: Annotated[
        int,
        typer.Option(
            "--desfase-dias",
            min=0,
            help="Días tras el cierre de un mes antes de publicarlo.",
            metavar="DÍAS",
        ),
    ] = 15,
) -> None:
    """Calcula y congela la publicación de estadísticas pendiente (solo meses cerrados)."""
    from projections.releases import ReleaseRefused
    from violeta.cli_publish import publish_release

    settings = _ready(data, AUDIT)
    try:
        lines = publish_release(settings, k=threshold, lag_days=lag)
    except ReleaseRefused as error:
        _fail(f"Publicación rechazada: {error}")
    for line in lines:
        console.print(line, markup=False)


@app.command(
    "import", cls=cli_spanish.SpanishCommand, short_help="Importa usuarias y expedientes de un CSV."
)
def import_csv(
    file: Annotated[
        Path,
        typer.Argument(
            help="Hoja de cálculo en CSV (UTF-8 o Latin-1); columnas en README, «Importar».",
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="ARCHIVO",
            show_default=False,
        ),
    ],
    data: DataOption = None,
    user: UserOption = "",
) -> None:
    """Importa usuarias y expedientes de una hoja de cálculo; cada fila completa o nada."""
    session = _login(_institute(_ready(data)), user)
    try:
        with _progress() as progress:
            task = progress.add_task("Importando filas", total=None)
            report = session.import_csv(
                file, lambda done, total: progress.update(task, completed=done, total=total)
            )
    except DomainError as error:
        _fail(error.message)
    finally:
        session.close()
    for line in report.lines():
        typer.echo(line)
    if report.errors:
        raise typer.Exit(2)


BACKUP_PASSPHRASE_ENV = "VIOLETA_CLAVE_RESPALDO"  # noqa: S105 (the variable name, not a secret)


class _Steps:
    """One progress bar per step of an operation (violeta.operations.backup_format.Progress)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self._tasks:
            self._tasks[step] = self._progress.add_task(step, total=max(total, 1))
        self._progress.update(self._tasks[step], completed=done, total=max(total, 1))


def _backup_passphrase(*, confirm: bool) -> str:
    from violeta.operations.backup_format import PASSPHRASE_MIN_LENGTH

    from_environment = os.environ.get(BACKUP_PASSPHRASE_ENV)
    if from_environment:
        return from_environment
    for _attempt in range(PASSWORD_ATTEMPTS):
        passphrase = str(
            typer.prompt(
                f"Clave del respaldo (mínimo {PASSPHRASE_MIN_LENGTH} caracteres)"
                if confirm
                else "Clave del respaldo",
                hide_input=True,
            )
        )
        if not confirm:
            return passphrase
        if len(passphrase) < PASSPHRASE_MIN_LENGTH:
            console.print(
                f"La clave debe tener al menos {PASSPHRASE_MIN_LENGTH} caracteres.", style="red"
            )
            continue
        if typer.prompt("Repita la clave del respaldo", hide_input=True) == passphrase:
            return passphrase
        console.print("Las dos claves no coinciden; escríbala de nuevo.", style="red")
    _fail("No se fijó la clave del respaldo; no se respaldó nada.")


@app.command(
    "backup",
    cls=cli_spanish.SpanishCommand,
    short_help="Respaldo en línea, con las llaves cifradas aparte.",
)
def backup_command(
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            help="Directorio nuevo o vacío donde se escribe el respaldo (de preferencia en "
            "otro disco).",
            metavar="DESTINO",
            show_default=False,
        ),
    ],
    data: DataOption = None,
) -> None:
    """Respalda en línea eventos, vistas y llaves; las llaves van cifradas con una clave aparte.

    La clave del respaldo se pregunta (o se lee de VIOLETA_CLAVE_RESPALDO, para respaldos
    programados). Sin ella el respaldo no revela nada: guárdela separada del respaldo."""
    from violeta.operations.backup import backup

    settings = _ready(data)
    passphrase = _backup_passphrase(confirm=True)
    try:
        with _progress() as progress:
            summary = backup(settings, to, passphrase, progress=_Steps(progress))
    except UnusableData as error:
        _fail(error.message)
    console.print(
        f"Respaldo hecho el {summary.created}: {summary.events} eventos, cadena verificada "
        f"(cabeza {summary.head[:16]}…), en {summary.destination}.",
        markup=False,
        soft_wrap=True,
    )


@app.command(
    "restore",
    cls=cli_spanish.SpanishCommand,
    short_help="Restaura un respaldo en un directorio vacío.",
)
def restore_command(
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="Directorio de un respaldo hecho con «violeta backup».",
            metavar="ORIGEN",
            show_default=False,
        ),
    ],
    data: DataOption = None,
    user: UserOption = "",
) -> None:
    """Restaura un respaldo en un directorio de datos vacío, verifica la cadena y lo prueba.

    Nunca escribe sobre datos existentes. Antes de dar el respaldo por bueno pide una cuenta
    de coordinación, inicia sesión con ella y reconstruye las vistas, lo que descifra cada
    evento; si algo falla, no deja nada."""
    from violeta.operations.backup import restore

    settings = _settings(data)
    passphrase = _backup_passphrase(confirm=False)
    try:
        with _progress() as progress:
            manifest, leftovers = restore(source, settings, passphrase, progress=_Steps(progress))
    except UnusableData as error:
        _fail(error.message)
    try:
        institute = _institute(settings)
        try:
            session = _login(institute, user)
            try:
                with _progress() as progress:
                    task = progress.add_task("Descifrando y reconstruyendo las vistas", total=None)
                    session.rebuild_views(
                        lambda done, total: progress.update(task, completed=done, total=total)
                    )
            finally:
                session.close()
        finally:
            institute.close()
    except BaseException:
        leftovers.remove()
        console.print("No se restauró nada.", style="red")
        raise
    console.print(
        f"Respaldo del {manifest.created} restaurado en {settings.data}: {manifest.events} "
        "eventos, cadena verificada y cada evento descifrado.",
        markup=False,
        soft_wrap=True,
    )


@app.command(
    "doctor", cls=cli_spanish.SpanishCommand, short_help="Revisa la salud de la instalación."
)
def doctor_command(data: DataOption = None) -> None:
    """Revisa la salud de la instalación: permisos, archivos, cadena, vistas, respaldo."""
    from violeta.operations.doctor import GOOD, PROBLEM, doctor

    settings = _settings(data)
    with _progress() as progress:
        findings = doctor(settings, _Steps(progress))
    marks = {GOOD: "[green]✔ bien[/green]", PROBLEM: "[red]✘ problema[/red]"}
    for finding in findings:
        mark = marks.get(finding.level, "[yellow]! atención[/yellow]")
        console.print(f"{mark}  {finding.topic}: ", end="", soft_wrap=True)
        console.print(finding.text, markup=False, highlight=False, soft_wrap=True)
    if any(finding.level == PROBLEM for finding in findings):
        raise typer.Exit(1)


audit = typer.Typer(
    help="Cadena de auditoría: verificación y puntos de control para un testigo.",
    no_args_is_help=True,
    options_metavar=OPTIONS_METAVAR,
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    cls=cli_spanish.SpanishGroup,
)
app.add_typer(audit, name="audit", short_help="Cadena de auditoría: verificar y exportar.")
app.add_typer(keys_app, name="keys", short_help="Llaves: habilitar cuentas y rotar llaves.")
app.add_typer(zones_app, name="zones", short_help="Zonas: importar y fusionar.")


SETTLE_ATTEMPTS = 3
SETTLE_SECONDS = 2.0


def _verify_settled(settings: Settings, witness: Checkpoint | None = None) -> Verification:
    """The chain, verified again a few seconds later while its only fault is that the newest
    events have no head yet: a terminal records its last read and chains it with its next
    command (or its refresh timer), so on a live system that is normal for a moment."""
    import time

    from violeta.auditing import verify_chain

    verification = verify_chain(settings, witness)
    for _attempt in range(SETTLE_ATTEMPTS):
        if not verification.unheaded_tail:
            break
        time.sleep(SETTLE_SECONDS)
        verification = verify_chain(settings, witness)
    return verification


@audit.command(
    "verify",
    cls=cli_spanish.SpanishCommand,
    short_help="Verifica la cadena de hashes y señala el eslabón roto.",
)
def audit_verify(
    data: DataOption = None,
    witness: Annotated[
        Path | None,
        typer.Option(
            "--testigo",
            help="Punto de control exportado antes (JSON) que debe coincidir.",
            metavar="ARCHIVO",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
) -> None:
    """Recalcula la cadena de hashes sobre todos los eventos y señala el primer eslabón roto."""
    from violeta.auditing import (
        UnreadableCheckpoint,
        read_checkpoint,
        read_key_witness,
        verify_key_journal,
    )

    settings = _ready(data, AUDIT)
    try:
        checkpoint = read_checkpoint(witness) if witness else None
        key_witness = read_key_witness(witness) if witness else None
    except UnreadableCheckpoint as error:
        _fail(str(error))
    verification = _verify_settled(settings, checkpoint)
    if not verification.intact:
        _fail(f"Cadena rota en el evento {verification.first_broken}: {verification.reason}.")
    if verification.quarantined:
        _fail(
            f"Cadena de hashes íntegra ({verification.checked} eventos), pero estos eventos "
            f"{verification.quarantine_report}. Restáurelos desde un respaldo."
        )
    keys = verify_key_journal(settings, key_witness)
    if not keys.intact:
        _fail(f"Almacén de llaves alterado fuera del sistema: {keys.problem}.")
    head = verification.head.head.hex() if verification.head else "—"
    console.print(f"Cadena íntegra: {verification.checked} eventos; cabeza {head}", soft_wrap=True)
    console.print(
        f"Bitácora de llaves íntegra: {keys.entries} entradas; cabeza {keys.head.hex()}",
        soft_wrap=True,
    )


@audit.command(
    "checkpoint",
    cls=cli_spanish.SpanishCommand,
    short_help="Punto de control (JSON) para un testigo externo.",
)
def audit_checkpoint(data: DataOption = None) -> None:
    """Imprime (JSON) el número de eventos y la cabeza de la cadena, para un testigo externo."""
    from violeta.auditing import checkpoint_document, verify_key_journal

    settings = _ready(data, AUDIT)
    verification = _verify_settled(settings)
    if not verification.intact:
        _fail(f"Cadena rota en el evento {verification.first_broken}: {verification.reason}.")
    keys = verify_key_journal(settings)
    if not keys.intact:
        _fail(f"Almacén de llaves alterado fuera del sistema: {keys.problem}.")
    typer.echo(checkpoint_document(verification, keys))


def main() -> None:
    app()
