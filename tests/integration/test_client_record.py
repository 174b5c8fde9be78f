"""The client record on both backends: identification, duplicates, age policy, consents."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.clients import AgeOutsideServedRange, Client, PossibleDuplicate
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import (
    PASSWORD,
    TIERRA_FRIA,
    a_client,
    an_intake,
    staff,
    stored_subject_keys,
    synthetic_curp,
)
from violeta.service import Institute, StaffSession


def notifications(session: StaffSession) -> int:
    return session._store.recorder.max_notification_id() or 0


def test_every_identification_field_is_shown_to_an_authorized_reader(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(
        a_client(
            phone="461 000 1122",
            phone_safe_to_call=True,
            safe_contact_name="Rosa Contacto Ficticia",
            safe_contact_phone="4610003344",
            address="Calle Sintética 12, interior 3",
            indigenous_language="otomi",
            disabilities=("visual",),
            consent_to_share=True,
        )
    )
    detail = coordinator.client_detail(client_id)
    assert detail.phone == "4610001122" and detail.phone_safe_to_call
    assert (detail.safe_contact_name, detail.safe_contact_phone) == (
        "Rosa Contacto Ficticia",
        "4610003344",
    )
    assert detail.address == "Calle Sintética 12, interior 3"
    assert detail.indigenous_language == "Otomí (hñähñu)"
    assert detail.disabilities == ("Para ver",)
    assert detail.consent_to_share and detail.consent_to_statistics
    assert detail.age_authorization == "No requerida"
    assert coordinator.audit_entries(client_id)[0].action == "ver"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"privacy_notice_accepted": False}, "Aviso de privacidad"),
        ({"safe_contact_phone": "12"}, "Teléfono del contacto seguro"),
        ({"safe_contact_name": "R2D2"}, "Nombre del contacto seguro"),
        ({"safe_contact_name": "Rosa Contacto Ficticia"}, "Contacto seguro"),
        ({"address": "Calle\x1b 1"}, "Domicilio"),
        ({"indigenous_language": "inventada"}, "Lengua indígena"),
        ({"disabilities": ("inventada",)}, "Discapacidad"),
        ({"phone_safe_to_call": True}, "Teléfono seguro"),
    ],
)
def test_invalid_new_fields_name_the_field_and_store_nothing(
    coordinator: StaffSession, overrides: dict[str, object], field: str
) -> None:
    before = notifications(coordinator)
    with pytest.raises(InvalidField) as error:
        coordinator.register_client(a_client(**overrides))  # type: ignore[arg-type]
    assert error.value.field == field
    assert notifications(coordinator) == before


@pytest.mark.parametrize(
    "second",
    [
        a_client("Beatriz Otra Persona", curp=synthetic_curp()),
        a_client("Beatriz Otra Persona", phone="461-000-1122"),
        a_client("sintética ANA prueba"),
    ],
    ids=["curp", "telefono", "nombre"],
)
def test_a_possible_duplicate_lists_ids_only_and_the_listing_is_audited(
    coordinator: StaffSession, second: object
) -> None:
    first = coordinator.register_client(
        a_client("Ana Prueba Sintética", curp=synthetic_curp(), phone="4610001122")
    )
    before = notifications(coordinator)
    with pytest.raises(PossibleDuplicate) as error:
        coordinator.register_client(second)  # type: ignore[arg-type]
    assert error.value.candidates == [first]
    assert "Ana" not in error.value.message
    assert notifications(coordinator) == before + 1  # the access event, no client
    entries = [e for e in coordinator.audit_entries() if e.action == "verificar duplicado"]
    assert len(entries) == 1 and entries[0].client_ids == (first,)
    confirmed = coordinator.register_client(second, confirm_not_duplicate=True)  # type: ignore[arg-type]
    assert confirmed != first


def test_a_refused_registration_leaves_no_key_behind(
    institute: Institute, coordinator: StaffSession
) -> None:
    coordinator.register_client(a_client("Ana Prueba Sintética"))
    with pytest.raises(PossibleDuplicate):
        coordinator.register_client(a_client("Ana Prueba Sintética"))
    with pytest.raises(InvalidField):
        coordinator.register_client(a_client("Beatriz Otra Persona", phone="12"))

    other = institute.login("coordinacion", PASSWORD)
    other.close()
    coordinator.close()  # locking discards the keys stored ahead for registrations

    assert stored_subject_keys(institute) == 1


def test_a_different_woman_is_no_duplicate(coordinator: StaffSession) -> None:
    coordinator.register_client(a_client("Ana Prueba Sintética"))
    coordinator.register_client(a_client("Ana Distinta Sintética"))  # one token differs


def test_outside_the_served_range_nobody_is_silently_refused(
    institute: Institute, coordinator: StaffSession
) -> None:
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    before = notifications(coordinator)
    with pytest.raises(AgeOutsideServedRange) as error:
        reception.register_client(a_client(birth_date="01/01/1950"))
    assert error.value.field == "Fecha de nacimiento" and "motivo" in error.value.problem
    assert notifications(coordinator) == before

    client_id = reception.register_client(
        a_client(birth_date="01/01/1950", age_exception_reason="Acude sola; no hay otra instancia")
    )
    detail = reception.client_detail(client_id)
    assert detail.age_authorization == "Pendiente de autorización de coordinación"
    assert detail.age_exception_reason == "Acude sola; no hay otra instancia"
    with pytest.raises(DomainError, match="autorización"):
        reception.open_case(client_id, an_intake())
    with pytest.raises(NotPermitted):
        reception.authorize_age_exception(client_id)
    assert coordinator.audit_entries(client_id)[0].outcome == "denegado"
    [pending] = coordinator.pending_age_authorizations()
    assert pending.client_id == client_id
    assert coordinator.audit_entries()[0].purpose == "autorizaciones de edad pendientes"
    coordinator.authorize_age_exception(client_id)
    assert coordinator.pending_age_authorizations() == []
    assert coordinator.client_detail(client_id).age_authorization == "Autorizada por coordinación"
    assert reception.open_case(client_id, an_intake()).folio == "CTZ-2026-00001"


def test_a_girl_under_18_gets_a_proposed_child_protection_referral(
    coordinator: StaffSession,
) -> None:
    with pytest.raises(AgeOutsideServedRange, match="Procuraduría de Protección"):
        coordinator.register_client(a_client(birth_date="01/01/2012"))
    client_id = coordinator.register_client(
        a_client(birth_date="01/01/2012", age_exception_reason="Llegó acompañada por su madre")
    )
    detail = coordinator.client_detail(client_id)
    assert "Procuraduría de Protección" in detail.proposed_referral
    assert detail.age_band == "0-17"


def test_withdrawing_statistics_consent_takes_her_cases_out_of_the_counts(
    coordinator: StaffSession,
) -> None:
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    bea = coordinator.register_client(a_client("Beatriz Prueba Ficticia"))
    eva = coordinator.register_client(a_client("Eva Prueba Ficticia", zone=TIERRA_FRIA))
    for client_id in (ana, ana, bea, eva):
        coordinator.open_case(client_id, an_intake())
    month = "2026-11"
    assert coordinator.case_counts() == {(month, "110110001"): 3, (month, TIERRA_FRIA): 1}

    coordinator.set_statistics_consent(ana, False)
    assert coordinator.case_counts() == {(month, "110110001"): 1, (month, TIERRA_FRIA): 1}
    coordinator.set_statistics_consent(eva, False)
    assert coordinator.case_counts() == {(month, "110110001"): 1}
    # A case opened while she opposes is not counted either.
    coordinator.open_case(ana, an_intake())
    assert coordinator.case_counts() == {(month, "110110001"): 1}
    detail = coordinator.client_detail(ana)
    assert not detail.consent_to_statistics and len(detail.cases) == 3  # not erasure

    before = coordinator.case_counts()
    coordinator.rebuild_views()
    assert coordinator.case_counts() == before
    coordinator.set_statistics_consent(ana, True)
    assert coordinator.case_counts() == {(month, "110110001"): 4}


def test_a_client_registered_without_statistics_consent_is_never_counted(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client(consent_to_statistics=False))
    coordinator.open_case(client_id, an_intake())
    assert coordinator.case_counts() == {}


def test_sharing_consent_is_recorded(coordinator: StaffSession) -> None:
    client_id = coordinator.register_client(a_client())
    coordinator.set_sharing_consent(client_id, True)
    assert coordinator.client_detail(client_id).consent_to_share
    with pytest.raises(DomainError):
        coordinator.set_sharing_consent(client_id, True)


V2_FIELDS = (
    "phone_safe_to_call",
    "safe_contact_name",
    "safe_contact_phone",
    "address",
    "indigenous_language",
    "disabilities",
    "privacy_notice_accepted",
    "consent_to_share",
    "consent_to_statistics",
    "age_exception_reason",
    "age_authorization",
    "proposed_referral",
)


def test_a_registration_stored_before_version_2_is_read_with_the_defaults(
    coordinator: StaffSession,
) -> None:
    """Stored events live for decades: a version-1 registration still loads and projects."""
    client_id = coordinator.register_client(a_client(address="Calle Sintética 1"))
    mapper = coordinator._store.mapper
    [stored] = coordinator._store.recorder.select_events(client_id)
    assert mapper.cipher is not None
    state = mapper.transcoder.decode(
        mapper.compressor.decompress(mapper.cipher.decrypt(stored.state))
        if mapper.compressor
        else mapper.cipher.decrypt(stored.state)
    )
    assert state.pop("class_version") == 2
    for name in V2_FIELDS:
        del state[name]  # exactly what a version-1 event held
    encoded = mapper.transcoder.encode(state)
    if mapper.compressor:
        encoded = mapper.compressor.compress(encoded)
    old = replace(stored, state=mapper.cipher.encrypt(encoded))
    event = mapper.to_domain_event(old)
    assert isinstance(event, Client.Registered)
    assert event.address is None and event.consent_to_statistics is True
    assert event.age_authorization == "no_requerida" and event.disabilities == []
    client = event.mutate(None)
    assert client is not None and client.consent_to_share is False
