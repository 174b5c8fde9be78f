"""The record forms are data; these check the data against the service it feeds."""

from __future__ import annotations

import pytest

from domain.errors import InvalidField
from domain.permissions import Action, Decision, decide
from domain.vocabulary import Role, Section
from tests.support.factories import enable
from tests.tui.conftest import PASSWORD, Seeded
from tui.records import RECORD_FORMS, Field, RecordForm, Values, settle_follow_up_form
from violeta.service import StaffSession

WRITER = {
    Section.LEGAL: Role.LEGAL,
    Section.PSYCHOLOGICAL: Role.PSYCHOLOGY,
    Section.SOCIAL_WORK: Role.SOCIAL_WORK,
    Section.FOLLOW_UPS: Role.COORDINATION,
}
INVALID = {
    "text": "",
    "long": "",
    "date": "31/02/2026",
    "optional_date": "31/02/2026",
    "choice": "no_existe",
}


def valid(field: Field) -> str:
    if field.kind == "choice":
        return field.choices[0][1]
    if field.kind == "date":
        return "20/11/2026"
    if field.kind == "optional_date":
        return ""
    return "Texto sintético."


def writer(seeded: Seeded, section: Section) -> StaffSession:
    role = WRITER[section]
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    if role is Role.COORDINATION:
        return coordinator
    username = f"prueba_{role.value}"
    coordinator.create_account(username, f"Persona {role.label} Prueba", role, PASSWORD)
    coordinator.close()
    enable(seeded.institute, username)
    session = seeded.institute.login(username, PASSWORD)
    session.change_password(PASSWORD, PASSWORD + "-x")
    return session


def test_every_section_with_a_form_is_one_its_writer_may_write() -> None:
    assert set(RECORD_FORMS) == set(WRITER)
    for section, role in WRITER.items():
        assert decide(role, section, Action.WRITE) is Decision.GRANTED


@pytest.mark.parametrize("section", list(RECORD_FORMS), ids=lambda s: s.value)
def test_each_field_refused_by_the_service_is_named_with_the_form_s_label(
    seeded: Seeded, section: Section
) -> None:
    """So the refusal lands under the field it is about, not in a general message."""
    assert seeded.case_id is not None
    form: RecordForm = RECORD_FORMS[section]
    session = writer(seeded, section)
    try:
        for wrong in form.fields:
            values: Values = {field.key: valid(field) for field in form.fields}
            values[wrong.key] = INVALID[wrong.kind]
            with pytest.raises(InvalidField) as refusal:
                form.save(session, seeded.case_id, values)
            assert refusal.value.field == wrong.label
        form.save(session, seeded.case_id, {field.key: valid(field) for field in form.fields})
    finally:
        session.close()


def test_the_follow_up_result_form_names_its_refusals_with_its_labels(seeded: Seeded) -> None:
    assert seeded.case_id is not None
    session = seeded.institute.login("coordinacion", PASSWORD)
    try:
        follow_up = session.schedule_follow_up(seeded.case_id, "20/11/2026", "telefono")
        form = settle_follow_up_form(follow_up)
        refused = {
            "Resultado": {"realizado": "si", "resultado": "", "fecha": ""},
            "Fecha": {"realizado": "no", "resultado": "", "fecha": "31/02/2026"},
        }
        for label, values in refused.items():
            with pytest.raises(InvalidField) as refusal:
                form.save(session, seeded.case_id, values)
            assert refusal.value.field == label
            assert label in {field.label for field in form.fields}
        form.save(session, seeded.case_id, {"realizado": "no", "resultado": "", "fecha": ""})
        (missed,) = session.follow_up_section(seeded.case_id)
        assert missed.state == "No realizado"
    finally:
        session.close()
