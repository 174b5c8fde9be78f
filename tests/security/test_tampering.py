"""A changed byte in the event store is detected and refused, never shown as data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.factories import PASSWORD, a_client, initialized, make_institute
from violeta.service import TamperedRecord
from violeta.settings import Settings


def _flip_a_byte_of(settings: Settings, originator_hex: str) -> None:
    events = sqlite3.connect(settings.events_path)
    (state,) = events.execute(
        "SELECT state FROM stored_events WHERE originator_id = ?", (originator_hex,)
    ).fetchone()
    tampered = bytearray(state)
    tampered[len(tampered) // 2] ^= 0x01
    events.execute(
        "UPDATE stored_events SET state = ? WHERE originator_id = ?",
        (bytes(tampered), originator_hex),
    )
    events.commit()
    events.close()


def test_a_flipped_byte_in_a_stored_event_is_refused_with_a_clear_message(
    data_dir: Path,
) -> None:
    settings = Settings(data=data_dir)
    coordinator, _recovery = make_institute(settings).initialize(
        "coordinacion", "Carmen Coordinación Prueba", PASSWORD
    )
    client_id = coordinator.register_client(a_client())
    # The terminal dies here, before it projects (closing would project, and so chain, it).
    _flip_a_byte_of(settings, client_id.hex)

    # The views have not seen that event yet, so logging in (which catches them up) refuses.
    with pytest.raises(TamperedRecord, match="alterado"):
        make_institute(settings).login("coordinacion", PASSWORD)


def test_a_tampered_event_already_projected_is_refused_when_read(data_dir: Path) -> None:
    settings = Settings(data=data_dir)
    with initialized(settings) as (_, coordinator):
        client_id = coordinator.register_client(a_client())
        coordinator.refresh()
    _flip_a_byte_of(settings, client_id.hex)
    session = make_institute(settings).login("coordinacion", PASSWORD)
    with pytest.raises(TamperedRecord, match="alterado"):
        session.client_detail(client_id)
