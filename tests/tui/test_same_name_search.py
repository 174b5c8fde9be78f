"""Two women of the same name are told apart in the search results by the day each was
registered (before, their rows were identical). Synthetic data only."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import PASSWORD, MakeApp, Seeded, as_staff, type_text, until
from tests.tui.test_coordination import SIZE, at_mi_dia, rows
from tui.search import SearchScreen
from violeta.dto import NewClient

pytestmark = pytest.mark.anyio


async def test_same_name_women_differ_by_their_registration_day(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        for registered_on in ("02/02/2026", "03/03/2026"):
            coordinator.register_client(
                NewClient(
                    name="Lucía Repetida Ficticia",
                    birth_date="01/01/1990",
                    zone=seeded.zone_code,
                    registered_on=registered_on,
                ),
                confirm_not_duplicate=True,
            )

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "Lucía Repetida")
        await pilot.press("enter")
        table = app.screen.query_one("#usuarias", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        shown = rows(table)
        assert {row[0] for row in shown} == {"Lucía Repetida Ficticia"}
        assert sorted(row[3] for row in shown) == ["02/02/2026", "03/03/2026"]
