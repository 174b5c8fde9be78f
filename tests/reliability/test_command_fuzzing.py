"""Every command fuzzed with hostile text, generated from the service itself (both backends).

The commands are the policy table's (violeta/policy.py), and each one's text slots are read
from its signature: every ``str`` parameter, every string sequence, and every text field of a
form dataclass it takes. So a new command, or a new field of a form, is fuzzed without anyone
remembering to; one whose arguments this file cannot build fails ``test_every_command_…``.

Each call gets hostile text in one slot (control characters, bidi marks, lone surrogates, 1 MB
strings, SQL and terminal escapes) and valid values elsewhere, and must end in a clean save or
a Spanish refusal that changed nothing (a refused read still records its audited attempt).
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from domain.access import AccessRecord
from domain.errors import DomainError
from domain.vocabulary import Role, Section
from tests.support.factories import (
    CORTAZAR,
    PASSWORD,
    a_client,
    an_intake,
    initialized,
    staff,
)
from violeta import dto
from violeta.policy import POLICY, SECTION_ARGUMENT
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

ACCESS_TOPIC = get_topic(AccessRecord.Recorded)
MEGABYTE = 1_000_000
KNOWN_HOSTILE = [
    "\x1b]0;PWNED\x07\x1b[2J",  # terminal title and clear screen
    "Ana\u202eacitsétnis\u2066x\u2069",  # bidi override and isolates
    "\udcff\ud800x",  # lone surrogates (invalid UTF-8 when encoded)
    "'; DROP TABLE stored_events; --",
    '" OR 1=1; DELETE FROM clients_view; --',
    "\x00\x01\x02\x7f",
    "\u200b\u200d\ufeff",
    "  \t\r\n ",
    "a" * MEGABYTE,
    "ñ" * (MEGABYTE // 2),
]
ENGLISH = ("Traceback", "Error:", "error", "invalid", "Invalid", "must ", "None", "object")
# Commands that take no text anyone types, or whose text is a file (fuzzed in
# test_import_fuzzing.py), or that would end the session the test runs on.
NOT_FUZZED = {"close", "refresh", "rebuild_views", "rotate_master_key"}
# Valid values for required text without a default, by parameter or form field name.
VALID: dict[str, Any] = {
    "text": "Texto sintético de prueba.",
    "note": "Nota sintética.",
    "notes": "Notas sintéticas.",
    "reason": "Motivo sintético de prueba.",
    "narrative": "Relato sintético de prueba.",
    "area": "juridica",
    "field": "address",
    "value": "Calle Sintética 12",
    "username": "cuenta_nueva",
    "display_name": "Persona Nueva Prueba",
    "initial_password": PASSWORD,
    "temporary_password": PASSWORD,
    "old_password": PASSWORD,
    "new_password": PASSWORD + "-otra",
    "matter": "familiar",
    "authority": "Juzgado Ficticio",
    "what": "Gestión sintética",
    "institution": "Institución Ficticia",
    "outcome": "favorable",
    "kind": "administrativa",
    "measures": ("vigilancia_policial",),
    "detail": "Detalle sintético.",
    "modality": "presencial",
    "conduct": "dilacion",
    "facts": "Hechos sintéticos.",
    "reported_to": "Órgano Ficticio",
    "due_on": "12/12/2026",
    "deadline": "30/12/2026",
    "issued_on": "06/10/2026",
    "channel": "presencial",
    "target": "10",
    "name": "Ana Prueba Sintética",
    "birth_date": "15/03/1990",
    "zone": CORTAZAR,
    "code": CORTAZAR,
    "into": "110110054",
    "status": "en_tramite",
    "command": "add_note",
    "topic": "Tema sintético",
    "held_on": "10/11/2026",
    "attendance": {"18-29": "3"},
    "services": ("refugio",),
    "risk": "medio",
    "violence_types": ("psicologica",),
    "modalities": ("familiar",),
    "values": {"motivo": "Borrador sintético"},
}
PER_COMMAND: dict[tuple[str, str], Any] = {
    ("record_social_visit", "kind"): "domicilio",
    ("set_target", "kind"): "taller",
    ("statistics_table", "name"): "casos",
    ("record_gestion", "outcome"): "favorable",
    ("record_referral_outcome", "outcome"): "atendida",
    ("settle_follow_up", "outcome"): "Se encuentra estable (sintético).",
    ("record_accompaniment", "area"): "juridica",
    ("save_draft", "kind"): "entrevista_inicial",
}
FORM_BASES: dict[type, Callable[[World], Any]] = {}
ROLE_ORDER = (
    Role.COORDINATION,
    Role.LEGAL,
    Role.PSYCHOLOGY,
    Role.SOCIAL_WORK,
    Role.RECEPTION,
    Role.ADMINISTRATION,
)


@dataclass
class World:
    """What the commands act on: a woman with a case and one of every record."""

    sessions: dict[Role, StaffSession]
    ids: dict[str, UUID]
    folder: Path


@dataclass(frozen=True)
class Slot:
    """One place a command takes text: a parameter, or a field of a form parameter."""

    command: str
    parameter: str
    field: str = ""
    shape: str = "text"  # text, sequence, mapping

    def __str__(self) -> str:
        return f"{self.command}({self.parameter}{'.' + self.field if self.field else ''})"


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The parameters' types (or a dataclass's fields'), evaluated in the defining module."""
    import collections.abc
    import pathlib
    import sys

    import domain.vocabulary
    import violeta.importing

    module = sys.modules[function.__module__]
    names = (
        vars(collections.abc)
        | vars(typing)
        | vars(domain.vocabulary)
        | vars(dto)
        | {"UUID": UUID, "Path": pathlib.Path, "Progress": violeta.importing.Progress}
        | vars(module)
    )
    if isinstance(function, type):
        annotations = {field.name: field.type for field in dataclasses.fields(function)}
    else:
        annotations = {
            name: parameter.annotation
            for name, parameter in list(inspect.signature(function).parameters.items())[1:]
        }
    return {
        name: eval(annotation, names) if isinstance(annotation, str) else annotation  # noqa: S307 - the code's own annotations
        for name, annotation in annotations.items()
    }


