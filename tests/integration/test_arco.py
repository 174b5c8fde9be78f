"""ARCO rights on both backends: access (export), rectification with history, opposition,
cancellation still working after the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role, Section
from keys import PLACEHOLDER
from tests.support.factories import a_client, an_intake, staff, synthetic_curp
from violeta.dto import InstitutionForm, NewReferral
from violeta.service import Institute, StaffSession


def notifications(session: StaffSession) -> int:
    return session._store.recorder.max_notification_id() or 0


def test_rectification_shows_the_current_value_and_keeps_the_history(
    institute: Institute, coordinator: StaffSession
) -> None:
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    client_id = reception.register_client(a_client("Ana Prueba Sintética", phone="4610001122"))
    reception.correct_client(client_id, "name", "Ana María Prueba Sintética")
    reception.correct_client(client_id, "phone", "461 000 3344")
    reception.correct_client(client_id, "address", "Calle Nueva Sintética 5")
    detail = reception.client_detail(client_id)
    assert detail.name == "Ana María Prueba Sintética" and detail.phone == "4610003344"
    assert detail.address == "Calle Nueva Sintética 5"
    assert detail.corrected_fields == ("Nombre", "Teléfono", "Domicilio")
    # The corrected values are found; the old ones no longer confirm.
    assert [s.client_id for s in reception.search_clients("maria prueba")] == [client_id]
    assert [s.client_id for s in reception.search_clients("4610003344")] == [client_id]
    assert reception.search_clients("4610001122") == []

    with pytest.raises(NotPermitted):
        reception.correction_history(client_id)
    history = coordinator.correction_history(client_id)
    phones = [(e.value, e.current) for e in history if e.field == "Teléfono"]
    assert phones == [("4610001122", False), ("4610003344", True)]
    names = [e.value for e in history if e.field == "Nombre"]
    assert names == ["Ana Prueba Sintética", "Ana María Prueba Sintética"]
    assert coordinator.audit_entries(client_id)[0].purpose.startswith("historial")


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("name", "", "Nombre"),
        ("curp", "XXXX", "CURP"),
        ("phone", "12", "Teléfono"),
        ("birth_date", "31/02/1990", "Fecha de nacimiento"),
        ("zone", "110110054", "Campo"),
        ("safe_contact_phone", "4610009999", "Contacto seguro"),
    ],
)
def test_invalid_rectifications_store_nothing(
    coordinator: StaffSession, field: str, value: str, label: str
) -> None:
    client_id = coordinator.register_client(a_client(curp=synthetic_curp()))
    before = notifications(coordinator)
    with pytest.raises(InvalidField) as error:
        coordinator.correct_client(client_id, field, value)
    assert error.value.field == label
    assert notifications(coordinator) == before


def test_the_access_export_is_her_data_written_outside_the_data_dir_and_audited(
    institute: Institute, coordinator: StaffSession, tmp_path: Path
) -> None:
    client_id = coordinator.register_client(
        a_client("Ana Prueba Sintética", address="Calle Sintética 1", consent_to_share=True)
    )
    case = coordinator.open_case(client_id, an_intake())
    coordinator.add_note(case.case_id, Section.FOLLOW_UPS, "Nota sintética de seguimiento")
    institution = coordinator.add_institution(
        InstitutionForm(name="Refugio sintético", kind="refugio", services=("refugio",))
    )
    coordinator.refer_case(case.case_id, NewReferral(institution, "Resguardo (sintético)"))
    outside = tmp_path / "exportaciones"
    outside.mkdir()
    legal = staff(institute, coordinator, "juridica", Role.LEGAL)
    legal.give_legal_advice(case.case_id, "familiar", "Asesoría sintética sobre pensión")

    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    with pytest.raises(NotPermitted):
        social.export_client_data(client_id, outside / "ana.json")
    with pytest.raises(InvalidField, match="directorio de datos"):
        coordinator.export_client_data(client_id, institute.settings.data / "ana.json")

    path = coordinator.export_client_data(client_id, outside / "ana.json")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["identificacion"]["nombre"] == "Ana Prueba Sintética"
    assert document["identificacion"]["domicilio"] == "Calle Sintética 1"
    [exported] = document["expedientes"]
    assert exported["folio"] == case.folio and exported["relato"] == "Relato sintético de prueba."
    assert exported["notas"][0]["texto"] == "Nota sintética de seguimiento"
    assert exported["canalizaciones"][0]["motivo"] == "Resguardo (sintético)"
    [advice] = exported["juridica"]["advice"]
    assert advice["notes"] == "Asesoría sintética sobre pensión"
    assert advice["given_on"] == "20/11/2026"
    assert exported["persona_agresora"]["relacion"] == "No lo refiere"
    actions = [entry.action for entry in coordinator.audit_entries(client_id)]
    # The export is recorded first; each area's section it opened is recorded after it.
    assert actions.index("exportar") > actions.index("ver")
    assert any("ARCO" in e.purpose for e in coordinator.audit_entries(client_id))
    with pytest.raises(InvalidField, match="ya existe"):
        coordinator.export_client_data(client_id, path)


def test_cancellation_still_works_after_rectification_and_opposition(
    institute: Institute, coordinator: StaffSession, tmp_path: Path
) -> None:
    client_id = coordinator.register_client(a_client("Ana Prueba Sintética"))
    coordinator.open_case(client_id, an_intake())
    coordinator.correct_client(client_id, "name", "Ana Rectificada Sintética")
    coordinator.set_statistics_consent(client_id, False)
    counts = coordinator.case_counts()
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    social.request_erasure(client_id)
    coordinator.approve_erasure(client_id)
    detail = coordinator.client_detail(client_id)
    assert detail.erased and detail.name == PLACEHOLDER
    assert coordinator.search_clients("rectificada") == []
    assert coordinator.case_counts() == counts  # erasure leaves the statistics unchanged
    with pytest.raises(DomainError):
        coordinator.correct_client(client_id, "address", "Otra")
    with pytest.raises(DomainError):
        coordinator.export_client_data(client_id, tmp_path / "x.json")


def test_the_access_export_tells_her_who_accessed_her_record(
    institute: Institute, coordinator: StaffSession, tmp_path: Path
) -> None:
    client_id = coordinator.register_client(a_client("Ana Prueba Sintética"))
    other = coordinator.register_client(a_client("Berta Otra Sintética"))
    case = coordinator.open_case(client_id, an_intake())
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    reception.client_detail(client_id)
    reception.client_detail(other)
    with pytest.raises(NotPermitted):
        reception.psychology_section(case.case_id)
    social = staff(institute, coordinator, "social", Role.SOCIAL_WORK)
    social.legal_section(case.case_id, justification="Urgencia en guardia nocturna (sintético).")

    path = coordinator.export_client_data(client_id, tmp_path / "ana.json")
    log = json.loads(path.read_text(encoding="utf-8"))["accesos_a_su_expediente"]
    entries = [(e["persona"], e["rol"], e["seccion"], e["resultado"]) for e in log]
    assert (reception.identity.display_name, "Recepción", "Identificación", "Concedido") in entries
    assert (reception.identity.display_name, "Recepción", "Psicológica", "Denegado") in entries
    assert (social.identity.display_name, "Trabajo social", "Jurídica", "Excepcional") in entries
    exceptional = next(e for e in log if e["resultado"] == "Excepcional")
    assert exceptional["motivo"] == "Urgencia en guardia nocturna (sintético)."
    # The export itself and the section reads that built it are listed; nobody else's reads.
    exporting = [e["accion"] for e in log].index("exportar")
    assert {e["persona"] for e in log[exporting:]} == {coordinator.identity.display_name}
    assert all(e["proposito"] for e in log)
    assert len([e for e in log if e["persona"] == reception.identity.display_name]) == 2
    day, time = log[0]["fecha"].split(" ")
    assert len(day.split("/")) == 3 and len(time.split(":")) == 2
