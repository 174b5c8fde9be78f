"""Textual's command palette, speaking Spanish: its keys, its placeholder, its «no matches»."""

from __future__ import annotations

from typing import ClassVar

from rich.align import Align
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

NO_MATCHES = "Ningún comando coincide"


class SpanishCommandPalette(CommandPalette):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+end, shift+end", "command_list('last')", "Ir al final", show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", "Ir al principio", show=False),
        Binding("down", "cursor_down", "Comando siguiente", show=False),
        Binding("escape", "escape", "Cerrar la lista de comandos", key_display="Esc"),
        Binding("pagedown", "command_list('page_down')", "Página siguiente", show=False),
        Binding("pageup", "command_list('page_up')", "Página anterior", show=False),
        Binding("up", "command_list('cursor_up')", "Comando anterior", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(placeholder="Buscar comando…", id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own version writes «No matches found»; this one is the same, in Spanish.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(NO_MATCHES, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
