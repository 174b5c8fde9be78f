"""Coordinación's Mi día lists the ARCO cancellations waiting for her approval; Enter opens
her record, where «x» approves, never for whoever asked for it. Synthetic data only."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from domain.errors import NotPermitted
from tests.tui.conftest import PASSWORD, MakeApp, Seeded, as_staff, text_of, until
from tests.tui.test_coordination import SIZE, at_mi_dia, rows
from tests.tui.test_second_person import footer_keys
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen

pytestmark = pytest.mark.anyio


def listings_of_mi_dia(seeded: Seeded) -> list[str]:
    with as_staff(seeded) as reader:
        reader.refresh()
        found = reader._views.query(
            "SELECT purpose FROM access_log WHERE staff_id = ? AND purpose LIKE 'mi día%'",
            (str(reader.identity.staff_id),),
        )
        return [row["purpose"] for row in found]


async def test_coordinacion_approves_an_erasure_from_her_queue_in_mi_dia(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded, "juridica") as lawyer:
        lawyer.request_erasure(seeded.ana)

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        table = screen.query_one("#cancelaciones", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert screen.query_one("#col-cancelaciones").display
        assert rows(table) == [["Ana Prueba Sintética", "Julia Jurídica Prueba"]]
        assert "x aprueba" in text_of(pilot, "#cancelaciones-nota")
        # Read as part of Mi día's one access, which names her.
        (listing,) = listings_of_mi_dia(seeded)
        assert "cancelaciones pendientes de aprobación" in listing
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        record = app.screen
        assert isinstance(record, ClientScreen) and record.client_id == seeded.ana
        await until(pilot, lambda: record.client is not None)
        await until(pilot, lambda: "approve_erasure" in footer_keys(app))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: record.client is not None and record.client.erased)
        await pilot.pause()
        # Her data are gone: no new case is offered for her either.
        assert "new_case" not in footer_keys(app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f5")
        await until(pilot, lambda: not app.screen.query_one("#col-cancelaciones").display)

    with as_staff(seeded) as coordinator:
        assert coordinator.pending_erasures() == []
        assert coordinator.client_detail(seeded.ana).erased
        assert coordinator.my_day().dashboard.pending_erasures == 0


async def test_the_erasure_she_asked_for_is_listed_but_not_approvable_by_her(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.request_erasure(seeded.ana)

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        table = screen.query_one("#cancelaciones", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert "debe aprobarla otra persona" in text_of(pilot, "#cancelaciones-nota")
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        record = app.screen
        assert isinstance(record, ClientScreen)
        await until(pilot, lambda: record.client is not None)
        assert record.client is not None and record.client.erasure_pending
        assert "approve_erasure" not in footer_keys(app)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)

    with as_staff(seeded) as coordinator:
        with pytest.raises(NotPermitted):
            coordinator.approve_erasure(seeded.ana)
        assert [item.client_id for item in coordinator.pending_erasures()] == [seeded.ana]
