"""Her record's and the case's screens are kept after they close and shown again for the next
woman or case: nothing of what they showed stays, nothing read for it reaches them afterwards,
a reason given for a section covers that case only, and none is kept behind a lock. Also what
the app relies on in Textual to open them quickly. Synthetic data only."""

from __future__ import annotations

import threading

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from domain.vocabulary import Role, Section
from tests.support.factories import enable
from tests.tui.conftest import (
    LEGAL_PASSWORD,
    PASSWORD,
    SIZE,
    MakeApp,
    Seeded,
    as_staff,
    field_text,
    log_in,
    text_of,
    until,
)
from tests.tui.test_case_screen import case_reads_marked, offered_actions
from tests.tui.test_flows import open_first_case_of
from tui.case import ASK_TO_READ, CaseScreen, pane_id
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import JustificationScreen
from tui.footer import KeyFooter
from tui.search import SearchScreen
from tui.tabs import SectionTabs
from tui.widgets import FieldGrid
from violeta.dto import ClientDetail, NewIntake
from violeta.service import StaffSession

pytestmark = pytest.mark.anyio

ANA = "Ana Prueba Sintética"
BETY = "Bety Ejemplo Ficticia"


async def open_record_of(pilot: Pilot[None], name: str) -> ClientScreen:
    """From Mi día: search her by name and open her record."""
    app = pilot.app
    await pilot.press("slash")
    await until(pilot, lambda: isinstance(app.screen, SearchScreen))
    search = app.screen
    search.query_one("#consulta", Input).value = name
    await pilot.press("enter")
    await until(pilot, lambda: search.query_one("#usuarias", DataTable).row_count > 0)
    await pilot.press("enter")
    await until(
        pilot,
        lambda: isinstance(app.screen, ClientScreen) and field_text(pilot, "nombre") == name,
    )
    screen = app.screen
    assert isinstance(screen, ClientScreen)
    return screen


async def back_to_mi_dia(pilot: Pilot[None]) -> None:
    app = pilot.app
    while not isinstance(app.screen, DashboardScreen):
        await app.pop_screen()
    await app.workers.wait_for_complete()


def screen_text(screen: ClientScreen) -> str:
    """Everything her record shows in its widgets, as plain text."""
    table = screen.query_one("#expedientes", DataTable)
    rows = [" ".join(str(cell) for cell in table.get_row_at(n)) for n in range(table.row_count)]
    grid = screen.query_one("#ficha", FieldGrid)
    fields = [grid.value(key) for key, _ in grid.labels]
    empty = screen.query_one("#expedientes-vacio", Static).content
    return "\n".join([*fields, *rows, str(empty)])


async def test_her_record_shown_again_for_another_woman_keeps_nothing_of_the_first(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        first = await open_record_of(pilot, ANA)
        await until(pilot, lambda: first.query_one("#expedientes", DataTable).row_count == 1)
        assert seeded.folio is not None and seeded.folio in screen_text(first)
        await back_to_mi_dia(pilot)
        assert app.is_screen_installed(first)  # kept, not taken down

        second = await open_record_of(pilot, BETY)
        assert second is first
        await until(pilot, lambda: "Sin expedientes" in text_of(pilot, "#expedientes-vacio"))
        shown = screen_text(second)
        assert "Ana" not in shown
        assert seeded.folio not in shown
        assert second.query_one("#expedientes", DataTable).row_count == 0
        assert app.focused is second.query_one("#expedientes", DataTable)
        # Her own keys: «n» opens a case for Bety, the woman shown.
        assert second.client is not None and second.client.name == BETY


async def test_a_read_made_for_the_woman_shown_before_never_reaches_the_screen(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """A read for Ana still running (or already posted) when the kept screen is given to Bety
    is dropped: without it, Ana's record would land on a screen that says it is Bety's."""
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        screen = await open_record_of(pilot, BETY)
        release = threading.Event()

        def slow_read_of_ana(session: StaffSession) -> ClientDetail:
            release.wait(10)
            return session.client_detail(seeded.ana)

        # Still running when the screen is given to someone else...
        screen.run_service(slow_read_of_ana, screen.Loaded)
        screen.forget_reads()
        release.set()
        await app.workers.wait_for_complete()
        # ... and already posted, not yet handled (no await in between).
        with as_staff(seeded) as detail:
            ana = detail.client_detail(seeded.ana)
        screen._post_if_current(screen._reads, screen.Loaded(ana))
        screen.forget_reads()
        await pilot.pause(0.2)
        assert field_text(pilot, "nombre") == BETY
        assert screen.client is not None and screen.client.name == BETY


async def test_a_kept_case_screen_asks_again_for_a_reason_given_on_the_last_case(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        first = app.screen
        assert isinstance(first, CaseScreen)
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))
        await pilot.press("5")  # Trabajo social: hers only with a reason
        await until(pilot, lambda: first.current is Section.SOCIAL_WORK)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, JustificationScreen))
        app.screen.query_one("#motivo", Input).value = "Revisar la gestión ante el DIF"
        await pilot.press("enter")
        await until(pilot, lambda: "ACCESO EXCEPCIONAL" in text_of(pilot, "#mark-trabajo_social"))
        await back_to_mi_dia(pilot)

        await open_first_case_of(pilot, "Ana Prueba")
        again = app.screen
        assert isinstance(again, CaseScreen)
        assert again is first
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))
        # Opens on its first tab, and the other tab's content and reason are gone.
        assert again.current is Section.INTAKE
        assert again.query_one(SectionTabs).active == "sec-entrevista"
        assert text_of(pilot, "#mark-trabajo_social") == ""
        assert text_of(pilot, "#body-trabajo_social") == ""
        await pilot.press("5")
        await until(pilot, lambda: text_of(pilot, "#body-trabajo_social") == ASK_TO_READ)
        await app.workers.wait_for_complete()
        assert app.screen is again, "no dialog until she asks"
        assert isinstance(again, CaseScreen)
        assert "justify" in offered_actions(again)
    # One exceptional read: the second visit read nothing with the first visit's reason.
    assert case_reads_marked(seeded).count((Section.SOCIAL_WORK.label, True)) == 1


