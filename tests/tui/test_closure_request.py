"""A coordinator decides a closure knowing who asked for it, when, and why: the dialog shows
the request's reason, read (audited) from the case when she asks to decide, not before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import DataTable, Static

from tests.tui.conftest import LEGAL_PASSWORD, PASSWORD, SIZE, Seeded, as_staff, log_in, until
from tui.app import VioletaApp
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen
from violeta.dto import AccessEntry

pytestmark = pytest.mark.anyio

REASON = "Concluyó su proceso sintético; no desea más atención [prueba]."
PURPOSE = "consultar expediente: estado y áreas"


def _closure_requested(seeded: Seeded) -> None:
    assert seeded.case_id is not None
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    lawyer = seeded.institute.login("juridica", LEGAL_PASSWORD)
    coordinator.assign_area(seeded.case_id, "juridica", lawyer.identity.staff_id)
    lawyer.request_closure(seeded.case_id, REASON)
    coordinator.close()
    lawyer.close()


def _reads_of_her_case_life(seeded: Seeded) -> list[AccessEntry]:
    with as_staff(seeded) as coordinator:
        trail = coordinator.audit_trail(client_id=seeded.ana, purpose=PURPOSE)
    return [entry for entry in trail if entry.purpose == PURPOSE]


@pytest.mark.parametrize(("key", "verb"), [("c", "Aprobar"), ("x", "Rechazar")])
async def test_the_closure_dialog_shows_who_asked_when_and_the_reason(
    seeded: Seeded, make_app: Callable[..., VioletaApp], key: str, verb: str
) -> None:
    _closure_requested(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        closures = app.screen.query_one("#cierres", DataTable)
        await until(pilot, lambda: closures.row_count == 1)
        # Mi día lists the request without reading its reason.
        assert _reads_of_her_case_life(seeded) == []

        closures.focus()
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        question = str(dialog.query(Static)[1].render())
        # The reason as the requester typed it (brackets are no markup).
        assert f"Motivo: «{REASON}»" in question
        assert question.startswith(f"¿{verb} el cierre del expediente {seeded.folio}?")
        assert "Solicitado por Julia Jurídica Prueba el 20/11/2026." in question
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

    (read,) = _reads_of_her_case_life(seeded)
    assert read.staff == "Carmen Coordinación Prueba"
    assert read.client_ids == (seeded.ana,)
