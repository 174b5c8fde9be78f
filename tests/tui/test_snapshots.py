"""What staff see, pinned as SVG snapshots. Synthetic data only, fixed size and date."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import PASSWORD, SIZE, Seeded, log_in, text_of, until
from tests.tui.test_flows import LEGAL_PASSWORD, open_first_case_of
from tui.app import VioletaApp
from tui.dashboard import DashboardScreen

MakeApp = Callable[..., VioletaApp]
SnapCompare = Callable[..., bool]


async def settle(pilot: Pilot[None]) -> None:
    """Lets layout finish after the last rows arrived, so the picture is the final one."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


def test_login_screen(seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: pilot.app.focused is not None)
        await settle(pilot)

    assert snap_compare(make_app(seeded.institute), terminal_size=SIZE, run_before=ready)


def test_mi_dia(seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare) -> None:
    async def logged_in(pilot: Pilot[None]) -> None:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))
        table = pilot.app.screen.query_one("#recientes", DataTable)
        await until(pilot, lambda: table.row_count == 1 and pilot.app.focused is table)
        await settle(pilot)

    assert snap_compare(make_app(seeded.institute), terminal_size=SIZE, run_before=logged_in)


def test_case_view(seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare) -> None:
    async def case_open(pilot: Pilot[None]) -> None:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))
        await settle(pilot)

    assert snap_compare(make_app(seeded.institute), terminal_size=SIZE, run_before=case_open)
