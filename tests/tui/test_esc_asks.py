"""Esc asks before throwing away what was typed in the break-the-glass reason and in Mis
datos (change my password), as in every other form; with nothing typed it just leaves.
Synthetic data only."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from domain.vocabulary import Section
from tests.tui.conftest import PASSWORD, MakeApp, Seeded, text_of, type_text, until
from tests.tui.test_case_screen import ASK_TO_READ, as_legal_on_her_case, case_reads
from tests.tui.test_coordination import SIZE, at_mi_dia
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen, JustificationScreen
from tui.login import OwnPasswordScreen

pytestmark = pytest.mark.anyio


async def test_a_typed_reason_is_not_lost_to_esc(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        await pilot.press("5")
        await until(pilot, lambda: text_of(pilot, "#body-trabajo_social") == ASK_TO_READ)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, JustificationScreen))
        dialog = app.screen
        await type_text(pilot, "Urgencia")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # no: back to the reason, as it was
        await until(pilot, lambda: app.screen is dialog)
        assert dialog.query_one("#motivo", Input).value == "Urgencia"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # discard: the tab stays unread
        await until(pilot, lambda: app.screen is screen)
        assert text_of(pilot, "#body-trabajo_social") == ASK_TO_READ
    assert Section.SOCIAL_WORK.label not in case_reads(seeded)


async def test_mis_datos_asks_before_discarding_a_typed_password(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, OwnPasswordScreen))
        await pilot.press("escape")  # nothing typed: it just leaves
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, OwnPasswordScreen))
        form = app.screen
        await type_text(pilot, "abc")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is form)
        assert form.query_one("#actual-input", Input).value == "abc"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
