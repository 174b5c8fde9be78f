from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import identity
from domain.errors import InvalidField

VALID_CURP = "GAXM900101MGTRRR0" + identity.curp_check_digit("GAXM900101MGTRRR0")


def test_names_are_trimmed_and_single_spaced() -> None:
    assert identity.person_name("Nombre", "  María   José  Pérez ") == "María José Pérez"


@pytest.mark.parametrize("bad", ["", "A", "Ana3", "Ana\x00Pérez", "Ana\u202ePérez", "x" * 121])
def test_invalid_names_are_rejected_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidField) as error:
        identity.person_name("Nombre", bad)
    assert error.value.field == "Nombre"


def test_rejection_messages_never_echo_the_value() -> None:
    with pytest.raises(InvalidField) as error:
        identity.person_name("Nombre", "Secreta7")
    assert "Secreta7" not in str(error.value)


def test_a_well_formed_curp_with_its_check_digit_is_accepted() -> None:
    assert identity.curp(VALID_CURP.lower()) == VALID_CURP


def test_a_curp_with_a_wrong_check_digit_is_rejected() -> None:
    wrong = VALID_CURP[:-1] + str((int(VALID_CURP[-1]) + 1) % 10)
    with pytest.raises(InvalidField, match="dígito verificador"):
        identity.curp(wrong)


def test_an_empty_curp_is_allowed_because_it_is_optional() -> None:
    assert identity.curp("  ") is None


@pytest.mark.parametrize("typed", ["461 123 4567", "(461) 123-4567", "+52 461 123 4567"])
def test_phones_keep_their_ten_digits(typed: str) -> None:
    assert identity.phone(typed) == "4611234567"


@pytest.mark.parametrize("bad", ["12345", "461123456789", "46112345ab"])
def test_phones_without_ten_digits_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidField, match="10 dígitos"):
        identity.phone(bad)


@pytest.mark.parametrize("bad", ["2026-01-01", "31/02/2026", "1/13/2026", "hoy"])
def test_dates_must_be_real_and_typed_dd_mm_aaaa(bad: str) -> None:
    with pytest.raises(InvalidField):
        identity.parse_date("Fecha", bad)


def test_birth_dates_in_the_future_are_rejected() -> None:
    with pytest.raises(InvalidField, match="posterior"):
        identity.BirthDate.parse("01/01/2030", date(2026, 11, 20))


def test_age_is_counted_in_completed_years() -> None:
    assert identity.BirthDate.parse("21/11/1990", date(2026, 11, 20)).age == 35
    assert identity.BirthDate.parse("20/11/1990", date(2026, 11, 20)).age == 36


def test_free_text_keeps_newlines_in_long_text_but_not_in_short_text() -> None:
    assert identity.free_text("Relato", "uno\ndos", max_length=4000) == "uno\ndos"
    with pytest.raises(InvalidField, match="control"):
        identity.free_text("Motivo", "uno\ndos", max_length=300)


def test_over_long_text_is_rejected_with_its_length() -> None:
    with pytest.raises(InvalidField, match="4000"):
        identity.free_text("Relato", "a" * 4001, max_length=4000)


def test_search_normalization_drops_case_and_accents() -> None:
    assert identity.search_tokens("MARÍA  Ñúñez-López") == ["maria", "nunez", "lopez"]


@given(st.text(max_size=200))
def test_free_text_either_accepts_bounded_clean_text_or_names_the_field(text: str) -> None:
    field = ""
    accepted = ""
    try:
        accepted = identity.free_text("Nota", text, max_length=100)
    except InvalidField as error:
        field = error.field
    assert field in {"", "Nota"}
    assert len(accepted) <= 100
    assert accepted == accepted.strip()
