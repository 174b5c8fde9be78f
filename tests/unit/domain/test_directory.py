"""Directory institutions and the referral rules of a case (pure domain)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case, ReferralNeedsConsent
from domain.directory import Institution, InstitutionData
from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed

STAFF = uuid4()
DAY = date(2026, 11, 20)


def data(**overrides: object) -> InstitutionData:
    values: dict[str, object] = {
        "name": "Refugio sintético",
        "kind": "refugio",
        "services": ["refugio", "atencion_psicologica", "refugio"],
        "address": "",
        "phone": "",
        "hours": "24 horas",
        "contact": "",
    }
    values.update(overrides)
    return InstitutionData.parse(**values)  # type: ignore[arg-type]


def test_an_institution_is_versioned_and_can_be_retired() -> None:
    institution = Institution.register(uuid4(), data(), STAFF, DAY)
    assert institution.data.services == ("atencion_psicologica", "refugio")
    with pytest.raises(DomainError, match="No hay cambios"):
        institution.update(data(), STAFF, DAY)
    institution.update(data(hours="Lunes a viernes"), STAFF, DAY)
    assert institution.version == 2
    institution.deactivate(STAFF, DAY)
    with pytest.raises(DomainError):
        institution.check_accepts_referrals()
    with pytest.raises(DomainError):
        institution.deactivate(STAFF, DAY)
    institution.reactivate(STAFF, DAY)
    institution.check_accepts_referrals()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"kind": "x"}, "Tipo de institución"), ({"services": []}, "Servicios")],
)
def test_invalid_institution_data(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as error:
        data(**overrides)
    assert error.value.field == field


def a_case() -> Case:
    return Case.open(
        case_id=uuid4(),
        client_id=uuid4(),
        folio="CTZ-2026-00001",
        opened_on=DAY,
        zone="110110001",
        age_band="30-39",
        reason=Sealed(b"r"),
        narrative=Sealed(b"n"),
        violence_types=["fisica"],
        modalities=["familiar"],
        risk="alto",
        opened_by=STAFF,
    )


def refer(case: Case, **overrides: object) -> None:
    values: dict[str, object] = {
        "referral_id": uuid4(),
        "institution_id": uuid4(),
        "reason": Sealed(b"motivo"),
        "with_personal_data": True,
        "client_consents_to_share": True,
        "consent_override": None,
        "made_by": STAFF,
        "made_on": DAY,
    }
    values.update(overrides)
    case.refer(**values)  # type: ignore[arg-type]


def test_no_referral_with_personal_data_without_consent_or_override() -> None:
    case = a_case()
    with pytest.raises(ReferralNeedsConsent):
        refer(case, client_consents_to_share=False)
    refer(case, client_consents_to_share=False, with_personal_data=False)
    refer(case, client_consents_to_share=False, consent_override=Sealed(b"motivo"))
    # An override given when she did consent is not kept: nothing was overridden.
    refer(case, consent_override=Sealed(b"motivo"))
    overrides = [r.consent_override is not None for r in case.referrals.values()]
    assert overrides == [False, True, False]


def test_a_referral_outcome_is_recorded_once_the_referral_exists() -> None:
    case = a_case()
    referral_id = uuid4()
    refer(case, referral_id=referral_id)
    with pytest.raises(DomainError):
        case.record_referral_outcome(uuid4(), "atendida", None, STAFF, DAY)
    with pytest.raises(InvalidField):
        case.record_referral_outcome(referral_id, "inventado", None, STAFF, DAY)
    with pytest.raises(InvalidField):
        case.record_referral_outcome(referral_id, "atendida", None, STAFF, date(2026, 1, 1))
    case.record_referral_outcome(referral_id, "no_acudio", Sealed(b"nota"), STAFF, DAY)
    assert case.referrals[referral_id].outcome == "no_acudio"


def test_a_referral_date_before_the_opening_is_refused() -> None:
    with pytest.raises(InvalidField):
        refer(a_case(), made_on=date(2025, 1, 1))
