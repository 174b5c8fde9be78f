"""The screen of Coordinación: its four tabs (one mixin each), which of them a role sees, and
which of their keys apply to the tab shown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import TabbedContent, TabPane

from tui.coordination import activities, alerts, trail, zones
from tui.coordination.activities import ActivitiesTab
from tui.coordination.alerts import AlertsTab
from tui.coordination.common import TABS
from tui.coordination.trail import TrailTab
from tui.coordination.zones import ZonesTab
from tui.keymap import COORDINATION_KEYS, bindings
from tui.roles import offered
from tui.widgets import TopBar

# Keys of this screen that belong to one tab, and the command each runs (if it writes).
TAB_ACTIONS: dict[str, tuple[str, str]] = {
    **trail.ACTIONS,
    **alerts.ACTIONS,
    **zones.ACTIONS,
    **activities.ACTIONS,
}


class CoordinationScreen(TrailTab, AlertsTab, ZonesTab, ActivitiesTab):
    KEYMAP = COORDINATION_KEYS
    BINDINGS = bindings(COORDINATION_KEYS)
    TITLE_TEXT = "Coordinación"
    RELOADABLE = True

    def compose_frame(self) -> ComposeResult:
        only_activities = self.tabs == ["actividades"]
        title = "Actividades del plan de trabajo" if only_activities else self.TITLE_TEXT
        yield TopBar(title, self.gateway.identity)

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        with TabbedContent(id="coordinacion", initial=self.start):
            for name in self.tabs:
                with TabPane(TABS[name][0], id=name):
                    yield from getattr(self, f"compose_{name}")()
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.show_tab(self.start)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        if event.pane.id is not None:
            self.show_tab(event.pane.id)

    def action_tab(self, name: str) -> None:
        if name in self.tabs:
            self.query_one(TabbedContent).active = name

    def show_tab(self, name: str) -> None:
        self.current = name
        self.refresh_bindings()
        if name not in self.loaded:
            self.load(name)
        focus = {
            "bitacora": "#bitacora-tabla",
            "alertas": "#alertas-tabla",
            "actividades": "#metas",
        }
        if name in focus:
            self.query_one(focus[name]).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tab":
            return bool(parameters) and parameters[0] in self.tabs
        rule = TAB_ACTIONS.get(action)
        if rule is None:
            return True
        tab, command = rule
        if self.current != tab or not offered(self.gateway, command):
            return False
        return self._fits(action)
