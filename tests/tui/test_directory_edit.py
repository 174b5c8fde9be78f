"""Editing an institution of the directory from the Directorio screen: her current data in
the form, a new version saved (the old one kept). Synthetic data only."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from tests.tui.conftest import MakeApp, Seeded, until
from tests.tui.test_commands import SIZE, logged_in, saved, session_of
from tui.dialogs import RowsScreen
from tui.directory import DirectoryScreen
from tui.records import RecordScreen
from violeta.dto import InstitutionForm

pytestmark = pytest.mark.anyio


async def test_an_institution_is_corrected_and_keeps_its_history(
    seeded: Seeded, make_app: MakeApp
) -> None:
    coordinator = session_of(seeded, "coordinacion")
    try:
        institution_id = coordinator.add_institution(
            InstitutionForm(
                name="Centro de Salud Ficticio",
                kind="salud",
                services=("atencion_medica",),
                phone="4610000000",
                hours="lunes a viernes 8:00-14:00",
            )
        )
    finally:
        coordinator.close()

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        table = app.screen.query_one("#instituciones", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        table.focus()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        assert isinstance(form, RecordScreen)
        # It opens with what the directory holds now.
        await until(pilot, lambda: bool(form.query("#telefono-input")))
        assert form.query_one("#nombre-input", Input).value == "Centro de Salud Ficticio"
        assert form.query_one("#telefono-input", Input).value == "4610000000"
        form.query_one("#horario-input", Input).value = "lunes a sábado 8:00-20:00"
        await saved(pilot)
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        await until(pilot, lambda: "sábado" in str(table.get_row_at(0)[4]))
        # «h» lists its versions: the first and the correction.
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, RowsScreen))
        versions = app.screen.query_one("#versiones", DataTable)
        assert [str(versions.get_row_at(i)[0]) for i in range(versions.row_count)] == ["1", "2"]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))

    coordinator = session_of(seeded, "coordinacion")
    try:
        (now,) = coordinator.directory()
        assert (now.hours, now.phone, now.kind) == (
            "lunes a sábado 8:00-20:00",
            "4610000000",
            "Salud",
        )
        history = coordinator.institution_history(institution_id)
        assert [version.version for version in history] == [1, 2]
    finally:
        coordinator.close()

    # Jurídica reads the directory but does not edit it.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        await until(pilot, lambda: app.screen.query_one("#instituciones", DataTable).row_count == 1)
        app.screen.query_one("#instituciones", DataTable).focus()
        assert not app.screen.check_action("edit_institution", ())
