"""Mi día: who is working, the institute's counters and her own recent cases."""

from __future__ import annotations

from uuid import UUID

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.base import ExternalChanges, SessionScreen
from tui.coordination import acknowledge_form
from tui.dialogs import ConfirmScreen
from tui.drafts import AgendaPanel
from tui.gateway import Gateway
from tui.keymap import DASHBOARD_KEYS, bindings
from tui.navigation import OpenCase, OpenClient, OpenCoordination
from tui.records import RecordScreen, settle_follow_up_form
from tui.roles import offered
from tui.widgets import Counter, Table, cells, format_date
from violeta.agenda import NextPsychologySession
from violeta.alerts import AlertView
from violeta.drafts import DraftSummary
from violeta.dto import (
    CaseLifeView,
    ClientSummary,
    Dashboard,
    DashboardCounters,
    DueFollowUp,
    ExpiringOrder,
    OpenMisconductReport,
    PendingClosure,
    PendingErasure,
)
from violeta.service import StaffSession

COUNTERS = (
    ("abiertos", "expedientes abiertos"),
    ("mes", "expedientes del mes"),
    ("cancelaciones", "cancelaciones pendientes"),
    ("excepcionales", "accesos excepcionales hoy"),
)


# Mi día lists the most urgent first page (violeta/queries/my_day.py FOLLOW_UPS_SHOWN).
MORE_FOLLOW_UPS = (
    "Hay más seguimientos: aquí están los {shown} más urgentes. Al registrar estos aparecen "
    "los siguientes; cada expediente tiene todos los suyos en su pestaña Seguimientos."
)


