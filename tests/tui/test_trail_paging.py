"""The access trail a page at a time (s next, a previous): each page is the service's own next
page, never shifted by the accesses recorded meanwhile, and each page read is audited.
Synthetic data only."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from domain.errors import InvalidField
from domain.vocabulary import Section
from tests.tui.conftest import LEGAL_PASSWORD, PASSWORD, MakeApp, Seeded, as_staff, text_of, until
from tests.tui.test_coordination import SIZE, at_mi_dia
from tui.coordination import NO_OLDER, CoordinationScreen
from violeta.alerts import TRAIL_PAGE

pytestmark = pytest.mark.anyio

EXTRA = 30  # accesses beyond the first page
LEGAL_NAME = "Julia Jurídica Prueba"


def ids_on_screen(table: DataTable[str]) -> list[str]:
    return [str(row.value) for row in table.rows]


async def at_the_trail(pilot: Pilot[None]) -> tuple[CoordinationScreen, DataTable[str]]:
    await at_mi_dia(pilot, "coordinacion", PASSWORD)
    await pilot.press("o")
    await until(pilot, lambda: isinstance(pilot.app.screen, CoordinationScreen))
    screen = pilot.app.screen
    assert isinstance(screen, CoordinationScreen)
    table = screen.query_one("#bitacora-tabla", DataTable)
    await until(pilot, lambda: table.row_count > 0)
    await pilot.app.workers.wait_for_complete()
    return screen, table


async def test_the_trail_pages_forward_and_back_as_the_service_does(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        for _ in range(TRAIL_PAGE + EXTRA):
            coordinator.client_detail(seeded.ana)

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await at_the_trail(pilot)
        assert table.row_count == TRAIL_PAGE
        assert text_of(pilot, "#bitacora-pagina") == f"Página 1 · accesos 1 a {TRAIL_PAGE}"
        assert screen.check_action("next_page", ()) is True
        assert screen.check_action("previous_page", ()) is False
        first = ids_on_screen(table)

        await pilot.press("s")
        await until(pilot, lambda: text_of(pilot, "#bitacora-pagina").startswith("Página 2"))
        await app.workers.wait_for_complete()
        second = ids_on_screen(table)
        assert second
        assert not set(first) & set(second)
        assert text_of(pilot, "#bitacora-pagina") == (
            f"Página 2 · accesos {TRAIL_PAGE + 1} a {TRAIL_PAGE + len(second)}"
        )
        # Fewer than a page: nothing older to ask for; the newer page is one key away.
        assert len(second) < TRAIL_PAGE
        assert screen.check_action("next_page", ()) is False
        assert screen.check_action("previous_page", ()) is True

        await pilot.press("a")
        await until(pilot, lambda: text_of(pilot, "#bitacora-pagina").startswith("Página 1"))
        await app.workers.wait_for_complete()
        again = ids_on_screen(table)
        assert table.row_count == TRAIL_PAGE
        # The newest page again: the reads of the trail itself came meanwhile, at its top.
        assert again[-1] in first

    with as_staff(seeded) as coordinator:
        everything = [str(entry.access_id) for entry in coordinator.audit_trail(limit=1000)]
        looks = coordinator.audit_trail(purpose="bitácora de accesos")
    # The second page is what follows the first in the whole trail, with no gap or repeat,
    # although reading the first page recorded an access of its own.
    start = everything.index(first[-1]) + 1
    assert everything[start : start + len(second)] == second
    assert second[-1] == everything[-1]
    # Every page shown was an audited read of the trail (and this one is a fourth).
    assert len(looks) >= 3
    assert {entry.action for entry in looks} == {"auditar"}


async def test_a_full_last_page_says_there_is_nothing_older_and_stays(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    legal = seeded.institute.login("juridica", LEGAL_PASSWORD)
    staff_id = legal.identity.staff_id
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    while len(coordinator.audit_trail(staff_id=staff_id, limit=1000)) < TRAIL_PAGE:
        legal.case_detail(seeded.case_id, Section.LEGAL)
    assert len(coordinator.audit_trail(staff_id=staff_id, limit=1000)) == TRAIL_PAGE
    legal.close()
    coordinator.close()

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await at_the_trail(pilot)
        screen.query_one("#filtro-persona", Select).value = str(staff_id)
        await until(
            pilot,
            lambda: (
                table.row_count == TRAIL_PAGE
                and {entry.staff for entry in screen._entries.values()} == {LEGAL_NAME}
            ),
        )
        await app.workers.wait_for_complete()
        shown = ids_on_screen(table)
        assert screen.check_action("next_page", ()) is True

        await pilot.press("s")
        await until(pilot, lambda: any(n.message == NO_OLDER for n in app._notifications))
        await app.workers.wait_for_complete()
        assert ids_on_screen(table) == shown
        assert text_of(pilot, "#bitacora-pagina") == f"Página 1 · accesos 1 a {TRAIL_PAGE}"
        assert screen.check_action("previous_page", ()) is False


def test_an_unknown_page_is_refused_in_spanish_and_records_nothing(seeded: Seeded) -> None:
    with as_staff(seeded) as coordinator:
        before = len(coordinator.audit_trail(limit=1000))
        with pytest.raises(InvalidField) as refused:
            coordinator.audit_trail(before=seeded.ana)  # a woman's id, not an access
        after = len(coordinator.audit_trail(limit=1000))
    assert refused.value.field == "Página"
    assert "vuelva a la primera" in refused.value.message
    assert after == before + 1  # the first listing's own record; the refused read none
