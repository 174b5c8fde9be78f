"""Coordinación's first tab: the access trail, with its filters, a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from domain.errors import DomainError, InvalidField
from domain.permissions import Decision
from domain.vocabulary import Section
from tui.coordination.common import CoordinationTabs, when
from tui.gateway import Gateway
from tui.widgets import SpanishSelect, Table, cells
from violeta.alerts import TRAIL_PAGE
from violeta.dto import AccessEntry, AccountView
from violeta.service import StaffSession

# Keys of this tab -> the query each needs.
ACTIONS: dict[str, tuple[str, str]] = {
    "filter_client": ("bitacora", "audit_trail"),
    "clear_filters": ("bitacora", "audit_trail"),
    "next_page": ("bitacora", "audit_trail"),
    "previous_page": ("bitacora", "audit_trail"),
}
TRAIL_NOTE = (
    f"Los accesos que cumplen los filtros, del más reciente al más antiguo, de {TRAIL_PAGE} en "
    f"{TRAIL_PAGE} (s página siguiente · a anterior). Consultar la bitácora queda registrado "
    "como acceso a las usuarias que lista."
)
NO_OLDER = "No hay accesos más antiguos que cumplan los filtros."


def page_line(page: int, shown: int) -> str:
    """«Página 2 · accesos 101 a 200» (the page's place in the trail, newest first)."""
    if not shown:
        return f"Página {page}"
    first = (page - 1) * TRAIL_PAGE + 1
    return f"Página {page} · accesos {first} a {first + shown - 1}"


class TrailTab(CoordinationTabs):
    class TrailLoaded(Message, bubble=False):
        def __init__(self, entries: list[AccessEntry]) -> None:
            super().__init__()
            self.entries = entries

    class StaffLoaded(Message, bubble=False):
        def __init__(self, accounts: list[AccountView]) -> None:
            super().__init__()
            self.accounts = accounts

    def __init__(self, gateway: Gateway, today: Callable[[], date], tab: str = "bitacora") -> None:
        super().__init__(gateway, today, tab)
        self.client_filter: UUID | None = None
        # The trail's pages seen, newest first: where each begins (None: the newest access).
        self.trail_pages: list[UUID | None] = [None]
        self.client_name = ""
        self._entries: dict[str, AccessEntry] = {}

    def about(self, client_id: UUID, name: str) -> None:
        """Opens with the trail filtered to one woman, named as the screen that asked shows
        her (her record was just read, audited)."""
        self.client_filter = client_id
        self.client_name = name

    def compose_bitacora(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Label("Persona", classes="filter-label")
            yield SpanishSelect[str]((), id="filtro-persona", prompt="Todas", compact=True)
            yield Label("Día", classes="filter-label")
            yield Input(placeholder="dd/mm/aaaa", id="filtro-dia", compact=True)
            yield Label("Sección", classes="filter-label")
            yield SpanishSelect[str](
                tuple((section.label, section.value) for section in Section),
                id="filtro-seccion",
                prompt="Todas",
                compact=True,
            )
        with Horizontal(classes="filters"):
            yield Label("Resultado", classes="filter-label")
            yield SpanishSelect[str](
                tuple((decision.value.capitalize(), decision.value) for decision in Decision),
                id="filtro-resultado",
                prompt="Todos",
                compact=True,
            )
            yield Label("Propósito", classes="filter-label")
            yield Input(placeholder="texto del propósito", id="filtro-proposito", compact=True)
            yield Static(
                f"Usuaria: {self.client_name} · x quita" if self.client_name else "Usuaria: todas",
                id="filtro-usuaria",
                classes="filter-label",
                markup=False,
            )
        yield Static("", id="bitacora-problema", classes="field-message -problem", markup=False)
        # Above the rows: a full page fills the screen and would hide it below.
        yield Static("", id="bitacora-pagina", classes="muted", markup=False)
        table: DataTable[str] = Table(id="bitacora-tabla", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            "Fecha y hora",
            "Persona",
            "Rol",
            "Acción",
            "Sección",
            "Resultado",
            "Usuarias",
            "Propósito",
        )
        yield table
        yield Static("", id="bitacora-detalle", classes="muted", markup=False)
        yield Static(TRAIL_NOTE, classes="muted", markup=False)

    def load_bitacora(self) -> None:
        self.run_service(lambda session: session.accounts(), self.StaffLoaded)
        self.load_trail(self.trail_pages[-1], turning=True)  # F5: the page on screen

    def fits_filter_client(self) -> bool:
        entry = self._focused_entry()
        return entry is not None and bool(entry.client_ids)

    def fits_next_page(self) -> bool:
        return len(self._entries) == TRAIL_PAGE

    def fits_previous_page(self) -> bool:
        return len(self.trail_pages) > 1

    def filters(self) -> dict[str, str]:
        def chosen(selector: str) -> str:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) else ""

        return {
            "staff": chosen("#filtro-persona"),
            "day": self.query_one("#filtro-dia", Input).value,
            "section": chosen("#filtro-seccion"),
            "outcome": chosen("#filtro-resultado"),
            "purpose": self.query_one("#filtro-proposito", Input).value,
        }

    def load_trail(self, page: UUID | None = None, *, turning: bool = False) -> None:
        """Reads one page of the trail: the newest (filters changed, F5 on the first page), or
        the one beginning after ``page`` when turning pages."""
        if not turning:
            self.trail_pages = [None]
        wanted = self.filters()
        client = self.client_filter
        before = page if turning else None
        self.query_one("#bitacora-problema", Static).update("")

        def read(session: StaffSession) -> list[AccessEntry]:
            return session.audit_trail(
                staff_id=UUID(wanted["staff"]) if wanted["staff"] else None,
                client_id=client,
                day=wanted["day"],
                section=wanted["section"],
                purpose=wanted["purpose"],
                outcome=wanted["outcome"],
                before=before,
            )

        self.run_service(read, self.TrailLoaded)

    def action_next_page(self) -> None:
        if len(self._entries) == TRAIL_PAGE:
            last = list(self._entries.values())[-1].access_id
            self.trail_pages.append(last)
            self.load_trail(last, turning=True)

    def action_previous_page(self) -> None:
        if len(self.trail_pages) > 1:
            self.trail_pages.pop()
            self.load_trail(self.trail_pages[-1], turning=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("filtro-") and "bitacora" in self.loaded:
            event.stop()
            self.load_trail()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id and event.input.id.startswith("filtro-"):
            event.stop()
            self.load_trail()
            self.query_one("#bitacora-tabla").focus()

    def action_filter_client(self) -> None:
        entry = self._focused_entry()
        if entry is None or not entry.client_ids:
            return
        self.client_filter = entry.client_ids[0]
        self.client_name = ""
        self.query_one("#filtro-usuaria", Static).update(
            f"Usuaria: la de la fila elegida ({str(self.client_filter)[:8]}…) · x quita"
        )
        self.load_trail()

    def action_clear_filters(self) -> None:
        self.client_filter = None
        self.client_name = ""
        self.query_one("#filtro-usuaria", Static).update("Usuaria: todas")
        with self.prevent(Select.Changed):
            for selector in ("#filtro-persona", "#filtro-seccion", "#filtro-resultado"):
                self.query_one(selector, Select).clear()
        for selector in ("#filtro-dia", "#filtro-proposito"):
            self.query_one(selector, Input).value = ""
        self.load_trail()

    def on_trail_tab_staff_loaded(self, message: StaffLoaded) -> None:
        select = self.query_one("#filtro-persona", Select)
        with self.prevent(Select.Changed):
            select.set_options(
                (f"{account.display_name} ({account.role})", str(account.staff_id))
                for account in message.accounts
            )

    def on_trail_tab_trail_loaded(self, message: TrailLoaded) -> None:
        if not message.entries and len(self.trail_pages) > 1:
            # The page shown had exactly a page's worth and nothing older: it stays.
            self.trail_pages.pop()
            self.notify(NO_OLDER)
            self.refresh_bindings()
            return
        table = self.query_one("#bitacora-tabla", DataTable)
        table.clear()
        self._entries = {str(entry.access_id): entry for entry in message.entries}
        for entry in message.entries:
            table.add_row(
                *cells(
                    when(entry.at),
                    entry.staff,
                    entry.role,
                    entry.action,
                    entry.section,
                    entry.outcome + (" ⚠" if entry.exceptional else ""),
                    str(len(entry.client_ids)),
                    entry.purpose,
                ),
                key=str(entry.access_id),
            )
        self.query_one("#bitacora-detalle", Static).update(
            "" if message.entries else "Ningún acceso cumple los filtros."
        )
        self.query_one("#bitacora-pagina", Static).update(
            page_line(len(self.trail_pages), len(message.entries))
        )
        self.refresh_bindings()

    def _focused_entry(self) -> AccessEntry | None:
        key = self._cursor_key("#bitacora-tabla")
        return self._entries.get(key) if key else None

    @on(DataTable.RowHighlighted, "#bitacora-tabla")
    def show_entry(self) -> None:
        entry = self._focused_entry()
        if entry is not None:
            detail = f"{entry.staff} · {entry.role} · {entry.action}: {entry.purpose}"
            if entry.justification:
                detail += f" · motivo escrito: «{entry.justification}»"
            self.query_one("#bitacora-detalle", Static).update(detail)

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, InvalidField) and self.current == "bitacora":
            self.query_one("#bitacora-problema", Static).update(error.message)
            return
        super().handle_failure(error)
