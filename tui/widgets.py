"""Widgets that only render what they are given; none of them talks to the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeVar

from rich._ratio import ratio_distribute
from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select, SelectionList, Static
from textual.widgets._select import SelectCurrent, SelectOverlay
from textual.widgets._selection_list import SelectionType
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from domain import identity
from domain.errors import InvalidField
from violeta.dto import StaffIdentity
from violeta.figures import Ranking, ZonePriority

Check = Callable[[str], object]
CellType = TypeVar("CellType")


def format_date(value: date) -> str:
    return identity.format_date(value)


def cells(*values: str) -> tuple[Text, ...]:
    """Table cells as plain text: a value like "[dato eliminado]" is data, not markup."""
    return tuple(Text(value) for value in values)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class Table(DataTable[CellType]):
    """A DataTable whose header row always follows its columns' widths.

    DataTable measures new rows when the app is idle. If it is drawn in between (a loaded
    machine, right after its rows were replaced), the header line is cached at the old widths
    and stays misaligned over correctly drawn rows until something else redraws it. After
    each measurement this table drops its line caches and redraws.
    """

    async def _on_idle(self, _event: events.Idle) -> None:
        # Textual runs this handler before DataTable's own (it walks the class hierarchy),
        # so the redraw is queued to run after the measurement.
        if self._require_update_dimensions or self._updated_cells:
            self.call_later(self._redraw_measured)

    def _redraw_measured(self) -> None:
        self._clear_caches()
        self.refresh()


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


class TopBar(Static):
    def __init__(self, title: str, staff: StaffIdentity) -> None:
        super().__init__(
            Content.from_markup(
                "[b]Violeta[/b] · $title    $name · $role",
                title=title,
                name=staff.display_name,
                role=staff.role.label,
            ),
            id="topbar",
        )


class Counter(Static):
    """One figure of Mi día with its caption."""

    def __init__(self, caption: str, *, id: str) -> None:
        super().__init__(id=id, classes="counter")
        self.caption = caption

    def show(self, value: int) -> None:
        self.update(f"[b]{value}[/b]\n{self.caption}")


class FieldGrid(Widget):
    """Labelled values two to a row (a record's fields), drawn as one widget.

    One widget instead of a label and a value widget per field: a woman's record has fifteen
    fields, and thirty widgets were half the time it took to show it. The lines are laid out
    here (a label column, its value wrapped in the column beside it, as a table without
    borders would) and kept until the values or the width change: a Rich table measured and
    drew the whole grid again on every layout."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"field-grid--label"}
    DEFAULT_CSS = """
    FieldGrid { height: auto; }
    """
    LABEL_WIDTH = 20

    def __init__(self, labels: tuple[tuple[str, str], ...], *, id: str) -> None:
        super().__init__(id=id)
        self.labels = labels
        self.values: dict[str, str] = dict.fromkeys((key for key, _ in labels), "…")
        self._drawn: tuple[tuple[object, ...], list[Text]] | None = None

    def show(self, values: dict[str, str]) -> None:
        self.values = {key: values.get(key, "") for key, _ in self.labels}
        self.refresh(layout=True)

    def value(self, key: str) -> str:
        """What the field shows (plain text)."""
        return self.values[key]

    def _lines(self, width: int) -> list[Text]:
        label_style = self.get_component_rich_style("field-grid--label")
        key = (width, tuple(self.values.values()), label_style)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        # A label keeps one column free on each side, as a padded label widget did; the two
        # value columns share the rest.
        label_width = self.LABEL_WIDTH + 2
        value_widths = ratio_distribute(max(2, width - 2 * label_width), [1, 1], [1, 1])
        console = self.app.console
        cells: list[tuple[Text, int]] = []
        for index, (field, label) in enumerate(self.labels):
            cells.append((Text(f" {label}", style=label_style), label_width))
            cells.append((Text(self.values[field]), value_widths[index % 2]))
        lines: list[Text] = []
        for start in range(0, len(cells), 4):
            row = cells[start : start + 4]
            wrapped = [
                text.wrap(console, cell_width, overflow="fold") if text.plain else [Text("")]
                for text, cell_width in row
            ]
            for index in range(max(len(cell_lines) for cell_lines in wrapped)):
                line = Text(no_wrap=True, end="")
                for cell_lines, (text, cell_width) in zip(wrapped, row, strict=True):
                    piece = cell_lines[index].copy() if index < len(cell_lines) else Text("")
                    piece.style = text.style
                    piece.truncate(cell_width, pad=True)
                    line.append_text(piece)
                lines.append(line)
        self._drawn = (key, lines)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> RenderableType:
        return Text("\n", no_wrap=True, end="").join(self._lines(self.content_size.width))


class FormField(Vertical):
    """Label, input and the Spanish message of what is wrong with it, checked as you type.

    ``check`` is a domain validator: it raises ``InvalidField`` with the problem in Spanish.
    Problems are only shown once something was typed, or after an attempt to save.
    """

    def __init__(
        self,
        label: str,
        check: Check,
        *,
        id: str,
        placeholder: str = "",
        password: bool = False,
        hint: str = "",
    ) -> None:
        super().__init__(id=id, classes="field")
        self.label = label
        self.check = check
        self._input = Input(placeholder=placeholder, password=password, id=f"{id}-input")
        self._hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        yield self._input
        yield Static(self._hint, classes="field-message", markup=False)

    @property
    def value(self) -> str:
        return self._input.value

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.validate(show_empty=False)

    def validate(self, *, show_empty: bool = True) -> bool:
        """True when the value passes the check; shows or clears the message under the field."""
        try:
            self.check(self.value)
        except InvalidField as problem:
            if self.value.strip() or show_empty:
                self.show_problem(sentence(problem.problem))
            else:
                self.show_problem("")
            return False
        self.show_problem("")
        return True

    def show_problem(self, text: str) -> None:
        message = self.query_one(".field-message", Static)
        message.update(text or self._hint)
        message.set_class(bool(text), "-problem")
        self._input.set_class(bool(text), "-invalid")

    def clear(self) -> None:
        self._input.value = ""
        self.show_problem("")


class ChoiceField(Vertical):
    """A label, a control that is not a one-line input, and the message about it."""

    def __init__(self, label: str, control: Widget, *, id: str, hint: str = "") -> None:
        super().__init__(id=id, classes="field")
        self.label = label
        self.control = control
        self._hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        yield self.control
        yield Static(self._hint, classes="field-message", markup=False)

    def show_problem(self, text: str) -> None:
        message = self.query_one(".field-message", Static)
        message.update(text or self._hint)
        message.set_class(bool(text), "-problem")


class MarkedSelectionList(SelectionList[SelectionType]):
    """A multi-select whose chosen items carry a ✓, so the choice never rests on colour."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        mark = "✓" if option.value in set(self.selected) else " "
        segments: list[Segment] = []
        replaced = False
        for segment in strip:
            if not replaced and segment.text == ToggleButton.BUTTON_INNER:
                segments.append(Segment(mark, segment.style, segment.control))
                replaced = True
            else:
                segments.append(segment)
        return Strip(segments, strip.cell_length)


class SpanishSelectOverlay(SelectOverlay):
    """Textual's drop-down list, with its one footer key in Spanish."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cerrar la lista")]


class SpanishSelect(Select[SelectionType]):
    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield SpanishSelectOverlay(type_to_search=self._type_to_search).data_bind(
            compact=Select.compact
        )


def progress_bar(done: int, target: int, width: int = 12) -> str:
    """«██████░░░░░░ 50 %»: the share of a target done, drawn and written (never colour only).
    Past the target the bar is full and the figure says by how much."""
    if target <= 0:
        return "sin meta"
    share = done / target
    filled = min(width, round(width * share))
    return f"{'█' * filled}{'░' * (width - filled)} {round(100 * share)} %"


def month_label(month: str) -> str:
    """«2026-03» -> «03/2026» (how staff write a month)."""
    return f"{month[5:7]}/{month[:4]}" if len(month) == 7 else month


BAND_STYLES = {"alta": "bold red", "media": "yellow", "baja": "green"}
TREND_MARKS = {"sube": "↑ sube", "baja": "↓ baja", "estable": "→ estable"}


class ZoneChart(Widget):
    """The priority-zone ranking as horizontal bars, in the ranking's order (its smoothed
    rate, so a small zone cannot top it on one case).

    Each bar is the zone's rate per 1,000 women; ``─`` runs over its 95 % interval and ``│``
    marks the municipal rate. The row also writes the rate with its interval, the band and the
    trend in words, so nothing rests on colour. Zones without a denominator close the list.
    Takes the ranking as given (``show``); it never asks the service.
    """

    DEFAULT_CSS = """
    ZoneChart {
        height: auto;
        padding: 0 1;
    }
    """

    NAME_WIDTH = 22

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._ranking: Ranking | None = None

    def show(self, ranking: Ranking) -> None:
        self._ranking = ranking
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self._ranking is None:
            return 1
        unranked = any(zone.rate is None for zone in self._ranking.zones)
        return len(self._ranking.zones) + 1 + int(unranked)

    @staticmethod
    def figures(zone: ZonePriority) -> str:
        rate = f"{zone.rate:6.1f} ‰" if zone.rate is not None else "     — ‰"
        interval = (
            f"[{zone.rate_low:5.1f}–{zone.rate_high:5.1f}]"
            if zone.rate_low is not None and zone.rate_high is not None
            else " " * 13
        )
        band = zone.band.value.capitalize() if zone.band is not None else ""
        trend = zone.trend
        mark = TREND_MARKS.get(trend.direction, trend.direction)
        return f" {rate} {interval} {band:<6} {mark} {trend.previous}→{trend.current}"

    def render(self) -> Text:
        ranking = self._ranking
        if ranking is None:
            return Text("Cargando…")
        width = max(40, self.content_size.width)
        ranked = [zone for zone in ranking.zones if zone.rate is not None]
        figures = {zone.code: self.figures(zone) for zone in ranked}
        widest = max((len(text) for text in figures.values()), default=0)
        bar_width = max(8, width - 6 - self.NAME_WIDTH - widest)
        top = max([zone.rate_high or zone.rate or 0.0 for zone in ranked] + [0.0])
        top = max(top, ranking.municipal_rate or 0.0)
        scale = bar_width / top if top > 0 else 0.0
        municipal = (
            min(bar_width - 1, round(ranking.municipal_rate * scale))
            if ranking.municipal_rate is not None and scale
            else None
        )
        text = Text(no_wrap=True, overflow="crop")
        lead = 6 + self.NAME_WIDTH
        text.append(" " * lead)
        text.append(
            "Tasa por 1,000 mujeres · ─ IC 95 % · │ municipal".ljust(bar_width)[:bar_width],
            style="dim",
        )
        text.append(" Tasa    [IC 95 %]     Banda  Tendencia\n"[: width - lead - bar_width + 1])
        for zone in ranked:
            band = zone.band.value if zone.band is not None else ""
            style = BAND_STYLES.get(band, "")
            filled = min(bar_width, round((zone.rate or 0.0) * scale))
            low = round((zone.rate_low or 0.0) * scale)
            high = min(bar_width, round((zone.rate_high or 0.0) * scale))
            cells = [
                "█" if i < filled else "─" if low <= i < high else " " for i in range(bar_width)
            ]
            if municipal is not None:
                cells[municipal] = "┃" if municipal < filled else "│"
            name = zone.name
            if len(name) > self.NAME_WIDTH:
                name = name[: self.NAME_WIDTH - 1] + "…"
            text.append(f"{zone.rank or '':>3}  {name:<{self.NAME_WIDTH}} ")
            text.append("".join(cells), style=style)
            text.append(figures[zone.code][: max(0, width - lead - bar_width)] + "\n", style=style)
        unranked = [zone for zone in ranking.zones if zone.rate is None]
        if unranked:
            names = ", ".join(zone.name for zone in unranked)
            text.append(
                f"Sin población de referencia (no se ordenan): {names}"[:width], style="dim"
            )
        return text