class DashboardScreen(SessionScreen):
    KEYMAP = DASHBOARD_KEYS
    BINDINGS = bindings(DASHBOARD_KEYS)
    TITLE_TEXT = "Mi día"
    RELOADABLE = True
    AUTO_FOCUS = "#recientes"

    class Loaded(Message, bubble=False):
        def __init__(
            self,
            dashboard: Dashboard,
            orders: tuple[ExpiringOrder, ...] = (),
            ages: tuple[ClientSummary, ...] = (),
            reports: tuple[OpenMisconductReport, ...] = (),
            alerts: tuple[AlertView, ...] = (),
            drafts: tuple[DraftSummary, ...] = (),
            sessions: tuple[NextPsychologySession, ...] = (),
            erasures: tuple[PendingErasure, ...] = (),
        ) -> None:
            super().__init__()
            self.dashboard = dashboard
            self.orders = orders
            self.ages = ages
            self.reports = reports
            self.alerts = alerts
            self.drafts = drafts
            self.sessions = sessions
            self.erasures = erasures

    class ClosureDecided(Message, bubble=False):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class ClosureRequestRead(Message, bubble=False):
        def __init__(self, life: CaseLifeView, *, approve: bool) -> None:
            super().__init__()
            self.life = life
            self.approve = approve

    class CountersLoaded(Message, bubble=False):
        def __init__(self, counters: DashboardCounters) -> None:
            super().__init__()
            self.counters = counters

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        self._follow_ups: dict[str, DueFollowUp] = {}
        self._closures: dict[str, PendingClosure] = {}
        self._orders: dict[str, ExpiringOrder] = {}
        self._ages: dict[str, ClientSummary] = {}
        self._reports: dict[str, OpenMisconductReport] = {}
        self._alerts: dict[str, AlertView] = {}
        self._erasures: dict[str, PendingErasure] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static("", id="greeting")
        with Horizontal(id="counters"):
            for key, caption in COUNTERS:
                yield Counter(caption, id=f"counter-{key}")
        yield Static("Mis expedientes recientes", classes="section-title")
        table: DataTable[str] = Table(id="recientes", cursor_type="row", zebra_stripes=True)
        table.add_columns("Folio", "Usuaria", "Apertura", "Estado", "Zona", "Riesgo")
        yield table
        yield Static("", id="recientes-vacio", classes="muted", markup=False)
        # The work queues sit side by side under her cases, so each stays on screen.
        with Horizontal(id="colas"):
            with Vertical(id="col-seguimientos"):
                yield Static(
                    "Seguimientos vencidos y de los próximos 7 días", classes="section-title"
                )
                follow_ups: DataTable[str] = Table(
                    id="seguimientos", cursor_type="row", zebra_stripes=True
                )
                follow_ups.add_columns("Fecha", "Folio", "Usuaria", "Medio", "Situación")
                yield follow_ups
                yield Static("", id="seguimientos-vacio", classes="muted", markup=False)
            with Vertical(id="col-cierres"):
                yield Static("Cierres por aprobar", classes="section-title")
                closures: DataTable[str] = Table(
                    id="cierres", cursor_type="row", zebra_stripes=True
                )
                closures.add_columns("Folio", "Solicitado por", "Solicitud")
                yield closures
            # ARCO cancellations: Enter opens her record, where «x» approves.
            with Vertical(id="col-cancelaciones"):
                yield Static("Cancelaciones por aprobar (ARCO)", classes="section-title")
                # Above the rows: the queue's height shows only its first few.
                yield Static("", id="cancelaciones-nota", classes="muted", markup=False)
                erasures: DataTable[str] = Table(
                    id="cancelaciones", cursor_type="row", zebra_stripes=True
                )
                erasures.add_columns("Usuaria", "Solicitada por")
                yield erasures
        # More queues, each shown only while something waits in it.
        with Horizontal(id="colas-2", classes="colas"):
            with Vertical(id="col-ordenes"):
                yield Static("Órdenes de protección por vencer (10 días)", classes="section-title")
                orders: DataTable[str] = Table(id="ordenes", cursor_type="row", zebra_stripes=True)
                orders.add_columns("Vence", "Folio", "Tipo", "Días", "Prórroga")
                yield orders
            with Vertical(id="col-reportes"):
                yield Static("Reportes de actuación abiertos", classes="section-title")
                reports: DataTable[str] = Table(
                    id="reportes", cursor_type="row", zebra_stripes=True
                )
                reports.add_columns("Fecha", "Folio", "Institución", "Conducta", "Estado")
                yield reports
            with Vertical(id="col-alertas"):
                yield Static("Alertas por atender", classes="section-title")
                alerts: DataTable[str] = Table(id="alertas", cursor_type="row", zebra_stripes=True)
                alerts.add_columns("Desde", "Regla", "Persona", "Accesos")
                yield alerts
            with Vertical(id="col-edades"):
                yield Static("Excepciones de edad por autorizar", classes="section-title")
                ages: DataTable[str] = Table(id="edades", cursor_type="row", zebra_stripes=True)
                ages.add_columns("Usuaria", "Zona", "Edad (rango)")
                yield ages
        # Her drafts and psicología's next sessions (tui/drafts.py loads them itself).
        yield AgendaPanel(self.gateway)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # A role that attends no follow-ups is not shown an empty queue it can never fill.
        self.query_one("#col-seguimientos").display = offered(self.gateway, "follow_ups_due")
        # Shown only while some closure waits, and only coordinación approves them.
        self.query_one("#col-cierres").display = False
        self.query_one("#col-cancelaciones").display = False
        self.query_one("#colas-2").display = False
        self.action_reload()

    def action_reload(self) -> None:
        self.mark_fresh()

        # One call reads every list on the screen (and her agenda's): one audited access
        # naming every woman shown, the views caught up once.
        def load(session: StaffSession) -> DashboardScreen.Loaded:
            day = session.my_day()
            return self.Loaded(
                day.dashboard,
                day.orders_expiring,
                day.age_authorizations,
                day.misconduct_reports,
                day.alerts,
                day.drafts,
                day.psychology_sessions,
                day.erasures,
            )

        self.run_service(load, lambda loaded: loaded)

    def action_open_case(self) -> None:
        """Opens the case of the row under the cursor, in whichever list has the focus."""
        focused = self.focused if isinstance(self.focused, DataTable) else None
        table = focused or self.query_one("#recientes", DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if row_key.value is not None:
                key = row_key.value
                if table.id in ("edades", "cancelaciones"):
                    self.post_message(OpenClient(UUID(key)))
                    return
                if table.id == "alertas":
                    self.post_message(OpenCoordination("alertas"))
                    return
                due = self._follow_ups.get(key)
                queued = self._orders.get(key) or self._reports.get(key)
                case_id = due.case_id if due else queued.case_id if queued else UUID(key)
                self.post_message(OpenCase(case_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "settle_follow_up":
            return (
                offered(self.gateway, "settle_follow_up") and self._focused_follow_up() is not None
            )
        if action in ("approve_closure", "decline_closure"):
            closure = self._focused_closure()
            # Approving is for a second person, never whoever asked for the closure.
            return closure is not None and (
                action == "decline_closure"
                or offered(self.gateway, "approve_closure", subject=closure.case_id)
            )
        if action == "authorize_age":
            age = self._ages.get(self._focused_row_key("#edades") or "")
            return age is not None and offered(
                self.gateway, "authorize_age_exception", subject=age.client_id
            )
        if action == "acknowledge_alert":
            alert = self._alerts.get(self._focused_row_key("#alertas") or "")
            # An alert about her own accesses is for another person of coordinación.
            return (
                offered(self.gateway, "acknowledge_alert")
                and alert is not None
                and alert.staff_id != self.gateway.identity.staff_id
            )
        if action == "open_case":
            return any(table.row_count for table in self.query(DataTable))
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def _focused_row_key(self, table_id: str) -> str | None:
        """The key of the row under the cursor of that list, when the list has the focus."""
        table = self.query_one(table_id, DataTable)
        if self.focused is not table or not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _focused_follow_up(self) -> DueFollowUp | None:
        return self._follow_ups.get(self._focused_row_key("#seguimientos") or "")

    def action_settle_follow_up(self) -> None:
        due = self._focused_follow_up()
        if due is None:
            return
        form = settle_follow_up_form(due.follow_up_id)

        def settled(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(
            RecordScreen(self.gateway, due.case_id, f"Expediente {due.folio}", form), settled
        )

    def _focused_closure(self) -> PendingClosure | None:
        return self._closures.get(self._focused_row_key("#cierres") or "")

    def action_approve_closure(self) -> None:
        self._decide_closure(approve=True)

    def action_decline_closure(self) -> None:
        self._decide_closure(approve=False)

    def _decide_closure(self, *, approve: bool) -> None:
        """Reads the request (who asked, when, and her reason: case content, so an audited
        read of the case's life) before asking whether to approve or decline it."""
        closure = self._focused_closure()
        if closure is None:
            return
        case_id = closure.case_id
        self.run_service(
            lambda session: session.case_life(case_id),
            lambda life: self.ClosureRequestRead(life, approve=approve),
        )

    def on_dashboard_screen_closure_request_read(self, message: ClosureRequestRead) -> None:
        life, approve = message.life, message.approve
        if life.closure_requested_on is None:
            # Another person of coordinación decided it since Mi día was read.
            self.notify(f"El expediente {life.folio} ya no tiene una solicitud de cierre.")
            self.action_reload()
            return
        verb = "Aprobar" if approve else "Rechazar"
        question = (
            f"¿{verb} el cierre del expediente {life.folio}?\n"
            f"Solicitado por {life.closure_requested_by} el "
            f"{format_date(life.closure_requested_on)}.\n"
            f"Motivo: «{life.closure_reason}»"
        )
        case_id, folio = life.case_id, life.folio

        def answered(confirmed: bool | None) -> None:
            if not confirmed:
                return
            self.run_service(
                (lambda session: session.approve_closure(case_id))
                if approve
                else (lambda session: session.decline_closure(case_id)),
                lambda _: self.ClosureDecided(
                    f"Cierre de {folio} {'aprobado' if approve else 'rechazado'}."
                ),
                writes=True,
            )

        self.app.push_screen(ConfirmScreen(f"{verb} cierre", question), answered)

    def action_authorize_age(self) -> None:
        client = self._ages.get(self._focused_row_key("#edades") or "")
        if client is None:
            return
        client_id, name = client.client_id, client.name

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_service(
                    lambda session: session.authorize_age_exception(client_id),
                    lambda _: self.ClosureDecided(f"Excepción de edad de {name} autorizada."),
                    writes=True,
                )

        self.app.push_screen(
            ConfirmScreen(
                "Autorizar excepción de edad",
                f"¿Autorizar que el instituto atienda a {name} aunque esté fuera del rango "
                "de edad? Después podrá abrirse su expediente.",
            ),
            answered,
        )

    def action_acknowledge_alert(self) -> None:
        alert = self._alerts.get(self._focused_row_key("#alertas") or "")
        if alert is None:
            return
        form = acknowledge_form(alert)

        def done(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, alert.alert_id, alert.summary, form), done)

    def on_dashboard_screen_closure_decided(self, message: ClosureDecided) -> None:
        self.notify(message.text)
        self.action_reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    def on_external_changes(self, _message: ExternalChanges) -> None:
        # Counts carry no names, so they can follow other terminals without an audited read;
        # the list of her cases waits for F5 (the base handler says so on screen).
        self.run_service(lambda session: session.dashboard_counters(), self.CountersLoaded)

    def on_dashboard_screen_counters_loaded(self, message: CountersLoaded) -> None:
        self._show_counters(message.counters)

    def _show_counters(self, counters: Dashboard | DashboardCounters) -> None:
        figures = (
            counters.open_cases,
            counters.cases_this_month,
            counters.pending_erasures,
            counters.exceptional_accesses_today,
        )
        for (key, _caption), value in zip(COUNTERS, figures, strict=True):
            self.query_one(f"#counter-{key}", Counter).show(value)

    def on_dashboard_screen_loaded(self, message: Loaded) -> None:
        board = message.dashboard
        staff = board.staff
        self.query_one("#greeting", Static).update(
            Content.from_markup(
                "Hola, [b]$name[/b] · $role", name=staff.display_name, role=staff.role.label
            )
        )
        self._show_counters(board)
        table = self.query_one("#recientes", DataTable)
        table.clear()
        for case in board.my_recent_cases:
            table.add_row(
                *cells(
                    case.folio,
                    case.client_name,
                    format_date(case.opened_on),
                    case.status,
                    case.zone_name,
                    case.risk,
                ),
                key=str(case.case_id),
            )
        remarks = list(board.notes)
        if not board.my_recent_cases:
            remarks.append(
                "No tiene expedientes recientes: ni abiertos por usted ni de un área que atienda."
            )
        self.query_one("#recientes-vacio", Static).update("\n".join(remarks))
        self._show_follow_ups(board.follow_ups_due, more=board.more_follow_ups)
        self._show_closures(board.closures_to_approve)
        self._show_erasures(message.erasures, board.staff.staff_id)
        self._show_other_queues(message.orders, message.ages, message.reports)
        self._show_alerts(message.alerts)
        if self.query(AgendaPanel):
            self.query_one(AgendaPanel).post_message(
                AgendaPanel.Loaded(list(message.drafts), list(message.sessions))
            )
        self.refresh_bindings()

    def _show_other_queues(
        self,
        orders: tuple[ExpiringOrder, ...],
        ages: tuple[ClientSummary, ...],
        reports: tuple[OpenMisconductReport, ...],
    ) -> None:
        table = self.query_one("#reportes", DataTable)
        table.clear()
        self._reports = {str(item.report_id): item for item in reports}
        for report in reports:
            table.add_row(
                *cells(
                    format_date(report.reported_on),
                    report.folio,
                    report.institution,
                    report.conduct,
                    report.status,
                ),
                key=str(report.report_id),
            )
        self.query_one("#col-reportes").display = bool(reports)
        table = self.query_one("#ordenes", DataTable)
        table.clear()
        self._orders = {str(item.order_id): item for item in orders}
        for item in orders:
            table.add_row(
                *cells(
                    format_date(item.expires_on),
                    item.folio,
                    item.kind,
                    str(item.days_left),
                    "Sí" if item.extendable else "No",
                ),
                key=str(item.order_id),
            )
        table = self.query_one("#edades", DataTable)
        table.clear()
        self._ages = {str(item.client_id): item for item in ages}
        for client in ages:
            table.add_row(
                *cells(client.name, client.zone_name, client.age_band),
                key=str(client.client_id),
            )
        self.query_one("#col-ordenes").display = bool(orders)
        self.query_one("#col-edades").display = bool(ages)
        self.query_one("#colas-2").display = bool(orders or ages or reports)

    def _show_alerts(self, alerts: tuple[AlertView, ...]) -> None:
        table = self.query_one("#alertas", DataTable)
        table.clear()
        self._alerts = {str(item.alert_id): item for item in alerts}
        for alert in alerts:
            table.add_row(
                *cells(
                    alert.first_at.strftime("%d/%m/%Y %H:%M"),
                    alert.rule_label,
                    alert.staff,
                    str(alert.accesses),
                ),
                key=str(alert.alert_id),
            )
        self.query_one("#col-alertas").display = bool(alerts)
        if alerts:
            self.query_one("#colas-2").display = True

    def _show_closures(self, closures: tuple[PendingClosure, ...]) -> None:
        table = self.query_one("#cierres", DataTable)
        table.clear()
        self._closures = {str(item.case_id): item for item in closures}
        for item in closures:
            table.add_row(
                *cells(item.folio, item.requested_by, format_date(item.requested_on)),
                key=str(item.case_id),
            )
        self.query_one("#col-cierres").display = bool(closures)
        self.refresh_bindings()

    def _show_erasures(self, erasures: tuple[PendingErasure, ...], me: UUID) -> None:
        table = self.query_one("#cancelaciones", DataTable)
        table.clear()
        self._erasures = {str(item.client_id): item for item in erasures}
        for item in erasures:
            table.add_row(
                *cells(item.name, item.requested_by),
                key=str(item.client_id),
            )
        mine = sum(item.requested_by_id == me for item in erasures)
        self.query_one("#cancelaciones-nota", Static).update(
            (
                f"Usted solicitó {mine} de estas: debe aprobarlas otra persona de coordinación."
                if mine > 1
                else "Usted solicitó una de estas: debe aprobarla otra persona de coordinación."
            )
            if mine
            else "Enter abre su ficha; allí x aprueba."
        )
        self.query_one("#col-cancelaciones").display = bool(erasures)

    def _show_follow_ups(self, due: tuple[DueFollowUp, ...], *, more: bool = False) -> None:
        table = self.query_one("#seguimientos", DataTable)
        table.clear()
        # Rows are keyed by follow-up (a case may have two due); Enter opens its case.
        self._follow_ups = {str(item.follow_up_id): item for item in due}
        self.refresh_bindings()
        for item in due:
            table.add_row(
                *cells(
                    format_date(item.due_on),
                    item.folio,
                    item.client_name,
                    item.channel,
                    "Vencido" if item.overdue else "Por vencer",
                ),
                key=str(item.follow_up_id),
            )
        self.query_one("#seguimientos-vacio", Static).update(
            MORE_FOLLOW_UPS.format(shown=len(due))
            if more
            else ""
            if due
            else "No hay seguimientos vencidos ni en los próximos 7 días."
        )
