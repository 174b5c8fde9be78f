"""A small synthetic institute per test, and helpers to drive the app like a person would.

Every name here is obviously fake; snapshots store whatever the screen shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot

from domain.vocabulary import Modality, RiskLevel, Role, ViolenceType
from keys import KdfParams
from tests.support.factories import enable, initialize
from tui.app import VioletaApp
from tui.login import LoginScreen
from tui.widgets import FieldGrid
from violeta.dto import NewClient, NewIntake
from violeta.service import Institute, StaffSession
from violeta.settings import AlertThresholds, Settings

TODAY = date(2026, 11, 20)
PASSWORD = "clave-de-prueba-2026"
# The legal account changed its password at first login (``_seed``); the others did not need to.
LEGAL_PASSWORD = PASSWORD + "-j"
SIZE = (120, 40)

MakeApp = Callable[..., VioletaApp]


@dataclass(frozen=True)
class Seeded:
    institute: Institute
    zone_code: str
    zone_name: str
    ana: UUID
    case_id: UUID | None
    folio: str | None


# The office is open at every hour in tests, so no out-of-hours alert depends on the clock.
ALWAYS_OPEN = AlertThresholds(
    office_days=(0, 1, 2, 3, 4, 5, 6), office_start="00:00", office_end="23:59"
)


def _institute(path: Path) -> Institute:
    settings = Settings(data=path, alerts=ALWAYS_OPEN)
    return Institute(settings, kdf=KdfParams.fast(), today=lambda: TODAY)


def _seed(path: Path, *, with_case: bool) -> Seeded:
    institute = _institute(path)
    coordinator = initialize(institute, password=PASSWORD)
    for username, name, role in (
        ("juridica", "Julia Jurídica Prueba", Role.LEGAL),
        ("nueva", "Nora Nueva Prueba", Role.RECEPTION),
    ):
        coordinator.create_account(username, name, role, PASSWORD)
        enable(institute, username)
    zone = coordinator.zones()[0]
    ana = coordinator.register_client(
        NewClient(name="Ana Prueba Sintética", birth_date="15/03/1990", zone=zone.code)
    )
    coordinator.register_client(
        NewClient(name="Bety Ejemplo Ficticia", birth_date="02/07/1985", zone=zone.code)
    )
    case_id = folio = None
    if with_case:
        case = coordinator.open_case(
            ana,
            NewIntake(
                reason="Motivo sintético de prueba",
                narrative="Relato sintético de prueba, sin datos reales.",
                violence_types=(ViolenceType.PSYCHOLOGICAL.value, ViolenceType.ECONOMIC.value),
                modalities=(Modality.FAMILY.value,),
                risk=RiskLevel.MEDIUM.value,
            ),
        )
        case_id, folio = case.case_id, case.folio
    coordinator.close()
    # Accounts created by someone else must change their password at first login; the
    # legal account has done so already, "nueva" has not.
    legal = institute.login("juridica", PASSWORD)
    legal.change_password(PASSWORD, LEGAL_PASSWORD)
    legal.close()
    return Seeded(institute, zone.code, zone.name, ana, case_id, folio)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    data = _seed(tmp_path / "datos", with_case=True)
    yield data
    data.institute.close()


@pytest.fixture
def seeded_without_cases(tmp_path: Path) -> Iterator[Seeded]:
    data = _seed(tmp_path / "datos", with_case=False)
    yield data
    data.institute.close()


@pytest.fixture
def make_app() -> Iterator[Callable[..., VioletaApp]]:
    apps: list[VioletaApp] = []

    def make(institute: Institute, idle_lock_seconds: float = 300) -> VioletaApp:
        app = VioletaApp(institute, idle_lock_seconds=idle_lock_seconds)
        apps.append(app)
        return app

    yield make
    for app in apps:
        if app.gateway is not None:
            app.gateway.close()


def password_of(username: str) -> str:
    return LEGAL_PASSWORD if username == "juridica" else PASSWORD


@contextmanager
def as_staff(seeded: Seeded, username: str = "coordinacion") -> Iterator[StaffSession]:
    """A session of one of the seeded accounts, outside the app (to arrange what a test needs
    or to check what the app recorded), closed when the block ends."""
    session = seeded.institute.login(username, password_of(username))
    try:
        yield session
    finally:
        session.close()


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 20) -> None:
    """Waits for worker threads and messages until ``condition`` holds. A widget not there
    yet is not yet: a screen is current before it is composed (a condition about a screen
    that was just shown may look for its widgets first)."""
    deadline = time.monotonic() + timeout
    while not holds(condition):
        if time.monotonic() > deadline:
            raise AssertionError("la condición no se cumplió a tiempo")
        await pilot.pause(0.05)


def holds(condition: Callable[[], bool]) -> bool:
    try:
        return condition()
    except NoMatches:
        return False


def at_login_screen(pilot: Pilot[None]) -> bool:
    """The login screen is on top and composed: a screen is current before its widgets mount."""
    screen = pilot.app.screen
    return isinstance(screen, LoginScreen) and bool(screen.query("#usuario"))


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def log_in(pilot: Pilot[None], username: str, password: str) -> None:
    await until(pilot, lambda: pilot.app.focused is not None)
    await type_text(pilot, username)
    await pilot.press("enter")
    await type_text(pilot, password)
    await pilot.press("enter")


def text_of(pilot: Pilot[None], selector: str) -> str:
    """The plain text a Static shows right now."""
    widget = pilot.app.screen.query_one(selector)
    return str(widget.render())


def field_text(pilot: Pilot[None], key: str) -> str:
    """The plain text one field of her record (the client screen's ``#ficha``) shows."""
    return pilot.app.screen.query_one("#ficha", FieldGrid).value(key)
