"""Ayuda: the keys of the screen in use and of the whole application."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui.footer import KeyFooter
from tui.keymap import HELP_KEYS, Key, bindings
from tui.widgets import Table


class HelpScreen(ModalScreen[None]):
    KEYMAP = HELP_KEYS
    BINDINGS = bindings(HELP_KEYS)

    def __init__(self, screen_title: str, screen_keys: Sequence[Key], app_keys: Sequence[Key]):
        super().__init__()
        self.screen_title = screen_title
        self.screen_keys = screen_keys
        self.app_keys = app_keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static("[b]Ayuda · teclas[/b]", classes="dialog-title")
            if self.screen_keys:
                yield Static(f"En esta pantalla ({self.screen_title})", classes="section-title")
                yield self.table(self.screen_keys)
            yield Static("En toda la aplicación", classes="section-title")
            yield self.table(self.app_keys)
            yield Static(
                "Tab y Mayús+Tab cambian de campo · Ctrl+P abre la lista de comandos · "
                "Esc cierra esta ayuda",
                classes="muted",
            )
        yield KeyFooter()

    @staticmethod
    def table(keys: Sequence[Key]) -> DataTable[str]:
        table: DataTable[str] = Table(cursor_type="none", show_header=False)
        table.add_columns("Tecla", "Acción")
        for key in keys:
            table.add_row(key.label, key.title)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
