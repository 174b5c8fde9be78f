"""Coordinación's third tab: the priority zones as a ranked chart, and the catalogue's
history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tui.coordination.common import CoordinationTabs
from tui.dialogs import RowsScreen
from tui.gateway import Gateway
from tui.widgets import ZoneChart, format_date, month_label
from violeta.figures import Ranking
from violeta.zones import ZoneVersionView

# Keys of this tab -> the query each needs.
ACTIONS: dict[str, tuple[str, str]] = {"zone_history": ("zonas", "zone_history")}


class ZonesTab(CoordinationTabs):
    class ZonesLoaded(Message, bubble=False):
        def __init__(self, ranking: Ranking) -> None:
            super().__init__()
            self.ranking = ranking

    class ZoneHistoryLoaded(Message, bubble=False):
        def __init__(self, versions: list[tuple[str, list[ZoneVersionView]]]) -> None:
            super().__init__()
            self.versions = versions

    def __init__(self, gateway: Gateway, today: Callable[[], date], tab: str = "bitacora") -> None:
        super().__init__(gateway, today, tab)
        self._ranking: Ranking | None = None

    def compose_zonas(self) -> ComposeResult:
        with VerticalScroll(id="zonas-scroll"):
            yield Static("", id="zonas-periodo", classes="explain", markup=False)
            yield ZoneChart(id="zonas-grafica")
            yield Static(
                "Orden: tasa suavizada (prioridad) · Barra: tasa · ─ intervalo de 95 % · "
                "│ tasa municipal · Banda: alta, media o baja prioridad · "
                "Tendencia: 12 meses contra los 12 anteriores",
                classes="muted",
            )
            yield Static("", id="zonas-metodo", classes="muted", markup=False)

    def load_zonas(self) -> None:
        self.run_service(lambda session: session.priority_zones(), self.ZonesLoaded)

    def fits_zone_history(self) -> bool:
        return self._ranking is not None and bool(self._ranking.zones)

    def on_zones_tab_zones_loaded(self, message: ZonesLoaded) -> None:
        ranking = message.ranking
        municipal = (
            f"{ranking.municipal_rate:.1f} por 1,000 mujeres"
            if ranking.municipal_rate is not None
            else "sin datos"
        )
        self.query_one("#zonas-periodo", Static).update(
            f"Periodo {month_label(ranking.first_month)} a {month_label(ranking.last_month)} · "
            f"tasa municipal {municipal} · {len(ranking.zones)} zonas"
        )
        self.query_one("#zonas-grafica", ZoneChart).show(ranking)
        self.query_one("#zonas-metodo", Static).update(ranking.method)
        self._ranking = ranking
        self.refresh_bindings()

    def action_zone_history(self) -> None:
        codes = [zone.code for zone in self._ranking.zones] if self._ranking else []
        self.run_service(
            lambda session: [(code, session.zone_history(code)) for code in codes],
            self.ZoneHistoryLoaded,
        )

    def on_zones_tab_zone_history_loaded(self, message: ZoneHistoryLoaded) -> None:
        def women(value: int | None) -> str:
            return "—" if value is None else f"{value:,}"

        self.app.push_screen(
            RowsScreen(
                "Historial del catálogo de zonas",
                ("Clave", "Versión", "Registrada", "Nombre", "Mujeres 18–60", "Fusionada en"),
                [
                    (
                        code,
                        str(version.version),
                        format_date(version.recorded_on) if version.recorded_on else "—",
                        version.name,
                        women(version.women_18_60),
                        version.merged_into or "—",
                    )
                    for code, versions in message.versions
                    for version in versions
                ],
                empty="El catálogo no tiene zonas.",
                note="Cada cambio de nombre, población o fusión es una versión nueva",
                table_id="historial-zonas",
            )
        )
