"""No English on any screen: every screen a person reaches is read as text and searched for
the framework's own English strings (Textual's palette, drop-downs, notices and bindings)."""

from __future__ import annotations

import html
import re

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from tests.tui.conftest import PASSWORD, SIZE, MakeApp, Seeded, log_in, type_text, until
from tests.tui.test_commands import logged_in, session_of
from tests.tui.test_flows import open_first_case_of
from tui.app import VioletaApp
from tui.case import SECTIONS
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen, JustificationScreen
from tui.help import HelpScreen
from tui.intake_forms import RegisterClientScreen
from tui.palette import SpanishCommandPalette
from tui.records import RecordScreen

pytestmark = pytest.mark.anyio

# Strings Textual itself writes on screen (its palette, drop-down, notices, key names).
ENGLISH = (
    "No matches found",
    "Dismiss menu",
    "Do you want to quit",
    "to quit the app",
    "Search for commands",
    "Exit the command palette",
    "Quit",
    "palette",
    "Toggle",
    "Copy",
    "Focus",
    "Next",
    "Previous",
    "Open link",
    "Maximize",
    "Minimize",
    "Screenshot",
    "Theme",
    "Show keys",
    "Select",
    "Press",
    "Cancel",
    "Submit",
    "Loading",
    "Search",
)
ENGLISH_WORDS = re.compile(r"\b(" + "|".join(re.escape(word) for word in ENGLISH) + r")\b")


def screen_text(app: VioletaApp) -> str:
    """What the terminal shows right now, as plain text, plus what may be hidden under an
    open drop-down: the footer's keys and the notices on display."""
    svg = app.export_screenshot()
    pieces = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    footer = [
        active.binding.description
        for active in app.screen.active_bindings.values()
        if active.binding.show
    ]
    notices = [f"{note.title} {note.message}" for note in app._notifications]
    return " ".join([html.unescape(" ".join(pieces)).replace("\xa0", " "), *footer, *notices])


class Walk:
    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.seen: dict[str, str] = {}

    async def look(self, name: str) -> None:
        await self.pilot.pause(0.15)
        self.seen[name] = screen_text(self.pilot.app)  # type: ignore[arg-type]

    def english(self) -> dict[str, list[str]]:
        return {
            name: sorted(set(ENGLISH_WORDS.findall(text)))
            for name, text in self.seen.items()
            if ENGLISH_WORDS.search(text)
        }


async def test_no_screen_shows_english(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(pilot)
        await until(pilot, lambda: app.focused is not None)
        await walk.look("inicio de sesión")
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await walk.look("mi día")
        await pilot.press("ctrl+c")
        await walk.look("aviso de Ctrl+C")
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await walk.look("ayuda")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, SpanishCommandPalette))
        await walk.look("comandos")
        await type_text(pilot, "zzzq")
        await pilot.pause(0.8)
        await walk.look("comandos sin coincidencias")
        while not isinstance(app.screen, DashboardScreen):  # the first Esc empties the search
            await pilot.press("escape")
            await pilot.pause(0.1)

        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RegisterClientScreen))
        await walk.look("registrar usuaria")
        zones = app.screen.query_one("#zona-select", Select)
        await until(pilot, lambda: len(zones._options) > 1)
        zones.focus()
        await pilot.press("enter")
        await walk.look("lista desplegable")
        await pilot.press("escape")
        app.screen.query_one("#nombre-input").focus()
        await type_text(pilot, "x")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await walk.look("descartar lo escrito")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

        await open_first_case_of(pilot, "Ana Prueba")
        for number, section in enumerate(SECTIONS, start=1):
            await pilot.press(str(number))
            await walk.look(f"expediente: {section.label}")
            if app.screen.check_action("justify", ()):
                await pilot.press("enter")
                await until(pilot, lambda: isinstance(app.screen, JustificationScreen))
                await walk.look(f"motivo para {section.label}")
                await pilot.press("escape")
        await pilot.press("2")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await walk.look("usuaria")
    seen = dict(walk.seen)

    # A closure is asked for by whoever attends an area: jurídica, once assigned.
    assert seeded.case_id is not None
    coordinator = session_of(seeded, "coordinacion")
    legal_id = next(a.staff_id for a in coordinator.accounts() if a.username == "juridica")
    coordinator.assign_area(seeded.case_id, "juridica", legal_id)
    coordinator.close()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(pilot)
        await until(pilot, lambda: app.focused is not None)
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("2")
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        await walk.look("solicitar cierre")
    walk.seen = seen | walk.seen

    assert len(walk.seen) > 15
    assert walk.english() == {}


FOOTER_SIZE = (130, 40)


def footer_line(app: VioletaApp) -> str:
    svg = app.export_screenshot()
    rows: dict[str, list[str]] = {}
    for y, text in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', svg, flags=re.DOTALL):
        rows.setdefault(y, []).append(text)
    last = max(rows, key=float)
    return html.unescape("".join(rows[last])).replace("\xa0", " ")


def missing_from_footer(app: VioletaApp) -> list[str]:
    line = footer_line(app)
    shown = [
        active.binding.description
        for active in app.screen.active_bindings.values()
        if active.binding.show
    ]
    return [description for description in shown if description not in line]


@pytest.mark.parametrize("username", ["coordinacion", "juridica"])
async def test_footers_are_not_cut_at_130_columns(
    seeded: Seeded, make_app: MakeApp, username: str
) -> None:
    cut: dict[str, list[str]] = {}
    password = PASSWORD + "-j" if username == "juridica" else PASSWORD
    app = make_app(seeded.institute)
    async with app.run_test(size=FOOTER_SIZE) as pilot:
        await log_in(pilot, username, password)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        cut[f"{username}: mi día"] = missing_from_footer(app)
        await open_first_case_of(pilot, "Ana Prueba")
        for number, section in enumerate(SECTIONS, start=1):
            await pilot.press(str(number))
            await pilot.pause(0.3)
            cut[f"{username}: {section.label}"] = missing_from_footer(app)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        cut[f"{username}: usuaria"] = missing_from_footer(app)
    assert {screen: keys for screen, keys in cut.items() if keys} == {}
