"""ARCO from her record: coordinación reads the history of a rectified field («h») and
exports her data for her («a», derecho de acceso), each an audited access; other roles are
not offered either. Both keys, out of the footer for room, are listed under «m Más».
Synthetic data only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList

from tests.tui.conftest import LEGAL_PASSWORD, PASSWORD, MakeApp, Seeded, as_staff, type_text, until
from tests.tui.test_commands import saved
from tests.tui.test_coordination import SIZE, at_mi_dia, rows
from tests.tui.test_spanish import footer_line
from tui.client import ClientScreen, CorrectionsScreen
from tui.dialogs import MoreScreen
from tui.records import RecordScreen
from tui.search import SearchScreen

pytestmark = pytest.mark.anyio


async def her_record(pilot: Pilot[None], username: str, password: str) -> ClientScreen:
    await at_mi_dia(pilot, username, password)
    await pilot.press("slash")
    await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen))
    await type_text(pilot, "Ana Prueba")
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen.query_one("#usuarias", DataTable).row_count == 1)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ClientScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ClientScreen)
    await until(pilot, lambda: screen.client is not None)
    await pilot.pause()
    return screen


def purposes(seeded: Seeded) -> list[str]:
    with as_staff(seeded) as reader:
        return [entry.purpose for entry in reader.audit_entries(client_id=seeded.ana, limit=50)]


async def test_coordinacion_reads_the_history_of_a_rectified_field(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.correct_client(seeded.ana, "phone", "4610001122")
        coordinator.correct_client(seeded.ana, "phone", "4610003344")

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        record = await her_record(pilot, "coordinacion", PASSWORD)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, CorrectionsScreen))
        # Current before composed: on a loaded machine the table may not be mounted yet.
        await until(pilot, lambda: bool(app.screen.query("#rectificaciones")))
        table = app.screen.query_one("#rectificaciones", DataTable)
        shown = rows(table)
        assert [row[1] for row in shown] == ["—", "4610001122", "4610003344"]
        assert [row[4] for row in shown] == ["", "", "sí"]
        assert {row[0] for row in shown} == {"Teléfono"}
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is record)
    assert "historial de rectificaciones (ARCO)" in purposes(seeded)


async def test_coordinacion_exports_her_data_for_her(
    seeded: Seeded, make_app: MakeApp, tmp_path: Path
) -> None:
    target = tmp_path / "entrega" / "ana.json"
    target.parent.mkdir()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        record = await her_record(pilot, "coordinacion", PASSWORD)
        assert record.check_action("export_data", ()) is True
        titles = [command.title for command in app.get_system_commands(record)]
        assert "Exportar sus datos para ella (ARCO acceso)" in titles  # the palette
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        assert isinstance(form, RecordScreen)
        # Inside the data directory: refused under its field, nothing written.
        inside = seeded.institute.settings.data / "ana.json"
        form.query_one("#destino-input", Input).value = str(inside)
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: (
                "directorio de datos" in str(form.query_one("#destino .field-message").render())
            ),
        )
        assert not inside.exists()
        form.query_one("#destino-input", Input).value = str(target)
        await saved(pilot)
        await until(pilot, lambda: app.screen is record)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert "Ana Prueba Sintética" in json.dumps(document, ensure_ascii=False)
    assert "derecho de acceso (ARCO): exportación para la titular" in purposes(seeded)


async def test_other_roles_are_offered_neither(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        record = await her_record(pilot, "juridica", LEGAL_PASSWORD)
        assert not record.check_action("export_data", ())
        assert not record.check_action("corrections", ())
        await pilot.press("h")
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is record


async def test_her_record_lists_the_keys_left_out_of_the_footer_under_mas(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        record = await her_record(pilot, "coordinacion", PASSWORD)
        await pilot.pause(0.2)
        # At 130 columns «a Exportar» and «h Historial» have no room; «m Más» has.
        line = footer_line(app)
        assert "m Más" in line and "Ctrl+L Bloquear" in line, line
        assert "a Exportar" not in line

        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MoreScreen))
        options = app.screen.query_one(OptionList)
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert listed == [
            "a  Exportar sus datos para ella (ARCO acceso)",
            "h  Historial de rectificaciones (ARCO)",
            "b  Bitácora de accesos a esta usuaria",
        ]
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, CorrectionsScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is record)
    assert "historial de rectificaciones (ARCO)" in purposes(seeded)


async def test_mas_is_not_offered_when_none_of_its_keys_applies(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        record = await her_record(pilot, "juridica", LEGAL_PASSWORD)
        assert record.check_action("more", ()) is False
        await pilot.press("m")
        await pilot.pause(0.2)
        assert app.screen is record