def _shape(annotation: Any) -> str | None:
    """How text goes into a value of this type, or None when it takes no text."""
    if annotation is str:
        return "text"
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        shapes = {_shape(argument) for argument in arguments} - {None}
        return shapes.pop() if len(shapes) == 1 else None
    if origin in (tuple, list, Sequence) and arguments and arguments[0] is str:
        return "sequence"
    if origin is dict and arguments == (str, str):
        return "mapping"
    return None


def _commands() -> dict[str, Callable[..., Any]]:
    return {
        name: getattr(StaffSession, name)
        for name in sorted(POLICY)
        if not isinstance(getattr(StaffSession, name, None), property)
    }


def text_slots() -> list[Slot]:
    slots: list[Slot] = []
    for name, method in _commands().items():
        if name in NOT_FUZZED:
            continue
        for parameter, annotation in _hints(inspect.unwrap(method)).items():
            if parameter == "return":
                continue
            shape = _shape(annotation)
            if shape is not None:
                slots.append(Slot(name, parameter, shape=shape))
            elif dataclasses.is_dataclass(annotation):
                for field, field_type in _hints(annotation).items():
                    field_shape = _shape(field_type)
                    if field_shape is not None:
                        slots.append(Slot(name, parameter, field, field_shape))
    return slots


SLOTS = text_slots()


def _valid(command: str, name: str, default: Any = inspect.Parameter.empty) -> Any:
    if (command, name) in PER_COMMAND:
        return PER_COMMAND[command, name]
    if default is not inspect.Parameter.empty and default is not None and default != "":
        return default
    if name in VALID:
        return VALID[name]
    if default is not inspect.Parameter.empty:
        return default
    raise LookupError(f"{command}: no sé qué valor válido dar a «{name}»")


