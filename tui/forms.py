"""Forms written as data: the fields, their Spanish labels (the service's own) and checks.

One screen renders any table of fields. One-line fields are checked as you type with the
domain's validators; choices and long texts when saving; a refusal from the service lands
under the field whose label it names. Ctrl+S saves; Esc asks before throwing away what was
typed. Registrar usuaria and the entrevista inicial are two such tables (tui/intake_forms.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from domain import identity
from domain.errors import DomainError, InvalidField
from tui.base import SessionScreen
from tui.dialogs import leave_asking_if_typed
from tui.gateway import Gateway
from tui.keymap import FORM_KEYS, bindings
from tui.widgets import ChoiceField, FormField, MarkedSelectionList, SpanishSelect, sentence
from violeta.service import StaffSession

FieldKind = Literal["text", "long", "date", "optional_date", "choice", "multi"]
Values = dict[str, str]  # a multi-select's values joined by commas
Choices = tuple[tuple[str, str], ...]  # (label, value)
Check = Callable[[str], object]

WHEN_EMPTY_TODAY = "Vacía: hoy."
DATE_PLACEHOLDER = "dd/mm/aaaa"
YES_NO: Choices = (("Sí", "si"), ("No", "no"))
MULTI_HINT = "Espacio marca o desmarca (✓ = elegido); puede elegir varias."


def optional_date(field: str) -> Check:
    def check(text: str) -> object:
        return identity.parse_date(field, text) if text.strip() else None

    return check


def required_text(field: str, max_length: int) -> Check:
    return lambda text: identity.free_text(field, text, max_length=max_length)


def optional_text(field: str, max_length: int) -> Check:
    return lambda text: identity.free_text(field, text, max_length=max_length, required=False)


def selected(values: Values, key: str) -> tuple[str, ...]:
    return tuple(item for item in values[key].split(",") if item)


def is_yes(values: Values, key: str) -> bool:
    return values[key] == "si"


@dataclass(frozen=True)
class Field:
    key: str  # widget id, and the key of its value
    label: str  # the service's label for it
    kind: FieldKind
    choices: Choices = ()
    max_length: int = identity.SHORT_TEXT_MAX
    hint: str = ""
    required: bool = True  # text, long, choice, multi: may it stay empty?
    check: Check | None = None  # one-line fields: a domain validator instead of the default
    placeholder: str = ""
    also: tuple[str, ...] = ()  # other labels the service uses for this field's refusals
    # Choices that come from the service (institutions, staff, a case's orders), read when
    # the form opens; it gets the form's subject id (a case or a client).
    choices_from: Callable[[StaffSession, UUID | None], Choices] | None = None
    password: bool = False  # a one-line field whose typing is not shown

    @property
    def control_id(self) -> str:
        suffix = {"long": "text", "choice": "select", "multi": "list"}.get(self.kind, "input")
        return f"{self.key}-{suffix}"

    def line_check(self) -> Check:
        if self.check is not None:
            return self.check
        if self.kind == "date":
            return lambda text: identity.parse_date(self.label, text)
        if self.kind == "optional_date":
            return optional_date(self.label)
        if self.required:
            return required_text(self.label, self.max_length)
        return optional_text(self.label, self.max_length)

    def problem(self, value: str) -> str:
        """The Spanish problem of a value that is not a one-line input ("" when fine)."""
        if self.kind == "choice" and self.required and not value:
            if self.label.startswith("¿"):
                return "Seleccione una opción."
            return f"Seleccione {self.label[:1].lower()}{self.label[1:]}."
        if self.kind == "multi" and self.required and not value:
            return "Seleccione al menos una opción."
        if self.kind == "long":
            try:
                identity.free_text(
                    self.label, value, max_length=self.max_length, required=self.required
                )
            except InvalidField as problem:
                return sentence(problem.problem)
        return ""


class FormScreen(SessionScreen):
    """Renders ``FIELDS`` (or the fields given), collects their values and shows problems.

    Enter moves on; Ctrl+S saves (``submit`` gets the values once every check passes); Esc
    asks before discarding typed text.
    """

    KEYMAP = FORM_KEYS
    BINDINGS = bindings(FORM_KEYS)
    FIELDS: tuple[Field, ...] = ()
    INTRO: str = ""

    def __init__(
        self,
        gateway: Gateway,
        fields: Sequence[Field] | None = None,
        *,
        subject: UUID | None = None,
        intro: str = "",
        initial: Values | None = None,
    ) -> None:
        super().__init__(gateway)
        self.fields = tuple(fields if fields is not None else self.FIELDS)
        self.subject = subject
        self.intro = intro or self.INTRO
        self.initial = dict(initial or {})
        self._pristine: Values | None = None
        self._leaving = False

    # -- composition ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        with VerticalScroll(classes="form"):
            if self.intro:
                yield Static(self.intro, classes="explain", markup=False)
            yield Static("", id="form-message", classes="field-message", markup=False)
            for field in self.fields:
                yield from self.compose_before(field)
                yield self.widget_for(field)
        yield from self.compose_footer()

    def compose_before(self, field: Field) -> ComposeResult:
        """Screens add explanations ahead of a field (the privacy notice, for instance)."""
        yield from ()

    def widget_for(self, field: Field) -> Widget:
        if field.kind in ("text", "date", "optional_date"):
            placeholder = field.placeholder or (DATE_PLACEHOLDER if "date" in field.kind else "")
            return FormField(
                field.label,
                field.line_check(),
                id=field.key,
                placeholder=placeholder,
                hint=field.hint,
                password=field.password,
            )
        if field.kind == "long":
            control: Widget = TextArea(id=field.control_id, soft_wrap=True)
        elif field.kind == "multi":
            control = MarkedSelectionList[str](*field.choices, id=field.control_id)
        else:
            control = SpanishSelect[str](field.choices, id=field.control_id, prompt="Seleccione")
        return ChoiceField(field.label, control, id=field.key, hint=field.hint or self._hint(field))

    @staticmethod
    def _hint(field: Field) -> str:
        return MULTI_HINT if field.kind == "multi" else ""

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#{self.fields[0].control_id}").focus()
        self.set_values(self.initial)
        self._pristine = self.values()
        dynamic = [field for field in self.fields if field.choices_from is not None]
        if dynamic:
            subject = self.subject

            def load(session: StaffSession) -> dict[str, Choices]:
                return {
                    field.key: field.choices_from(session, subject)
                    for field in dynamic
                    if field.choices_from is not None
                }

            self.run_service(load, self.ChoicesLoaded)

    class ChoicesLoaded(Message, bubble=False):
        def __init__(self, choices: dict[str, Choices]) -> None:
            super().__init__()
            self.choices = choices

    def on_form_screen_choices_loaded(self, message: ChoicesLoaded) -> None:
        for key, choices in message.choices.items():
            field = self.field(key)
            if field.kind == "choice":
                self.query_one(f"#{field.control_id}", Select).set_options(choices)
                if not choices:
                    self.query_one(f"#{key}", ChoiceField).show_problem(
                        "No hay opciones disponibles para elegir."
                    )
            self.choices_arrived(key, choices)

    def choices_arrived(self, key: str, choices: Choices) -> None:
        """Screens may react to choices read from the service."""

    # -- values -----------------------------------------------------------------------------

    def field(self, key: str) -> Field:
        return next(field for field in self.fields if field.key == key)

    def values(self) -> Values:
        values: Values = {}
        for field in self.fields:
            if field.kind == "long":
                values[field.key] = self.query_one(f"#{field.control_id}", TextArea).text
            elif field.kind == "choice":
                chosen = self.query_one(f"#{field.control_id}", Select).value
                values[field.key] = chosen if isinstance(chosen, str) else ""
            elif field.kind == "multi":
                chosen_items = self.query_one(f"#{field.control_id}", SelectionList).selected
                values[field.key] = ",".join(str(item) for item in chosen_items)
            else:
                values[field.key] = self.query_one(f"#{field.key}", FormField).value
        return values

    def set_values(self, values: Values) -> None:
        """What the form starts with (her current answers, for instance)."""
        for key, value in values.items():
            field = self.field(key)
            if field.kind == "long":
                self.query_one(f"#{field.control_id}", TextArea).text = value
            elif field.kind == "choice":
                self.query_one(f"#{field.control_id}", Select).value = value
            elif field.kind == "multi":
                listing = self.query_one(f"#{field.control_id}", SelectionList)
                for item in value.split(","):
                    if item:
                        listing.select(item)
            else:
                self.query_one(f"#{field.key}-input", Input).value = value

    def is_dirty(self) -> bool:
        return self._pristine is not None and self.values() != self._pristine

    # -- checks -----------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def extra_problems(self, values: Values) -> dict[str, str]:
        """Rules across fields that a screen adds (keyed by field key)."""
        return {}

    def problems(self, values: Values) -> dict[str, str]:
        found = {
            field.key: problem
            for field in self.fields
            if field.kind in ("long", "choice", "multi")
            and (problem := field.problem(values[field.key]))
        }
        for key, problem in self.extra_problems(values).items():
            found.setdefault(key, problem)
        return found

    def validate_inputs(self) -> bool:
        """Shows every problem at once and puts the cursor on the first one."""
        invalid = [field for field in self.query(FormField) if not field.validate()]
        if invalid:
            invalid[0].query_one(Input).focus()
        return not invalid

    def show_problem(self, field_label: str, text: str) -> None:
        """Puts a refusal under the field it names: its label or another name for it."""
        exact = [f for f in self.fields if field_label == f.label or field_label in f.also]
        loose = [f for f in self.fields if f.label.startswith(field_label)]
        for field in exact or loose:
            widget = self.query_one(f"#{field.key}")
            if isinstance(widget, FormField | ChoiceField):
                widget.show_problem(text)
                widget.scroll_visible()
                return
        self.form_message(f"{field_label}: {text}")

    def form_message(self, text: str) -> None:
        message = self.query_one("#form-message", Static)
        message.update(text)
        message.set_class(bool(text), "-problem")
        if text:
            message.scroll_visible()

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, InvalidField):
            self.form_message("")  # no longer «Guardando…»: the problem is under its field
            self.show_problem(error.field, sentence(error.problem))
        else:
            self.form_message(error.message)

    def _refresh_problem(self, key: str, *, only_if_typed: bool = False) -> None:
        values = self.values()
        problem = self.problems(values).get(key, "")
        if only_if_typed and not values[key]:
            problem = ""
        self.query_one(f"#{key}", ChoiceField).show_problem(problem)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id is not None:
            # As with one-line fields, an empty text is only reproached after trying to save.
            self._refresh_problem(event.text_area.id.removesuffix("-text"), only_if_typed=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id is not None:
            self._refresh_problem(event.select.id.removesuffix("-select"))
        self.choice_changed()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        if event.selection_list.id is not None:
            self._refresh_problem(event.selection_list.id.removesuffix("-list"))

    def choice_changed(self) -> None:
        """Screens whose hints depend on a choice update them here."""

    def action_submit(self) -> None:
        self.form_message("")
        values = self.values()
        inputs_valid = self.validate_inputs()
        problems = self.problems(values)
        for field in self.fields:
            if field.kind in ("long", "choice", "multi"):
                self.query_one(f"#{field.key}", ChoiceField).show_problem(
                    problems.get(field.key, "")
                )
        if problems and inputs_valid:
            first = next(field for field in self.fields if field.key in problems)
            self.query_one(f"#{first.control_id}").focus()
        if inputs_valid and not problems:
            self.submit(values)

    def submit(self, values: Values) -> None:
        raise NotImplementedError

    # -- leaving ----------------------------------------------------------------------------

    def action_back(self) -> None:
        leave_asking_if_typed(self, self.is_dirty(), self.leave)

    def leave(self) -> None:
        self._leaving = True
        self.app.pop_screen()
