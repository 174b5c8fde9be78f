"""Drafts of the long forms (registration, entrevista inicial) and Mi día's agenda panel.

Ctrl+B seals what the form holds as a draft of its author (violeta/drafts.py); Mi día lists
her drafts («Mis borradores») and, for psicología, the next sessions. Enter on a draft
resumes it in its form; saving the real record discards the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar, Protocol, cast
from uuid import UUID

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from domain.errors import DomainError
from tui.forms import FormScreen
from tui.gateway import Gateway, SessionClosed
from tui.intake_forms import IntakeScreen, RegisterClientScreen
from tui.keymap import FORM_KEYS, Key, bindings
from tui.navigation import OpenCase
from tui.widgets import Table, cells, format_date
from violeta.agenda import NextPsychologySession
from violeta.drafts import Draft, DraftKind, DraftSummary
from violeta.service import Institute

DRAFT_KEYS: tuple[Key, ...] = (
    Key("ctrl+b", "save_draft", "Borrador", shown="Ctrl+B", long="Guardar como borrador"),
)
SAVED = "Borrador guardado y sellado: solo usted lo ve y lo retoma desde Mi día."


class DraftForm(FormScreen):
    """A long form that can be sealed as a draft of its author and resumed later."""

    KEYMAP = (*FORM_KEYS, *DRAFT_KEYS)
    BINDINGS = bindings(DRAFT_KEYS)
    DRAFT_KIND: ClassVar[DraftKind]
    draft_id: UUID | None = None

    class DraftSaved(Message, bubble=False):
        def __init__(self, draft_id: UUID) -> None:
            super().__init__()
            self.draft_id = draft_id

    def draft_client(self) -> UUID | None:
        return None

    def action_save_draft(self) -> None:
        values, kind, client_id, draft_id = (
            self.values(),
            self.DRAFT_KIND.value,
            self.draft_client(),
            self.draft_id,
        )
        self.form_message("Guardando borrador…")
        self.run_service(
            lambda session: session.save_draft(
                kind, values, client_id=client_id, draft_id=draft_id
            ),
            self.DraftSaved,
            writes=True,
        )

    def on_draft_form_draft_saved(self, message: DraftSaved) -> None:
        self.draft_id = message.draft_id
        self._pristine = self.values()  # sealed: leaving no longer loses it
        self.form_message(SAVED)
        self.notify(SAVED, title="Borrador")

    def saved_as_record(self) -> None:
        """The real record exists: the draft has done its work."""
        draft_id = self.draft_id
        if draft_id is None:
            return
        self.draft_id = None
        gateway = self.gateway

        def discard() -> None:
            try:
                gateway.call(lambda session: session.discard_draft(draft_id), writes=True)
            except (SessionClosed, DomainError):
                return  # gone already, or the session ended: nothing left to show

        self.app.run_worker(discard, thread=True, group="service")


class RegisterDraftScreen(DraftForm, RegisterClientScreen):
    DRAFT_KIND = DraftKind.REGISTRATION

    def on_register_client_screen_registered(
        self, _message: RegisterClientScreen.Registered
    ) -> None:
        self.saved_as_record()


class IntakeDraftScreen(DraftForm, IntakeScreen):
    DRAFT_KIND = DraftKind.INTAKE

    def draft_client(self) -> UUID | None:
        return self.client_id

    def on_intake_screen_opened(self, _message: IntakeScreen.Opened) -> None:
        self.saved_as_record()


def resumed(
    gateway: Gateway, draft: Draft, today: Callable[[], date], client_name: str
) -> DraftForm:
    """The form of a draft, holding what was typed."""
    screen: DraftForm
    if draft.kind is DraftKind.INTAKE and draft.client_id is not None:
        screen = IntakeDraftScreen(gateway, draft.client_id, client_name)
    else:
        screen = RegisterDraftScreen(gateway, today)
    keys = {field.key for field in screen.fields}
    # Empty answers stay unanswered (a choice cannot be set to nothing).
    screen.initial = {key: value for key, value in draft.values.items() if key in keys and value}
    screen.draft_id = draft.draft_id
    return screen


class _WithInstitute(Protocol):
    institute: Institute


class AgendaPanel(Horizontal):
    """Mi día's «Mis borradores» and, for psicología, «Próximas sesiones»; each shown only
    while something is in it. Filled by Mi día's one load (DashboardScreen), which reads
    every list on the screen in one audited access."""

    class Loaded(Message, bubble=False):
        def __init__(
            self, drafts: list[DraftSummary], sessions: list[NextPsychologySession]
        ) -> None:
            super().__init__()
            self.drafts = drafts
            self.sessions = sessions

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(id="agenda", classes="colas")
        self.gateway = gateway
        self._drafts: dict[str, DraftSummary] = {}
        self._sessions: dict[str, NextPsychologySession] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="col-borradores"):
            yield Static("Mis borradores (Enter retoma)", classes="section-title")
            drafts: DataTable[str] = Table(id="borradores", cursor_type="row", zebra_stripes=True)
            drafts.add_columns("Guardado", "Formulario", "Usuaria")
            yield drafts
        with Vertical(id="col-sesiones"):
            yield Static("Próximas sesiones de psicología (7 días)", classes="section-title")
            sessions: DataTable[str] = Table(id="sesiones", cursor_type="row", zebra_stripes=True)
            sessions.add_columns("Próxima", "Folio", "Usuaria", "Última", "Situación")
            yield sessions

    def on_mount(self) -> None:
        # Read by Mi día's own load (DashboardScreen.action_reload): reading here as well
        # listed (and audited) her agenda twice at every login.
        self.display = False

    def on_agenda_panel_loaded(self, message: Loaded) -> None:
        drafts = self.query_one("#borradores", DataTable)
        drafts.clear()
        self._drafts = {str(item.draft_id): item for item in message.drafts}
        for item in message.drafts:
            drafts.add_row(
                *cells(
                    item.saved_at.strftime("%d/%m/%Y %H:%M"),
                    item.kind.label,
                    item.client_name or "(por registrar)",
                ),
                key=str(item.draft_id),
            )
        sessions = self.query_one("#sesiones", DataTable)
        sessions.clear()
        self._sessions = {str(item.case_id): item for item in message.sessions}
        for next_one in message.sessions:
            sessions.add_row(
                *cells(
                    format_date(next_one.next_session),
                    next_one.folio,
                    next_one.client_name,
                    format_date(next_one.last_session),
                    "Pasó la fecha" if next_one.overdue else "Programada",
                ),
                key=str(next_one.case_id),
            )
        self.query_one("#col-borradores").display = bool(message.drafts)
        self.query_one("#col-sesiones").display = bool(message.sessions)
        self.display = bool(message.drafts or message.sessions)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        if event.data_table.id == "sesiones" and key in self._sessions:
            self.post_message(OpenCase(self._sessions[key].case_id))
        elif key in self._drafts:
            self.resume(self._drafts[key])

    class Resume(Message, bubble=False):
        def __init__(self, draft: Draft, client_name: str) -> None:
            super().__init__()
            self.draft = draft
            self.client_name = client_name

    def resume(self, summary: DraftSummary) -> None:
        def job() -> None:
            try:
                draft = self.gateway.call(lambda session: session.open_draft(summary.draft_id))
            except SessionClosed:
                return
            except DomainError as error:
                self.app.call_from_thread(
                    self.app.notify, error.message, title="Borrador", severity="error"
                )
                return
            self.post_message(self.Resume(draft, summary.client_name))

        self.run_worker(job, thread=True, group="agenda")

    def on_agenda_panel_resume(self, message: Resume) -> None:
        today = cast(_WithInstitute, self.app).institute.today
        self.app.push_screen(resumed(self.gateway, message.draft, today, message.client_name))
