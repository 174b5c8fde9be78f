"""The case screen reads what it shows and nothing more: each section once, when its tab is
first shown, every read recorded in the access trail. Synthetic data only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import TabbedContent

from domain.vocabulary import Section
from tests.tui.conftest import PASSWORD, SIZE, Seeded, log_in, text_of, until
from tests.tui.test_flows import open_first_case_of
from tui.app import VioletaApp
from tui.case import CaseScreen
from tui.dashboard import DashboardScreen

pytestmark = pytest.mark.anyio

MakeApp = Callable[..., VioletaApp]
CASE_READ = "consultar expediente"


def case_reads(seeded: Seeded) -> list[str]:
    """The sections of her case read so far, oldest first, as the access trail names them."""
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    entries = coordinator.audit_trail(client_id=seeded.ana, purpose=CASE_READ)
    coordinator.close()
    return [entry.section for entry in reversed(entries)]


async def test_opening_a_case_reads_only_its_first_tab_and_once(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))
        await app.workers.wait_for_complete()
        # Only the tab on screen has content; the other seven are composed when first shown.
        assert screen.query_one(TabbedContent).active == "sec-entrevista"
        assert not screen.query("#body-identificacion")
        assert not screen.query("#body-juridica")
        assert case_reads(seeded) == [Section.INTAKE.label]

        await pilot.press("3")  # Jurídica
        await until(pilot, lambda: "Notas" in text_of(pilot, "#body-juridica"))
        await pilot.press("2")  # back to the intake: already read, not read again
        await until(pilot, lambda: screen.current is Section.INTAKE)
        await app.workers.wait_for_complete()
        assert case_reads(seeded) == [Section.INTAKE.label, Section.LEGAL.label]
