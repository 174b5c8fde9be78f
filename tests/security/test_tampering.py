"""A changed byte in the event store is detected and refused, never shown as data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.factories import PASSWORD, a_client, initialized, make_institute
from violeta.service import TamperedRecord
from violeta.settings import Settings


def test_a_flipped_byte_in_a_stored_event_is_refused_with_a_clear_message(
    data_dir: Path,
) -> None:
    settings = Settings(data=data_dir)
    with initialized(settings) as (_, coordinator):
        client_id = coordinator.register_client(a_client())
    events = sqlite3.connect(settings.events_path)
    (state,) = events.execute(
        "SELECT state FROM stored_events WHERE originator_id = ?", (client_id.hex,)
    ).fetchone()
    tampered = bytearray(state)
    tampered[len(tampered) // 2] ^= 0x01
    events.execute(
        "UPDATE stored_events SET state = ? WHERE originator_id = ?",
        (bytes(tampered), client_id.hex),
    )
    events.commit()
    events.close()

    session = make_institute(settings).login("coordinacion", PASSWORD)
    with pytest.raises(TamperedRecord, match="alterado"):
        session.client_detail(client_id)
