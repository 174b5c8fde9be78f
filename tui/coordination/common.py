"""What the four tabs of Coordinación share: which tab shows, what each read already, and
the row under a table's cursor. Each tab is a mixin of ``CoordinationScreen`` (its own module)
that composes ``compose_<tab>``, reads in ``load_<tab>`` and says in ``fits_<action>`` whether
the rows on screen allow one of its keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from textual.widgets import DataTable

from tui.base import SessionScreen
from tui.gateway import Gateway
from tui.roles import offered

# Tab -> (title, the query the service's policy must allow for it to be shown).
TABS: dict[str, tuple[str, str]] = {
    "bitacora": ("Bitácora de accesos", "audit_trail"),
    "alertas": ("Alertas", "alerts"),
    "zonas": ("Zonas prioritarias", "priority_zones"),
    "actividades": ("Actividades y metas", "target_progress"),
}


def when(moment: datetime) -> str:
    """A moment as staff read it: dd/mm/aaaa hh:mm, Mexico City time (the service's)."""
    return moment.strftime("%d/%m/%Y %H:%M")


class CoordinationTabs(SessionScreen):
    def __init__(self, gateway: Gateway, today: Callable[[], date], tab: str = "bitacora") -> None:
        super().__init__(gateway)
        self.tabs = [name for name, (_title, query) in TABS.items() if offered(gateway, query)]
        self.start = tab if tab in self.tabs else (self.tabs or ["actividades"])[0]
        self.current = self.start
        self.loaded: set[str] = set()

    def load(self, name: str) -> None:
        self.loaded.add(name)
        self.mark_fresh()
        getattr(self, f"load_{name}")()

    def action_reload(self) -> None:
        self.loaded.discard(self.current)
        self.load(self.current)

    def _fits(self, action: str) -> bool:
        """What the rows on screen allow (a key without a ``fits_`` method: always)."""
        fits = getattr(self, f"fits_{action}", None)
        return fits is None or bool(fits())

    def _cursor_key(self, selector: str) -> str | None:
        tables = self.query(selector)
        if not tables:
            return None
        table = tables.first(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # What a key may do depends on the row under the cursor (a tab's own handler, if it
        # shows something of the row, runs before this one: Textual calls subclasses first).
        self.refresh_bindings()