async def test_what_she_closed_is_not_kept_behind_the_lock(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        kept = await open_record_of(pilot, ANA)
        await back_to_mi_dia(pilot)
        assert app.is_screen_installed(kept)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: app.gateway is None)
        await until(pilot, lambda: not kept.is_running)
        assert not app.is_screen_installed(kept)
        assert not kept.query("#ficha")


async def test_a_real_resize_still_lays_out_the_screen_and_the_ones_under_it(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """Screens ignore the resize their own first layout sends them (Textual laid them out
    again, with the screen under them); a terminal resize must still reach them all. This
    relies on Textual calling a screen's ``on_resize`` before its own ``Screen._on_resize``,
    which ``prevent_default`` skips; if Textual changes that, this fails."""
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        record = await open_record_of(pilot, ANA)
        await pilot.resize_terminal(SIZE[0] - 20, SIZE[1] - 4)
        narrow = (SIZE[0] - 20, SIZE[1] - 4)
        await until(pilot, lambda: tuple(record.size) == narrow)
        await until(pilot, lambda: record.query_one(KeyFooter).size.width == narrow[0])
        await app.pop_screen()
        search = app.screen
        assert isinstance(search, SearchScreen)
        await until(pilot, lambda: tuple(search.size) == narrow)
        await until(pilot, lambda: search.query_one(KeyFooter).size.width == narrow[0])


def test_textual_still_offers_what_opening_a_screen_quickly_relies_on() -> None:
    """``ScreenResume.refresh_styles`` (set off for a just-composed screen) and a message's
    ``no_dispatch`` (set on reads dropped by ``forget_reads``) are read by Textual; if either
    is renamed, the app would silently restyle or, worse, deliver a dropped read."""
    assert events.ScreenResume().refresh_styles is True
    assert events.ScreenResume(refresh_styles=False).refresh_styles is False
    message = ClientScreen.Done("x")
    assert message.no_dispatch is False
    setattr(message, "no_dispatch", True)  # noqa: B010 - as forget_reads does
    assert message.no_dispatch is True
    assert ClientScreen.Done("y").no_dispatch is False


async def test_a_kept_case_screen_forgets_that_she_opened_the_last_case_today(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """Recepción reads back the entrevista of the case she opened today; the same kept screen
    showing a case she did not open asks for a reason again (marked amber)."""
    with as_staff(seeded) as coordinator:
        coordinator.create_account("recepcion", "Rita Recepción Prueba", Role.RECEPTION, PASSWORD)
    enable(seeded.institute, "recepcion")
    with as_staff(seeded, "recepcion") as reception:
        reception.change_password(PASSWORD, PASSWORD + "-r")
        bety = next(c.client_id for c in reception.search_clients("Bety"))
        reception.open_case(
            bety,
            NewIntake(
                reason="Motivo sintético de Bety",
                narrative="Relato sintético que recepción acaba de escribir.",
                violence_types=("psicologica",),
                modalities=("familiar",),
                risk="bajo",
            ),
        )

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "recepcion", PASSWORD + "-r")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Bety Ejemplo")
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        tabs = screen.query_one(SectionTabs)
        await until(pilot, lambda: not tabs.has_mark(pane_id(Section.INTAKE), "-exceptional"))
        await pilot.press("2")
        await until(pilot, lambda: "acaba de escribir" in text_of(pilot, "#body-entrevista"))
        await back_to_mi_dia(pilot)

        await open_first_case_of(pilot, "Ana Prueba")
        assert app.screen is screen
        assert isinstance(screen, CaseScreen)
        assert not screen.opened_it_today
        assert tabs.has_mark(pane_id(Section.INTAKE), "-exceptional")
        await pilot.press("2")
        await until(pilot, lambda: text_of(pilot, "#body-entrevista") == ASK_TO_READ)
        await app.workers.wait_for_complete()
        assert app.screen is screen
    assert Section.INTAKE.label not in [section for section, _ in case_reads_marked(seeded)]
