"""A changed byte in the event store blocks its own record, never everyone (both backends).

An altered event is refused, never shown as data, with a Spanish message naming the folio
where the views know it; every other woman and case stays readable; a terminal's catch-up, a
login and a rebuild set the altered event aside instead of stopping; ``audit verify`` names it.
"""

from __future__ import annotations

import sqlite3
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from domain.vocabulary import Section
from tests.support.factories import (
    PASSWORD,
    a_case,
    a_client,
    an_intake,
    initialize,
    make_institute,
)
from violeta.auditing import verify_chain
from violeta.cli import app
from violeta.service import StaffSession, TamperedRecord
from violeta.session import SessionContext
from violeta.settings import Settings

ENGLISH = ("Error", "Traceback", "ValueError", "OriginatorVersion", "cipher", "Invalid")


def _events(settings: Settings, statement: str, params: tuple[object, ...]) -> list[tuple]:
    """Runs one statement on the stored events table of either backend."""
    if settings.backend == "sqlite":
        connection = sqlite3.connect(settings.events_path)
        try:
            rows = connection.execute(statement.format(table="stored_events"), params).fetchall()
            connection.commit()
            return rows
        finally:
            connection.close()
    with psycopg.connect(settings.postgres, autocommit=True) as connection:
        table = sql.Identifier(settings.postgres_schema, "violeta_events").as_string(connection)
        cursor = connection.execute(
            statement.format(table=table).replace("?", "%s"),  # type: ignore[arg-type]
            tuple(str(p) if isinstance(p, UUID) else p for p in params),
        )
        return cursor.fetchall() if cursor.description else []


