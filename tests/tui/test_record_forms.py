"""The forms are data; these check the data against the service it feeds.

For each form and each of its fields: a wrong value makes the service refuse naming exactly
that field's label (or one of the other names the field answers to), so the refusal lands
under it on screen; and the whole form with valid values is accepted.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import InvalidField
from domain.vocabulary import Role, Section
from tests.support.factories import enable
from tests.tui.conftest import PASSWORD, TODAY, Seeded, as_staff
from tui.forms import YES_NO, Field
from tui.intake_forms import register_fields
from tui.records import (
    CASE_FORMS,
    RECORD_FORMS,
    RECTIFICATION_FORM,
    CaseForm,
    RecordForm,
    Values,
    consents_form,
    settle_follow_up_form,
)
from violeta.dto import InstitutionForm
from violeta.policy import POLICY
from violeta.service import StaffSession

WRITER = {
    Section.INTAKE: Role.COORDINATION,
    Section.LEGAL: Role.LEGAL,
    Section.PSYCHOLOGICAL: Role.PSYCHOLOGY,
    Section.SOCIAL_WORK: Role.SOCIAL_WORK,
    Section.FOLLOW_UPS: Role.COORDINATION,
    Section.PROTECTION_ORDERS: Role.LEGAL,
    Section.REFERRALS: Role.COORDINATION,
}
# Forms whose service call needs something done first (a closure needs an area assigned).
NEEDS_ASSIGNMENT = {"request_closure", "reopen_case"}


def wrong(field: Field) -> str | None:
    """A value the service must refuse for this field, or None when none exists (a yes/no
    answer, an optional free choice, a record picked from the service's own list)."""
    if field.choices_from is not None:
        return None
    if field.kind == "choice":
        return None if field.choices == YES_NO or not field.required else "no_existe"
    if field.kind == "multi":
        return "no_existe"
    if field.kind in ("date", "optional_date"):
        return "31/02/2026"
    if field.required:
        return ""
    return "x" * (field.max_length + 1)


def valid(field: Field, session: StaffSession, subject: UUID) -> str:
    # An area goes to someone of its role: jurídica, to the seeded legal account.
    if field.label == "Área":
        return "juridica"
    if field.label == "Personal asignado":
        return next(str(a.staff_id) for a in session.accounts() if a.username == "juridica")
    if field.choices_from is not None:
        choices = field.choices_from(session, subject)
        return choices[0][1] if choices else ""
    if field.kind in ("choice", "multi"):
        return field.choices[0][1]
    return {"date": "20/11/2026", "optional_date": ""}.get(field.kind, "Texto sintético.")


def login_as(seeded: Seeded, role: Role) -> StaffSession:
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    if role is Role.COORDINATION:
        return coordinator  # the caller closes it
    username = f"prueba_{role.value}"
    coordinator.create_account(username, f"Persona {role.label} Prueba", role, PASSWORD)
    coordinator.close()
    enable(seeded.institute, username)
    session = seeded.institute.login(username, PASSWORD)
    session.change_password(PASSWORD, PASSWORD + "-x")
    return session


def prepare(seeded: Seeded, session: StaffSession, case_id: UUID) -> None:
    """What some forms need to exist first: an order, a referral, a report to choose."""
    if session.role is Role.LEGAL:
        session.record_protection_order(
            case_id,
            kind="administrativa",
            measures=["vigilancia_policial"],
            detail="Detalle sintético",
            authority="Juzgado Ficticio",
            issued_on="10/11/2026",
        )
        session.report_misconduct(
            case_id,
            institution="Institución Ficticia",
            conduct="dilacion",
            facts="Hechos sintéticos",
            reported_to="Órgano Ficticio",
        )
    if session.role is Role.COORDINATION:
        session.add_institution(
            InstitutionForm(
                name="DIF Ficticio", kind="procuracion_justicia", services=("denuncia",)
            )
        )


def check_form(session: StaffSession, subject: UUID, form: RecordForm) -> None:
    for field in form.fields:
        bad = wrong(field)
        if bad is None:
            continue
        values: Values = {each.key: valid(each, session, subject) for each in form.fields}
        values[field.key] = bad
        with pytest.raises(InvalidField) as refusal:
            form.save(session, subject, values)
        named = refusal.value.field
        assert named == field.label or named in field.also, (form.title, field.key, named)
    form.save(session, subject, {each.key: valid(each, session, subject) for each in form.fields})


def test_the_main_record_of_each_section_is_one_its_writer_may_write() -> None:
    assert set(RECORD_FORMS) == set(WRITER) - {Section.INTAKE}
    for entry in CASE_FORMS:
        writer = WRITER[entry.section]
        assert writer in POLICY[entry.form.method].allowed_roles(), entry.name
        assert writer in POLICY["add_note"].allowed_roles(entry.section), entry.name


@pytest.mark.parametrize("section", sorted(WRITER, key=list(Section).index), ids=str)
def test_each_field_refused_by_the_service_is_named_with_the_form_s_label(
    seeded: Seeded, section: Section
) -> None:
    assert seeded.case_id is not None
    session = login_as(seeded, WRITER[section])
    try:
        prepare(seeded, session, seeded.case_id)
        entries: list[CaseForm] = [
            e for e in CASE_FORMS if e.section is section and e.form.method not in NEEDS_ASSIGNMENT
        ]
        assert entries
        for entry in entries:
            check_form(session, seeded.case_id, entry.form)
    finally:
        session.close()


def test_the_follow_up_result_form_names_its_refusals_with_its_labels(seeded: Seeded) -> None:
    assert seeded.case_id is not None
    with as_staff(seeded) as session:
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


def test_her_record_s_forms_name_their_refusals_with_their_labels(seeded: Seeded) -> None:
    with as_staff(seeded) as session:
        for field_key, bad in (("phone", "12"), ("curp", "XYZ"), ("name", "")):
            with pytest.raises(InvalidField) as refusal:
                RECTIFICATION_FORM.save(session, seeded.ana, {"campo": field_key, "valor": bad})
            assert refusal.value.field in RECTIFICATION_FORM.fields[1].also
        RECTIFICATION_FORM.save(session, seeded.ana, {"campo": "address", "valor": "Calle 1"})
        assert session.client_detail(seeded.ana).address == "Calle 1"
        consents = consents_form(sharing=False, statistics=True)
        consents.save(session, seeded.ana, {"compartir": "si", "estadistica": "si"})
        assert session.client_detail(seeded.ana).consent_to_share


def test_the_registration_form_names_every_refusal_with_its_label(seeded: Seeded) -> None:
    """The registration's own labels: each refusal of register_client lands on a field."""
    from tui.intake_forms import new_client

    fields = register_fields(lambda: TODAY)
    base: Values = {field.key: "" for field in fields} | {
        "nombre": "Irene Campos Ficticia",
        "nacimiento": "01/01/1990",
        "zona": seeded.zone_code,
        "aviso": "si",
        "compartir": "no",
        "estadistica": "si",
    }
    refusals = {
        "nombre": "",
        "nacimiento": "31/02/1990",
        "curp": "XYZ",
        "telefono": "12",
        "contacto_telefono": "12",
        "aviso": "no",
        "lengua": "klingon",
        "discapacidad": "no_existe",
        "registro": "31/02/2026",
    }
    with as_staff(seeded) as session:
        for key, bad in refusals.items():
            with pytest.raises(InvalidField) as refusal:
                session.register_client(new_client(base | {key: bad}))
            field = next(f for f in fields if f.key == key)
            named = refusal.value.field
            assert named == field.label or named in field.also, (key, named)
        # Safe to call without a phone, and half a safe contact: named by their aliases.
        for values in ({"seguro": "si"}, {"contacto_nombre": "Julia Contacto Ficticia"}):
            with pytest.raises(InvalidField) as refusal:
                session.register_client(new_client(base | values))
            assert any(refusal.value.field in f.also for f in fields)
        session.register_client(new_client(base))
