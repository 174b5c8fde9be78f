"""The views of the services on a case and of the activities rebuild from zero identically."""

from __future__ import annotations

from domain.vocabulary import Role
from projections.activities import ACTIVITY_SCHEMA
from projections.case_services import SERVICES_SCHEMA
from projections.storage import _tables
from tests.support.factories import a_client, an_intake, staff
from violeta.dto import NewActivity
from violeta.service import Institute, StaffSession

TABLES = ("cases_view", *_tables(SERVICES_SCHEMA), *_tables(ACTIVITY_SCHEMA))


def snapshot(session: StaffSession) -> dict[str, list[tuple[object, ...]]]:
    session.refresh()
    return {
        table: sorted(
            tuple(row[key] for key in row.keys())  # noqa: SIM118 - sqlite3.Row is no mapping
            for row in session._views.query(f"SELECT * FROM {table}")
        )
        for table in TABLES
    }


def test_rebuilding_from_zero_gives_the_same_service_and_activity_views(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    kept = coordinator.register_client(a_client("Ana Prueba Sintética"))
    erased = coordinator.register_client(a_client("Beatriz Prueba Ficticia"))
    for client_id in (kept, erased):
        case_id = coordinator.open_case(client_id, an_intake()).case_id
        coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
        lawyer.give_legal_advice(case_id, "penal", "Asesoría sintética.")
        follow_up = lawyer.schedule_follow_up(case_id, "20/11/2026", "presencial")
        lawyer.settle_follow_up(case_id, follow_up, done=True, outcome="Resultado sintético.")
        order = lawyer.record_protection_order(
            case_id,
            kind="jurisdiccional",
            measures=("otra",),
            detail="Detalle sintético.",
            authority="Juzgado",
            issued_on="",
        )
        lawyer.extend_protection_order(case_id, order)
        lawyer.report_misconduct(
            case_id, institution="Fiscalía", conduct="otra", facts="Hechos.", reported_to="Titular"
        )
        # psicología's agenda (projections/psychology_agenda.py) is rebuilt the same too.
        psychologist.record_psychology_session(
            case_id, modality="presencial", notes="Sesión.", next_session="27/11/2026"
        )
        lawyer.request_closure(case_id, "Motivo sintético.")
    coordinator.approve_closure(case_id)
    lawyer.request_erasure(erased)
    coordinator.approve_erasure(erased)
    coordinator.set_target(2026, "taller", "10")
    mistaken = lawyer.record_activity(
        NewActivity("01/11/2026", "taller", "Autoestima", "110110001", {"18-29": "9"})
    )
    lawyer.record_activity(
        NewActivity("02/11/2026", "taller", "Autoestima", "110110001", {"30-39": "4"})
    )
    lawyer.cancel_activity(mistaken)
    before = snapshot(coordinator)
    assert all(before[table] for table in TABLES)
    coordinator.rebuild_views()
    assert snapshot(coordinator) == before
