"""A long-lived session, writer or reader, holds a bounded amount of what it wrote or read."""

from __future__ import annotations

import pytest

from domain.access import AccessRecord, Ids
from domain.vocabulary import Role, Section
from keys import keyring
from tests.support.factories import a_case, a_client, an_intake, staff
from violeta import following, store
from violeta.following import UNPROJECTED_LIMIT
from violeta.service import Institute, StaffSession

WRITTEN = 5000
BATCH = 500


def test_a_session_that_writes_5000_events_holds_no_more_than_its_bound(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client())
    staff_id = coordinator.identity.staff_id
    for _ in range(WRITTEN // BATCH):
        coordinator._store.save(
            *(
                AccessRecord(
                    staff_id=staff_id,
                    role="coordinacion",
                    action="ver",
                    section=Section.IDENTIFICATION.value,
                    client_ids=Ids([client_id]),
                    case_ids=Ids(),
                    purpose="prueba de memoria",
                    outcome="concedido",
                    exceptional=False,
                    justification="",
                )
                for _ in range(BATCH)
            )
        )
    held = []
    # Opening a case scans (it must see whether she changed) without reading the views.
    for _ in range(WRITTEN // 1000 + 2):
        coordinator.open_case(client_id, an_intake())
        held.append(len(coordinator._follower.unprojected))

    assert max(held) < UNPROJECTED_LIMIT < WRITTEN
    assert coordinator._follower.seen_up_to >= WRITTEN  # it did scan everything it wrote
    coordinator.refresh()
    logged = coordinator._views.query(
        "SELECT COUNT(*) AS n FROM access_log WHERE purpose = ?", ("prueba de memoria",)
    )
    assert logged[0]["n"] == WRITTEN  # nothing it let go of was lost to the views


READ = 40  # women read, more than every bound below
SMALL = 8


def test_a_reader_left_open_holds_a_bounded_number_of_copies_keys_and_events(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another terminal writes while this one reads every woman it writes (a coordinator's
    terminal left open all day): what the reader keeps of them stays within its bounds."""
    monkeypatch.setattr(store, "REMEMBERED_LIMIT", SMALL)
    monkeypatch.setattr(store, "SAVED_EVENTS_LIMIT", 4 * SMALL)
    monkeypatch.setattr(keyring, "SUBJECT_KEY_CACHE_SIZE", SMALL)
    monkeypatch.setattr(following, "DECODED_KEPT", 2 * SMALL)
    reader = staff(institute, coordinator, "lectora", Role.COORDINATION)
    held: list[tuple[int, int, int, int, int]] = []
    for number in range(READ):
        client_id, case_id = a_case(coordinator, f"Lectura Sintética {_word(number)}")
        coordinator.add_note(case_id, Section.FOLLOW_UPS, "Nota sintética de seguimiento.")
        assert reader.client_detail(client_id).client_id == client_id
        assert reader.case_detail(case_id).case_id == case_id
        held.append(
            (
                len(reader._store._remembered),
                len(reader._keyring._cache),
                len(reader._follower._decoded),
                len(reader._store._saved_events),
                len(reader._follower.unprojected),
            )
        )
    remembered, keys, decoded, saved, unprojected = (
        max(column) for column in zip(*held, strict=True)
    )
    assert remembered <= SMALL
    assert keys <= SMALL
    assert decoded <= 2 * SMALL
    assert saved <= 4 * SMALL + 1
    assert unprojected <= following.UNPROJECTED_LIMIT
    # Bounded, not forgetful: the first woman read is read again, whole.
    first = reader.client_detail(reader.search_clients("Lectura Sintética Aaa")[0].client_id)
    assert first.name == "Lectura Sintética Aaa"


def _word(number: int) -> str:
    """A word of three letters of its own per number (Aaa, Aab, …): no name repeats another's."""
    letters = ""
    for _ in range(3):
        number, remainder = divmod(number, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters.capitalize()
