"""Registrar usuaria and Abrir expediente (entrevista inicial): forms checked as you type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from domain import identity
from domain.errors import DomainError, InvalidField
from domain.vocabulary import Modality, RiskLevel, ViolenceType
from tui.base import SessionScreen
from tui.gateway import Gateway
from tui.keymap import FORM_KEYS, bindings
from tui.navigation import OpenCase, OpenClient
from tui.widgets import ChoiceField, FormField, sentence
from violeta.dto import CaseSummary, NewClient, NewIntake, ZoneOption


def optional_date(field: str) -> Callable[[str], object]:
    def check(text: str) -> object:
        return identity.parse_date(field, text) if text.strip() else None

    return check


def required_text(field: str, max_length: int) -> Callable[[str], object]:
    return lambda text: identity.free_text(field, text, max_length=max_length)


class FormScreen(SessionScreen):
    """Enter moves on, Ctrl+S saves, and a refusal from the service lands under its field."""

    KEYMAP = FORM_KEYS
    BINDINGS = bindings(FORM_KEYS)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def validate_inputs(self) -> bool:
        """Shows every problem at once and puts the cursor on the first one."""
        invalid = [field for field in self.query(FormField) if not field.validate()]
        if invalid:
            invalid[0].query_one(Input).focus()
        return not invalid

    def show_problem(self, field_label: str, text: str) -> None:
        for field in self.query(".field").results():
            if isinstance(field, FormField | ChoiceField) and field.label.startswith(field_label):
                field.show_problem(text)
                return
        self.form_message(f"{field_label}: {text}")

    def form_message(self, text: str) -> None:
        message = self.query_one("#form-message", Static)
        message.update(text)
        message.set_class(bool(text), "-problem")

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, InvalidField):
            self.show_problem(error.field, sentence(error.problem))
        else:
            self.form_message(error.message)


class RegisterClientScreen(FormScreen):
    TITLE_TEXT = "Registrar usuaria"
    AUTO_FOCUS = "#nombre-input"

    class Registered(Message, bubble=False):
        def __init__(self, client_id: UUID) -> None:
            super().__init__()
            self.client_id = client_id

    class ZonesLoaded(Message, bubble=False):
        def __init__(self, zones: list[ZoneOption]) -> None:
            super().__init__()
            self.zones = zones

    def __init__(self, gateway: Gateway, today: Callable[[], date]) -> None:
        super().__init__(gateway)
        self.today = today

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        with VerticalScroll(classes="form"):
            yield Static("", id="form-message", classes="field-message", markup=False)
            yield FormField(
                "Nombre completo",
                lambda text: identity.person_name("Nombre", text),
                id="nombre",
                placeholder="Nombre(s) y apellidos",
            )
            yield FormField(
                "Fecha de nacimiento",
                lambda text: identity.BirthDate.parse(text, self.today()),
                id="nacimiento",
                placeholder="dd/mm/aaaa",
            )
            yield FormField(
                "CURP (opcional)", identity.curp, id="curp", placeholder="18 caracteres"
            )
            yield FormField(
                "Teléfono (opcional)", identity.phone, id="telefono", placeholder="10 dígitos"
            )
            yield ChoiceField(
                "Zona (colonia o comunidad)",
                Select[str]([], id="zona-select", prompt="Seleccione la zona"),
                id="zona",
            )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.run_service(lambda session: session.zones(), self.ZonesLoaded)

    def on_register_client_screen_zones_loaded(self, message: ZonesLoaded) -> None:
        self.query_one("#zona-select", Select).set_options(
            (zone.name, zone.code) for zone in message.zones
        )

    def on_select_changed(self, _event: Select.Changed) -> None:
        self.query_one("#zona", ChoiceField).show_problem("")

    def action_submit(self) -> None:
        self.form_message("")
        fields = {field.id: field for field in self.query(FormField)}
        valid = self.validate_inputs()
        zone = self.query_one("#zona-select", Select).value
        if not isinstance(zone, str):
            self.query_one("#zona", ChoiceField).show_problem("Seleccione la zona.")
            return
        if valid:
            self.register(
                NewClient(
                    name=fields["nombre"].value,
                    birth_date=fields["nacimiento"].value,
                    curp=fields["curp"].value,
                    phone=fields["telefono"].value,
                    zone=zone,
                )
            )

    # -- service calls ------------------------------------------------------------------

    def register(self, form: NewClient) -> None:
        self.run_service(
            lambda session: session.register_client(form), self.Registered, writes=True
        )

    # -------------------------------------------------------------------------------------

    def on_register_client_screen_registered(self, message: Registered) -> None:
        self.notify("Usuaria registrada.")
        self.post_message(OpenClient(message.client_id, replace=True))


class IntakeScreen(FormScreen):
    TITLE_TEXT = "Abrir expediente · entrevista inicial"
    AUTO_FOCUS = "#motivo-input"

    class Opened(Message, bubble=False):
        def __init__(self, case: CaseSummary) -> None:
            super().__init__()
            self.case = case

    def __init__(self, gateway: Gateway, client_id: UUID, client_name: str) -> None:
        super().__init__(gateway)
        self.client_id = client_id
        self.client_name = client_name

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        with VerticalScroll(classes="form"):
            yield Static(f"Usuaria: {self.client_name}", classes="explain", markup=False)
            yield Static("", id="form-message", classes="field-message", markup=False)
            yield FormField(
                "Motivo de atención",
                required_text("Motivo de atención", identity.SHORT_TEXT_MAX),
                id="motivo",
            )
            yield ChoiceField("Relato", TextArea(id="relato-text", soft_wrap=True), id="relato")
            yield ChoiceField(
                "Tipos de violencia",
                SelectionList[str](*((t.label, t.value) for t in ViolenceType), id="tipos-list"),
                id="tipos",
                hint="Espacio marca o desmarca; puede elegir varios.",
            )
            yield ChoiceField(
                "Modalidades",
                SelectionList[str](*((m.label, m.value) for m in Modality), id="modalidades-list"),
                id="modalidades",
                hint="Espacio marca o desmarca; puede elegir varias.",
            )
            yield ChoiceField(
                "Nivel de riesgo",
                Select[str](
                    ((r.label, r.value) for r in RiskLevel),
                    id="riesgo-select",
                    prompt="Seleccione el nivel",
                ),
                id="riesgo",
            )
            yield FormField(
                "Fecha de apertura",
                optional_date("Fecha de apertura"),
                id="apertura",
                placeholder="dd/mm/aaaa",
                hint="Vacía: hoy.",
            )
        yield from self.compose_footer()

    def narrative(self) -> str:
        return self.query_one("#relato-text", TextArea).text

    def types(self) -> list[str]:
        return list(self.query_one("#tipos-list", SelectionList).selected)

    def modalities(self) -> list[str]:
        return list(self.query_one("#modalidades-list", SelectionList).selected)

    def risk(self) -> str | None:
        value = self.query_one("#riesgo-select", Select).value
        return value if isinstance(value, str) else None

    def choice_problems(self) -> dict[str, str]:
        """The Spanish problem of each field that is not a one-line input."""
        problems = {"relato": "", "tipos": "", "modalidades": "", "riesgo": ""}
        try:
            identity.free_text("Relato", self.narrative(), max_length=identity.NARRATIVE_MAX)
        except InvalidField as problem:
            problems["relato"] = sentence(problem.problem)
        if not self.types():
            problems["tipos"] = "Seleccione al menos uno."
        if not self.modalities():
            problems["modalidades"] = "Seleccione al menos una."
        if self.risk() is None:
            problems["riesgo"] = "Seleccione el nivel de riesgo."
        return problems

    def show_choice_problems(self, *, only: set[str] | None = None) -> bool:
        problems = self.choice_problems()
        for key, problem in problems.items():
            if only is None or key in only:
                self.query_one(f"#{key}", ChoiceField).show_problem(problem)
        return not any(problems.values())

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self.show_choice_problems(only={"relato"})

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.show_choice_problems(
            only={"tipos" if event.selection_list.id == "tipos-list" else "modalidades"}
        )

    def on_select_changed(self, _event: Select.Changed) -> None:
        self.show_choice_problems(only={"riesgo"})

    def action_submit(self) -> None:
        self.form_message("")
        inputs_valid = self.validate_inputs()
        choices_valid = self.show_choice_problems()
        risk = self.risk()
        if not (inputs_valid and choices_valid) or risk is None:
            return
        self.open_case(
            NewIntake(
                reason=self.query_one("#motivo", FormField).value,
                narrative=self.narrative(),
                violence_types=tuple(self.types()),
                modalities=tuple(self.modalities()),
                risk=risk,
                opened_on=self.query_one("#apertura", FormField).value,
            )
        )

    # -- service calls ------------------------------------------------------------------

    def open_case(self, form: NewIntake) -> None:
        client_id = self.client_id
        self.run_service(
            lambda session: session.open_case(client_id, form), self.Opened, writes=True
        )

    # -------------------------------------------------------------------------------------

    def on_intake_screen_opened(self, message: Opened) -> None:
        self.post_message(
            OpenCase(
                message.case.case_id,
                replace=True,
                announce=f"Expediente {message.case.folio} abierto.",
            )
        )
