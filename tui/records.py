"""Registrar en una sección: one form per kind of structured record, written as data.

Each form names its fields with the service's own labels, so a refusal from the service lands
under the field it is about. One-line fields are checked as you type with the domain's
validators; choices and long texts are checked when saving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Select, Static, TextArea

from domain import identity
from domain.cases import Channel, GestionOutcome, LegalMatter, ServiceEnum, SessionModality
from domain.errors import InvalidField
from domain.vocabulary import Section
from tui.forms import FormScreen, optional_date, required_text
from tui.gateway import Gateway
from tui.widgets import ChoiceField, FormField, TopBar, sentence
from violeta.service import StaffSession

FieldKind = Literal["text", "long", "date", "optional_date", "choice"]
Values = dict[str, str]


@dataclass(frozen=True)
class Field:
    key: str  # widget id, and the key of its value
    label: str  # the service's label for it
    kind: FieldKind
    choices: tuple[tuple[str, str], ...] = ()  # (label, value)
    max_length: int = identity.SHORT_TEXT_MAX
    hint: str = ""
    required: bool = True  # for long texts; the service may still ask for it (see settling)


@dataclass(frozen=True)
class RecordForm:
    title: str
    done: str  # what the case screen says once it is saved
    fields: tuple[Field, ...]
    save: Callable[[StaffSession, UUID, Values], object]


def _choices(enum: type[ServiceEnum]) -> tuple[tuple[str, str], ...]:
    return tuple((member.label, str(member.value)) for member in enum)


WHEN_EMPTY_TODAY = "Vacía: hoy."
DATE_PLACEHOLDER = "dd/mm/aaaa"

RECORD_FORMS: dict[Section, RecordForm] = {
    Section.LEGAL: RecordForm(
        title="Registrar asesoría jurídica",
        done="Asesoría jurídica registrada.",
        fields=(
            Field("materia", "Materia", "choice", _choices(LegalMatter)),
            Field("notas", "Notas de la asesoría", "long", max_length=identity.NARRATIVE_MAX),
            Field("fecha", "Fecha de la asesoría", "optional_date", hint=WHEN_EMPTY_TODAY),
        ),
        save=lambda session, case_id, v: session.give_legal_advice(
            case_id, v["materia"], v["notas"], v["fecha"]
        ),
    ),
    Section.PSYCHOLOGICAL: RecordForm(
        title="Registrar sesión psicológica",
        done="Sesión registrada.",
        fields=(
            Field("modalidad", "Modalidad", "choice", _choices(SessionModality)),
            Field("notas", "Notas de la sesión", "long", max_length=identity.NARRATIVE_MAX),
            Field("fecha", "Fecha de la sesión", "optional_date", hint=WHEN_EMPTY_TODAY),
            Field("proxima", "Próxima sesión", "optional_date", hint="Vacía: sin fecha todavía."),
        ),
        save=lambda session, case_id, v: session.record_psychology_session(
            case_id,
            modality=v["modalidad"],
            notes=v["notas"],
            held_on=v["fecha"],
            next_session=v["proxima"],
        ),
    ),
    Section.SOCIAL_WORK: RecordForm(
        title="Registrar gestión",
        done="Gestión registrada.",
        fields=(
            Field("gestion", "Gestión", "text"),
            Field("institucion", "Institución", "text"),
            Field("resultado", "Resultado", "choice", _choices(GestionOutcome)),
            Field("fecha", "Fecha de la gestión", "optional_date", hint=WHEN_EMPTY_TODAY),
        ),
        save=lambda session, case_id, v: session.record_gestion(
            case_id,
            what=v["gestion"],
            institution=v["institucion"],
            outcome=v["resultado"],
            done_on=v["fecha"],
        ),
    ),
    Section.FOLLOW_UPS: RecordForm(
        title="Programar seguimiento",
        done="Seguimiento programado.",
        fields=(
            Field("fecha", "Fecha programada", "date"),
            Field("medio", "Medio", "choice", _choices(Channel)),
        ),
        save=lambda session, case_id, v: session.schedule_follow_up(
            case_id, v["fecha"], v["medio"]
        ),
    ),
}


def settle_follow_up_form(follow_up_id: UUID) -> RecordForm:
    """The outcome of one follow-up: held (its result is then required) or missed."""

    def save(session: StaffSession, case_id: UUID, values: Values) -> None:
        session.settle_follow_up(
            case_id,
            follow_up_id,
            done=values["realizado"] == "si",
            outcome=values["resultado"],
            settled_on=values["fecha"],
        )

    return RecordForm(
        title="Registrar resultado del seguimiento",
        done="Resultado del seguimiento registrado.",
        fields=(
            Field("realizado", "¿Se realizó?", "choice", (("Sí", "si"), ("No", "no"))),
            Field(
                "resultado",
                "Resultado",
                "long",
                max_length=identity.NARRATIVE_MAX,
                required=False,
                hint="Obligatorio si se realizó.",
            ),
            Field("fecha", "Fecha", "optional_date", hint=WHEN_EMPTY_TODAY),
        ),
        save=save,
    )


class RecordScreen(FormScreen):
    """One record of one section of a case; Ctrl+S saves it and returns to the case.

    Esc leaves without saving; the case screen learns of a save through the dismissal."""

    class Saved(Message, bubble=False):
        pass

    def __init__(self, gateway: Gateway, case_id: UUID, folio: str, form: RecordForm) -> None:
        super().__init__(gateway)
        self.case_id = case_id
        self.folio = folio
        self.form = form

    def compose_frame(self) -> ComposeResult:
        yield TopBar(self.form.title, self.gateway.identity)

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        with VerticalScroll(classes="form"):
            yield Static(f"Expediente {self.folio}", classes="explain", markup=False)
            yield Static("", id="form-message", classes="field-message", markup=False)
            for field in self.form.fields:
                yield self._widget(field)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        first = self.form.fields[0]
        self.query_one(f"#{first.key}-{_control_suffix(first)}").focus()

    def _widget(self, field: Field) -> FormField | ChoiceField:
        if field.kind == "text":
            return FormField(
                field.label, required_text(field.label, field.max_length), id=field.key
            )
        if field.kind in ("date", "optional_date"):
            return FormField(
                field.label,
                optional_date(field.label)
                if field.kind == "optional_date"
                else lambda text: identity.parse_date(field.label, text),
                id=field.key,
                placeholder=DATE_PLACEHOLDER,
                hint=field.hint,
            )
        if field.kind == "long":
            return ChoiceField(
                field.label,
                TextArea(id=f"{field.key}-text", soft_wrap=True),
                id=field.key,
                hint=field.hint,
            )
        return ChoiceField(
            field.label,
            Select[str](field.choices, id=f"{field.key}-select", prompt="Seleccione"),
            id=field.key,
        )

    def values(self) -> Values:
        values: Values = {}
        for field in self.form.fields:
            if field.kind == "long":
                values[field.key] = self.query_one(f"#{field.key}-text", TextArea).text
            elif field.kind == "choice":
                chosen = self.query_one(f"#{field.key}-select", Select).value
                values[field.key] = chosen if isinstance(chosen, str) else ""
            else:
                values[field.key] = self.query_one(f"#{field.key}", FormField).value
        return values

    def choice_problems(self, values: Values) -> dict[str, str]:
        problems: dict[str, str] = {}
        for field in self.form.fields:
            if field.kind == "choice" and not values[field.key]:
                problems[field.key] = f"Seleccione {field.label.lower()}."
            elif field.kind == "long":
                try:
                    identity.free_text(
                        field.label,
                        values[field.key],
                        max_length=field.max_length,
                        required=field.required,
                    )
                except InvalidField as problem:
                    problems[field.key] = sentence(problem.problem)
        return problems

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id is not None:
            key = event.text_area.id.removesuffix("-text")
            problem = self.choice_problems(self.values()).get(key, "")
            # As with one-line fields, an empty text is only reproached after trying to save.
            self.query_one(f"#{key}", ChoiceField).show_problem(
                problem if event.text_area.text else ""
            )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id is not None:
            key = event.select.id.removesuffix("-select")
            self.query_one(f"#{key}", ChoiceField).show_problem("")

    def action_submit(self) -> None:
        self.form_message("")
        values = self.values()
        inputs_valid = self.validate_inputs()
        problems = self.choice_problems(values)
        for field in self.form.fields:
            if field.kind in ("long", "choice"):
                self.query_one(f"#{field.key}", ChoiceField).show_problem(
                    problems.get(field.key, "")
                )
        if inputs_valid and not problems:
            self.save(values)

    # -- service calls ------------------------------------------------------------------

    def save(self, values: Values) -> None:
        case_id, save = self.case_id, self.form.save
        self.run_service(
            lambda session: save(session, case_id, values), lambda _: self.Saved(), writes=True
        )

    # -------------------------------------------------------------------------------------

    def on_record_screen_saved(self, _message: Saved) -> None:
        # Dismissing (not popping) hands the outcome to the case screen, which reads the
        # section again to show it.
        self.dismiss(None)


def _control_suffix(field: Field) -> str:
    return {"long": "text", "choice": "select"}.get(field.kind, "input")
