"""Property: any invalid input to the client record, the directory, a referral or a
rectification is rejected with a Spanish message naming the field, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import identity
from domain.clients import DISABILITIES, INDIGENOUS_LANGUAGES
from domain.directory import INSTITUTION_KINDS
from domain.errors import InvalidField
from tests.support.factories import a_client, an_intake
from violeta.dto import InstitutionForm, NewReferral
from violeta.service import StaffSession


def not_text(max_length: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=" \t", max_size=3),
        st.integers(max_length + 1, max_length + 40).map(lambda n: "a" * n),
        st.text(alphabet="abc ", min_size=1, max_size=8).map(lambda t: f"x{t}\x07{t}"),
    )


def too_long_or_control(max_length: int) -> st.SearchStrategy[str]:
    """For optional texts: blank is valid there, so only over-long or control characters."""
    return st.one_of(
        st.integers(max_length + 1, max_length + 40).map(lambda n: "a" * n),
        st.text(alphabet="abc ", min_size=1, max_size=8).map(lambda t: f"x{t}\x1b{t}"),
    )


def not_a_phone() -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789-x ", min_size=1, max_size=14).filter(
        lambda t: t.strip() != "" and not _is_phone(t)
    )


def _is_phone(text: str) -> bool:
    try:
        return identity.phone(text) is not None
    except InvalidField:
        return False


def not_key(options: dict[str, str]) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=12).filter(lambda t: t not in options)


Command = Callable[[str], object]


@pytest.mark.parametrize(
    "case",
    [
        "contact_phone",
        "address",
        "age_reason",
        "language",
        "disability",
        "institution_name",
        "institution_kind",
        "institution_phone",
        "referral_reason",
        "referral_override",
        "rectified_address",
        "rectified_phone",
    ],
)
def test_invalid_input_is_rejected_and_nothing_is_stored(
    coordinator: StaffSession, case: str
) -> None:
    client_id = coordinator.register_client(a_client(consent_to_share=False))
    case_summary = coordinator.open_case(client_id, an_intake())
    institution_id = coordinator.add_institution(
        InstitutionForm(name="Refugio sintético", kind="refugio", services=("refugio",))
    )
    max_short = identity.SHORT_TEXT_MAX
    table: dict[str, tuple[str, Command, st.SearchStrategy[str]]] = {
        "contact_phone": (
            "Teléfono del contacto seguro",
            lambda v: coordinator.register_client(
                a_client("Otra Persona", safe_contact_name="Rosa Ficticia", safe_contact_phone=v)
            ),
            not_a_phone(),
        ),
        "address": (
            "Domicilio",
            lambda v: coordinator.register_client(a_client("Otra Persona", address=v)),
            too_long_or_control(max_short),
        ),
        "age_reason": (
            "Motivo de la excepción de edad",
            lambda v: coordinator.register_client(
                a_client("Otra Persona", birth_date="01/01/1940", age_exception_reason=v)
            ),
            too_long_or_control(max_short),
        ),
        "language": (
            "Lengua indígena",
            lambda v: coordinator.register_client(a_client("Otra Persona", indigenous_language=v)),
            not_key(INDIGENOUS_LANGUAGES),
        ),
        "disability": (
            "Discapacidad",
            lambda v: coordinator.register_client(a_client("Otra Persona", disabilities=(v,))),
            not_key(DISABILITIES),
        ),
        "institution_name": (
            "Nombre de la institución",
            lambda v: coordinator.add_institution(
                InstitutionForm(name=v, kind="refugio", services=("refugio",))
            ),
            not_text(200),
        ),
        "institution_kind": (
            "Tipo de institución",
            lambda v: coordinator.add_institution(
                InstitutionForm(name="Otra", kind=v, services=("refugio",))
            ),
            not_key(INSTITUTION_KINDS),
        ),
        "institution_phone": (
            "Teléfono de la institución",
            lambda v: coordinator.add_institution(
                InstitutionForm(name="Otra", kind="refugio", services=("refugio",), phone=v)
            ),
            not_a_phone(),
        ),
        "referral_reason": (
            "Motivo de la canalización",
            lambda v: coordinator.refer_case(
                case_summary.case_id, NewReferral(institution_id, v, with_personal_data=False)
            ),
            not_text(max_short),
        ),
        "referral_override": (
            "Motivo para canalizar sin consentimiento",
            lambda v: coordinator.refer_case(
                case_summary.case_id,
                NewReferral(institution_id, "Denuncia", consent_override_reason=v),
            ),
            too_long_or_control(max_short),
        ),
        "rectified_address": (
            "Domicilio",
            lambda v: coordinator.correct_client(client_id, "address", v),
            too_long_or_control(max_short),
        ),
        "rectified_phone": (
            "Teléfono",
            lambda v: coordinator.correct_client(client_id, "phone", v),
            not_a_phone(),
        ),
    }
    field, command, values = table[case]
    before = coordinator._store.recorder.max_notification_id()

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values)
    def check(value: str) -> None:
        with pytest.raises(InvalidField) as error:
            command(value)
        assert error.value.field == field
        # Never echoed (short values may coincide with words of the message by chance).
        assert len(value.strip()) < 4 or value.strip() not in error.value.message
        assert coordinator._store.recorder.max_notification_id() == before

    check()
