"""Coordinación: the access trail with its filters, the alerts and their acknowledgement, the
priority zones as a ranked chart, and the work plan's activities against their yearly targets.

One screen, one tab each, each shown only to a role the service's policy lets read it (the
activities tab is every case role's; the rest coordinación's). A tab reads when it is shown,
never before: reading the trail is itself an audited access.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent, TabPane

from domain.activities import BANDS, ActivityKind
from domain.errors import DomainError, InvalidField
from domain.permissions import Decision
from domain.vocabulary import Section
from tui.base import SessionScreen
from tui.dialogs import ConfirmScreen, RowsScreen
from tui.forms import Field, Values
from tui.gateway import Gateway
from tui.keymap import COORDINATION_KEYS, bindings
from tui.records import RecordForm, RecordScreen
from tui.roles import offered
from tui.widgets import (
    SpanishSelect,
    Table,
    TopBar,
    ZoneChart,
    cells,
    format_date,
    month_label,
    progress_bar,
)
from violeta.alerts import TRAIL_PAGE, AlertView
from violeta.dto import AccessEntry, AccountView, ActivityView, NewActivity, TargetProgress
from violeta.figures import Ranking
from violeta.service import StaffSession
from violeta.zones import ZoneVersionView

# Tab -> (title, the query the service's policy must allow for it to be shown).
TABS: dict[str, tuple[str, str]] = {
    "bitacora": ("Bitácora de accesos", "audit_trail"),
    "alertas": ("Alertas", "alerts"),
    "zonas": ("Zonas prioritarias", "priority_zones"),
    "actividades": ("Actividades y metas", "target_progress"),
}
# Keys of this screen that belong to one tab, and the command each runs (if it writes).
TAB_ACTIONS: dict[str, tuple[str, str]] = {
    "filter_client": ("bitacora", "audit_trail"),
    "clear_filters": ("bitacora", "audit_trail"),
    "next_page": ("bitacora", "audit_trail"),
    "previous_page": ("bitacora", "audit_trail"),
    "acknowledge": ("alertas", "acknowledge_alert"),
    "toggle_acknowledged": ("alertas", "alerts"),
    "zone_history": ("zonas", "zone_history"),
    "record_activity": ("actividades", "record_activity"),
    "set_target": ("actividades", "set_target"),
    "cancel_activity": ("actividades", "cancel_activity"),
    "year": ("actividades", "target_progress"),
}
TRAIL_NOTE = (
    f"Los accesos que cumplen los filtros, del más reciente al más antiguo, de {TRAIL_PAGE} en "
    f"{TRAIL_PAGE} (s página siguiente · a anterior). Consultar la bitácora queda registrado "
    "como acceso a las usuarias que lista."
)
NO_OLDER = "No hay accesos más antiguos que cumplan los filtros."


def page_line(page: int, shown: int) -> str:
    """«Página 2 · accesos 101 a 200» (the page's place in the trail, newest first)."""
    if not shown:
        return f"Página {page}"
    first = (page - 1) * TRAIL_PAGE + 1
    return f"Página {page} · accesos {first} a {first + shown - 1}"


def when(moment: datetime) -> str:
    """A moment as staff read it: dd/mm/aaaa hh:mm, Mexico City time (the service's)."""
    return moment.strftime("%d/%m/%Y %H:%M")


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


def set_target_form(year: int) -> RecordForm:
    return RecordForm(
        title=f"Meta anual de actividades ({year})",
        done="Meta registrada.",
        method="set_target",
        fields=(
            Field(
                "tipo",
                "Tipo de actividad",
                "choice",
                tuple((kind.label, kind.value) for kind in ActivityKind),
            ),
            Field("meta", "Meta", "text", placeholder="número de actividades en el año"),
        ),
        save=lambda session, _subject, v: session.set_target(year, v["tipo"], v["meta"]),
    )


def band_key(band: str) -> str:
    """«18-29» -> «asistentes-18-29», «61+» -> «asistentes-61-mas» (a widget id)."""
    return "asistentes-" + band.replace("+", "-mas")


def _zones(session: StaffSession, _subject: UUID | None) -> tuple[tuple[str, str], ...]:
    return tuple((zone.name, zone.code) for zone in session.zones())


def _record_activity(session: StaffSession, _subject: UUID, v: Values) -> object:
    return session.record_activity(
        NewActivity(
            held_on=v["fecha"],
            kind=v["tipo"],
            topic=v["tema"],
            zone=v["zona"],
            attendance={band: v[band_key(band)] for band in BANDS},
            partner=v["aliada"],
        )
    )


RECORD_ACTIVITY = RecordForm(
    title="Registrar actividad del plan de trabajo",
    done="Actividad registrada.",
    method="record_activity",
    fields=(
        Field("fecha", "Fecha", "date"),
        Field(
            "tipo",
            "Tipo de actividad",
            "choice",
            tuple((kind.label, kind.value) for kind in ActivityKind),
        ),
        Field("tema", "Tema", "text"),
        Field("zona", "Zona", "choice", choices_from=_zones),
        *(
            Field(
                band_key(band),
                f"Asistentes de {band}",
                "text",
                required=False,
                placeholder="0",
            )
            for band in BANDS
        ),
        Field("aliada", "Institución aliada", "text", required=False, max_length=160),
    ),
    save=_record_activity,
)


class CoordinationScreen(SessionScreen):
    KEYMAP = COORDINATION_KEYS
    BINDINGS = bindings(COORDINATION_KEYS)
    TITLE_TEXT = "Coordinación"
    RELOADABLE = True

    class TrailLoaded(Message, bubble=False):
        def __init__(self, entries: list[AccessEntry]) -> None:
            super().__init__()
            self.entries = entries

    class StaffLoaded(Message, bubble=False):
        def __init__(self, accounts: list[AccountView]) -> None:
            super().__init__()
            self.accounts = accounts

    class AlertsLoaded(Message, bubble=False):
        def __init__(self, alerts: list[AlertView]) -> None:
            super().__init__()
            self.alerts = alerts

    class ZonesLoaded(Message, bubble=False):
        def __init__(self, ranking: Ranking) -> None:
            super().__init__()
            self.ranking = ranking

    class ZoneHistoryLoaded(Message, bubble=False):
        def __init__(self, versions: list[tuple[str, list[ZoneVersionView]]]) -> None:
            super().__init__()
            self.versions = versions

    class ActivityCancelled(Message, bubble=False):
        pass

    class TargetsLoaded(Message, bubble=False):
        def __init__(
            self, year: int, progress: list[TargetProgress], held: list[ActivityView]
        ) -> None:
            super().__init__()
            self.year = year
            self.progress = progress
            self.held = held

    def __init__(self, gateway: Gateway, today: Callable[[], date], tab: str = "bitacora") -> None:
        super().__init__(gateway)
        self.today = today
        self.tabs = [name for name, (_title, query) in TABS.items() if offered(gateway, query)]
        self.start = tab if tab in self.tabs else (self.tabs or ["actividades"])[0]
        self.current = self.start
        self.loaded: set[str] = set()
        self.year = today().year
        self.client_filter: UUID | None = None
        # The trail's pages seen, newest first: where each begins (None: the newest access).
        self.trail_pages: list[UUID | None] = [None]
        self.client_name = ""
        self.show_acknowledged = False
        self._entries: dict[str, AccessEntry] = {}
        self._alerts: dict[str, AlertView] = {}
        self._ranking: Ranking | None = None
        self._activities: dict[str, ActivityView] = {}

    def about(self, client_id: UUID, name: str) -> None:
        """Opens with the trail filtered to one woman, named as the screen that asked shows
        her (her record was just read, audited)."""
        self.client_filter = client_id
        self.client_name = name

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

    def compose_bitacora(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Label("Persona", classes="filter-label")
            yield SpanishSelect[str]((), id="filtro-persona", prompt="Todas", compact=True)
            yield Label("Día", classes="filter-label")
            yield Input(placeholder="dd/mm/aaaa", id="filtro-dia", compact=True)
            yield Label("Sección", classes="filter-label")
            yield SpanishSelect[str](
                tuple((section.label, section.value) for section in Section),
                id="filtro-seccion",
                prompt="Todas",
                compact=True,
            )
        with Horizontal(classes="filters"):
            yield Label("Resultado", classes="filter-label")
            yield SpanishSelect[str](
                tuple((decision.value.capitalize(), decision.value) for decision in Decision),
                id="filtro-resultado",
                prompt="Todos",
                compact=True,
            )
            yield Label("Propósito", classes="filter-label")
            yield Input(placeholder="texto del propósito", id="filtro-proposito", compact=True)
            yield Static(
                f"Usuaria: {self.client_name} · x quita" if self.client_name else "Usuaria: todas",
                id="filtro-usuaria",
                classes="filter-label",
                markup=False,
            )
        yield Static("", id="bitacora-problema", classes="field-message -problem", markup=False)
        # Above the rows: a full page fills the screen and would hide it below.
        yield Static("", id="bitacora-pagina", classes="muted", markup=False)
        table: DataTable[str] = Table(id="bitacora-tabla", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            "Fecha y hora",
            "Persona",
            "Rol",
            "Acción",
            "Sección",
            "Resultado",
            "Usuarias",
            "Propósito",
        )
        yield table
        yield Static("", id="bitacora-detalle", classes="muted", markup=False)
        yield Static(TRAIL_NOTE, classes="muted", markup=False)

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

    def compose_actividades(self) -> ComposeResult:
        yield Static("", id="actividades-anio", classes="section-title", markup=False)
        table: DataTable[str] = Table(id="metas", cursor_type="row", zebra_stripes=True)
        table.add_columns("Tipo de actividad", "Meta", "Realizadas", "Avance", "Asistentes")
        yield table
        yield Static("Actividades del año", classes="section-title")
        held: DataTable[str] = Table(id="actividades-lista", cursor_type="row", zebra_stripes=True)
        held.add_columns("Fecha", "Tipo", "Tema", "Zona", "Asistentes", "Estado")
        yield held
        yield Static(
            "- y + cambian de año · n registra una actividad · c cancela la de la fila"
            + (" · m fija una meta" if offered(self.gateway, "set_target") else ""),
            classes="muted",
        )

    # -- tabs ------------------------------------------------------------------------

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

    def load(self, name: str) -> None:
        self.loaded.add(name)
        self.mark_fresh()
        if name == "bitacora":
            self.run_service(lambda session: session.accounts(), self.StaffLoaded)
            self.load_trail(self.trail_pages[-1], turning=True)  # F5: the page on screen
        elif name == "alertas":
            everything = self.show_acknowledged
            self.run_service(
                lambda session: session.alerts(include_acknowledged=everything), self.AlertsLoaded
            )
        elif name == "zonas":
            self.run_service(lambda session: session.priority_zones(), self.ZonesLoaded)
        elif name == "actividades":
            year = self.year
            self.run_service(
                lambda session: (session.target_progress(year), session.activities_of_year(year)),
                lambda loaded: self.TargetsLoaded(year, *loaded),
            )

    def action_reload(self) -> None:
        self.loaded.discard(self.current)
        self.load(self.current)

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

    def _fits(self, action: str) -> bool:
        """What the rows on screen allow."""
        entry, alert = self._focused_entry(), self._focused_alert()
        state = {
            "filter_client": entry is not None and bool(entry.client_ids),
            "zone_history": self._ranking is not None and bool(self._ranking.zones),
            "cancel_activity": (held := self._focused_activity()) is not None
            and not held.cancelled,
            "next_page": len(self._entries) == TRAIL_PAGE,
            "previous_page": len(self.trail_pages) > 1,
            # An alert about her own accesses is for another person of coordinación.
            "acknowledge": alert is not None
            and not alert.acknowledged
            and alert.staff_id != self.gateway.identity.staff_id,
        }
        return state.get(action, True)

    # -- the trail -------------------------------------------------------------------

    def filters(self) -> dict[str, str]:
        def chosen(selector: str) -> str:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) else ""

        return {
            "staff": chosen("#filtro-persona"),
            "day": self.query_one("#filtro-dia", Input).value,
            "section": chosen("#filtro-seccion"),
            "outcome": chosen("#filtro-resultado"),
            "purpose": self.query_one("#filtro-proposito", Input).value,
        }

    def load_trail(self, page: UUID | None = None, *, turning: bool = False) -> None:
        """Reads one page of the trail: the newest (filters changed, F5 on the first page), or
        the one beginning after ``page`` when turning pages."""
        if not turning:
            self.trail_pages = [None]
        wanted = self.filters()
        client = self.client_filter
        before = page if turning else None
        self.query_one("#bitacora-problema", Static).update("")

        def read(session: StaffSession) -> list[AccessEntry]:
            return session.audit_trail(
                staff_id=UUID(wanted["staff"]) if wanted["staff"] else None,
                client_id=client,
                day=wanted["day"],
                section=wanted["section"],
                purpose=wanted["purpose"],
                outcome=wanted["outcome"],
                before=before,
            )

        self.run_service(read, self.TrailLoaded)

    def action_next_page(self) -> None:
        if len(self._entries) == TRAIL_PAGE:
            last = list(self._entries.values())[-1].access_id
            self.trail_pages.append(last)
            self.load_trail(last, turning=True)

    def action_previous_page(self) -> None:
        if len(self.trail_pages) > 1:
            self.trail_pages.pop()
            self.load_trail(self.trail_pages[-1], turning=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("filtro-") and "bitacora" in self.loaded:
            event.stop()
            self.load_trail()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id and event.input.id.startswith("filtro-"):
            event.stop()
            self.load_trail()
            self.query_one("#bitacora-tabla").focus()

    def action_filter_client(self) -> None:
        entry = self._focused_entry()
        if entry is None or not entry.client_ids:
            return
        self.client_filter = entry.client_ids[0]
        self.client_name = ""
        self.query_one("#filtro-usuaria", Static).update(
            f"Usuaria: la de la fila elegida ({str(self.client_filter)[:8]}…) · x quita"
        )
        self.load_trail()

    def action_clear_filters(self) -> None:
        self.client_filter = None
        self.client_name = ""
        self.query_one("#filtro-usuaria", Static).update("Usuaria: todas")
        with self.prevent(Select.Changed):
            for selector in ("#filtro-persona", "#filtro-seccion", "#filtro-resultado"):
                self.query_one(selector, Select).clear()
        for selector in ("#filtro-dia", "#filtro-proposito"):
            self.query_one(selector, Input).value = ""
        self.load_trail()

    def on_coordination_screen_staff_loaded(self, message: StaffLoaded) -> None:
        select = self.query_one("#filtro-persona", Select)
        with self.prevent(Select.Changed):
            select.set_options(
                (f"{account.display_name} ({account.role})", str(account.staff_id))
                for account in message.accounts
            )

    def on_coordination_screen_trail_loaded(self, message: TrailLoaded) -> None:
        if not message.entries and len(self.trail_pages) > 1:
            # The page shown had exactly a page's worth and nothing older: it stays.
            self.trail_pages.pop()
            self.notify(NO_OLDER)
            self.refresh_bindings()
            return
        table = self.query_one("#bitacora-tabla", DataTable)
        table.clear()
        self._entries = {str(entry.access_id): entry for entry in message.entries}
        for entry in message.entries:
            table.add_row(
                *cells(
                    when(entry.at),
                    entry.staff,
                    entry.role,
                    entry.action,
                    entry.section,
                    entry.outcome + (" ⚠" if entry.exceptional else ""),
                    str(len(entry.client_ids)),
                    entry.purpose,
                ),
                key=str(entry.access_id),
            )
        self.query_one("#bitacora-detalle", Static).update(
            "" if message.entries else "Ningún acceso cumple los filtros."
        )
        self.query_one("#bitacora-pagina", Static).update(
            page_line(len(self.trail_pages), len(message.entries))
        )
        self.refresh_bindings()

    def _focused_entry(self) -> AccessEntry | None:
        key = self._cursor_key("#bitacora-tabla")
        return self._entries.get(key) if key else None

    def _cursor_key(self, selector: str) -> str | None:
        tables = self.query(selector)
        if not tables:
            return None
        table = tables.first(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "bitacora-tabla":
            entry = self._focused_entry()
            if entry is not None:
                detail = f"{entry.staff} · {entry.role} · {entry.action}: {entry.purpose}"
                if entry.justification:
                    detail += f" · motivo escrito: «{entry.justification}»"
                self.query_one("#bitacora-detalle", Static).update(detail)
        self.refresh_bindings()

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, InvalidField) and self.current == "bitacora":
            self.query_one("#bitacora-problema", Static).update(error.message)
            return
        super().handle_failure(error)

    # -- alerts ----------------------------------------------------------------------

    def on_coordination_screen_alerts_loaded(self, message: AlertsLoaded) -> None:
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

    # -- zones -----------------------------------------------------------------------

    def on_coordination_screen_zones_loaded(self, message: ZonesLoaded) -> None:
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

    def on_coordination_screen_zone_history_loaded(self, message: ZoneHistoryLoaded) -> None:
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

    # -- activities ------------------------------------------------------------------

    def on_coordination_screen_targets_loaded(self, message: TargetsLoaded) -> None:
        self.query_one("#actividades-anio", Static).update(
            f"Metas del plan de trabajo {message.year}"
        )
        table = self.query_one("#metas", DataTable)
        table.clear()
        for item in message.progress:
            table.add_row(
                *cells(
                    item.kind,
                    str(item.target) if item.target else "—",
                    str(item.done),
                    progress_bar(item.done, item.target),
                    str(item.attendees),
                )
            )
        held = self.query_one("#actividades-lista", DataTable)
        held.clear()
        self._activities = {str(activity.activity_id): activity for activity in message.held}
        for activity in message.held:
            held.add_row(
                *cells(
                    format_date(activity.held_on),
                    activity.kind,
                    activity.topic,
                    activity.zone_name,
                    str(activity.attendees),
                    "Cancelada" if activity.cancelled else "Vigente",
                ),
                key=str(activity.activity_id),
            )
        self.refresh_bindings()

    def _focused_activity(self) -> ActivityView | None:
        key = self._cursor_key("#actividades-lista")
        return self._activities.get(key) if key else None

    def action_cancel_activity(self) -> None:
        held = self._focused_activity()
        if held is None or held.cancelled:
            return
        activity_id = held.activity_id

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_service(
                    lambda session: session.cancel_activity(activity_id),
                    lambda _: self.ActivityCancelled(),
                    writes=True,
                )

        self.app.push_screen(
            ConfirmScreen(
                "Cancelar actividad",
                f"¿Cancelar «{held.topic}» ({held.kind}, {format_date(held.held_on)})? Deja de "
                "contar para las metas y las estadísticas; queda en la lista como cancelada.",
            ),
            answered,
        )

    def on_coordination_screen_activity_cancelled(self, _: ActivityCancelled) -> None:
        self.notify("Actividad cancelada.")
        self.action_reload()

    def action_year(self, step: int) -> None:
        self.year += step
        self.action_reload()

    def action_set_target(self) -> None:
        self._open_form(set_target_form(self.year))

    def action_record_activity(self) -> None:
        self._open_form(RECORD_ACTIVITY)

    def _open_form(self, form: RecordForm) -> None:
        def done(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, UUID(int=0), "", form), done)
