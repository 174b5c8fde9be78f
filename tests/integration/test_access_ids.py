"""An access record's ids: one string in the event store, not one object per id (both
backends). A Mi día names dozens of women, and each id encoded, decoded and rebuilt as a
UUID object was most of what a listed row cost."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.access import AccessRecord, Ids
from tests.support.factories import a_client, an_intake
from violeta.service import StaffSession


def _stored_state(session: StaffSession, record_id: UUID) -> tuple[Any, dict[str, Any]]:
    mapper = session._store.mapper
    [stored] = session._store.recorder.select_events(record_id)
    assert mapper.cipher is not None
    plain = mapper.cipher.decrypt(stored.state)
    state = mapper.transcoder.decode(
        mapper.compressor.decompress(plain) if mapper.compressor else plain
    )
    return stored, state


def _stored_plain(session: StaffSession, record_id: UUID) -> bytes:
    mapper = session._store.mapper
    [stored] = session._store.recorder.select_events(record_id)
    assert mapper.cipher is not None
    plain = mapper.cipher.decrypt(stored.state)
    return bytes(mapper.compressor.decompress(plain) if mapper.compressor else plain)


def _restored(session: StaffSession, stored: Any, state: dict[str, Any]) -> Any:
    mapper = session._store.mapper
    assert mapper.cipher is not None
    encoded = mapper.transcoder.encode(state)
    if mapper.compressor:
        encoded = mapper.compressor.compress(encoded)
    return mapper.to_domain_event(replace(stored, state=mapper.cipher.encrypt(encoded)))


def _last_access(session: StaffSession) -> UUID:
    rows = session._views.query("SELECT access_id FROM access_log ORDER BY at DESC LIMIT 1")
    return UUID(rows[0]["access_id"])


def test_a_listing_s_ids_are_stored_as_one_string_and_projected_as_named(
    coordinator: StaffSession,
) -> None:
    women = [coordinator.register_client(a_client(f"Mujer{n} Prueba Ficticia")) for n in "ABC"]
    cases = [coordinator.open_case(woman, an_intake()).case_id for woman in women]
    coordinator.my_day()
    coordinator.refresh()
    record_id = _last_access(coordinator)

    _, state = _stored_state(coordinator, record_id)
    assert state["class_version"] == 3
    # The transcoder gives back the type it was given one string for: no list of UUIDs.
    assert isinstance(state["client_ids"], Ids) and isinstance(state["case_ids"], Ids)
    assert set(state["client_ids"].texts()) == {str(woman) for woman in women}
    assert set(state["case_ids"]) == set(cases)
    encoded = coordinator._store.mapper.transcoder.encode({"ids": state["client_ids"]})
    packed = ",".join(sorted(str(woman) for woman in women)).encode()
    assert encoded == b'{"ids":{"_type_":"ids","_data_":"' + packed + b'"}}'
    # One UUID object left in the whole event: who read (staff_id).
    assert _stored_plain(coordinator, record_id).count(b'"uuid_hex"') == 1
    rows = coordinator._views.query(
        "SELECT client_id FROM access_subjects WHERE access_id = ?", (str(record_id),)
    )
    assert {row["client_id"] for row in rows} == {str(woman) for woman in women}


def test_an_access_stored_before_version_3_is_read_with_its_ids(
    coordinator: StaffSession,
) -> None:
    """Stored events live for decades: a version-2 access (a list of UUIDs) still decodes."""
    client_id = coordinator.register_client(a_client())
    coordinator.client_detail(client_id)
    coordinator.refresh()
    record_id = _last_access(coordinator)
    stored, state = _stored_state(coordinator, record_id)
    state["class_version"] = 2
    state["client_ids"] = list(state["client_ids"])  # what a version-2 event held
    state["case_ids"] = list(state["case_ids"])
    assert all(isinstance(one, UUID) for one in state["client_ids"])

    event = _restored(coordinator, stored, state)

    assert isinstance(event, AccessRecord.Recorded)
    assert isinstance(event.client_ids, Ids) and event.client_ids == [client_id]
    assert event.client_ids.texts() == (str(client_id),) and len(event.case_ids) == 0


def test_ids_keep_canonical_text_and_refuse_anything_else() -> None:
    one, two = uuid4(), uuid4()
    ids = Ids([one, str(two).upper()])
    assert ids.texts() == (str(one), str(two)) and list(ids) == [one, two]
    assert Ids.unpacked(ids.packed) == ids and Ids.unpacked("") == Ids()
    for damaged in (f"{one},", f"{one};{two}", str(one).upper(), f"{one},x"):
        with pytest.raises(ValueError, match="not a list of identifiers"):
            Ids.unpacked(damaged)


def test_ids_of_the_views_text_are_checked_whole_and_still_normalized() -> None:
    one, two = sorted(str(uuid4()) for _ in range(2))
    assert Ids.of_texts([one, two]).packed == f"{one},{two}"
    assert Ids.of_texts([one.upper()]).texts() == (one,)
    with pytest.raises(ValueError, match="badly formed"):
        Ids.of_texts(["no es un id"])
