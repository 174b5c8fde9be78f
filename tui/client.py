"""La usuaria: her identification and her expedientes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from domain.errors import DomainError
from tui.base import SessionScreen
from tui.dialogs import ConfirmScreen, JustificationScreen, MoreScreen, RowsScreen
from tui.forms import Field
from tui.gateway import Gateway
from tui.keymap import CLIENT_KEYS, Key, bindings
from tui.navigation import OpenCase, OpenCoordination, StartIntake
from tui.records import RECTIFICATION_FORM, RecordForm, RecordScreen, consents_form
from tui.roles import offered
from tui.widgets import FieldGrid, Table, cells, format_date
from violeta.dto import ClientDetail
from violeta.queries.arco import CorrectionEntry
from violeta.service import JustificationRequired, StaffSession

FIELDS = (
    ("nombre", "Nombre"),
    ("nacimiento", "Fecha de nacimiento"),
    ("edad", "Edad (rango)"),
    ("curp", "CURP"),
    ("telefono", "Teléfono"),
    ("contacto", "Contacto seguro"),
    ("domicilio", "Domicilio"),
    ("zona", "Zona"),
    ("lengua", "Lengua indígena"),
    ("discapacidad", "Discapacidad"),
    ("consentimientos", "Consentimientos"),
    ("autorizacion", "Excepción de edad"),
    ("canalizacion", "Canalizar a"),
    ("registro", "Registrada el"),
    ("estado", "Datos"),
)


# Action of this screen -> the service method it calls (what the role must be offered).
CLIENT_ACTIONS = {
    "new_case": "open_case",
    "consents": "set_sharing_consent",
    "rectify": "correct_client",
    "request_erasure": "request_erasure",
    "approve_erasure": "approve_erasure",
    "authorize_age": "authorize_age_exception",
    "export_data": "export_client_data",
    "corrections": "correction_history",
    "trail": "audit_trail",
}


EXPORT_FORM = RecordForm(
    title="Exportar sus datos (derecho de acceso, ARCO)",
    done=(
        "Datos exportados: entregue el archivo a la usuaria y bórrelo de este equipo; "
        "la exportación quedó registrada."
    ),
    method="export_client_data",
    fields=(
        Field(
            "destino",
            "Destino",
            "text",
            max_length=400,
            placeholder="/media/usb/datos-usuaria.json",
            hint=(
                "Ruta de un archivo nuevo fuera del directorio de datos (una memoria USB, por "
                "ejemplo). Es el único archivo con sus datos sin cifrar: solo para ella."
            ),
        ),
    ),
    save=lambda session, client_id, v: session.export_client_data(client_id, Path(v["destino"])),
)


class CorrectionsScreen(RowsScreen):
    """Every value each rectified field has had, the current one marked (read, audited)."""

    def __init__(self, name: str, entries: list[CorrectionEntry]) -> None:
        super().__init__(
            f"Historial de rectificaciones · {name}",
            ("Dato", "Valor", "Desde", "Registró", "Vigente"),
            [
                (
                    entry.field,
                    entry.value or "—",
                    format_date(entry.recorded_on),
                    entry.recorded_by,
                    "sí" if entry.current else "",
                )
                for entry in entries
            ],
            empty="No se ha rectificado ningún dato de esta usuaria.",
            note="Consulta registrada en la bitácora",
            table_id="rectificaciones",
        )


def _yes_no(value: bool) -> str:
    return "sí" if value else "no"


def field_values(client: ClientDetail) -> dict[str, str]:
    if client.erased:
        status = "Cancelados (ARCO)"
    elif client.erasure_pending:
        status = "Cancelación pendiente de aprobación"
    else:
        status = "Vigentes"
    phone = client.phone or "—"
    if client.phone:
        phone += " · seguro llamarle" if client.phone_safe_to_call else " · NO es seguro llamarle"
    contact = " · ".join(
        part for part in (client.safe_contact_name, client.safe_contact_phone) if part
    )
    authorization = client.age_authorization or "No requerida"
    if client.age_exception_reason:
        authorization += f" · motivo: {client.age_exception_reason}"
    return {
        "nombre": client.name,
        "nacimiento": client.birth_date,
        "edad": client.age_band,
        "curp": client.curp or "—",
        "telefono": phone,
        "contacto": contact or "—",
        "domicilio": client.address or "—",
        "zona": client.zone_name,
        "lengua": client.indigenous_language or "Ninguna declarada",
        "discapacidad": ", ".join(client.disabilities) or "Ninguna declarada",
        "consentimientos": (
            f"compartir: {_yes_no(client.consent_to_share)} · "
            f"estadísticas: {_yes_no(client.consent_to_statistics)} · "
            f"aviso: {'aceptado' if client.privacy_notice_accepted else 'no'}"
        ),
        "autorizacion": authorization,
        "canalizacion": client.proposed_referral or "—",
        "registro": format_date(client.registered_on),
        "estado": status,
    }


class ClientScreen(SessionScreen):
    KEYMAP = CLIENT_KEYS
    BINDINGS = bindings(CLIENT_KEYS)
    TITLE_TEXT = "Usuaria"
    RELOADABLE = True
    AUTO_FOCUS = "#expedientes"

    class Loaded(Message, bubble=False):
        def __init__(self, client: ClientDetail) -> None:
            super().__init__()
            self.client = client

    def __init__(
        self,
        gateway: Gateway,
        client_id: UUID,
        first: ClientDetail | DomainError | None = None,
        generation: int | None = None,
    ) -> None:
        """``first``: her record as read for this screen (or the refusal) at the gateway's
        ``generation``, shown as it is composed; without it the screen reads it itself."""
        super().__init__(gateway)
        self.client_id = client_id
        self.client: ClientDetail | None = None
        self.justification = ""
        self._first = first
        self._first_generation = generation

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static("", id="exceptional", classes="exceptional")
        yield FieldGrid(FIELDS, id="ficha")
        yield Static("Expedientes", classes="section-title")
        table: DataTable[str] = Table(id="expedientes", cursor_type="row", zebra_stripes=True)
        table.add_columns("Folio", "Apertura", "Estado", "Zona", "Riesgo")
        yield table
        yield Static("", id="expedientes-vacio", classes="muted")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        first, self._first = self._first, None
        if first is None:
            self.action_reload()
        else:
            self._show_first(first, self._first_generation)

    def _show_first(self, first: ClientDetail | DomainError, generation: int | None) -> None:
        self.mark_fresh(generation)
        if isinstance(first, DomainError):
            self.handle_failure(first)
        else:
            self.on_client_screen_loaded(self.Loaded(first))

    def show_again(
        self, client_id: UUID, first: ClientDetail | DomainError, generation: int
    ) -> None:
        """This screen, kept after it was closed, shows another woman (or the same again):
        nothing of what it showed stays, and nothing read for it is shown any more."""
        self.forget_reads()
        self.client_id = client_id
        self.client = None
        self.justification = ""
        self.query_one(FieldGrid).show({})
        self.query_one("#exceptional", Static).update("")
        self.query_one("#expedientes", DataTable).clear()
        self.query_one("#expedientes-vacio", Static).update("")
        self.set_focus(self.query_one("#expedientes", DataTable))
        if isinstance(first, DomainError):
            # Once this screen is on the stack again: a reason asked for goes on top of it.
            self.call_later(self._show_first, first, generation)
        else:
            self._show_first(first, generation)

    def action_reload(self) -> None:
        self.mark_fresh()
        self.load(self.justification)

    def action_open_case(self) -> None:
        table = self.query_one("#expedientes", DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if row_key.value is not None:
                self.post_message(OpenCase(UUID(row_key.value)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return bool(self._more_keys())
        return self._allows(action)

    def _allows(self, action: str) -> bool:
        """What her record (and the role's policy) lets this screen's keys do now."""
        method = CLIENT_ACTIONS.get(action)
        if method is None:
            return True
        if not offered(self.gateway, method):
            return False
        client = self.client
        if client is not None and client.erased:
            return False  # her data are gone: nothing more is recorded about her
        if action == "new_case":
            return True
        if client is None:
            return False
        state = {
            "request_erasure": not client.erasure_pending,
            # Not by whoever asked for it (or registered her): the second-person rule.
            "approve_erasure": client.erasure_pending
            and offered(self.gateway, method, subject=self.client_id),
            "authorize_age": client.age_authorization.startswith("Pendiente")
            and offered(self.gateway, method, subject=self.client_id),
        }
        return state.get(action, True)

    def _record_form(self, form: RecordForm) -> None:
        def saved(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        name = self.client.name if self.client is not None else ""
        self.app.push_screen(
            RecordScreen(self.gateway, self.client_id, f"Usuaria: {name}", form), saved
        )

    def action_consents(self) -> None:
        if self.client is not None:
            self._record_form(
                consents_form(self.client.consent_to_share, self.client.consent_to_statistics)
            )

    def action_rectify(self) -> None:
        if self.client is not None:
            self._record_form(RECTIFICATION_FORM)

    def _more_keys(self) -> list[Key]:
        """The keys kept out of the footer (no room at 130 columns) that apply now."""
        return [
            key
            for key in self.KEYMAP
            if not key.footer
            and key.action not in ("more", "open_case", "reload")
            and self._allows(key.action)
        ]

    def action_more(self) -> None:
        def chosen(action: str | None) -> None:
            if action is not None:
                self.call_later(self.run_action, action)

        self.app.push_screen(MoreScreen(self._more_keys()), chosen)

    def action_export_data(self) -> None:
        if self.client is not None:
            self._record_form(EXPORT_FORM)

    class CorrectionsLoaded(Message, bubble=False):
        def __init__(self, entries: list[CorrectionEntry]) -> None:
            super().__init__()
            self.entries = entries

    def action_corrections(self) -> None:
        client_id = self.client_id
        self.run_service(
            lambda session: session.correction_history(client_id),
            self.CorrectionsLoaded,
        )

    def on_client_screen_corrections_loaded(self, message: CorrectionsLoaded) -> None:
        name = self.client.name if self.client is not None else ""
        self.app.push_screen(CorrectionsScreen(name, message.entries))

    def _confirmed_call(
        self, title: str, question: str, call: Callable[[StaffSession], object], done: str
    ) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_service(call, lambda _: self.Done(done), writes=True)

        self.app.push_screen(ConfirmScreen(title, question), answered)

    def action_request_erasure(self) -> None:
        client_id = self.client_id
        self._confirmed_call(
            "Solicitar cancelación (ARCO)",
            "¿Solicitar la cancelación de los datos de esta usuaria? Coordinación debe "
            "aprobarla; entonces sus datos se vuelven ilegibles para siempre.",
            lambda session: session.request_erasure(client_id),
            "Cancelación solicitada: queda pendiente de aprobación de coordinación.",
        )

    def action_approve_erasure(self) -> None:
        client_id = self.client_id
        self._confirmed_call(
            "Aprobar cancelación (ARCO)",
            "¿Aprobar la cancelación? Su llave se destruye y ningún dato personal de ella "
            "podrá leerse otra vez. No se puede deshacer.",
            lambda session: session.approve_erasure(client_id),
            "Cancelación aprobada: sus datos personales ya no pueden leerse.",
        )

    def action_authorize_age(self) -> None:
        client_id = self.client_id
        self._confirmed_call(
            "Autorizar excepción de edad",
            "¿Autorizar que el instituto la atienda aunque esté fuera del rango de edad? "
            "Después podrá abrirse su expediente.",
            lambda session: session.authorize_age_exception(client_id),
            "Excepción de edad autorizada.",
        )

    class Done(Message, bubble=False):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_client_screen_done(self, message: Done) -> None:
        self.notify(message.text)
        self.action_reload()

    def action_trail(self) -> None:
        if self.client is not None:
            self.post_message(
                OpenCoordination("bitacora", client=(self.client_id, self.client.name))
            )

    def action_new_case(self) -> None:
        if self.client is None:
            return
        if self.client.erased:
            self.notify(
                "Los datos de esta usuaria fueron cancelados; no admite expedientes nuevos."
            )
            return
        self.post_message(StartIntake(self.client_id, self.client.name))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    # -- service calls ------------------------------------------------------------------

    def load(self, justification: str) -> None:
        client_id = self.client_id
        self.run_service(
            lambda session: session.client_detail(client_id, justification),
            self.Loaded,
            writes=bool(justification),
        )

    # -------------------------------------------------------------------------------------

    def on_client_screen_loaded(self, message: Loaded) -> None:
        client = self.client = message.client
        self.query_one(FieldGrid).show(field_values(client))
        self.query_one("#exceptional", Static).update(
            "Acceso excepcional: registrado con su motivo y notificado a coordinación."
            if self.justification
            else ""
        )
        self.refresh_bindings()
        table = self.query_one("#expedientes", Table)
        table.clear()
        for case in client.cases:
            table.add_row(
                *cells(
                    case.folio,
                    format_date(case.opened_on),
                    case.status,
                    case.zone_name,
                    case.risk,
                ),
                key=str(case.case_id),
            )
        table.measure_now()
        self.query_one("#expedientes-vacio", Static).update(
            "" if client.cases else "Sin expedientes. Pulse n para abrir el primero."
        )

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, JustificationRequired):

            def retry(reason: str | None) -> None:
                if reason:
                    self.justification = reason
                    self.load(reason)
                else:
                    self.app.pop_screen()

            self.app.push_screen(JustificationScreen(error.message), retry)
            return
        super().handle_failure(error)
