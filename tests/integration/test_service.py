"""The application service on both backends: registration, reads, audit, permissions."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.vocabulary import Role, Section
from keys import PLACEHOLDER
from tests.support.factories import (
    PASSWORD,
    TIERRA_FRIA,
    a_client,
    an_intake,
    staff,
    synthetic_curp,
)
from violeta.service import Institute, JustificationRequired, LoginFailed, StaffSession


def test_a_registered_client_is_found_by_name_and_her_case_gets_a_folio(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client("Ana Prueba Sintética"))
    case = coordinator.open_case(client_id, an_intake())
    assert case.folio == "CTZ-2026-00001"
    found = coordinator.search_clients("prueba ANA")
    assert [summary.client_id for summary in found] == [client_id]
    assert found[0].name == "Ana Prueba Sintética"
    assert found[0].open_cases == 1
    detail = coordinator.case_detail(case.case_id)
    assert detail.narrative == "Relato sintético de prueba."
    assert detail.violence_types == ("Física", "Psicológica")


def test_search_confirms_candidates_so_a_partial_match_is_not_returned(
    coordinator: StaffSession,
) -> None:
    coordinator.register_client(a_client("Ana Prueba Sintética"))
    coordinator.register_client(a_client("Beatriz Prueba Ficticia"))
    assert [s.name for s in coordinator.search_clients("prueba")] == [
        "Ana Prueba Sintética",
        "Beatriz Prueba Ficticia",
    ]
    assert [s.name for s in coordinator.search_clients("ana prueba")] == ["Ana Prueba Sintética"]
    assert coordinator.search_clients("carla") == []


def test_a_name_most_clients_share_still_narrows_to_those_holding_every_token(
    coordinator: StaffSession,
) -> None:
    surnames = [f"Ficticia{chr(ord('a') + n // 26)}{chr(ord('a') + n % 26)}" for n in range(70)]
    for surname in surnames:  # more clients share "Ana Común" than the rarity count looks at
        coordinator.register_client(a_client(f"Ana Común {surname}"))
    coordinator.register_client(a_client("Beatriz Común Ficticiaab"))

    assert [s.name for s in coordinator.search_clients("común ficticiaab")] == [
        "Ana Común Ficticiaab",
        "Beatriz Común Ficticiaab",
    ]
    assert [s.name for s in coordinator.search_clients("ana ficticiaab común")] == [
        "Ana Común Ficticiaab"
    ]


def test_search_by_curp_or_phone_finds_the_client(coordinator: StaffSession) -> None:
    curp = synthetic_curp()
    client_id = coordinator.register_client(a_client(curp=curp, phone="461 000 1122"))
    assert [s.client_id for s in coordinator.search_clients(curp.lower())] == [client_id]
    assert [s.client_id for s in coordinator.search_clients("4610001122")] == [client_id]


def test_folios_are_consecutive_across_clients(coordinator: StaffSession) -> None:
    folios = [
        coordinator.open_case(
            coordinator.register_client(a_client(), confirm_not_duplicate=True), an_intake()
        ).folio
        for _ in range(3)
    ]
    assert folios == ["CTZ-2026-00001", "CTZ-2026-00002", "CTZ-2026-00003"]


def test_every_read_records_who_saw_which_clients(coordinator: StaffSession) -> None:
    ana = coordinator.register_client(a_client("Ana Prueba Sintética"))
    bea = coordinator.register_client(a_client("Beatriz Prueba Ficticia"))
    coordinator.search_clients("prueba")
    coordinator.client_detail(ana)
    entries = coordinator.audit_entries()
    search, view = entries[1], entries[0]
    assert search.action == "buscar" and set(search.client_ids) == {ana, bea}
    assert view.action == "ver" and view.client_ids == (ana,)
    assert view.staff == "Carmen Coordinación Prueba"
    assert [e.action for e in coordinator.audit_entries(bea)] == ["buscar"]


def test_the_access_is_recorded_before_any_data_is_returned(
    coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = coordinator.register_client(a_client())

    def failing_save(*aggregates: object) -> None:
        raise RuntimeError("almacén no disponible")

    monkeypatch.setattr(coordinator._store, "save", failing_save)
    with pytest.raises(RuntimeError):
        coordinator.client_detail(client_id)
    with pytest.raises(RuntimeError):
        coordinator.search_clients("ana")


def test_a_list_records_every_client_that_appeared_in_it(coordinator: StaffSession) -> None:
    ids = [coordinator.register_client(a_client(), confirm_not_duplicate=True) for _ in range(3)]
    for client_id in ids:
        coordinator.open_case(client_id, an_intake())
    dashboard = coordinator.dashboard()
    assert len(dashboard.my_recent_cases) == 3
    (listing,) = [
        entry
        for entry in coordinator.audit_entries()
        if "mi día: mis expedientes recientes" in entry.purpose
    ]
    assert listing.action == "listar" and set(listing.client_ids) == set(ids)


def test_administration_reads_no_case_content_and_the_attempt_is_recorded(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client())
    admin = staff(institute, coordinator, "admin", Role.ADMINISTRATION)
    with pytest.raises(NotPermitted, match="Administración"):
        admin.client_detail(client_id)
    with pytest.raises(NotPermitted):
        admin.search_clients("ana")
    denied = coordinator.audit_entries(client_id)[0]
    assert denied.outcome == "denegado" and denied.role == "Administración"


def test_reading_outside_the_role_needs_a_reason_and_is_marked_exceptional(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client())
    case = coordinator.open_case(client_id, an_intake())
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    with pytest.raises(JustificationRequired):
        reception.case_detail(case.case_id, Section.INTAKE)
    with pytest.raises(InvalidField, match="20"):
        reception.case_detail(case.case_id, Section.INTAKE, justification="urgente")
    detail = reception.case_detail(
        case.case_id, Section.INTAKE, justification="La usuaria llegó en crisis y no hay otra área"
    )
    assert detail.exceptional_access and detail.narrative
    entry = coordinator.audit_entries(client_id)[0]
    assert entry.exceptional and entry.outcome == "excepcional"
    assert entry.justification.startswith("La usuaria llegó")
    assert coordinator.dashboard().exceptional_accesses_today >= 1


def test_psychology_notes_stay_closed_to_legal_even_with_a_reason(
    institute: Institute, coordinator: StaffSession
) -> None:
    case = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    psychology = staff(institute, coordinator, "psicologia", Role.PSYCHOLOGY)
    psychology.add_note(case.case_id, Section.PSYCHOLOGICAL, "Nota sintética de sesión.")
    assert [n.text for n in psychology.case_detail(case.case_id, Section.PSYCHOLOGICAL).notes] == [
        "Nota sintética de sesión."
    ]
    legal = staff(institute, coordinator, "juridica", Role.LEGAL)
    with pytest.raises(NotPermitted):
        legal.case_detail(
            case.case_id, Section.PSYCHOLOGICAL, justification="Necesito revisar la sesión completa"
        )


def test_writing_outside_the_role_is_denied_and_stores_nothing_but_the_attempt(
    institute: Institute, coordinator: StaffSession
) -> None:
    case = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    with pytest.raises(NotPermitted):
        reception.add_note(case.case_id, Section.LEGAL, "Nota sintética")
    assert coordinator.case_detail(case.case_id, Section.LEGAL).notes == ()
    assert coordinator.audit_entries()[1].outcome == "denegado"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (a_client(name="A"), "Nombre"),
        (a_client(birth_date="31/02/1990"), "Fecha de nacimiento"),
        (a_client(birth_date="01/01/2030"), "Fecha de nacimiento"),
        (a_client(birth_date="01/01/2015"), "Fecha de nacimiento"),
        (a_client(curp="XXXX"), "CURP"),
        (a_client(phone="123"), "Teléfono"),
        (a_client(zone="no-existe"), "Zona"),
        (a_client(name="Ana\x1bPrueba"), "Nombre"),
    ],
)
def test_invalid_registrations_name_the_field_and_store_nothing(
    coordinator: StaffSession, form: object, field: str
) -> None:
    before = coordinator._store.recorder.max_notification_id()
    with pytest.raises(InvalidField) as error:
        coordinator.register_client(form)  # type: ignore[arg-type]
    assert error.value.field == field
    assert coordinator._store.recorder.max_notification_id() == before


def test_an_over_long_narrative_is_rejected_and_no_case_is_opened(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client())
    with pytest.raises(InvalidField, match="Relato"):
        coordinator.open_case(client_id, an_intake(narrative="x" * 4001))
    assert coordinator.client_detail(client_id).cases == ()


def test_unknown_ids_get_a_clear_message(coordinator: StaffSession) -> None:
    with pytest.raises(UnknownRecord, match="No existe"):
        coordinator.client_detail(uuid4())
    with pytest.raises(UnknownRecord, match="expediente"):
        coordinator.case_detail(uuid4())


def test_wrong_password_and_unknown_user_fail_alike(institute: Institute) -> None:
    with pytest.raises(LoginFailed) as wrong:
        institute.login("coordinacion", "otra-contraseña-0")
    with pytest.raises(LoginFailed) as unknown:
        institute.login("nadie", "otra-contraseña-0")
    assert wrong.value.message == unknown.value.message


def test_five_failed_logins_lock_the_account(institute: Institute) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            institute.login("coordinacion", "otra-contraseña-0")
    with pytest.raises(LoginFailed, match="bloqueada"):
        institute.login("coordinacion", PASSWORD)


def test_a_new_account_must_change_its_password_first(
    institute: Institute, coordinator: StaffSession
) -> None:
    coordinator.create_account("juridica", "Julia Jurídica Prueba", Role.LEGAL, PASSWORD)
    session = institute.login("juridica", PASSWORD)
    assert session.identity.must_change_password
    session.change_password(PASSWORD, "otra-contraseña-larga")
    assert not institute.login("juridica", "otra-contraseña-larga").identity.must_change_password


def test_a_second_terminal_sees_what_the_first_wrote(
    institute: Institute, coordinator: StaffSession
) -> None:
    other = institute.login("coordinacion", PASSWORD)
    client_id = coordinator.register_client(a_client("Ana Prueba Sintética"))
    assert [s.client_id for s in other.search_clients("ana")] == [client_id]


def test_erasure_needs_two_people(institute: Institute, coordinator: StaffSession) -> None:
    client_id = coordinator.register_client(a_client())
    coordinator.request_erasure(client_id)
    with pytest.raises(DomainError, match="segunda persona"):
        coordinator.approve_erasure(client_id)
    social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
    with pytest.raises(NotPermitted):
        social_work.approve_erasure(client_id)
    assert coordinator.dashboard().pending_erasures == 1


def test_erasure_leaves_only_placeholders_and_keeps_the_statistics(
    institute: Institute, coordinator: StaffSession
) -> None:
    erased = coordinator.register_client(
        a_client("Ana Prueba Sintética", curp=synthetic_curp(), phone="4610001122")
    )
    kept = coordinator.register_client(a_client("Beatriz Prueba Ficticia", zone=TIERRA_FRIA))
    erased_case = coordinator.open_case(erased, an_intake())
    coordinator.open_case(kept, an_intake())
    statistics = coordinator.case_counts()

    social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
    assert social_work.client_detail(erased).name == "Ana Prueba Sintética"
    social_work.request_erasure(erased)
    coordinator.approve_erasure(erased)

    detail = coordinator.client_detail(erased)
    assert detail.erased
    assert (detail.name, detail.curp, detail.phone, detail.birth_date) == (PLACEHOLDER,) * 4
    case = coordinator.case_detail(erased_case.case_id)
    assert (case.client_name, case.reason, case.narrative) == (PLACEHOLDER,) * 3
    assert coordinator.search_clients("ana") == []
    assert coordinator.search_clients(synthetic_curp()) == []
    assert [c.client_name for c in coordinator.dashboard().my_recent_cases] == [
        "Beatriz Prueba Ficticia",
        PLACEHOLDER,
    ]
    assert coordinator.client_detail(kept).name == "Beatriz Prueba Ficticia"
    assert coordinator.case_counts() == statistics
    # Another terminal that had her key cached must not open her data either.
    assert social_work.client_detail(erased).name == PLACEHOLDER
    with pytest.raises(DomainError, match="cancelados"):
        coordinator.open_case(erased, an_intake())
    # The trail keeps who saw her, before and after: ids and roles only, never her data.
    trail = coordinator.audit_entries(erased)
    assert [(e.action, e.role) for e in trail if e.action == "ver"][-1] == (
        "ver",
        "Trabajo social",
    )
    assert {e.role for e in trail if e.action == "ver"} == {"Trabajo social", "Coordinación"}
    assert all(e.client_ids == (erased,) for e in trail if e.action == "ver")


def test_refresh_reports_what_other_terminals_changed_but_not_their_reads(
    institute: Institute, coordinator: StaffSession
) -> None:
    other = institute.login("coordinacion", PASSWORD)
    assert other.refresh() == 0
    client_id = coordinator.register_client(a_client("Ana Prueba Sintética"))
    coordinator.open_case(client_id, an_intake())
    coordinator.client_detail(client_id)  # an access record: not a change to show
    assert (
        other.refresh() == 4
    )  # the client, the year's new folio sequence and its first folio, the case
    assert other.refresh() == 0


def test_dashboard_counters_record_no_access(coordinator: StaffSession) -> None:
    coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    before = len(coordinator.audit_entries())
    counters = coordinator.dashboard_counters()
    assert counters.open_cases == 1
    assert len(coordinator.audit_entries()) == before + 1  # only the first look at the trail


def test_the_intake_records_the_aggressor_sealed_and_the_risk_factors(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client())
    case = coordinator.open_case(
        client_id,
        an_intake(
            aggressor_relationship="conyuge",
            aggressor_details="Descripción sintética del agresor",
            risk_factors=("acceso_a_armas", "separacion_reciente"),
        ),
    )
    detail = coordinator.case_detail(case.case_id)
    assert detail.aggressor_relationship == "Cónyuge o concubino"
    assert detail.aggressor_details == "Descripción sintética del agresor"
    assert detail.risk_factors == ("Uso o acceso a armas", "Separación reciente o en curso")
    legal_view = coordinator.case_detail(case.case_id, Section.LEGAL)
    assert legal_view.aggressor_details == ""  # only the intake tab opens it
    with pytest.raises(InvalidField, match="agresora"):
        coordinator.open_case(client_id, an_intake(aggressor_details="x" * 301))