def _form(command: str, form_type: type, world: World) -> Any:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(form_type):
        if field.name.endswith("_id") and field.type in ("UUID", UUID):
            values[field.name] = world.ids[field.name]
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:  # type: ignore[misc]
            values[field.name] = _valid(command, field.name)
    return form_type(**values)


def _arguments(command: str, world: World) -> dict[str, Any]:
    method = inspect.unwrap(_commands()[command])
    hints = _hints(method)
    arguments: dict[str, Any] = {}
    for name, parameter in list(inspect.signature(method).parameters.items())[1:]:
        annotation = hints.get(name)
        if dataclasses.is_dataclass(annotation):
            arguments[name] = _form(command, annotation, world)  # type: ignore[arg-type]
        elif annotation in (UUID, UUID | None) or name.endswith("_id") or name == "alert":
            absent = None if parameter.default is None else uuid4()
            arguments[name] = world.ids.get(name, absent)
        elif annotation in (Section, Section | None):
            arguments[name] = Section.INTAKE
        elif annotation is Role:
            arguments[name] = Role.RECEPTION
        elif annotation is Path:
            arguments[name] = world.folder / f"{command}.csv"
        elif parameter.default is not inspect.Parameter.empty and _shape(annotation) is None:
            arguments[name] = parameter.default
        elif annotation is int:
            arguments[name] = 2026
        elif annotation is bool:
            arguments[name] = False
        else:
            arguments[name] = _valid(command, name, parameter.default)
    return arguments


def _with_text(slot: Slot, arguments: dict[str, Any], text: str) -> dict[str, Any]:
    value: Any = {"text": text, "sequence": (text,), "mapping": {"18-29": text}}[slot.shape]
    if slot.shape == "sequence" and slot.command == "record_protection_order":
        value = [text]
    changed = dict(arguments)
    if slot.field:
        changed[slot.parameter] = replace(arguments[slot.parameter], **{slot.field: value})
    else:
        changed[slot.parameter] = value
    return changed


def _session_for(command: str, world: World) -> StaffSession:
    rule = POLICY[command]
    section = Section.INTAKE if rule.section == SECTION_ARGUMENT else None
    allowed = rule.allowed_roles(section)
    role = next(role for role in ROLE_ORDER if role in allowed)
    return world.sessions[role]


def _stored_after(session: StaffSession, position: int) -> list[str]:
    """The topics of what was stored after ``position``."""
    recorder = session._store.recorder
    return [n.topic for n in recorder.select_notifications(start=position + 1, limit=10_000)]


def _position(session: StaffSession) -> int:
    return int(session._store.recorder.max_notification_id() or 0)


def call_with_hostile_text(world: World, slot: Slot, text: str) -> None:
    session = _session_for(slot.command, world)
    arguments = _with_text(slot, _arguments(slot.command, world), text)
    before = _position(session)
    try:
        getattr(session, slot.command)(**arguments)
    except DomainError as error:
        message = error.message
        assert message.isprintable(), (str(slot), repr(message[:200]))
        assert len(message) < 1000, (str(slot), "el mensaje repite el texto recibido")
        assert not any(word in message for word in ENGLISH), (str(slot), message)
        stored = _stored_after(session, before)
        assert set(stored) <= {ACCESS_TOPIC}, (str(slot), "una negativa guardó algo", stored)
    except Exception as error:
        pytest.fail(f"{slot}: {type(error).__name__} con {text[:40]!r}")


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    with initialized(settings) as (institute, coordinator):
        yield _build(institute, coordinator, tmp_path)


