"""Mi día reads each of its lists once when it opens: every list of women is an audited access.
Synthetic data only."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from domain.vocabulary import Role
from tests.support.factories import enable
from tests.tui.conftest import PASSWORD, MakeApp, Seeded, as_staff, text_of, until
from tests.tui.test_coordination import SIZE, at_mi_dia, rows
from violeta.queries import my_day

pytestmark = pytest.mark.anyio

AGENDA = "próximas sesiones de psicología"


async def test_psicologia_s_agenda_is_read_once_at_login(seeded: Seeded, make_app: MakeApp) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.create_account("psico", "Paula Psicología Prueba", Role.PSYCHOLOGY, PASSWORD)
    enable(seeded.institute, "psico")
    with as_staff(seeded, "psico") as psychologist:
        psychologist.change_password(PASSWORD, PASSWORD + "-p")

    with as_staff(seeded) as coordinator:
        app = make_app(seeded.institute)
        async with app.run_test(size=SIZE) as pilot:
            await at_mi_dia(pilot, "psico", PASSWORD + "-p")
            # Her agenda was read (a second read would have been started with the first).
            await until(pilot, lambda: bool(coordinator.audit_trail(purpose=AGENDA)))
            await pilot.pause()
            await app.workers.wait_for_complete()
        reads = coordinator.audit_trail(purpose=AGENDA)
    assert len(reads) == 1
    assert reads[0].staff == "Paula Psicología Prueba"


def listings_by_coordinacion(seeded: Seeded) -> list[str]:
    """The purposes of the lists recorded as read by coordinación, oldest first."""
    with as_staff(seeded) as reader:
        reader.refresh()
        rows = reader._views.query(
            "SELECT purpose FROM access_log WHERE staff_id = ? AND action = 'listar' ORDER BY at",
            (str(reader.identity.staff_id),),
        )
        return [row["purpose"] for row in rows]


async def test_opening_mi_dia_records_one_access_for_all_its_lists(
    seeded: Seeded, make_app: MakeApp
) -> None:
    before = listings_by_coordinacion(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        recent = screen.query_one("#recientes", DataTable)
        await until(pilot, lambda: recent.row_count > 0)
        await app.workers.wait_for_complete()
        new = listings_by_coordinacion(seeded)[len(before) :]
        assert len(new) == 1, new
        assert new[0].startswith("mi día: mis expedientes recientes")
        await pilot.press("f5")  # reloading is one more, not one per list
        await until(pilot, lambda: len(listings_by_coordinacion(seeded)) > len(before) + 1)
        await app.workers.wait_for_complete()
    assert len(listings_by_coordinacion(seeded)) == len(before) + 2


async def test_mi_dia_says_where_the_follow_ups_beyond_its_first_page_are(
    seeded: Seeded, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert seeded.case_id is not None
    with as_staff(seeded) as coordinator:
        for day in ("20/11/2026", "21/11/2026"):
            coordinator.schedule_follow_up(seeded.case_id, day, "telefono")
    monkeypatch.setattr(my_day, "FOLLOW_UPS_SHOWN", 1)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        table = screen.query_one("#seguimientos", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await until(pilot, lambda: "Hay más seguimientos" in text_of(pilot, "#seguimientos-vacio"))
        assert "pestaña Seguimientos" in text_of(pilot, "#seguimientos-vacio")
        assert rows(table)[0][0] == "20/11/2026"  # the most urgent