def _flip_a_byte(settings: Settings, record: UUID, version: int = 1) -> None:
    (state,) = _events(
        settings,
        "SELECT state FROM {table} WHERE originator_id = ? AND originator_version = ?",
        (record if settings.backend == "postgres" else record.hex, version),
    )[0]
    tampered = bytearray(state)
    tampered[len(tampered) // 2] ^= 0x01
    _events(
        settings,
        "UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?",
        (bytes(tampered), record if settings.backend == "postgres" else record.hex, version),
    )


def _killed(session: StaffSession) -> None:
    """The terminal dies: its connections go, and nothing it recorded is projected."""
    SessionContext.close(session)


def _spanish(message: str) -> None:
    assert not any(word in message for word in ENGLISH), message


def test_an_event_altered_before_it_was_projected_blocks_only_its_own_record(
    settings: Settings,
) -> None:
    institute = make_institute(settings)
    coordinator = initialize(institute)
    other_client, other_case = a_case(coordinator, "Berta Otra Sintética")
    coordinator.refresh()
    client_id = coordinator.register_client(a_client())
    _killed(coordinator)
    _flip_a_byte(settings, client_id)

    # Logging in catches the views up: the altered event is set aside, not fatal.
    session = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        assert session.client_detail(other_client).name == "Berta Otra Sintética"
        assert session.case_detail(other_case).folio
        with pytest.raises(TamperedRecord, match="no pudo descifrarse") as refused:
            session.client_detail(client_id)
        _spanish(str(refused.value))
        # Still a clean slate afterwards: the session keeps working.
        assert session.client_detail(other_client).name == "Berta Otra Sintética"
        # A rebuild sets it aside again and finishes.
        assert session.rebuild_views() > 0
        assert session.client_detail(other_client).name == "Berta Otra Sintética"
    finally:
        session.close()
        institute.close()

    verification = verify_chain(settings)
    assert verification.intact  # the chain was computed over the stored (altered) bytes
    assert [event.originator_id for event in verification.quarantined] == [str(client_id)]
    assert not verification.sound


def test_an_altered_projected_event_names_the_folio_and_nothing_else_is_blocked(
    settings: Settings,
) -> None:
    institute = make_institute(settings)
    coordinator = initialize(institute)
    other_client, other_case = a_case(coordinator, "Berta Otra Sintética")
    client_id, case_id = a_case(coordinator)
    folio = coordinator.case_detail(case_id).folio
    coordinator.close()
    _flip_a_byte(settings, case_id)

    session = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        with pytest.raises(TamperedRecord, match=folio) as refused:
            session.case_detail(case_id)
        _spanish(str(refused.value))
        assert session.case_detail(other_case).folio != folio
        assert session.client_detail(other_client).name == "Berta Otra Sintética"
        # Her identification (another record) is intact and still opens.
        assert session.client_detail(client_id).name == "Ana Prueba Sintética"
        found = session.search_clients("Berta")
        assert [summary.client_id for summary in found] == [other_client]
    finally:
        session.close()
        institute.close()
    assert not verify_chain(settings).intact


def test_a_deleted_middle_event_blocks_its_record_in_spanish(settings: Settings) -> None:
    institute = make_institute(settings)
    coordinator = initialize(institute)
    other_client, _ = a_case(coordinator, "Berta Otra Sintética")
    _client, case_id = a_case(coordinator)
    coordinator.add_note(case_id, Section.INTAKE, "Nota sintética 1")
    coordinator.add_note(case_id, Section.INTAKE, "Nota sintética 2")
    folio = coordinator.case_detail(case_id).folio
    coordinator.close()
    _events(
        settings,
        "DELETE FROM {table} WHERE originator_id = ? AND originator_version = ?",
        (case_id if settings.backend == "postgres" else case_id.hex, 2),
    )
    session = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        with pytest.raises(TamperedRecord, match=folio) as refused:
            session.case_detail(case_id)
        _spanish(str(refused.value))
        assert session.client_detail(other_client).name == "Berta Otra Sintética"
    finally:
        session.close()
        institute.close()


def test_a_terminal_catching_up_sets_the_altered_event_aside_and_goes_on(
    settings: Settings,
) -> None:
    institute = make_institute(settings)
    coordinator = initialize(institute)
    watcher = make_institute(settings).login("coordinacion", PASSWORD)
    writer = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        damaged = writer.register_client(a_client())
        _killed(writer)
        _flip_a_byte(settings, damaged)
        later = coordinator.register_client(a_client("Berta Otra Sintética"))
        watcher.refresh()  # reads the altered notification from the store: no exception
        assert watcher.client_detail(later).name == "Berta Otra Sintética"
        with pytest.raises(TamperedRecord):
            watcher.client_detail(damaged)
    finally:
        watcher.close()
        coordinator.close()
        institute.close()
    assert [event.originator_id for event in verify_chain(settings).quarantined] == [str(damaged)]


def test_audit_verify_names_an_event_set_aside(data_dir) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data=data_dir)
    institute = make_institute(settings)
    coordinator = initialize(institute)
    client_id = coordinator.register_client(a_client())
    _killed(coordinator)
    institute.close()
    _flip_a_byte(settings, client_id)
    make_institute(settings).login("coordinacion", PASSWORD).close()

    (position,) = _events(
        settings, "SELECT rowid FROM {table} WHERE originator_id = ?", (client_id.hex,)
    )[0]
    result = CliRunner().invoke(app, ["audit", "verify", "--data", str(data_dir)])
    assert result.exit_code == 1
    assert f"evento {position}" in result.output
    assert "no pudieron descifrarse" in result.output
    _spanish(result.output)


def test_a_record_set_aside_by_another_terminal_stays_aside_in_this_ones_next_batch(
    settings: Settings,
) -> None:
    """Each projector remembers what is set aside as of where it last moved the views; once
    another terminal moved them (and set a record aside), it reads the list again."""
    institute = make_institute(settings)
    coordinator = initialize(institute)
    watcher = make_institute(settings).login("coordinacion", PASSWORD)
    writer = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        coordinator.register_client(a_client("Berta Otra Sintética"))
        coordinator.refresh()  # this terminal moves the views, with nothing set aside
        client_id = writer.register_client(a_client())
        case_id = writer.open_case(client_id, an_intake()).case_id  # not projected yet
        _flip_a_byte(settings, case_id)
        watcher.refresh()  # reads the altered event and sets the case aside
        writer.add_note(case_id, Section.INTAKE, "Nota sintética posterior")  # from memory
        coordinator.refresh()
        set_aside = coordinator._views.query(
            "SELECT notification_id, originator_id, damaged FROM quarantine "
            "ORDER BY notification_id"
        )
        note = coordinator._store.recorder.max_notification_id()
        assert {row["originator_id"] for row in set_aside} == {str(case_id)}
        assert set_aside[0]["damaged"] == 1
        # The note follows the altered event: this terminal set it aside too, not applied.
        assert set_aside[-1]["notification_id"] == note
        assert set_aside[-1]["damaged"] == 0
        with pytest.raises(TamperedRecord):
            coordinator.case_detail(case_id)
    finally:
        for session in (watcher, writer, coordinator):
            session.close()
        institute.close()
