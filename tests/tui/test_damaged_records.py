"""The terminal app with an altered stored event: the message on screen, never a crash."""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import DataTable, Input

from tests.tui.conftest import (
    PASSWORD,
    SIZE,
    MakeApp,
    Seeded,
    at_login_screen,
    log_in,
    text_of,
    until,
)
from tui.case import CaseScreen
from tui.dashboard import DashboardScreen

pytestmark = pytest.mark.anyio

ENGLISH = ("Error", "Traceback", "ValueError", "cipher", "Invalid", "WorkerFailed")


def _flip(seeded: Seeded, where: str, *params: object) -> None:
    events = sqlite3.connect(seeded.institute.settings.events_path)
    try:
        rowid, state = events.execute(
            f"SELECT rowid, state FROM stored_events WHERE {where} ORDER BY rowid LIMIT 1",
            params,
        ).fetchone()
        tampered = bytearray(state)
        tampered[len(tampered) // 2] ^= 0x01
        events.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(tampered), rowid)
        )
        events.commit()
    finally:
        events.close()


async def test_an_altered_case_shows_its_folio_on_screen_and_the_app_goes_on(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None and seeded.folio is not None
    _flip(seeded, "originator_id = ?", seeded.case_id.hex)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        table = app.screen.query_one("#recientes", DataTable)
        await until(pilot, lambda: table.row_count == 1)  # the views still list it
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await until(pilot, lambda: "no pudo descifrarse" in text_of(pilot, "#case-header"))

        message = text_of(pilot, "#case-header")
        assert seeded.folio in message
        assert not any(word in message for word in ENGLISH)
        assert app.is_running
        await pilot.press("escape")  # back to Mi día: the rest of the app still works
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_an_altered_account_record_refuses_only_that_login_on_screen(
    seeded: Seeded, make_app: MakeApp
) -> None:
    # The first stored event opens the coordinator's account.
    _flip(seeded, "topic LIKE ?", "%StaffAccount%")
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: text_of(pilot, "#login-message") not in ("", "Verificando…"))

        message = text_of(pilot, "#login-message")
        assert at_login_screen(pilot)
        assert "no pudo descifrarse" in message
        assert not any(word in message for word in ENGLISH)
        assert app.is_running

        # Another account's login is not blocked.
        app.screen.query_one("#usuario", Input).value = ""
        app.screen.query_one("#usuario", Input).focus()
        await log_in(pilot, "juridica", PASSWORD + "-j")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
