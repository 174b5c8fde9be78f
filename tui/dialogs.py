"""Modal dialogs: the motivo of an exceptional access, a new note, and a yes-or-no question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static, TextArea

from domain import identity
from domain.errors import InvalidField
from domain.permissions import JUSTIFICATION_MIN_LENGTH
from tui.keymap import CONFIRM_KEYS, MODAL_KEYS, bindings
from tui.widgets import sentence


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
        yield Footer()

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
        self.dismiss(None)


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
        yield Footer()

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
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A consequential step asks first: Enter confirms, Esc leaves everything as it was."""

    KEYMAP = CONFIRM_KEYS
    BINDINGS = bindings(CONFIRM_KEYS)

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.question, classes="explain", markup=False)
            yield Static("Enter confirma · Esc cancela", classes="muted")
        yield Footer()

    def action_submit(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
