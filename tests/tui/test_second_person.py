"""An approval is offered only to someone the service would accept as the second person:
not whoever asked for it, nor whoever has an account that person created, reset or enabled.
The app asks the policy (``Gateway.may`` with the approval's subject) and the service agrees.
Synthetic data only."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from domain.errors import NotPermitted
from domain.vocabulary import Role
from tests.support.factories import enable
from tests.tui.conftest import PASSWORD, MakeApp, Seeded, as_staff, text_of, type_text, until
from tests.tui.test_coordination import SIZE, add_admin, at_mi_dia
from tui.accounts import NOT_SECOND, AccountsScreen
from tui.app import VioletaApp
from tui.client import ClientScreen
from tui.dialogs import ConfirmScreen
from tui.search import SearchScreen

pytestmark = pytest.mark.anyio

PSYCHOLOGIST = PASSWORD + "-p"


def footer_keys(app: VioletaApp) -> set[str]:
    return {binding.action for (_, binding, _, _) in app.screen.active_bindings.values()}


async def test_h_is_not_offered_for_an_account_the_service_would_refuse_her_to_enable(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.create_account("psico", "Paula Psicología Prueba", Role.PSYCHOLOGY, PASSWORD)
        # Asked for by coordinación, who set up psico's own account: psico is no second person.
        coordinator.create_account("psico3", "Pia Psicología Prueba", Role.PSYCHOLOGY, PASSWORD)
    enable(seeded.institute, "psico")
    with as_staff(seeded, "psico") as psychologist:
        psychologist.change_password(PASSWORD, PSYCHOLOGIST)
    add_admin(seeded)
    admin = seeded.institute.login("admin", PASSWORD + "-a")
    admin.create_account("psico2", "Perla Psicología Prueba", Role.PSYCHOLOGY, PASSWORD)
    admin.close()

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "psico", PSYCHOLOGIST)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        table = screen.query_one("#cuentas", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        usernames = [screen._rows[str(key.value)].username for key in table.rows]
        ids = {account.username: account.staff_id for account in screen._rows.values()}

        table.move_cursor(row=usernames.index("psico3"))
        await pilot.pause()
        assert screen.check_action("enable_account", ()) is False
        assert "enable_account" not in footer_keys(app)
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await until(pilot, lambda: text_of(pilot, "#cuentas-vacio") == NOT_SECOND)  # why

        table.move_cursor(row=usernames.index("psico2"))
        await until(pilot, lambda: screen.check_action("enable_account", ()) is True)
        await until(pilot, lambda: text_of(pilot, "#cuentas-vacio") == "")
        assert "enable_account" in footer_keys(app)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: table.row_count == 1)

    # The service agrees on both: psico2 enabled by her, psico3 refused to her.
    psychologist = seeded.institute.login("psico", PSYCHOLOGIST)
    pending = {account.username: account for account in psychologist.accounts_to_enable()}
    assert set(pending) == {"psico3"}
    assert psychologist.may("enable_account", subject=ids["psico3"]) is False
    with pytest.raises(NotPermitted) as refused:
        psychologist.enable_account(pending["psico3"].staff_id)
    psychologist.close()
    assert "segunda persona" in refused.value.message


async def test_approving_an_erasure_is_not_offered_to_whoever_asked_for_it(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.request_erasure(seeded.ana)
        assert coordinator.may("approve_erasure", subject=seeded.ana) is False
        assert coordinator.may("approve_erasure") is True  # her role may, for someone else's

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "Ana Prueba")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one("#usuarias", DataTable).row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        await until(pilot, lambda: screen.client is not None)
        assert screen.client is not None and screen.client.erasure_pending
        assert screen.check_action("approve_erasure", ()) is False
        assert "approve_erasure" not in footer_keys(app)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)

    with as_staff(seeded) as coordinator:
        with pytest.raises(NotPermitted):
            coordinator.approve_erasure(seeded.ana)
        assert coordinator.client_detail(seeded.ana).erasure_pending
