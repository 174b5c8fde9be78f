"""Búsqueda de usuarias by name (whole words or beginnings), CURP, phone or folio."""

from __future__ import annotations

from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from domain.errors import DomainError
from tui.base import SessionScreen
from tui.keymap import SEARCH_KEYS, bindings
from tui.navigation import OpenClient
from tui.widgets import Table, cells, format_date, update_line
from violeta.dto import ClientSummary
from violeta.name_search import RULE_HELP

NO_MATCH = "Ninguna usuaria coincide."


class SearchScreen(SessionScreen):
    KEYMAP = SEARCH_KEYS
    BINDINGS = bindings(SEARCH_KEYS)
    TITLE_TEXT = "Búsqueda de usuarias"
    RELOADABLE = True
    AUTO_FOCUS = "#consulta"

    class Found(Message, bubble=False):
        def __init__(self, text: str, clients: list[ClientSummary]) -> None:
            super().__init__()
            self.text = text
            self.clients = clients

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static(RULE_HELP, id="regla", classes="explain")
        yield Input(id="consulta", placeholder="Nombre, CURP, teléfono o folio")
        yield Static("", id="resultado", classes="muted", markup=False)
        table: DataTable[str] = Table(id="usuarias", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            "Usuaria", "Zona", "Edad (rango)", "Registrada el", "Expedientes abiertos"
        )
        yield table
        yield from self.compose_footer()

    def focus_query(self) -> None:
        self.query_one("#consulta", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.find(event.value)

    def action_reload(self) -> None:
        query = self.query_one("#consulta", Input).value
        if query.strip():
            self.find(query)

    def action_results(self) -> None:
        table = self.query_one("#usuarias", DataTable)
        if table.row_count:
            table.focus()

    def action_open_client(self) -> None:
        table = self.query_one("#usuarias", DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if row_key.value is not None:
                self.post_message(OpenClient(UUID(row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_client()

    # -- service calls ------------------------------------------------------------------

    def find(self, query: str) -> None:
        self.mark_fresh()
        # One line for another: the results' own layout follows soon enough.
        update_line(self.query_one("#resultado", Static), "Buscando…")
        self.run_service(
            lambda session: session.search_clients(query),
            lambda clients: self.Found(query, clients),
        )

    # -------------------------------------------------------------------------------------

    def on_search_screen_found(self, message: Found) -> None:
        table = self.query_one("#usuarias", Table)
        table.clear()
        for client in message.clients:
            table.add_row(
                *cells(
                    client.name,
                    client.zone_name,
                    client.age_band,
                    format_date(client.registered_on) if client.registered_on else "—",
                    str(client.open_cases),
                ),
                key=str(client.client_id),
            )
        table.measure_now()
        count = len(message.clients)
        self.query_one("#resultado", Static).update(
            NO_MATCH if count == 0 else f"{count} usuaria(s) encontrada(s)."
        )
        if count:
            table.focus()

    def handle_failure(self, error: DomainError) -> None:
        self.query_one("#resultado", Static).update(error.message)
