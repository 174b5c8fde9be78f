"""The client aggregate: registration rules, age policy, consents, rectification."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.clients import (
    CHILD_PROTECTION_REFERRAL,
    AgeAuthorization,
    AgeOutsideServedRange,
    Client,
)
from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed

STAFF = uuid4()
OTHER = uuid4()


def sealed(text: str = "x") -> Sealed:
    return Sealed(text.encode())


def register(**overrides: Any) -> Client:
    values: dict[str, Any] = {
        "client_id": uuid4(),
        "name": sealed(),
        "curp": None,
        "birth_date": sealed(),
        "age": 30,
        "phone": None,
        "zone": "110110001",
        "age_band": "30-39",
        "registered_on": date(2026, 11, 20),
        "registered_by": STAFF,
    }
    values.update(overrides)
    return Client.register(**values)


def test_a_client_inside_the_served_range_needs_no_authorization() -> None:
    client = register()
    assert client.age_authorization == AgeAuthorization.NOT_REQUIRED
    assert client.consent_to_statistics is True and client.consent_to_share is False
    client.check_may_open_case()


@pytest.mark.parametrize("age", [17, 61, 12, 75])
def test_outside_18_to_60_a_reason_is_required_and_the_message_says_so(age: int) -> None:
    with pytest.raises(AgeOutsideServedRange) as error:
        register(age=age)
    assert "motivo" in error.value.message and "coordinación" in error.value.message
    assert error.value.minor is (age < 18)
    assert ("DIF" in error.value.message) is (age < 18)


def test_with_a_reason_she_is_registered_pending_and_no_case_until_authorized() -> None:
    client = register(age=64, age_exception_reason=sealed("motivo"))
    assert client.age_authorization == AgeAuthorization.PENDING
    assert client.proposed_referral == ""
    with pytest.raises(DomainError, match="autorización de coordinación"):
        client.check_may_open_case()
    client.authorize_age_exception(OTHER)
    client.check_may_open_case()
    with pytest.raises(DomainError):
        client.authorize_age_exception(OTHER)


def test_under_18_proposes_a_referral_to_the_child_protection_authority() -> None:
    client = register(age=16, age_exception_reason=sealed("motivo"))
    assert client.proposed_referral == CHILD_PROTECTION_REFERRAL
    assert client.age_authorization == AgeAuthorization.PENDING


def test_a_reason_given_inside_the_range_is_not_kept() -> None:
    assert register(age_exception_reason=sealed("motivo")).age_exception_reason is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"privacy_notice_accepted": False}, "Aviso de privacidad"),
        ({"indigenous_language": "klingon"}, "Lengua indígena"),
        ({"disabilities": ["visual", "inventada"]}, "Discapacidad"),
        ({"phone_safe_to_call": True}, "Teléfono seguro"),
        ({"safe_contact_name": sealed()}, "Contacto seguro"),
    ],
)
def test_invalid_registrations_name_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidField) as error:
        register(**overrides)
    assert error.value.field == field


def test_categories_are_kept_sorted_and_unique() -> None:
    client = register(indigenous_language="otomi", disabilities=["visual", "motriz", "visual"])
    assert client.disabilities == ["motriz", "visual"]


def test_statistics_consent_is_revocable_and_restorable() -> None:
    client = register()
    client.set_statistics_consent(False, STAFF)
    assert client.consent_to_statistics is False
    with pytest.raises(DomainError):
        client.set_statistics_consent(False, STAFF)
    client.set_statistics_consent(True, STAFF)
    assert client.consent_to_statistics is True


def test_rectification_supersedes_the_value_and_keeps_the_history() -> None:
    first = sealed("primero")
    client = register(phone=first, phone_safe_to_call=True)
    second = sealed("segundo")
    client.correct("phone", second, STAFF, date(2026, 11, 21))
    assert client.phone == second
    assert [c.value for c in client.corrections] == [second]
    client.correct("phone", None, STAFF, date(2026, 11, 22))
    assert client.phone is None and client.phone_safe_to_call is False
    assert len(client.corrections) == 2
    with pytest.raises(InvalidField):
        client.correct("name", None, STAFF, date(2026, 11, 22))
    with pytest.raises(InvalidField):
        client.correct("zone", sealed(), STAFF, date(2026, 11, 22))


def test_an_erased_client_admits_no_change() -> None:
    client = register()
    client.request_erasure(STAFF)
    client.erase(OTHER)
    with pytest.raises(DomainError):
        client.set_statistics_consent(False, STAFF)
    with pytest.raises(DomainError):
        client.correct("address", sealed(), STAFF, date(2026, 11, 22))


def test_a_version_1_registration_is_read_with_the_defaults() -> None:
    state: dict[str, Any] = {}
    Client.Registered.upcast_v1_v2(state)
    assert state["consent_to_statistics"] is True
    assert state["age_authorization"] == AgeAuthorization.NOT_REQUIRED
    assert state["disabilities"] == []
