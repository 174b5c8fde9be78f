"""La usuaria: her identification and her expedientes."""

from __future__ import annotations

from uuid import UUID

from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from domain.errors import DomainError
from tui.base import SessionScreen
from tui.dialogs import JustificationScreen
from tui.gateway import Gateway
from tui.keymap import CLIENT_KEYS, bindings
from tui.navigation import OpenCase, StartIntake
from tui.widgets import cells, format_date
from violeta.dto import ClientDetail
from violeta.service import JustificationRequired

FIELDS = (
    ("nombre", "Nombre"),
    ("nacimiento", "Fecha de nacimiento"),
    ("edad", "Edad (rango)"),
    ("curp", "CURP"),
    ("telefono", "Teléfono"),
    ("zona", "Zona"),
    ("registro", "Registrada el"),
    ("estado", "Datos"),
)


def field_values(client: ClientDetail) -> dict[str, str]:
    if client.erased:
        status = "Cancelados (ARCO)"
    elif client.erasure_pending:
        status = "Cancelación pendiente de aprobación"
    else:
        status = "Vigentes"
    return {
        "nombre": client.name,
        "nacimiento": client.birth_date,
        "edad": client.age_band,
        "curp": client.curp or "—",
        "telefono": client.phone or "—",
        "zona": client.zone_name,
        "registro": format_date(client.registered_on),
        "estado": status,
    }


class ClientScreen(SessionScreen):
    KEYMAP = CLIENT_KEYS
    BINDINGS = bindings(CLIENT_KEYS)
    TITLE_TEXT = "Usuaria"
    RELOADABLE = True
    AUTO_FOCUS = "#expedientes"

    class Loaded(Message, bubble=False):
        def __init__(self, client: ClientDetail) -> None:
            super().__init__()
            self.client = client

    def __init__(self, gateway: Gateway, client_id: UUID) -> None:
        super().__init__(gateway)
        self.client_id = client_id
        self.client: ClientDetail | None = None
        self.justification = ""

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static("", id="exceptional", classes="exceptional")
        with Grid(id="ficha"):
            for key, label in FIELDS:
                yield Label(label, classes="field-label")
                yield Static("…", id=f"ficha-{key}", classes="value", markup=False)
        yield Static("Expedientes", classes="section-title")
        table: DataTable[str] = DataTable(id="expedientes", cursor_type="row", zebra_stripes=True)
        table.add_columns("Folio", "Apertura", "Estado", "Zona", "Riesgo")
        yield table
        yield Static("", id="expedientes-vacio", classes="muted")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.mark_fresh()
        self.load(self.justification)

    def action_open_case(self) -> None:
        table = self.query_one("#expedientes", DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if row_key.value is not None:
                self.post_message(OpenCase(UUID(row_key.value)))

    def action_new_case(self) -> None:
        if self.client is None:
            return
        if self.client.erased:
            self.notify(
                "Los datos de esta usuaria fueron cancelados; no admite expedientes nuevos."
            )
            return
        self.post_message(StartIntake(self.client_id, self.client.name))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    # -- service calls ------------------------------------------------------------------

    def load(self, justification: str) -> None:
        client_id = self.client_id
        self.run_service(
            lambda session: session.client_detail(client_id, justification),
            self.Loaded,
            writes=bool(justification),
        )

    # -------------------------------------------------------------------------------------

    def on_client_screen_loaded(self, message: Loaded) -> None:
        client = self.client = message.client
        for key, value in field_values(client).items():
            self.query_one(f"#ficha-{key}", Static).update(value)
        self.query_one("#exceptional", Static).update(
            "Acceso excepcional: registrado con su motivo y notificado a coordinación."
            if self.justification
            else ""
        )
        table = self.query_one("#expedientes", DataTable)
        table.clear()
        for case in client.cases:
            table.add_row(
                *cells(
                    case.folio,
                    format_date(case.opened_on),
                    case.status,
                    case.zone_name,
                    case.risk,
                ),
                key=str(case.case_id),
            )
        self.query_one("#expedientes-vacio", Static).update(
            "" if client.cases else "Sin expedientes. Pulse n para abrir el primero."
        )

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, JustificationRequired):

            def retry(reason: str | None) -> None:
                if reason:
                    self.justification = reason
                    self.load(reason)
                else:
                    self.app.pop_screen()

            self.app.push_screen(JustificationScreen(error.message), retry)
            return
        super().handle_failure(error)
