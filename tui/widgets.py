"""Widgets that only render what they are given; none of them talks to the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar, TypeVar

from rich._ratio import ratio_distribute
from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
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


def update_line(static: Static, text: str) -> None:
    """Shows ``text`` in ``static``, laying the screen out again only if its height may change:
    a one-line text replacing another one-line text (both fitting its width) keeps it."""

    def one_line(value: str) -> bool:
        return "\n" not in value and 0 < cell_len(value) <= static.content_size.width

    old = static.content
    same_height = isinstance(old, str) and (old == "" or one_line(old)) and one_line(text)
    static.update(text, layout=not same_height)


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

    def measure_now(self) -> None:
        """Measures the rows just added now, as DataTable does when the app is next idle
        (the same steps, in the same order): the table is then laid out and drawn once, at
        its final widths, instead of drawn, measured, laid out and drawn again (for a
        one-row list, a tenth of the time it took to show it)."""
        if self._updated_cells:
            updated_cells = self._updated_cells.copy()
            self._updated_cells.clear()
            self._update_column_widths(updated_cells)
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)


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
                # Most values fit their column on one line: wrapping them is the slow part.
                [text]
                if "\n" not in text.plain and text.cell_len <= cell_width
                else text.wrap(console, cell_width, overflow="fold")
                if text.plain
                else [Text("")]
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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cerrar la lista", key_display="Esc")
    ]


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
