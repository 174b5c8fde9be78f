"""The search screen: beginnings of names, the rule shown, folio search, refusals in Spanish."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import (
    PASSWORD,
    SIZE,
    MakeApp,
    Seeded,
    as_staff,
    field_text,
    log_in,
    text_of,
    type_text,
    until,
)
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.search import SearchScreen
from violeta.dto import NewClient

pytestmark = pytest.mark.anyio


async def test_three_letters_find_her_and_two_explain_the_rule(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        assert "palabras completas o al menos tres letras del inicio" in text_of(pilot, "#regla")

        await type_text(pilot, "Sin")
        await pilot.press("enter")
        table = app.screen.query_one("#usuarias", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[0]) == "Ana Prueba Sintética"
        # One search, one audit entry, naming only her.
        searches = [
            entry
            for entry in app.gateway.call(lambda session: session.audit_entries())  # type: ignore[union-attr]
            if entry.action == "buscar"
        ]
        assert [list(entry.client_ids) for entry in searches] == [[seeded.ana]]

        app.screen.query_one("#consulta").focus()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "Pr")
        await pilot.press("enter")
        await until(pilot, lambda: "tres letras del inicio" in text_of(pilot, "#resultado"))
        assert table.row_count == 1  # the refused query changed nothing


async def test_a_folio_opens_her_record(seeded: Seeded, make_app: MakeApp) -> None:
    assert seeded.folio is not None
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, seeded.folio.lower())
        await pilot.press("enter")
        table = app.screen.query_one("#usuarias", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "nombre") == "Ana Prueba Sintética")


async def test_her_full_name_as_typed_is_listed_first(seeded: Seeded, make_app: MakeApp) -> None:
    with as_staff(seeded) as coordinator:
        for name in ("Anabel Sintética Ruiz", "Ana Sintética"):
            coordinator.register_client(
                NewClient(name=name, birth_date="01/02/1991", zone=seeded.zone_code),
                confirm_not_duplicate=True,
            )
        # The service lists her exact name first, then whole words, then beginnings; by name
        # alone «Ana Prueba Sintética» came first.
        listed = [summary.name for summary in coordinator.search_clients("ana sintetica")]
    expected = ["Ana Sintética", "Ana Prueba Sintética", "Anabel Sintética Ruiz"]
    assert listed == expected

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "Ana Sintética")
        await pilot.press("enter")
        table = app.screen.query_one("#usuarias", DataTable)
        await until(pilot, lambda: table.row_count == len(expected))
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == expected
        # Enter opens the first: the woman whose name was typed.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "nombre") == "Ana Sintética")
