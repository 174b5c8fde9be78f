"""The read side (statistics, the audit trail's facts, alerts) is a projection of its own: a
terminal's read-your-writes path leaves it alone, and wherever it is caught up (a report, the
trail, an idle terminal, logout, a follower in another process, a rebuild) it ends with the
same tables, nothing lost or counted twice. Both backends."""

from __future__ import annotations

import threading
import time
from uuid import UUID

from domain.access import AccessRecord, Ids
from domain.vocabulary import Role, Section
from projections.read_side import READ_SIDE_SCHEMA, ReadSideProjection, read_side_name
from projections.runner import Projector
from projections.storage import Statement, _tables
from projections.views import CaseRecordProjection
from tests.support.factories import PASSWORD, TIERRA_FRIA, a_client, an_intake, staff
from violeta.dto import InstitutionForm, NewReferral
from violeta.following import IDLE_READ_SIDE_BATCH
from violeta.service import Institute, KeyringIndexer, StaffSession, open_view_store
from violeta.statistics_projector import follow_read_side
from violeta.store import open_case_store

READ_SIDE_TABLES = tuple(_tables(READ_SIDE_SCHEMA))


def read_side(session: StaffSession) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: sorted(
            tuple(row[key] for key in row.keys())  # noqa: SIM118 - sqlite3.Row is no mapping
            for row in session._views.query(f"SELECT * FROM {table}")
        )
        for table in READ_SIDE_TABLES
    }


def write_some(session: StaffSession, count: int, zone: str = "110110001") -> list[UUID]:
    cases = []
    for index in range(count):
        client_id = session.register_client(
            a_client(name=f"Ana Sintética {session.role.label} {'ABCDEFGH'[index]}", zone=zone),
            confirm_not_duplicate=True,
        )
        case = session.open_case(client_id, an_intake())
        session.add_note(case.case_id, Section.FOLLOW_UPS, "Nota sintética de seguimiento.")
        session.client_detail(client_id)  # an audited read: an access fact for the trail
        cases.append(case.case_id)
    return cases


def positions(session: StaffSession) -> tuple[int, int]:
    return session._projector.position, session._follower.read_side.position


def test_a_terminal_reading_its_writes_leaves_the_read_side_where_it_was(
    coordinator: StaffSession,
) -> None:
    write_some(coordinator, 1)
    coordinator._refresh_read_side()
    _, before = positions(coordinator)
    write_some(coordinator, 3)  # every command and read catches up the case views only
    cases, after = positions(coordinator)
    assert after == before < cases
    assert coordinator.case_counts()  # a report catches it up, as far as the case views
    assert coordinator._follower.read_side.position == coordinator._projector.position


def test_two_terminals_writing_give_the_statistics_of_a_rebuild(
    institute: Institute, coordinator: StaffSession
) -> None:
    reception = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    institution = coordinator.add_institution(
        InstitutionForm(name="Clínica sintética", kind="salud", services=("atencion_medica",))
    )
    for turn in range(3):
        write_some(reception, 2, zone=TIERRA_FRIA)
        for case_id in write_some(coordinator, 1):
            coordinator.refer_case(
                case_id, NewReferral(institution, "Motivo sintético.", with_personal_data=False)
            )
        if turn == 1:  # one of them reads a report midway: caught up from where it stood
            reception.case_counts()
    coordinator.audit_trail(limit=10)
    reception._refresh_read_side()  # the other terminal sees the same, nothing twice
    assert read_side(reception) == read_side(coordinator)
    caught_up = read_side(coordinator)
    assert caught_up["stats_cases"] and caught_up["access_facts"] and caught_up["stats_referrals"]
    coordinator.rebuild_views()
    coordinator._refresh_read_side()
    assert read_side(coordinator) == caught_up


def test_the_read_side_follows_the_case_views_and_never_runs_ahead(
    coordinator: StaffSession,
) -> None:
    write_some(coordinator, 2)
    # The case views stand where the last command left them; another event arrives after.
    coordinator._store.save(_an_access(coordinator))
    cases, _ = positions(coordinator)
    assert (coordinator._store.recorder.max_notification_id() or 0) > cases
    coordinator._follower.catch_up_read_side()
    assert coordinator._follower.read_side.position == cases


def test_an_idle_terminal_and_logout_catch_the_read_side_up(
    institute: Institute, coordinator: StaffSession
) -> None:
    reception = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    write_some(reception, 2)
    reception.refresh()
    cases, behind = positions(reception)
    assert behind < cases
    reception.refresh()  # nothing new arrived: a step of the read side, at most a batch
    assert reception._follower.read_side.position == min(cases, behind + IDLE_READ_SIDE_BATCH)
    write_some(reception, 1)
    reception.close()
    assert coordinator._follower.read_side.position == (
        coordinator._store.recorder.max_notification_id() or 0
    )


def test_a_follower_in_another_process_keeps_the_read_side_current(
    institute: Institute, coordinator: StaffSession
) -> None:
    # What a process holding the institution key runs (it needs no other key).
    key = bytes(coordinator._keyring.institution_key)
    stop = threading.Event()
    thread = threading.Thread(target=follow_read_side, args=(institute.settings, key, stop))
    thread.start()
    try:
        write_some(coordinator, 3)
        coordinator.refresh()
        target = coordinator._projector.position
        deadline = time.monotonic() + 20  # a loaded machine
        while coordinator._follower.read_side.position < target and time.monotonic() < deadline:
            time.sleep(0.02)
        assert coordinator._follower.read_side.position >= target
    finally:
        stop.set()
        thread.join(timeout=30)
    followed = read_side(coordinator)
    coordinator.rebuild_views()
    coordinator._refresh_read_side()
    assert read_side(coordinator) == followed


def test_views_built_when_the_read_side_had_no_position_are_adopted_not_counted_twice(
    institute: Institute, coordinator: StaffSession
) -> None:
    """Views written by the single projection of before (case views and read side together,
    under the case views' position) are taken over where they stand."""
    write_some(coordinator, 2)
    coordinator._refresh_read_side()
    expected = read_side(coordinator)
    store = open_case_store(institute.settings, coordinator._keyring.institution_key)
    views = open_view_store(institute.settings)
    try:
        views.reset()

        class Together:
            def __init__(self) -> None:
                self.case = CaseRecordProjection(KeyringIndexer(coordinator._keyring))
                self.read = ReadSideProjection()

            def process(self, event: object) -> list[Statement]:
                return [*self.case.process(event), *self.read.process(event)]

        Projector(store, views, Together()).catch_up()
        assert views.max_tracking_id(read_side_name(store.name)) is None
    finally:
        views.close()
        store.close()
    again = institute.login("coordinacion", PASSWORD)
    try:
        write_some(again, 1)
        again._refresh_read_side()
        adopted = read_side(again)
        again.rebuild_views()
        again._refresh_read_side()
        assert read_side(again) == adopted
        assert len(adopted["stats_membership"]) == len(expected["stats_membership"]) + 1
    finally:
        again.close()


def _an_access(session: StaffSession) -> AccessRecord:
    return AccessRecord(
        staff_id=session._account.id,
        role=session.role.value,
        action="listar",
        section=Section.IDENTIFICATION.value,
        client_ids=Ids(),
        case_ids=Ids(),
        purpose="prueba",
        outcome="concedido",
        exceptional=False,
        justification="",
        sealed_justification=None,
    )
