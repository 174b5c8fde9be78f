"""Coordinación's second tab: the alerts of the trail's analysis, and their acknowledgement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.coordination.common import CoordinationTabs, when
from tui.forms import Field
from tui.gateway import Gateway
from tui.records import RecordForm, RecordScreen
from tui.widgets import Table, cells
from violeta.alerts import AlertView

# Keys of this tab -> the command each runs (or the query it needs).
ACTIONS: dict[str, tuple[str, str]] = {
    "acknowledge": ("alertas", "acknowledge_alert"),
    "toggle_acknowledged": ("alertas", "alerts"),
}


def acknowledge_form(alert: AlertView) -> RecordForm:
    return RecordForm(
        title="Atender alerta",
        done="Alerta atendida.",
        method="acknowledge_alert",
        fields=(
            Field(
                "nota",
                "Nota",
                "text",
                hint="Qué encontró (p. ej. «acceso justificado por guardia»). Sin datos de ella.",
            ),
        ),
        save=lambda session, alert_id, v: session.acknowledge_alert(alert_id, v["nota"]),
    )


class AlertsTab(CoordinationTabs):
    class AlertsLoaded(Message, bubble=False):
        def __init__(self, alerts: list[AlertView]) -> None:
            super().__init__()
            self.alerts = alerts

    def __init__(self, gateway: Gateway, today: Callable[[], date], tab: str = "bitacora") -> None:
        super().__init__(gateway, today, tab)
        self.show_acknowledged = False
        self._alerts: dict[str, AlertView] = {}

    def compose_alertas(self) -> ComposeResult:
        yield Static(
            "Marcas del análisis de la bitácora: nombran a la persona del personal, nunca a la "
            "usuaria. Atenderla deja su nota; la alerta se conserva.",
            classes="explain",
        )
        table: DataTable[str] = Table(id="alertas-tabla", cursor_type="row", zebra_stripes=True)
        table.add_columns("Regla", "Persona", "Estado", "Desde", "Hasta", "Accesos", "Usuarias")
        yield table
        yield Static("", id="alertas-vacio", classes="muted", markup=False)

    def load_alertas(self) -> None:
        everything = self.show_acknowledged
        self.run_service(
            lambda session: session.alerts(include_acknowledged=everything), self.AlertsLoaded
        )

    def fits_acknowledge(self) -> bool:
        alert = self._focused_alert()
        # An alert about her own accesses is for another person of coordinación.
        return (
            alert is not None
            and not alert.acknowledged
            and alert.staff_id != self.gateway.identity.staff_id
        )

    def on_alerts_tab_alerts_loaded(self, message: AlertsLoaded) -> None:
        table = self.query_one("#alertas-tabla", DataTable)
        table.clear()
        self._alerts = {str(alert.alert_id): alert for alert in message.alerts}
        for alert in message.alerts:
            state = (
                f"Atendida por {alert.acknowledged_by}: {alert.note}"
                if alert.acknowledged
                else "Por atender"
            )
            table.add_row(
                *cells(
                    alert.rule_label,
                    alert.staff,
                    state,
                    when(alert.first_at),
                    when(alert.last_at),
                    str(alert.accesses),
                    str(alert.women),
                ),
                key=str(alert.alert_id),
            )
        self.query_one("#alertas-vacio", Static).update(
            ""
            if message.alerts
            else "No hay alertas por atender."
            if not self.show_acknowledged
            else "No hay alertas."
        )
        self.refresh_bindings()

    def _focused_alert(self) -> AlertView | None:
        key = self._cursor_key("#alertas-tabla")
        return self._alerts.get(key) if key else None

    def action_acknowledge(self) -> None:
        alert = self._focused_alert()
        if alert is None or alert.acknowledged:
            return
        form = acknowledge_form(alert)

        def done(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, alert.alert_id, alert.summary, form), done)

    def action_toggle_acknowledged(self) -> None:
        self.show_acknowledged = not self.show_acknowledged
        self.action_reload()
