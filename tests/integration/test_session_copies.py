"""A session keeps copies of what it saved and scans before projecting; neither may ever show
or decide on something another terminal has changed (both backends)."""

from __future__ import annotations

import pytest

from domain.clients import PossibleDuplicate
from domain.errors import DomainError
from domain.vocabulary import Role, Section
from projections.storage import StaleBatch, Statement
from tests.support.factories import PASSWORD, a_client, an_intake, staff
from violeta.service import Institute, StaffSession


def test_a_read_shows_what_another_terminal_changed_after_this_session_saved_her(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client(phone="4610001122"))
    other = institute.login("coordinacion", PASSWORD)

    other.correct_client(client_id, "phone", "4610009988")

    assert coordinator.client_detail(client_id).phone == "4610009988"


def test_a_change_that_a_stale_copy_would_allow_is_refused_on_the_fresh_case(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    client_id = coordinator.register_client(a_client())
    case_id = coordinator.open_case(client_id, an_intake()).case_id
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    coordinator.add_note(case_id, Section.FOLLOW_UPS, "Nota sintética antes del cierre.")

    lawyer.request_closure(case_id, "Motivo sintético de cierre.")
    institute.login("coordinacion", PASSWORD).approve_closure(case_id)

    # The coordinator's own copy still shows the case open; the save meets the newer version.
    with pytest.raises(DomainError, match="cerrado"):
        coordinator.add_note(case_id, Section.FOLLOW_UPS, "Nota sintética tras el cierre.")
    assert coordinator.case_life(case_id).status == "Cerrado"


def test_a_woman_just_registered_at_another_terminal_is_a_possible_duplicate(
    institute: Institute, coordinator: StaffSession
) -> None:
    other = institute.login("coordinacion", PASSWORD)
    first = other.register_client(a_client("Ana Prueba Sintética"))

    with pytest.raises(PossibleDuplicate) as error:
        coordinator.register_client(a_client("Ana Prueba Sintética"))
    assert error.value.candidates == [first]


def test_the_views_never_record_a_gap(coordinator: StaffSession) -> None:
    coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    coordinator.refresh()
    position = coordinator._projector.position

    with pytest.raises(StaleBatch):
        coordinator._views.apply(
            [Statement("UPDATE stats_cases SET cases = cases + 100")],
            coordinator._store.name,
            after=position + 1,
            last=position + 2,
        )
    assert coordinator._projector.position == position
    assert sum(coordinator.case_counts().values()) == 1


def test_a_scan_finds_every_stored_event_in_order_whichever_terminal_stored_it(
    institute: Institute, coordinator: StaffSession
) -> None:
    other = institute.login("coordinacion", PASSWORD)
    store = coordinator._store
    position = store.recorder.max_notification_id() or 0
    store.notifications_after(position, 1000)
    writes = [
        lambda: coordinator.register_client(a_client("Ana Prueba Sintética")),
        lambda: coordinator.register_client(a_client("Bea Prueba Sintética")),
        lambda: other.register_client(a_client("Eva Prueba Sintética")),
        lambda: coordinator.register_client(a_client("Ines Prueba Sintética")),
        lambda: None,
    ]

    for write in writes:
        write()
        expected = [n.id for n in store.recorder.select_notifications(position + 1, 1000)]
        arrived = store.notifications_after(position, 1000)

        assert [notification.id for notification in arrived] == expected
        position = max(expected, default=position)


def test_a_session_does_not_decode_what_another_one_already_applied(
    institute: Institute, coordinator: StaffSession
) -> None:
    other = institute.login("coordinacion", PASSWORD)
    other.refresh()
    client_id = coordinator.register_client(a_client())
    coordinator.open_case(client_id, an_intake())
    coordinator.refresh()  # the coordinator's writes are in the views now
    decoded: list[object] = []
    mapper = other._store.mapper
    to_domain_event = mapper.to_domain_event

    def counting(stored: object) -> object:
        decoded.append(stored)
        return to_domain_event(stored)  # type: ignore[arg-type]

    mapper.to_domain_event = counting  # type: ignore[method-assign, assignment]
    try:
        other.refresh()
        # It scanned them (its copies of her are evicted) but decoded none: already applied.
        assert decoded == []
        assert [summary.client_id for summary in other.search_clients("Ana Prueba")] == [client_id]
    finally:
        mapper.to_domain_event = to_domain_event  # type: ignore[method-assign]
        other.close()


def test_a_copy_is_found_by_its_id_and_dropped_when_a_scan_finds_it_moved_on(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client())
    store = coordinator._store
    client = store.remembered(client_id)
    assert client is not None and client.id == client_id

    # A scan gives the ids as the recorder has them: an event of her own version keeps it…
    store.forget_changed(client_id, client.version)
    assert store.remembered(client_id) is client
    # …a later one drops it, whether the id comes as a UUID or as its text.
    store.forget_changed(str(client_id), client.version + 1)
    assert store.remembered(client_id) is None
    store.remember(client)
    store.forget_changed(client_id, client.version + 1)
    assert store.remembered(client_id) is None
