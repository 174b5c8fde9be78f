"""Coordinación's Mi día at 130×40, a common terminal size: each work queue stays on screen
and the follow-ups show her full name (side by side, a third of the width cut it short)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.widgets import DataTable

from tests.tui.conftest import LEGAL_PASSWORD, PASSWORD, Seeded, until
from tests.tui.test_coordination import at_mi_dia
from tui.app import VioletaApp

pytestmark = pytest.mark.anyio

SIZE = (130, 40)
QUEUES = ("#col-seguimientos", "#col-cierres", "#col-cancelaciones")


def drawn(table: DataTable[str]) -> list[str]:
    """The lines the table draws in the width it was given (what the person sees)."""
    width, height = table.size
    return [strip.text for strip in table.render_lines(Region(0, 0, width, height))]


async def test_coordinacion_reads_every_queue_and_full_names_at_130_columns(
    seeded: Seeded, make_app: Callable[..., VioletaApp]
) -> None:
    assert seeded.case_id is not None
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    lawyer = seeded.institute.login("juridica", LEGAL_PASSWORD)
    coordinator.schedule_follow_up(seeded.case_id, "21/11/2026", "telefono")
    coordinator.assign_area(seeded.case_id, "juridica", lawyer.identity.staff_id)
    lawyer.request_closure(seeded.case_id, "Motivo sintético de cierre.")
    lawyer.request_erasure(seeded.ana)
    coordinator.close()
    lawyer.close()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        follow_ups = screen.query_one("#seguimientos", DataTable)
        await until(pilot, lambda: follow_ups.row_count == 1)
        await until(pilot, lambda: all(screen.query_one(queue).display for queue in QUEUES))
        await pilot.pause(0.2)

        assert any("Ana Prueba Sintética" in line for line in drawn(follow_ups)), drawn(follow_ups)
        closures = screen.query_one("#cierres", DataTable)
        assert any("Julia Jurídica Prueba" in line for line in drawn(closures)), drawn(closures)
        for queue in QUEUES:
            region = screen.query_one(queue).region
            # On screen, with room for its title, its header and a row.
            assert screen.region.contains_region(region), queue
            assert region.height >= 3, queue
