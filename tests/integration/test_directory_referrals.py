"""Directorio homologado and referrals (canalización) on both backends."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.cases import ReferralNeedsConsent
from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.vocabulary import Role, Section
from tests.support.factories import a_client, an_intake, staff
from violeta.dto import InstitutionForm, NewReferral
from violeta.service import Institute, StaffSession


def notifications(session: StaffSession) -> int:
    return session._store.recorder.max_notification_id() or 0


def a_fiscalia(**overrides: object) -> InstitutionForm:
    values: dict[str, object] = {
        "name": "Agencia del Ministerio Público (institución sintética)",
        "kind": "procuracion_justicia",
        "services": ("denuncia", "ordenes_proteccion"),
        "address": "Av. Ficticia 100, Cortazar",
        "phone": "461 000 0001",
        "hours": "Lunes a viernes 9:00-15:00",
        "contact": "Oficialía de partes",
    }
    values.update(overrides)
    return InstitutionForm(**values)  # type: ignore[arg-type]


def test_the_directory_is_versioned_and_read_by_every_role(
    institute: Institute, coordinator: StaffSession
) -> None:
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    institution_id = social.add_institution(a_fiscalia())
    coordinator.update_institution(institution_id, a_fiscalia(hours="Todos los días 24 horas"))
    for role in Role:
        reader = (
            coordinator
            if role is Role.COORDINATION
            else staff(institute, coordinator, f"lectora.{role.value}", role)
        )
        [entry] = reader.directory()
        assert entry.hours == "Todos los días 24 horas" and entry.version == 2
        assert entry.kind.startswith("Procuración de justicia")
        assert entry.services == ("Recepción de denuncias", "Órdenes de protección")
        assert entry.phone == "4610000001"
    history = coordinator.institution_history(institution_id)
    assert [v.change for v in history] == ["Alta en el directorio", "Cambio de datos"]
    assert history[0].recorded_by.startswith("Persona Trabajo social")
    # Public data: reading it records no access event.
    before = notifications(coordinator)
    coordinator.directory()
    assert notifications(coordinator) == before


def test_only_coordination_and_social_work_edit_the_directory(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    before = notifications(coordinator)
    with pytest.raises(NotPermitted):
        lawyer.add_institution(a_fiscalia())
    assert notifications(coordinator) == before + 1  # the refused attempt, nothing else


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "Nombre de la institución"),
        ({"kind": "inventado"}, "Tipo de institución"),
        ({"services": ()}, "Servicios"),
        ({"services": ("inventado",)}, "Servicios"),
        ({"phone": "12"}, "Teléfono de la institución"),
        ({"hours": "9:00 <b>"}, "Horario"),
    ],
)
def test_invalid_institutions_name_the_field_and_store_nothing(
    coordinator: StaffSession, overrides: dict[str, object], field: str
) -> None:
    before = notifications(coordinator)
    with pytest.raises(InvalidField) as error:
        coordinator.add_institution(a_fiscalia(**overrides))
    assert error.value.field == field
    assert notifications(coordinator) == before


def test_a_retired_institution_is_hidden_and_takes_no_referral(coordinator: StaffSession) -> None:
    institution_id = coordinator.add_institution(a_fiscalia())
    coordinator.set_institution_active(institution_id, False)
    assert coordinator.directory() == []
    assert len(coordinator.directory(include_inactive=True)) == 1
    client_id = coordinator.register_client(a_client(consent_to_share=True))
    case = coordinator.open_case(client_id, an_intake())
    with pytest.raises(DomainError, match="baja"):
        coordinator.refer_case(case.case_id, NewReferral(institution_id, "Denuncia"))
    coordinator.set_institution_active(institution_id, True)
    assert len(coordinator.directory(service="denuncia")) == 1
    assert coordinator.directory(kind="salud") == []


def test_a_referral_with_consent_is_recorded_and_read_back_audited(
    institute: Institute, coordinator: StaffSession
) -> None:
    institution_id = coordinator.add_institution(a_fiscalia())
    client_id = coordinator.register_client(a_client(consent_to_share=True))
    case = coordinator.open_case(client_id, an_intake())
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    referral_id = social.refer_case(
        case.case_id, NewReferral(institution_id, "Acompañar denuncia (dato sintético)")
    )
    social.record_referral_outcome(case.case_id, referral_id, "atendida", "La recibieron.")
    [view] = social.referrals(case.case_id)
    assert view.reason == "Acompañar denuncia (dato sintético)"
    assert view.institution.startswith("Agencia del Ministerio Público")
    assert view.outcome == "Atendida por la institución" and view.outcome_note == "La recibieron."
    assert view.consent_override_reason == ""
    entry = coordinator.audit_entries(client_id)[0]
    assert entry.section == Section.REFERRALS.label and entry.action == "ver"
    row = coordinator._views.query("SELECT * FROM referrals_view")[0]
    assert row["client_id"] == str(client_id) and row["outcome"] == "atendida"


def test_without_consent_only_coordination_may_refer_with_personal_data(
    institute: Institute, coordinator: StaffSession
) -> None:
    institution_id = coordinator.add_institution(a_fiscalia())
    client_id = coordinator.register_client(a_client())  # no consent to share
    case = coordinator.open_case(client_id, an_intake())
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    before = notifications(coordinator)
    with pytest.raises(ReferralNeedsConsent):
        social.refer_case(case.case_id, NewReferral(institution_id, "Denuncia"))
    assert notifications(coordinator) == before
    with pytest.raises(NotPermitted):
        social.refer_case(
            case.case_id,
            NewReferral(institution_id, "Denuncia", consent_override_reason="Riesgo alto"),
        )
    assert coordinator.audit_entries(client_id)[0].outcome == "denegado"
    # Without personal data anyone with the section may refer.
    social.refer_case(
        case.case_id, NewReferral(institution_id, "Orientación anónima", with_personal_data=False)
    )
    coordinator.refer_case(
        case.case_id,
        NewReferral(
            institution_id, "Denuncia urgente", consent_override_reason="Riesgo feminicida alto"
        ),
    )
    overridden = [v for v in coordinator.referrals(case.case_id) if v.consent_override_reason]
    assert [v.consent_override_reason for v in overridden] == ["Riesgo feminicida alto"]


def test_invalid_referrals_store_nothing(coordinator: StaffSession) -> None:
    institution_id = coordinator.add_institution(a_fiscalia())
    client_id = coordinator.register_client(a_client(consent_to_share=True))
    case = coordinator.open_case(client_id, an_intake())
    before = notifications(coordinator)
    with pytest.raises(InvalidField):
        coordinator.refer_case(case.case_id, NewReferral(institution_id, "  "))
    with pytest.raises(InvalidField):
        coordinator.refer_case(case.case_id, NewReferral(institution_id, "x", made_on="32/01/2026"))
    with pytest.raises(UnknownRecord):
        coordinator.refer_case(case.case_id, NewReferral(uuid4(), "Denuncia"))
    with pytest.raises(InvalidField):
        coordinator.record_referral_outcome(case.case_id, uuid4(), "inventado")
    with pytest.raises(DomainError):
        coordinator.record_referral_outcome(case.case_id, uuid4(), "atendida")
    assert notifications(coordinator) == before


def test_reception_cannot_refer_and_the_attempt_is_recorded(
    institute: Institute, coordinator: StaffSession
) -> None:
    institution_id = coordinator.add_institution(a_fiscalia())
    client_id = coordinator.register_client(a_client(consent_to_share=True))
    case = coordinator.open_case(client_id, an_intake())
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    with pytest.raises(NotPermitted):
        reception.refer_case(case.case_id, NewReferral(institution_id, "Denuncia"))
    assert coordinator.audit_entries(client_id)[0].outcome == "denegado"
