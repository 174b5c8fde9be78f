"""The key store's journal (issue 13): a key deleted or a tombstone inserted outside the
service is named by the verification that ``violeta audit verify`` runs, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from typer.testing import CliRunner

from domain.vocabulary import Role
from keys import journal
from tests.support.factories import a_client, staff
from violeta.auditing import verify_key_journal
from violeta.cli import app
from violeta.service import Institute, StaffSession


def _execute(institute: Institute, sql: str, params: dict[str, object]) -> None:
    store = institute.keystore
    with store._write() as cursor:  # type: ignore[attr-defined]
        cursor.execute(store._q(sql), params)  # type: ignore[attr-defined]


def _women(coordinator: StaffSession) -> tuple[UUID, UUID]:
    return (
        coordinator.register_client(a_client("Ana Prueba Sintética")),
        coordinator.register_client(a_client("Bety Ejemplo Ficticia")),
    )


def test_the_journal_of_an_institute_at_work_is_intact(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana, _ = _women(coordinator)
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    reception.request_erasure(ana)
    coordinator.approve_erasure(ana)
    coordinator.close()
    check = verify_key_journal(institute.settings)
    assert check.intact, check.problem
    assert check.shredded == (str(ana),)


def test_a_woman_erased_by_hand_in_the_key_store_is_named(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana, _ = _women(coordinator)
    coordinator.close()
    # The insider's erasure: her key deleted, a tombstone inserted, no request, no event.
    _execute(institute, "DELETE FROM {p}wrapped_keys WHERE subject_id = :s", {"s": str(ana)})
    _execute(
        institute,
        "INSERT INTO {p}shredded_keys (subject_id, shredded_at) VALUES (:s, :t)",
        {"s": str(ana), "t": datetime.now(UTC).isoformat()},
    )
    check = verify_key_journal(institute.settings)
    assert not check.intact and "falta la llave" in check.problem
    if institute.settings.backend == "sqlite":  # what the CLI tells the contraloría
        result = CliRunner().invoke(
            app, ["audit", "verify", "--data", str(institute.settings.data)]
        )
        assert result.exit_code == 1
        assert "Almacén de llaves alterado fuera del sistema" in result.output


def test_a_forged_journal_entry_does_not_hide_an_erasure_without_its_event(
    institute: Institute, coordinator: StaffSession
) -> None:
    ana, _ = _women(coordinator)
    coordinator.close()
    store = institute.keystore
    # The careful insider also appends a journal entry with a correct hash.
    with store._write() as cursor:  # type: ignore[attr-defined]
        cursor.execute(
            store._q("DELETE FROM {p}wrapped_keys WHERE subject_id = :s"), {"s": str(ana)}
        )  # type: ignore[attr-defined]
        cursor.execute(
            store._q("INSERT INTO {p}shredded_keys (subject_id, shredded_at) VALUES (:s, :t)"),  # type: ignore[attr-defined]
            {"s": str(ana), "t": datetime.now(UTC).isoformat()},
        )
        journal.append(
            cursor, store._q, "2026-12-01T00:00:00+00:00", [(journal.SHREDDED, str(ana))]
        )  # type: ignore[attr-defined]
    check = verify_key_journal(institute.settings)
    assert not check.intact and "sin una cancelación" in check.problem


def test_an_edited_journal_entry_breaks_its_chain(
    institute: Institute, coordinator: StaffSession
) -> None:
    _women(coordinator)
    coordinator.close()
    _execute(institute, "UPDATE {p}key_journal SET subject = :s WHERE seq = 1", {"s": "otra"})
    check = verify_key_journal(institute.settings)
    assert not check.intact and "entrada 1" in check.problem


def test_a_rewritten_journal_is_named_by_the_witness(
    institute: Institute, coordinator: StaffSession
) -> None:
    _women(coordinator)
    coordinator.close()
    before = verify_key_journal(institute.settings)
    _execute(institute, "DELETE FROM {p}key_journal WHERE seq = :n", {"n": before.entries})
    check = verify_key_journal(institute.settings, (before.entries, before.head))
    assert not check.intact
