"""The case screen reads what it shows and nothing more: each section once, when its tab is
first shown, every read recorded in the access trail. Synthetic data only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from domain.vocabulary import Section
from tests.tui.conftest import (
    LEGAL_PASSWORD,
    PASSWORD,
    SIZE,
    MakeApp,
    Seeded,
    as_staff,
    log_in,
    text_of,
    type_text,
    until,
)
from tests.tui.test_flows import open_first_case_of
from tui.case import ASK_TO_READ, CaseScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import JustificationScreen
from tui.footer import KeyFooter
from tui.records import RecordScreen
from tui.tabs import SectionTabs

pytestmark = pytest.mark.anyio

CASE_READ = "consultar expediente"


def case_reads(seeded: Seeded) -> list[str]:
    """The sections of her case read so far, oldest first, as the access trail names them."""
    return [section for section, _ in case_reads_marked(seeded)]


def case_reads_marked(seeded: Seeded) -> list[tuple[str, bool]]:
    """Like ``case_reads``, with whether each read was exceptional (with a reason)."""
    with as_staff(seeded) as coordinator:
        entries = coordinator.audit_trail(client_id=seeded.ana, purpose=CASE_READ)
    return [(entry.section, entry.exceptional) for entry in reversed(entries)]


async def as_legal_on_her_case(pilot: Pilot[None]) -> CaseScreen:
    await log_in(pilot, "juridica", LEGAL_PASSWORD)
    await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))
    await open_first_case_of(pilot, "Ana Prueba")
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))
    return screen


def showing(screen: CaseScreen, section: Section) -> Callable[[], bool]:
    return lambda: screen.current is section


def offered_actions(screen: CaseScreen) -> set[str]:
    """The actions the screen offers now (what its footer shows and its keys do)."""
    return {binding.action for (_, binding, _, _) in screen.active_bindings.values()}


async def test_opening_a_case_reads_only_its_first_tab_and_once(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))
        await app.workers.wait_for_complete()
        # Only the tab on screen has content; the other seven are composed when first shown.
        assert screen.query_one(SectionTabs).active == "sec-entrevista"
        assert not screen.query("#body-identificacion")
        assert not screen.query("#body-juridica")
        assert case_reads(seeded) == [Section.INTAKE.label]

        await pilot.press("3")  # Jurídica
        await until(pilot, lambda: "Notas" in text_of(pilot, "#body-juridica"))
        await pilot.press("2")  # back to the intake: already read, not read again
        await until(pilot, lambda: screen.current is Section.INTAKE)
        await app.workers.wait_for_complete()
        assert case_reads(seeded) == [Section.INTAKE.label, Section.LEGAL.label]


async def test_moving_across_the_tabs_never_asks_for_a_reason_until_she_asks_to_read(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """Before, the arrow keys that only move across the tabs popped the break-the-glass
    dialog the moment they reached a tab outside her role (Trabajo social for jurídica)."""
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        tabs = screen.query_one(SectionTabs)
        assert app.focused is tabs
        # Entrevista → Jurídica → Psicológica (no access) → Trabajo social (with a reason).
        for expected in (Section.LEGAL, Section.PSYCHOLOGICAL, Section.SOCIAL_WORK):
            await pilot.press("right")
            await until(pilot, showing(screen, expected))
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            assert app.screen is screen, f"a dialog opened on {expected.label}"
        assert text_of(pilot, "#body-trabajo_social") == ASK_TO_READ
        assert "justify" in offered_actions(screen)
        await pilot.press("right", "left")  # past it and back: still nothing asked
        await until(pilot, lambda: screen.current is Section.SOCIAL_WORK)
        await pilot.pause(0.1)
        assert app.screen is screen
        await pilot.press("5")  # the number keys move too
        await pilot.pause(0.1)
        assert app.screen is screen
        assert (Section.SOCIAL_WORK.label, True) not in case_reads_marked(seeded)

        await pilot.press("enter")  # she asks to read it
        await until(pilot, lambda: isinstance(app.screen, JustificationScreen))
        await type_text(pilot, "Revisar la gestión ante el DIF municipal")
        await pilot.press("enter")
        await until(pilot, lambda: "ACCESO EXCEPCIONAL" in text_of(pilot, "#mark-trabajo_social"))
        assert app.screen is screen
        assert "justify" not in offered_actions(screen)
        await pilot.press("left", "right")  # the reason covers the tab while she stays
        await until(pilot, lambda: screen.current is Section.SOCIAL_WORK)
        await app.workers.wait_for_complete()
        assert app.screen is screen
    reads = case_reads_marked(seeded)
    assert reads.count((Section.SOCIAL_WORK.label, True)) == 1
    assert Section.PSYCHOLOGICAL.label not in [section for section, _ in reads]


async def test_m_also_asks_and_escape_leaves_the_tab_unread(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        await pilot.press("5")
        await until(pilot, lambda: text_of(pilot, "#body-trabajo_social") == ASK_TO_READ)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, JustificationScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert text_of(pilot, "#body-trabajo_social") == ASK_TO_READ
    assert Section.SOCIAL_WORK.label not in case_reads(seeded)


async def test_the_closure_is_offered_on_every_tab_to_whoever_attends_the_case(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """Before, «k Solicitar cierre» was on the Entrevista tab only."""
    assert seeded.case_id is not None
    with as_staff(seeded) as coordinator:
        legal_id = next(a.staff_id for a in coordinator.accounts() if a.username == "juridica")
        coordinator.assign_area(seeded.case_id, "juridica", legal_id)
    closure = "case_form('request_closure')"
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        for number, section in enumerate(Section, start=1):
            await pilot.press(str(number))
            await until(pilot, showing(screen, section))
            await app.workers.wait_for_complete()
            assert closure in offered_actions(screen), section.label
        await pilot.press("3")  # Jurídica: k opens the closure form there too
        await until(pilot, lambda: screen.current is Section.LEGAL)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        assert isinstance(form, RecordScreen)
        assert form.form.title == "Solicitar el cierre del expediente"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

    # Coordinación attends no area of it: offered on none.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        coordination = app.screen
        assert isinstance(coordination, CaseScreen)
        for number, section in enumerate(Section, start=1):
            await pilot.press(str(number))
            await until(pilot, showing(coordination, section))
            await app.workers.wait_for_complete()
            assert closure not in offered_actions(coordination), section.label


async def test_a_click_chooses_a_tab_and_a_click_on_a_footer_key_presses_it(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """The tabs and the footer are one widget each: the mouse still works on them."""
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        tabs = screen.query_one(SectionTabs)
        line = str(tabs.render()).splitlines()[0]
        await pilot.click(SectionTabs, offset=(line.index("Jurídica") + 2, 0))
        await until(pilot, showing(screen, Section.LEGAL))
        await until(pilot, lambda: "Notas" in text_of(pilot, "#body-juridica"))

        footer = screen.query_one(KeyFooter)
        shown = " ".join(footer.descriptions)
        assert "Esc Volver" in shown
        footer_line = str(footer.render())
        await pilot.click(KeyFooter, offset=(footer_line.index("Esc Volver") + 1, 0))
        await until(pilot, lambda: not isinstance(app.screen, CaseScreen))
