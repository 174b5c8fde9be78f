"""A row of tabs drawn as one widget (it only renders; the screen decides what a tab shows)."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget


class SectionTabs(Widget, can_focus=True):
    """A row of tabs with a bar under the active one, drawn as one widget.

    Textual's TabbedContent is about twenty widgets (a tab each, their containers, the bar,
    the panes' switcher), restyled and laid out again on each change; the case screen's were
    a third of the time it took to open a case. This draws the same two lines; ← and → move,
    a click chooses. Choosing a tab only posts ``Activated``: what the tab shows is the
    screen's business. A tab may carry marks (CSS-like names such as ``-exceptional``), each
    drawn with the component class ``section-tabs--<mark>``.
    """

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Pestaña anterior", show=False),
        Binding("right", "move(1)", "Pestaña siguiente", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "section-tabs--tab",
        "section-tabs--active",
        "section-tabs--cursor",
        "section-tabs--hover",
        "section-tabs--bar",
        "section-tabs--bar-focus",
        "section-tabs--exceptional",
        "section-tabs--no-access",
    }
    DEFAULT_CSS = """
    SectionTabs {
        width: 1fr;
        height: 2;
        & > .section-tabs--tab { color: $foreground 50%; }
        & > .section-tabs--active { color: $foreground; }
        & > .section-tabs--hover { color: $foreground; }
        & > .section-tabs--cursor {
            text-style: $block-cursor-text-style;
            color: $block-cursor-foreground;
            background: $block-cursor-background;
        }
        & > .section-tabs--bar {
            color: $block-cursor-background;
            background: $foreground 10%;
        }
        & > .section-tabs--bar-focus {
            color: $block-cursor-background;
            background: $foreground 30%;
        }
    }
    """
    PADDING = 1  # cells each side of a label

    class Activated(Message):
        """She chose another tab (with the keys, a click, or ``activate``)."""

        def __init__(self, tabs: SectionTabs, tab: str) -> None:
            super().__init__()
            self.tabs = tabs
            self.tab = tab

        @property
        def control(self) -> SectionTabs:
            return self.tabs

    def __init__(self, tabs: tuple[tuple[str, str], ...], *, active: str, id: str) -> None:
        super().__init__(id=id)
        self.tabs = tabs
        self.active = active
        self._marks: dict[str, frozenset[str]] = {}
        self._hover: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(tab for tab, _ in self.tabs)

    def set_marks(self, tab: str, *marks: str) -> None:
        self._marks[tab] = frozenset(marks)
        self.refresh()

    def has_mark(self, tab: str, mark: str) -> bool:
        return mark in self._marks.get(tab, frozenset())

    def activate(self, tab: str) -> None:
        if tab in self.ids and tab != self.active:
            self.active = tab
            self.refresh()
            self.post_message(self.Activated(self, tab))

    def show_active(self, tab: str) -> None:
        """Marks ``tab`` as the active one without announcing it (the screen chose it)."""
        if tab in self.ids and tab != self.active:
            self.active = tab
            self.refresh()

    def action_move(self, step: int) -> None:
        ids = self.ids
        self.activate(ids[(ids.index(self.active) + step) % len(ids)])

    def _spans(self) -> list[tuple[int, int, str]]:
        """(first cell, last cell + 1, tab) of each label, padding included, before scrolling."""
        spans, x = [], 0
        for tab, label in self.tabs:
            width = cell_len(label) + 2 * self.PADDING
            spans.append((x, x + width, tab))
            x += width
        return spans

    def _scroll(self, spans: list[tuple[int, int, str]]) -> int:
        """How many cells the row is moved left so the active tab is whole on screen."""
        end = next(end for _, end, tab in spans if tab == self.active)
        return max(0, end - self.size.width)

    def _tab_style(self, tab: str) -> Style:
        names = ["section-tabs--tab"]
        if tab == self.active:
            names.append("section-tabs--active")
        elif tab == self._hover:
            names.append("section-tabs--hover")
        if tab == self.active and self.has_focus:
            names.append("section-tabs--cursor")
        style = Style()
        for name in names:
            style += self.get_component_rich_style(name)
        # A mark keeps its colour and strike on the cursor too (as the app's CSS for
        # Textual's tabs did: it outranked their built-in focus style).
        for mark in sorted(self._marks.get(tab, ())):
            marked = self.get_component_rich_style(f"section-tabs-{mark}")
            style += Style(color=marked.color, strike=marked.strike)
        return style

    def render(self) -> Text:
        width = self.size.width
        spans = self._spans()
        scroll = self._scroll(spans)
        labels = Text(no_wrap=True, overflow="crop", end="")
        pad = " " * self.PADDING
        for (tab, label), (_start, _end, _) in zip(self.tabs, spans, strict=True):
            labels.append(f"{pad}{label}{pad}", self._tab_style(tab))
        labels = labels[scroll : scroll + width]
        bar_style = self.get_component_rich_style(
            "section-tabs--bar-focus" if self.has_focus else "section-tabs--bar"
        )
        start, end = next((s, e) for s, e, tab in spans if tab == self.active)
        start, end = start + self.PADDING - scroll, end - self.PADDING - scroll
        background = Style.from_color(bar_style.bgcolor)
        highlight = Style.from_color(bar_style.color)
        bar = Text(end="")
        # As Textual's underline draws it: ━ all along, the active part in the accent colour,
        # half bars at its ends.
        bar.append("━" * max(0, start - 1), background)
        if start > 0:
            bar.append("╸", background)
        bar.append("━" * (end - start), highlight)
        if end < width:
            bar.append("╺", background)
            bar.append("━" * max(0, width - end - 1), background)
        return Text("\n", end="").join([labels, bar])

    def _at(self, x: int) -> str | None:
        spans = self._spans()
        scroll = self._scroll(spans)
        return next((tab for start, end, tab in spans if start <= x + scroll < end), None)

    def on_click(self, event: events.Click) -> None:
        tab = self._at(event.x)
        if tab is not None:
            self.activate(tab)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        tab = self._at(event.x) if event.y == 0 else None
        if tab != self._hover:
            self._hover = tab
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_focus(self, _event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, _event: events.Blur) -> None:
        self.refresh()
