"""El expediente: one tab per section, each composed and read (audited, once) only when shown."""

from __future__ import annotations

from uuid import UUID

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from domain.errors import DomainError
from domain.permissions import Action, Decision, decide
from domain.vocabulary import CaseStatus, Role, Section
from tui.base import SessionScreen
from tui.dialogs import JustificationScreen, NoteScreen
from tui.gateway import Gateway
from tui.keymap import CASE_KEYS, bindings
from tui.navigation import OpenClient
from tui.records import CASE_FORM_BY_NAME, CASE_FORM_KEYS, EVERY_TAB_ACTIONS, RecordScreen
from tui.roles import form_offered, offered
from tui.tabs import SectionTabs
from tui.widgets import format_date
from violeta.dto import CaseDetail, RecordEntry
from violeta.service import JustificationRequired, TamperedRecord

SECTIONS = tuple(Section)
LEAVING = frozenset({"client", "reload", "back"})
NO_ACCESS = "Sin acceso para su rol."
# A section her role reads only with a typed reason: moving onto its tab asks nothing.
ASK_TO_READ = (
    "Consulta excepcional: esta sección no corresponde a su rol. Pulse Enter (o m) para "
    "registrar el motivo y leerla; el acceso queda registrado y coordinación recibe un aviso."
)
SEVERAL_RULE = "Un expediente puede registrar varios tipos y modalidades."


# Sections whose services keep structured records besides free notes.
SECTIONS_WITH_RECORDS = frozenset(SECTIONS) - {Section.IDENTIFICATION, Section.INTAKE}

# The eight tabs must fit in 120 columns; the pane itself uses the full name.
TAB_LABELS = {Section.INTAKE: "Entrevista", Section.PROTECTION_ORDERS: "Órdenes"}


def first_section(role: Role) -> Section:
    """The intake if the role reads it, else the first section it reads."""
    granted = [s for s in SECTIONS if decide(role, s, Action.READ) is Decision.GRANTED]
    return Section.INTAKE if Section.INTAKE in granted else (granted or [Section.INTAKE])[0]


def pane_id(section: Section) -> str:
    return f"sec-{section.value}"


def section_of(pane: str) -> Section:
    return Section(pane.removeprefix("sec-"))


def header(detail: CaseDetail) -> Content:
    return Content.from_markup(
        "[b]$folio[/b] · $client\n"
        "Apertura $opened · Estado: $status · Zona: $zone · Riesgo: [b]$risk[/b]\n"
        "Tipos de violencia: $types\nModalidades: $modalities  [dim]($rule)[/dim]",
        folio=detail.folio,
        client=detail.client_name,
        opened=format_date(detail.opened_on),
        status=detail.status
        + (" · cierre solicitado, pendiente de aprobación" if detail.closure_pending else ""),
        zone=detail.zone_name,
        risk=detail.risk,
        types=", ".join(detail.violence_types) or "—",
        modalities=", ".join(detail.modalities) or "—",
        rule=SEVERAL_RULE,
    )


def section_body(section: Section, detail: CaseDetail) -> Content:
    parts: list[Content] = []
    if section is Section.INTAKE:
        parts.append(Content.from_markup("[b]Motivo de atención[/b]\n$text\n", text=detail.reason))
        parts.append(Content.from_markup("[b]Relato[/b]\n$text\n", text=detail.narrative))
        parts.append(
            Content.from_markup(
                "[b]Persona agresora[/b]\n$relation$details\n",
                relation=detail.aggressor_relationship,
                details=f" · {detail.aggressor_details}" if detail.aggressor_details else "",
            )
        )
        factors = ", ".join(detail.risk_factors) or "Ninguno registrado"
        parts.append(Content.from_markup("[b]Factores de riesgo[/b]\n$text\n", text=factors))
    if section in SECTIONS_WITH_RECORDS:
        parts.extend(records_body(detail.records))
    parts.append(Content.from_markup("[b]Notas[/b]"))
    if not detail.notes:
        parts.append(Content.from_markup("[dim]Sin notas en esta sección.[/dim]"))
    for note in detail.notes:
        parts.append(
            Content.from_markup(
                "[dim]$date · $author[/dim]\n$text\n",
                date=format_date(note.written_on),
                author=note.author,
                text=note.text,
            )
        )
    return Content("\n").join(parts)


