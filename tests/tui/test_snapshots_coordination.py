"""Coordinación's and Administración's screens pinned as SVG snapshots at 100×30 and 160×45.
Synthetic data, fixed date; the moments of accesses (the real clock) are shown as one fixed
moment so the pictures do not depend on when the test runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

import tui.coordination.alerts
import tui.coordination.trail
from tests.tui.conftest import PASSWORD, Seeded, as_staff, until
from tests.tui.test_coordination import (
    add_admin,
    at_mi_dia,
    cases_in_first_zone,
    exceptional_read_by_legal,
)
from tests.tui.test_snapshots import MakeApp, SnapCompare, shot, sizes
from tui.accounts import AccountsScreen
from tui.coordination import CoordinationScreen
from tui.widgets import ZoneChart


@pytest.fixture(autouse=True)
def fixed_moments(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (tui.coordination.trail, tui.coordination.alerts):
        monkeypatch.setattr(module, "when", lambda _moment: "20/11/2026 10:00")


def _on_tab(
    key: str, ready: Callable[[CoordinationScreen], bool]
) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def steps(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press(key)
        await until(pilot, lambda: isinstance(pilot.app.screen, CoordinationScreen))
        screen = pilot.app.screen
        assert isinstance(screen, CoordinationScreen)
        await until(pilot, lambda: ready(screen))

    return steps


def _rows(selector: str, count: int = 1) -> Callable[[CoordinationScreen], bool]:
    return lambda screen: screen.query_one(selector, DataTable).row_count >= count


@sizes
def test_trail(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    exceptional_read_by_legal(seeded)
    assert shot(seeded, make_app, snap_compare, size, _on_tab("o", _rows("#bitacora-tabla", 3)))


@sizes
def test_alerts(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    exceptional_read_by_legal(seeded)
    assert shot(seeded, make_app, snap_compare, size, _on_tab("l", _rows("#alertas-tabla", 2)))


@sizes
def test_priority_zones(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    cases_in_first_zone(seeded, 12)

    def charted(screen: CoordinationScreen) -> bool:
        return "Periodo" in str(screen.query_one("#zonas-periodo").render()) and (
            screen.query_one("#zonas-grafica", ZoneChart).render().plain.count("\n") > 2
        )

    assert shot(seeded, make_app, snap_compare, size, _on_tab("g", charted))


@sizes
def test_activities(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.set_target(2026, "taller", "4")
        coordinator.set_target(2026, "platica", "10")
    assert shot(seeded, make_app, snap_compare, size, _on_tab("v", _rows("#metas", 9)))


@sizes
def test_accounts(
    seeded: Seeded, make_app: MakeApp, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    add_admin(seeded)

    async def steps(pilot: Pilot[None]) -> None:
        await at_mi_dia(pilot, "admin", PASSWORD + "-a")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(pilot.app.screen, AccountsScreen))
        table = pilot.app.screen.query_one("#cuentas", DataTable)
        await until(pilot, lambda: table.row_count == 4)

    assert shot(seeded, make_app, snap_compare, size, steps)
