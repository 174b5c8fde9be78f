"""A key is offered only when the service would accept it in that state (found driving the
demo in tmux): a case whose closure waits for approval is not asked to close again; an alert
about her own accesses is for another person of coordinación. Synthetic data only."""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import DataTable, Input

from domain.errors import DomainError, NotPermitted
from tests.tui.conftest import PASSWORD, MakeApp, Seeded, as_staff, text_of, until
from tests.tui.test_case_screen import as_legal_on_her_case, offered_actions
from tests.tui.test_coordination import SIZE, at_mi_dia, exceptional_read_by_legal, rows
from tests.tui.test_second_person import footer_keys
from tui.coordination import CoordinationScreen
from tui.records import RecordScreen

pytestmark = pytest.mark.anyio

CLOSURE = "case_form('request_closure')"


async def test_a_closure_waiting_for_approval_is_shown_and_not_asked_for_again(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    with as_staff(seeded) as coordinator:
        legal_id = next(a.staff_id for a in coordinator.accounts() if a.username == "juridica")
        coordinator.assign_area(seeded.case_id, "juridica", legal_id)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        assert CLOSURE in offered_actions(screen)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        assert isinstance(form, RecordScreen)
        form.query_one("#motivo-input", Input).value = "Concluyó su atención sintética"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: "pendiente de aprobación" in text_of(pilot, "#case-header"))
        await app.workers.wait_for_complete()
        assert CLOSURE not in offered_actions(screen)
    with as_staff(seeded) as coordinator:
        (pending,) = coordinator.pending_closures()
        assert pending.case_id == seeded.case_id


async def test_an_alert_about_her_own_accesses_is_not_offered_to_her(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    exceptional_read_by_legal(seeded)
    with as_staff(seeded) as coordinator:
        me = coordinator.identity.display_name
        # Psychology's section, denied to her role, tried three times: an alert about her.
        for _ in range(3):
            with contextlib.suppress(NotPermitted):
                coordinator.psychology_section(seeded.case_id)

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        dashboard = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        queue = dashboard.query_one("#alertas", DataTable)
        await until(pilot, lambda: me in {row[2] for row in rows(queue)})
        people = [row[2] for row in rows(queue)]
        queue.focus()
        queue.move_cursor(row=people.index(me))
        await pilot.pause()
        assert "acknowledge_alert" not in footer_keys(app)
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, RecordScreen)
        queue.move_cursor(row=people.index("Julia Jurídica Prueba"))
        await pilot.pause()
        assert "acknowledge_alert" in footer_keys(app)
        # The same on the Alertas tab.
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        tab = app.screen
        table = tab.query_one("#alertas-tabla", DataTable)
        await until(pilot, lambda: table.row_count == len(people))
        table.focus()
        listed = [row[1] for row in rows(table)]
        table.move_cursor(row=listed.index(me))
        await pilot.pause()
        assert tab.check_action("acknowledge", ()) is False
        table.move_cursor(row=listed.index("Julia Jurídica Prueba"))
        await pilot.pause()
        assert tab.check_action("acknowledge", ()) is True

    with as_staff(seeded) as coordinator:
        mine = next(alert for alert in coordinator.alerts() if alert.staff == me)
        with pytest.raises(DomainError):
            coordinator.acknowledge_alert(mine.alert_id, "Nota sintética suficiente")