def records_body(records: tuple[RecordEntry, ...]) -> list[Content]:
    parts = [Content.from_markup("[b]Registros[/b]")]
    if not records:
        parts.append(Content.from_markup("[dim]Sin registros en esta sección.[/dim]\n"))
    for record in records:
        day = format_date(record.on) if record.on is not None else ""
        when = " · ".join(part for part in (day, record.by) if part)
        lines = [Content.from_markup("$title  [dim]$when[/dim]", title=record.title, when=when)]
        lines.extend(
            Content.from_markup("  [dim]$label:[/dim] $value", label=label, value=value)
            for label, value in record.details
        )
        parts.append(Content("\n").join(lines) + Content("\n"))
    return parts


class CaseScreen(SessionScreen):
    # The section's forms come before the keys that leave the case; the life-cycle forms
    # offered on every tab (the closure) after the tab's own.
    KEYMAP = (
        *(key for key in CASE_KEYS if key.action not in LEAVING),
        *(key for key in CASE_FORM_KEYS if key.action not in EVERY_TAB_ACTIONS),
        *(key for key in CASE_FORM_KEYS if key.action in EVERY_TAB_ACTIONS),
        *(key for key in CASE_KEYS if key.action in LEAVING),
    )
    BINDINGS = bindings(KEYMAP)
    TITLE_TEXT = "Expediente"
    RELOADABLE = True

    class SectionLoaded(Message, bubble=False):
        def __init__(self, section: Section, detail: CaseDetail) -> None:
            super().__init__()
            self.section = section
            self.detail = detail

    class NoteAdded(Message, bubble=False):
        def __init__(self, section: Section) -> None:
            super().__init__()
            self.section = section

    def __init__(
        self,
        gateway: Gateway,
        case_id: UUID,
        first: CaseDetail | DomainError | None = None,
        generation: int | None = None,
    ) -> None:
        """``first``: the first section (``opening_section``) as read for this screen, or the
        refusal, at the gateway's ``generation``, shown as it is composed; without it the
        screen reads it itself."""
        super().__init__(gateway)
        self.case_id = case_id
        self.client_id: UUID | None = None
        # She opened this case today (the service says so in what it reads): its entrevista
        # inicial is hers to read back without a reason.
        self.opened_it_today = False
        self.current = self.first_section()
        self._first = first
        self._first_generation = generation
        # What this screen shows, per section, only while it is on screen.
        self.loaded: dict[Section, CaseDetail] = {}
        self.justifications: dict[Section, str] = {}
        self._panes: dict[Section, tuple[VerticalScroll, Static, Static]] = {}
        # Read and not yet delivered: a tab shown twice meanwhile is still read once.
        self.reading: set[Section] = set()

    def _new_pane(self, section: Section) -> VerticalScroll:
        mark = Static("", id=f"mark-{section.value}", classes="exceptional")
        body = Static("", id=f"body-{section.value}", classes="section-body")
        pane = VerticalScroll(mark, body, id=pane_id(section), classes="section-pane")
        self._panes[section] = (pane, mark, body)
        return pane

    def pane(self, section: Section) -> tuple[Static, Static]:
        """The section's mark line and body, mounted the first time its tab is shown."""
        if section not in self._panes:
            self.mount(self._new_pane(section), before="#legend")
        _, mark, body = self._panes[section]
        return mark, body

    def decision(self, section: Section, action: Action = Action.READ) -> Decision:
        return decide(
            self.gateway.identity.role, section, action, opened_it_today=self.opened_it_today
        )

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static("Cargando expediente…", id="case-header")
        yield SectionTabs(
            tuple(
                (pane_id(section), TAB_LABELS.get(section, section.label)) for section in SECTIONS
            ),
            active=pane_id(self.current),
            id="secciones",
        )
        # Only the first tab's pane: the others are mounted when first shown (``pane``),
        # where it is, before the legend; composing eight sections at once was most of the
        # time it took to open a case. Each pane takes the height left (``1fr``); one shows.
        yield self._new_pane(self.current)
        yield Static(
            "Pestaña [b]ámbar[/b]: consulta excepcional, con motivo · "
            "[b]tachada[/b]: sin acceso para su rol",
            id="legend",
            classes="muted",
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._mark_tabs()
        first, self._first = self._first, None
        self._show_first(first, self._first_generation)

    def _mark_tabs(self) -> None:
        """Each tab marked by what her role may do there (for this case, as known so far)."""
        tabs = self.query_one(SectionTabs)
        for section in SECTIONS:
            decision = self.decision(section)
            if decision is Decision.BREAK_GLASS:
                tabs.set_marks(pane_id(section), "-exceptional")
            elif decision is Decision.DENIED:
                tabs.set_marks(pane_id(section), "-no-access")
            else:
                tabs.set_marks(pane_id(section))

    def _show_first(self, first: CaseDetail | DomainError | None, generation: int | None) -> None:
        if first is None:
            self.show_section(self.current)
            return
        # Read before the screen was shown (``opening_section``): shown as the read came back.
        self.mark_fresh(generation)
        self.refresh_bindings()
        if isinstance(first, DomainError):
            self.pane(self.current)[1].update("Cargando…")
            self.handle_failure(first)
        else:
            self.on_case_screen_section_loaded(self.SectionLoaded(self.current, first))

    def show_again(
        self, case_id: UUID, first: CaseDetail | DomainError | None, generation: int | None
    ) -> None:
        """This screen, kept after it was closed, shows another case (or the same again): its
        sections are emptied, their reads and reasons forgotten, and nothing read for it is
        shown any more; it opens on its first tab."""
        self.forget_reads()
        self.case_id = case_id
        self.client_id = None
        # Whether she opened this case today is known from its first read, not the last case's.
        self.opened_it_today = False
        self._mark_tabs()
        self.loaded.clear()
        self.justifications.clear()
        self.reading.clear()
        for pane, mark, body in self._panes.values():
            mark.update("")
            body.update("")
            pane.scroll_home(animate=False)
        self.query_one("#case-header", Static).update("Cargando expediente…")
        tabs = self.query_one(SectionTabs)
        self.current = self.first_section()
        tabs.show_active(pane_id(self.current))
        self.pane(self.current)
        for each, (pane, _, _) in self._panes.items():
            pane.display = each is self.current
        self.set_focus(tabs)
        if isinstance(first, DomainError):
            # Once this screen is on the stack again, as a new screen would show it.
            self.call_later(self._show_first, first, generation)
        else:
            self._show_first(first, generation)

    def first_section(self) -> Section:
        """The intake if the role reads it, else the first section it reads."""
        return first_section(self.gateway.identity.role)

    @staticmethod
    def opening_section(gateway: Gateway) -> Section | None:
        """The section a case screen opens on, if her role reads it without a reason."""
        section = first_section(gateway.identity.role)
        granted = decide(gateway.identity.role, section, Action.READ) is Decision.GRANTED
        return section if granted else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "justify":
            return (
                self.current not in self.loaded
                and self.current not in self.reading
                and self.decision(self.current) is Decision.BREAK_GLASS
            )
        if action == "add_note":
            return offered(self.gateway, "add_note", self.current)
        if action == "case_form":
            entry = CASE_FORM_BY_NAME.get(str(parameters[0])) if parameters else None
            return (
                entry is not None
                and (entry.section is self.current or entry.on_every_tab)
                and form_offered(self.gateway, entry.form.method, entry.section)
                and self._fits_status(entry.form.method)
            )
        return True

    def _fits_status(self, method: str) -> bool:
        """A closed case is reopened, not closed again; an open one the other way round, and
        only by whoever attends one of its areas (the case's rule). Until the case is read
        its status is unknown and both are offered."""
        statuses = {detail.status for detail in self.loaded.values()}
        if not statuses:
            return True
        closed = CaseStatus.CLOSED.label in statuses
        if method == "reopen_case":
            return closed
        if method == "enter_follow_up":
            # From an open or reopened case, by whoever attends it or coordinación.
            staged = {CaseStatus.OPEN.label, CaseStatus.REOPENED.label}
            attends = any(detail.attended_by_reader for detail in self.loaded.values())
            coordinates = self.gateway.identity.role is Role.COORDINATION
            return bool(statuses & staged) and (attends or coordinates)
        if method == "request_closure":
            attends = any(detail.attended_by_reader for detail in self.loaded.values())
            pending = any(detail.closure_pending for detail in self.loaded.values())
            return not closed and attends and not pending
        return True

    def on_section_tabs_activated(self, event: SectionTabs.Activated) -> None:
        event.stop()
        self.show_section(section_of(event.tab))

    def show_section(self, section: Section) -> None:
        self.current = section
        self.refresh_bindings()
        _, body = self.pane(section)
        for each, (pane, _, _) in self._panes.items():
            pane.display = each is section
        if section in self.loaded or section in self.reading:
            return
        decision = self.decision(section)
        if decision is Decision.DENIED:
            # Never asked of the service: browsing tabs is not an attempt to read.
            body.update(NO_ACCESS)
            return
        reason = self.justifications.get(section, "")
        if decision is Decision.BREAK_GLASS and not reason:
            # Moving across the tabs is not asking to read: she asks with Enter or m.
            body.update(ASK_TO_READ)
            return
        body.update("Cargando…")
        self.load(section, reason)

    def action_section(self, number: int) -> None:
        if 1 <= number <= len(SECTIONS):
            self.query_one(SectionTabs).activate(pane_id(SECTIONS[number - 1]))

    def action_reload(self) -> None:
        self.mark_fresh()
        self.loaded.pop(self.current, None)
        self.show_section(self.current)

    def action_justify(self) -> None:
        self.ask_justification(self.current, JustificationRequired(self.current).message)

    def action_client(self) -> None:
        if self.client_id is not None:
            self.post_message(OpenClient(self.client_id))

    def action_add_note(self) -> None:
        section = self.current

        def save(text: str | None) -> None:
            if text:
                self.add_note(section, text)

        self.app.push_screen(NoteScreen(section.label), save)

    def action_case_form(self, name: str) -> None:
        entry = CASE_FORM_BY_NAME.get(name)
        if entry is None:
            return
        section, form = entry.section, entry.form

        def saved(_: None) -> None:
            self.notify(form.done)
            # A life-cycle change shows in the header, which every section's read renews.
            stale = [section] if section is not Section.INTAKE else list(self.loaded)
            for each in stale:
                self.loaded.pop(each, None)
            if self.current in stale:
                self.show_section(self.current)

        folios = [detail.folio for detail in self.loaded.values()]
        heading = f"Expediente {folios[0]}" if folios else ""
        self.app.push_screen(RecordScreen(self.gateway, self.case_id, heading, form), saved)

    def ask_justification(self, section: Section, explanation: str) -> None:
        def retry(reason: str | None) -> None:
            if reason:
                self.justifications[section] = reason
                self.pane(section)[1].update("Cargando…")
                self.load(section, reason)
                self.refresh_bindings()

        self.app.push_screen(JustificationScreen(explanation), retry)

    # -- service calls ------------------------------------------------------------------

    def load(self, section: Section, justification: str) -> None:
        case_id = self.case_id
        self.reading.add(section)
        self.run_service(
            lambda session: session.case_detail(case_id, section, justification),
            lambda detail: self.SectionLoaded(section, detail),
            # An exceptional access raises an alert: Mi día's counter must show it on return.
            writes=bool(justification),
        )

    def add_note(self, section: Section, text: str) -> None:
        case_id = self.case_id
        self.run_service(
            lambda session: session.add_note(case_id, section, text),
            lambda _: self.NoteAdded(section),
            writes=True,
        )

    # -------------------------------------------------------------------------------------

    def on_case_screen_section_loaded(self, message: SectionLoaded) -> None:
        section, detail = message.section, message.detail
        self.reading.discard(section)
        self.loaded[section] = detail
        if detail.opened_by_reader_today and not self.opened_it_today:
            self.opened_it_today = True
            self.query_one(SectionTabs).set_marks(pane_id(Section.INTAKE))
        self.refresh_bindings()
        self.client_id = detail.client_id
        self.query_one("#case-header", Static).update(header(detail))
        mark, body = self.pane(section)
        body.update(section_body(section, detail))
        mark.update(
            "ACCESO EXCEPCIONAL · registrado con su motivo y notificado a coordinación"
            if detail.exceptional_access
            else ""
        )

    def on_case_screen_note_added(self, message: NoteAdded) -> None:
        self.notify(f"Nota registrada en «{message.section.label}».")
        if self.loaded.pop(message.section, None) is not None and message.section == self.current:
            self.show_section(message.section)

    def handle_failure(self, error: DomainError) -> None:
        # Which read failed is known only for a reason asked; any other failure frees them
        # all, so a tab shown again reads again.
        if isinstance(error, JustificationRequired):
            self.reading.discard(error.section)
        else:
            self.reading.clear()
        if isinstance(error, TamperedRecord):
            # This case's stored data do not open: say so where the case would be shown.
            self.query_one("#case-header", Static).update(error.message)
        if isinstance(error, JustificationRequired):
            self.justifications.pop(error.section, None)
            self.pane(error.section)[1].update(ASK_TO_READ)
            self.refresh_bindings()
            return
        super().handle_failure(error)
