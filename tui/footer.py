"""The footer: the screen's keys on one line, drawn as one widget (it only renders)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class FooterEntry:
    """One key of the footer: the key pressed, how it is spelled, what it does."""

    key: str
    display: str
    description: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """The screen's keys on one line, drawn as one widget; a click on a key presses it.

    Textual's footer is a container with a widget per key, rebuilt (styles, layout) whenever
    the screen's bindings may have changed: on the way from search to a case that was about
    a third of the app's work. This draws the same line as its compact style (the keys in
    the order of the bindings, one per action, the command palette's key on the right) and
    repaints only when the keys it shows change. It keeps the spans of the keys to map a
    click back to the key.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--separator",
        "key-footer--hover",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--separator {
            color: $foreground 20%;
        }
        .key-footer--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[FooterEntry, ...] = ()
        self._palette: FooterEntry | None = None
        # (first cell, last cell + 1, key) of each key as last drawn.
        self._spans: list[tuple[int, int, FooterEntry]] = []
        self._hover: FooterEntry | None = None
        self._pending = False

    def on_mount(self) -> None:
        # Read when the screen first signals its bindings, as Textual's footer does: before
        # that, a screen's checks may look for widgets it has not mounted yet.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # A screen signals many times per change (each focus move, each refresh_bindings):
        # the keys are read once, after the refresh that follows them.
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._read_keys)

    def _read_keys(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        active = self.screen.active_bindings
        shown: dict[str, FooterEntry] = {}
        for _, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = FooterEntry(
                    binding.key, self.app.get_key_display(binding), binding.description, enabled
                )
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = FooterEntry(
                binding.key, self.app.get_key_display(binding), binding.description, enabled
            )
        keys = tuple(shown.values())
        if (keys, palette) != (self._shown, self._palette):
            self._shown, self._palette = keys, palette
            self.refresh()

    @property
    def descriptions(self) -> tuple[str, ...]:
        """What the footer shows, key by key (the palette's last)."""
        entries = (*self._shown, *([self._palette] if self._palette else []))
        return tuple(f"{entry.display} {entry.description}" for entry in entries)

    def _entry(self, entry: FooterEntry) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        text = Text.assemble(
            (entry.display, key_style), (f" {entry.description}", description_style)
        )
        if entry is self._hover:
            text.stylize(self.get_component_rich_style("key-footer--hover", partial=True))
        if not entry.enabled:
            text.stylize(Style(dim=True))
        return text

    def render(self) -> Text:
        width = self.size.width
        spans: list[tuple[int, int, FooterEntry]] = []
        line = Text(no_wrap=True, overflow="crop", end="")
        right = Text(no_wrap=True, end="")
        if self._palette is not None:
            right.append("▏", self.get_component_rich_style("key-footer--separator"))
            right.append_text(self._entry(self._palette))
            right.append(" ")
        room = max(0, width - right.cell_len)
        for entry in self._shown:
            piece = self._entry(entry)
            start = line.cell_len
            if start + piece.cell_len > room:
                break
            line.append_text(piece)
            spans.append((start, line.cell_len, entry))
            line.append(" ")
        if self._palette is not None and right.cell_len <= width:
            line.truncate(room, pad=True)
            start = line.cell_len + 1
            line.append_text(right)
            spans.append((start, start + right.cell_len - 2, self._palette))
        self._spans = spans
        return line

    def _at(self, x: int) -> FooterEntry | None:
        return next((entry for start, end, entry in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self._at(event.x)
        if entry is not self._hover:
            self._hover = entry
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self._at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