def _build(institute: Institute, coordinator: StaffSession, folder: Path) -> World:
    sessions: dict[Role, StaffSession] = {Role.COORDINATION: coordinator}
    for role in ROLE_ORDER[1:]:
        sessions[role] = staff(institute, coordinator, f"cuenta_{role.value}", role)
    client_id = coordinator.register_client(
        replace(a_client(registered_on="01/10/2026"), consent_to_share=True)
    )
    case_id = coordinator.open_case(client_id, an_intake(opened_on="01/10/2026")).case_id
    for area, role in (
        ("juridica", Role.LEGAL),
        ("psicologica", Role.PSYCHOLOGY),
        ("trabajo_social", Role.SOCIAL_WORK),
    ):
        coordinator.assign_area(case_id, area, sessions[role].identity.staff_id)
    legal, social = sessions[Role.LEGAL], sessions[Role.SOCIAL_WORK]
    institution_id = social.add_institution(
        dto.InstitutionForm(name="Refugio Ficticio", kind="refugio", services=("refugio",))
    )
    referral_id = social.refer_case(
        case_id, dto.NewReferral(institution_id, "Motivo sintético.", made_on="12/10/2026")
    )
    order_id = legal.record_protection_order(
        case_id,
        kind="administrativa",
        measures=("vigilancia_policial",),
        detail="Detalle sintético.",
        authority="Juzgado Ficticio",
        issued_on="06/10/2026",
    )
    report_id = legal.report_misconduct(
        case_id,
        institution="Institución Ficticia",
        conduct="dilacion",
        facts="Hechos sintéticos.",
        reported_to="Órgano Ficticio",
    )
    social.enter_follow_up(case_id)
    follow_up_id = social.schedule_follow_up(case_id, "12/12/2026", "presencial")
    activity_id = coordinator.record_activity(
        dto.NewActivity(
            held_on="10/11/2026",
            kind="taller",
            topic="Tema sintético",
            zone=CORTAZAR,
            attendance={"18-29": "3"},
        )
    )
    ids = {
        "client_id": client_id,
        "case_id": case_id,
        "institution_id": institution_id,
        "referral_id": referral_id,
        "order_id": order_id,
        "report_id": report_id,
        "follow_up_id": follow_up_id,
        "activity_id": activity_id,
        "staff_id": sessions[Role.RECEPTION].identity.staff_id,
    }
    return World(sessions, ids, folder)


def test_every_command_with_text_is_fuzzed_and_its_arguments_can_be_built(world: World) -> None:
    fuzzed = {slot.command for slot in SLOTS}
    for name in _commands():
        if name in NOT_FUZZED:
            continue
        _arguments(name, world)  # raises for a command this file cannot call
    # Sanity: the generator sees the free text of the forms and of plain parameters.
    assert {"register_client", "open_case", "add_note", "record_gestion"} <= fuzzed
    assert Slot("register_client", "form", "name") in SLOTS
    assert Slot("open_case", "form", "narrative") in SLOTS
    assert Slot("record_protection_order", "measures", shape="sequence") in SLOTS
    assert len(SLOTS) > 100


@pytest.mark.parametrize("text", KNOWN_HOSTILE, ids=lambda text: repr(text[:12]))
def test_known_hostile_text_in_every_slot_is_refused_in_spanish_or_saved(
    world: World, text: str
) -> None:
    for slot in SLOTS:
        call_with_hostile_text(world, slot, text)


HOSTILE_CHARACTERS = st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Zs", "L", "P", "S"])


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    slot=st.sampled_from(SLOTS),
    text=st.one_of(
        st.text(HOSTILE_CHARACTERS, min_size=1, max_size=80),
        st.sampled_from(KNOWN_HOSTILE[:-2]),
        st.builds(
            lambda piece, n: piece * n,
            st.sampled_from(["\x1b[", "\u202e", "ñ", "'"]),
            st.integers(100_000, 300_000),
        ),
    ),
)
def test_generated_hostile_text_in_any_slot_is_refused_in_spanish_or_saved(
    world: World, slot: Slot, text: str
) -> None:
    call_with_hostile_text(world, slot, text)
