from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case, FolioSequence
from domain.clients import Client, ClientErasedError
from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed
from domain.vocabulary import Section
from domain.zones import ZoneCatalogue

SEALED = Sealed(b"\x01opaque")


def a_client() -> Client:
    return Client(
        id=uuid4(),
        name=SEALED,
        curp=None,
        birth_date=SEALED,
        phone=None,
        zone="110110001",
        age_band="30-39",
        registered_on=date(2026, 1, 5),
        registered_by=uuid4(),
    )


def open_case(**overrides: object) -> Case:
    values: dict[str, object] = {
        "case_id": uuid4(),
        "client_id": uuid4(),
        "folio": "CTZ-2026-00001",
        "opened_on": date(2026, 1, 5),
        "zone": "110110001",
        "age_band": "30-39",
        "reason": SEALED,
        "narrative": SEALED,
        "violence_types": ["fisica", "psicologica"],
        "modalities": ["familiar"],
        "risk": "alto",
        "opened_by": uuid4(),
    }
    values.update(overrides)
    return Case.open(**values)  # type: ignore[arg-type]


def test_sealed_values_do_not_show_their_bytes_in_repr() -> None:
    assert "opaque" not in repr(SEALED)


def test_erasure_needs_a_request_first() -> None:
    with pytest.raises(DomainError, match="No hay solicitud"):
        a_client().erase(uuid4())


def test_erasure_must_be_approved_by_a_second_person() -> None:
    client = a_client()
    requester = uuid4()
    client.request_erasure(requester)
    with pytest.raises(DomainError, match="distinta"):
        client.erase(requester)
    client.erase(uuid4())
    assert client.erased


def test_an_erased_client_admits_no_further_changes() -> None:
    client = a_client()
    client.request_erasure(uuid4())
    client.erase(uuid4())
    with pytest.raises(ClientErasedError):
        client.request_erasure(uuid4())


def test_a_case_needs_at_least_one_type_and_one_modality() -> None:
    with pytest.raises(InvalidField, match="Tipos"):
        open_case(violence_types=[])
    with pytest.raises(InvalidField, match="Modalidades"):
        open_case(modalities=[])


def test_a_case_rejects_categories_outside_the_law() -> None:
    with pytest.raises(InvalidField, match="LGAMVLV"):
        open_case(violence_types=["inventada"])
    with pytest.raises(InvalidField, match="riesgo"):
        open_case(risk="extremo")


def test_a_case_keeps_several_types_once_each() -> None:
    case = open_case(violence_types=["sexual", "fisica", "sexual"])
    assert case.violence_types == ["fisica", "sexual"]


def test_notes_are_appended_with_their_section() -> None:
    case = open_case()
    case.add_note(Section.LEGAL, SEALED, uuid4(), date(2026, 1, 6))
    assert [note.section for note in case.notes] == [Section.LEGAL]


def test_folios_are_consecutive_per_prefix_and_year_and_contain_no_names() -> None:
    sequence = FolioSequence(prefix="CTZ", year=2026)
    assert [sequence.issue(), sequence.issue()] == ["CTZ-2026-00001", "CTZ-2026-00002"]
    assert sequence.id == FolioSequence.create_id("CTZ", 2026)
    assert sequence.id != FolioSequence.create_id("CTZ", 2027)


def test_zones_outside_the_catalogue_are_rejected() -> None:
    catalogue = ZoneCatalogue(municipality="Cortazar")
    catalogue.record_zone("110110001", "Cortazar", "localidad urbana", 35473)
    assert catalogue.check_zone("110110001").women == 35473
    with pytest.raises(InvalidField, match="catálogo"):
        catalogue.check_zone("999")


def test_an_intake_keeps_the_aggressor_relationship_and_risk_factors_once_each() -> None:
    case = open_case(
        aggressor_relationship="expareja",
        aggressor_details=SEALED,
        risk_factors=["acceso_a_armas", "amenazas_de_muerte", "acceso_a_armas"],
    )
    assert case.aggressor_relationship.label == "Expareja"
    assert case.aggressor_details == SEALED
    assert case.risk_factors == ["acceso_a_armas", "amenazas_de_muerte"]


def test_an_intake_rejects_unknown_aggressor_relationships_and_risk_factors() -> None:
    with pytest.raises(InvalidField, match="agresora"):
        open_case(aggressor_relationship="jefe")
    with pytest.raises(InvalidField, match="Factores"):
        open_case(risk_factors=["inventado"])


def test_intakes_stored_before_version_2_read_as_not_stated() -> None:
    state: dict[str, object] = {"risk": "alto"}
    Case.Opened.upcast_v1_v2(state)
    assert state["aggressor_relationship"] == "no_referido"
    assert state["aggressor_details"] is None
    assert state["risk_factors"] == []
