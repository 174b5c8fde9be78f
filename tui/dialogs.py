"""Modal dialogs: the motivo of an exceptional access, a new note, and a yes-or-no question."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from domain import identity
from domain.errors import DomainError, InvalidField
from domain.permissions import JUSTIFICATION_MIN_LENGTH
from tui.footer import KeyFooter
from tui.gateway import Gateway, SessionClosed
from tui.keymap import (
    CONFIRM_KEYS,
    DUPLICATE_KEYS,
    LIST_KEYS,
    MODAL_KEYS,
    MORE_KEYS,
    Key,
    bindings,
)
from tui.widgets import Table, cells, format_date, sentence
from violeta.dto import ClientDetail


def justification_problem(text: str) -> str:
    """The Spanish reason why this motivo cannot be accepted yet, or an empty string."""
    missing = JUSTIFICATION_MIN_LENGTH - len(text.strip())
    if text.strip():
        try:
            identity.free_text("Motivo", text, max_length=identity.SHORT_TEXT_MAX)
        except InvalidField as problem:
            return sentence(problem.problem)
    if missing > 0:
        return f"Faltan {missing} caracteres (mínimo {JUSTIFICATION_MIN_LENGTH})."
    return ""


class JustificationScreen(ModalScreen[str | None]):
    """Break-the-glass: the typed reason is recorded with the access and alerts coordinación."""

    KEYMAP = MODAL_KEYS
    BINDINGS = bindings(MODAL_KEYS)
    AUTO_FOCUS = "#motivo"

    def __init__(self, explanation: str) -> None:
        super().__init__()
        self.explanation = explanation

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Acceso excepcional[/b]", classes="dialog-title")
            yield Static(self.explanation, classes="explain")
            yield Input(id="motivo", placeholder="Motivo de la consulta")
            yield Static(justification_problem(""), id="motivo-message", classes="field-message")
            yield Static("Enter registra el motivo y consulta · Esc cancela", classes="muted")
        yield KeyFooter()

    def on_input_changed(self, event: Input.Changed) -> None:
        problem = justification_problem(event.value)
        message = self.query_one("#motivo-message", Static)
        message.update(problem or "Listo: Enter para consultar.")
        message.set_class(bool(problem), "-problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        text = self.query_one("#motivo", Input).value
        if not justification_problem(text):
            self.dismiss(text.strip())

    def action_cancel(self) -> None:
        leave_asking_if_typed(
            self,
            bool(self.query_one("#motivo", Input).value.strip()),
            lambda: self.dismiss(None),
            title="Descartar el motivo",
            question="¿Salir sin consultar? El motivo escrito se perderá.",
        )


def note_problem(text: str) -> str:
    try:
        identity.free_text("Nota", text, max_length=identity.NARRATIVE_MAX)
    except InvalidField as problem:
        return sentence(problem.problem)
    return ""


class NoteScreen(ModalScreen[str | None]):
    KEYMAP = MODAL_KEYS
    BINDINGS = bindings(MODAL_KEYS)
    AUTO_FOCUS = "#nota"

    def __init__(self, section_label: str) -> None:
        super().__init__()
        self.section_label = section_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]Nueva nota · {self.section_label}[/b]", classes="dialog-title")
            yield TextArea(id="nota", soft_wrap=True)
            yield Static("", id="nota-message", classes="field-message", markup=False)
            yield Static("Ctrl+S guarda la nota · Esc cancela", classes="muted")
        yield KeyFooter()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        problem = note_problem(event.text_area.text) if event.text_area.text else ""
        message = self.query_one("#nota-message", Static)
        message.update(problem)
        message.set_class(bool(problem), "-problem")

    def action_submit(self) -> None:
        text = self.query_one("#nota", TextArea).text
        problem = note_problem(text)
        if problem:
            message = self.query_one("#nota-message", Static)
            message.update(problem)
            message.add_class("-problem")
            return
        self.dismiss(text.strip())

    def action_cancel(self) -> None:
        leave_asking_if_typed(
            self,
            bool(self.query_one("#nota", TextArea).text.strip()),
            lambda: self.dismiss(None),
            title="Descartar la nota",
            question="¿Salir sin guardar? Lo escrito en esta nota se perderá.",
        )


class ConfirmScreen(ModalScreen[bool]):
    """A consequential step asks first: Enter confirms, Esc leaves everything as it was."""

    KEYMAP = CONFIRM_KEYS
    BINDINGS = bindings(CONFIRM_KEYS)

    def __init__(self, title: str, question: str, *, confirm: str = "confirma") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.question, classes="explain", markup=False)
            yield Static(f"Enter {self.confirm.lower()} · Esc cancela", classes="muted")
        yield KeyFooter()

    def action_submit(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class DuplicateScreen(ModalScreen[bool]):
    """A possible duplicate: the matching records, and a deliberate «she is someone else».

    The service names the candidates by id only. Comparing needs their data, which is an
    audited read: it happens only when the person asks for it (v), never by itself.
    """

    KEYMAP = DUPLICATE_KEYS
    BINDINGS = bindings(DUPLICATE_KEYS)

    class Compared(Message, bubble=False):
        def __init__(self, details: list[ClientDetail]) -> None:
            super().__init__()
            self.details = details

    class Failed(Message, bubble=False):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, gateway: Gateway, candidates: Sequence[UUID]) -> None:
        super().__init__()
        self.gateway = gateway
        self.candidates = list(candidates)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="duplicados"):
            yield Static("[b]Posible registro duplicado[/b]", classes="dialog-title")
            yield Static(
                f"{len(self.candidates)} registro(s) coinciden en nombre, CURP o teléfono. "
                "Compare antes de continuar: si es la misma mujer, cancele y búsquela; si es "
                "otra persona, confírmelo para registrarla.",
                classes="explain",
            )
            table: DataTable[Text] = Table(id="candidatas", cursor_type="none")
            table.add_columns("Registro", "Nombre", "Nacimiento", "Zona", "Registrada el")
            for candidate in self.candidates:
                table.add_row(*cells(str(candidate)[:8], "—", "—", "—", "—"), key=str(candidate))
            yield table
            yield Static(
                "v muestra sus datos (consulta registrada) · c confirma que es otra persona · "
                "Esc vuelve al formulario",
                id="duplicados-ayuda",
                classes="muted",
            )
        yield KeyFooter()

    def action_compare(self) -> None:
        candidates = self.candidates

        def job() -> None:
            try:
                details = self.gateway.call(
                    lambda session: [session.client_detail(c) for c in candidates]
                )
            except SessionClosed:
                return
            except DomainError as error:
                self.post_message(self.Failed(error.message))
                return
            self.post_message(self.Compared(details))

        self.run_worker(job, thread=True, group="service")

    def on_duplicate_screen_compared(self, message: Compared) -> None:
        table = self.query_one("#candidatas", DataTable)
        table.clear()
        for detail in message.details:
            table.add_row(
                *cells(
                    str(detail.client_id)[:8],
                    detail.name,
                    detail.birth_date,
                    detail.zone_name,
                    format_date(detail.registered_on),
                ),
                key=str(detail.client_id),
            )

    def on_duplicate_screen_failed(self, message: Failed) -> None:
        self.query_one("#duplicados-ayuda", Static).update(message.text)

    def action_confirm_other(self) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(True)

        self.app.push_screen(
            ConfirmScreen(
                "Confirmar registro",
                "¿Confirma que no es ninguna de las usuarias que coinciden y que desea "
                "registrarla como una persona distinta?",
                confirm="Registrar como otra persona",
            ),
            answered,
        )

    def action_cancel(self) -> None:
        self.dismiss(False)


FORM_DISCARD_QUESTION = "¿Salir sin guardar? Lo escrito en este formulario se perderá."


def leave_asking_if_typed(
    screen: Screen[Any],
    typed: bool,
    leave: Callable[[], object],
    *,
    title: str = "Descartar lo escrito",
    question: str = FORM_DISCARD_QUESTION,
) -> None:
    """Esc with something typed asks before throwing it away; with nothing typed it leaves."""
    if not typed:
        leave()
        return

    def answered(discard: bool | None) -> None:
        if discard:
            leave()

    screen.app.push_screen(ConfirmScreen(title, question, confirm="Descartar"), answered)


class RowsScreen(ModalScreen[None]):
    """A list read from the service shown over the screen that asked for it; Esc closes."""

    KEYMAP = LIST_KEYS
    BINDINGS = bindings(LIST_KEYS)

    def __init__(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        empty: str,
        note: str = "",
        table_id: str = "filas",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.columns = tuple(columns)
        self.rows = [tuple(row) for row in rows]
        self.empty = empty
        self.note = note
        self.table_id = table_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content.from_markup("[b]$title[/b]", title=self.title_text),
                classes="dialog-title",
            )
            table: DataTable[Text] = Table(id=self.table_id, cursor_type="row")
            table.add_columns(*self.columns)
            for row in self.rows:
                table.add_row(*cells(*row))
            yield table
            yield Static(
                "" if self.rows else self.empty,
                id=f"{self.table_id}-vacio",
                classes="muted",
                markup=False,
            )
            yield Static(
                f"{self.note} · Esc cierra" if self.note else "Esc cierra", classes="muted"
            )
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)


class MoreScreen(ModalScreen[str | None]):
    """A screen's keys that have no room in its footer, as a list: Enter runs the one chosen
    (its action, returned to the screen), each shown with its key for next time."""

    KEYMAP = MORE_KEYS
    BINDINGS = bindings(MORE_KEYS)

    def __init__(self, keys: Sequence[Key]) -> None:
        super().__init__()
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Más acciones", classes="dialog-title")
            yield OptionList(
                *(Option(f"{key.label}  {key.title}", id=key.action) for key in self.keys),
                id="mas-lista",
            )
            yield Static(
                "Enter elige · Esc cierra · cada tecla sirve también sin esta lista",
                classes="muted",
            )
        yield KeyFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
