"""What staff see, pinned as SVG snapshots at a small (100×30) and a large (160×45) terminal.
Synthetic data only, fixed date."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

import tui.app
from tests.tui.conftest import (
    LEGAL_PASSWORD,
    PASSWORD,
    MakeApp,
    Seeded,
    field_text,
    log_in,
    text_of,
    until,
)
from tests.tui.test_flows import open_first_case_of
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import DuplicateScreen
from tui.intake_forms import RegisterClientScreen
from tui.records import RecordScreen

SnapCompare = Callable[..., bool]
SIZES = [(100, 30), (160, 45)]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")


@pytest.fixture(autouse=True)
def no_background_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A picture is taken once its screen has loaded: the once-a-second catch-up with other
    terminals would otherwise reload a table at the moment of the picture on a busy machine."""
    monkeypatch.setattr(tui.app, "REFRESH_SECONDS", 3600.0)


async def settle(pilot: Pilot[None]) -> None:
    """Lets layout finish after the last rows arrived, so the picture is the final one. The
    text cursor stops blinking (always drawn), so no picture depends on the moment it is taken."""
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    # Work still queued (a table measuring its rows when the app is idle, a late layout) can
    # change the screen a moment after the last condition held. Wait for two equal pictures
    # in a row, so the one compared is the screen at rest.
    previous = ""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await pilot.pause(0.25)
        picture = pilot.app.export_screenshot()
        if picture == previous:
            return
        previous = picture


async def at_mi_dia(pilot: Pilot[None], username: str = "coordinacion") -> None:
    await log_in(pilot, username, LEGAL_PASSWORD if username == "juridica" else PASSWORD)
    await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))
    if username == "coordinacion":  # she opened the seeded case; jurídica has none of hers
        table = pilot.app.screen.query_one("#recientes", DataTable)
        await until(pilot, lambda: table.row_count == 1 and pilot.app.focused is table)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)


def shot(
    seeded: Seeded,
    make_app: MakeApp,
    snap_compare: SnapCompare,
    size: tuple[int, int],
    steps: Callable[[Pilot[None]], Awaitable[None]],
) -> bool:
    async def run(pilot: Pilot[None]) -> None:
        await steps(pilot)
        # The mouse rests in the top-left corner, off every list, so no row is painted as
        # hovered in one run and not in the next.
        await pilot.hover(offset=(0, 0))
        await settle(pilot)

    return snap_compare(make_app(seeded.institute), terminal_size=size, run_before=run)


@sizes
def test_login_screen(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: pilot.app.focused is not None)

    assert shot(seeded, make_app, snap_compare, size, ready)


@sizes
def test_mi_dia(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    assert shot(seeded, make_app, snap_compare, size, at_mi_dia)


@sizes
def test_case_view(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def case_open(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))

    assert shot(seeded, make_app, snap_compare, size, case_open)


@sizes
def test_client_record(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def client_open(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot)
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(pilot.app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "nombre") == "Ana Prueba Sintética")

    assert shot(seeded, make_app, snap_compare, size, client_open)


@sizes
def test_registration_form(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def form_open(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, RegisterClientScreen))
        zones = pilot.app.screen.query_one("#zona-select", Select)
        await until(pilot, lambda: len(zones._options) > 1)

    assert shot(seeded, make_app, snap_compare, size, form_open)


@sizes
def test_duplicate_candidates(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def duplicate(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, RegisterClientScreen))
        screen = pilot.app.screen
        zones = screen.query_one("#zona-select", Select)
        await until(pilot, lambda: len(zones._options) > 1)
        screen.query_one("#nombre-input", Input).value = "Ana Prueba Sintética"
        screen.query_one("#nacimiento-input", Input).value = "01/01/1995"
        zones.value = seeded.zone_code
        for key, value in (("aviso", "si"), ("compartir", "no"), ("estadistica", "si")):
            screen.query_one(f"#{key}-select", Select).value = value
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, DuplicateScreen))
        # Her id is random in every run; the picture keeps its place, not its digits.
        pilot.app.screen.query_one("#candidatas", DataTable).update_cell_at((0, 0), "########")

    assert shot(seeded, make_app, snap_compare, size, duplicate)


@sizes
def test_protection_order_form(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def order_form(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("8")
        await until(pilot, lambda: "Registros" in text_of(pilot, "#body-ordenes"))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, RecordScreen))

    assert shot(seeded, make_app, snap_compare, size, order_form)
