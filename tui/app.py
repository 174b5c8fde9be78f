"""The staff terminal app: navigation, session lifetime, idle lock and background refresh."""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar, TypeVar

from rich.segment import Segments
from rich.traceback import Traceback
from textual import events
from textual.actions import parse
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from domain.errors import DomainError
from tui.accounts import AccountsScreen
from tui.base import ExternalChanges, SessionScreen, outcome, unexpected
from tui.case import CaseScreen
from tui.client import ClientScreen
from tui.coordination import TABS, CoordinationScreen
from tui.dashboard import DashboardScreen
from tui.directory import DirectoryScreen
from tui.drafts import IntakeDraftScreen, RegisterDraftScreen
from tui.gateway import Gateway, SessionClosed
from tui.help import HelpScreen
from tui.intake_forms import RegisterClientScreen
from tui.keymap import GLOBAL_KEYS, Key, bindings
from tui.login import ChangePasswordScreen, LoginScreen, OwnPasswordScreen
from tui.navigation import OpenCase, OpenClient, OpenCoordination, StartIntake, StartRegistration
from tui.palette import SpanishCommandPalette
from tui.roles import offered
from tui.search import SearchScreen
from violeta.dto import CaseDetail, ClientDetail
from violeta.service import Institute, StaffSession

T = TypeVar("T")

REFRESH_SECONDS = 1.0
# Not before a forced password change is done, and only for a role the service lets do it;
# locking is always possible.
CASEWORK_ACTIONS = {"search": "search_clients", "register": "register_client"}


class VioletaApp(App[None]):
    CSS_PATH = "violeta.tcss"
    TITLE = "Violeta"
    KEYMAP: ClassVar[tuple[Key, ...]] = GLOBAL_KEYS
    BINDINGS = bindings(GLOBAL_KEYS)
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        institute: Institute,
        idle_lock_seconds: float | None = None,
        login_notice: str = "",
    ) -> None:
        super().__init__()
        self.institute = institute
        self.login_notice = login_notice
        # The institute's setting (VIOLETA_IDLE_LOCK_MINUTES) unless a test gives seconds.
        minutes = institute.settings.idle_lock_minutes
        self.idle_lock_seconds = (
            idle_lock_seconds if idle_lock_seconds is not None else minutes * 60
        )
        self.gateway: Gateway | None = None
        self.last_activity = time.monotonic()
        self._refreshing = False
        self._refresh_warned = False
        # While locked: the gateway whose screens wait under the lock screen.
        self._held: Gateway | None = None
        self._close_worker: Worker[None] | None = None
        self.collector = QuietCollector()
        # A screen's first read is under way (``_read_then_show``).
        self._opening = False
        # Screens kept after they are closed, to be shown again (``_keep``).
        self._kept: dict[str, SessionScreen] = {}

    def on_mount(self) -> None:
        self.collector.start()
        self.push_screen(LoginScreen(self.institute, self.login_notice))
        self.set_interval(min(1.0, self.idle_lock_seconds / 4), self._check_idle)
        self.set_interval(REFRESH_SECONDS, self._refresh)

    def on_unmount(self) -> None:
        self.collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    # -- session lifetime -------------------------------------------------------------

    async def on_login_screen_logged_in(self, message: LoginScreen.LoggedIn) -> None:
        session = message.session
        self.last_activity = time.monotonic()
        held = self._held
        self._held = None
        if self._close_worker is not None:
            await self._close_worker.wait()  # the locked session is closed before another opens
            self._close_worker = None
        if held is not None and held.identity.staff_id == session.identity.staff_id:
            # The same person: back to what she was doing, exactly as she left it.
            held.resume(session)
            self.gateway = held
            await self.pop_screen()
            return
        await self._drop_session_screens()
        self.collector.settle()
        self.gateway = Gateway(session)
        if self.gateway.identity.must_change_password:
            self.push_screen(ChangePasswordScreen(self.gateway))
        else:
            self.push_screen(DashboardScreen(self.gateway))

    def on_change_password_screen_changed(self, message: ChangePasswordScreen.Changed) -> None:
        if self.gateway is not None:
            self.notify("Contraseña actualizada.")
            if message.forced:
                self.switch_screen(DashboardScreen(self.gateway))
            else:
                self.pop_screen()

    async def action_lock(self) -> None:
        """Closes the session and hides its screens under a login screen.

        What was on screen stays in memory, untouched, only while the app runs: the same
        person logging in again finds her form as she left it; anyone else drops it unseen.
        A forced password change is not kept: nothing on it is worth keeping.
        """
        gateway, self.gateway = self.gateway, None
        if gateway is None:
            return
        self._close_worker = self.run_worker(gateway.close, thread=True, group="close")
        if isinstance(self.screen, ChangePasswordScreen) and self.screen.FORCED:
            await self._drop_session_screens()
            return
        self._held = gateway
        # What she closed is not kept behind the lock (what is on screen is, for her).
        await self._drop_kept_screens()
        await self.push_screen(LoginScreen(self.institute, self.login_notice, locked=True))

    async def _drop_session_screens(self) -> None:
        """Back to the first login screen, discarding every screen above it."""
        while len(self.screen_stack) > 2 or not isinstance(self.screen, LoginScreen):
            await self.pop_screen()
        await self._drop_kept_screens()
        if isinstance(self.screen, LoginScreen):
            self.screen.reset()

    async def action_quit(self) -> None:
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            await self.run_worker(gateway.close, thread=True, group="close").wait()
        self.exit()

    async def _check_idle(self) -> None:
        idle = time.monotonic() - self.last_activity
        self.collector.tick(idle)
        if self.gateway is not None and idle >= self.idle_lock_seconds:
            await self.action_lock()
            self.notify("Sesión cerrada por inactividad.", severity="warning", timeout=30)

    def _refresh(self) -> None:
        gateway = self.gateway
        if gateway is None or self._refreshing:
            return
        self._refreshing = True

        def job() -> None:
            try:
                arrived = gateway.refresh()
            except SessionClosed:
                arrived = 0
            except Exception as error:
                arrived = 0
                self.call_from_thread(self._refresh_failed, error)
            finally:
                self._refreshing = False
            if arrived:
                self.call_from_thread(self._announce_changes)

        self.run_worker(job, thread=True, group="refresh")

    def _refresh_failed(self, error: Exception) -> None:
        if not self._refresh_warned:
            self._refresh_warned = True
            shown = error if isinstance(error, DomainError) else unexpected(error)
            self.notify(shown.message, severity="error", markup=False)

    def _fatal_error(self) -> None:
        # Textual's crash report prints every local variable of the traceback; here those can
        # hold a client's opened data, so the report keeps the code path and drops the values.
        self.bell()
        report = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(report, self.console.options)))
        self._close_messages_no_wait()

    def _announce_changes(self) -> None:
        if isinstance(self.screen, SessionScreen):
            self.screen.post_message(ExternalChanges())

    # -- navigation --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        gateway = self.gateway
        if action in CASEWORK_ACTIONS:
            return (
                gateway is not None
                and not isinstance(self.screen, ChangePasswordScreen)
                and offered(gateway, CASEWORK_ACTIONS[action])
            )
        if action in ("change_password", "directory"):
            return (
                gateway is not None
                and not isinstance(self.screen, ChangePasswordScreen)
                and offered(gateway, action)
            )
        if action == "lock":
            return gateway is not None
        if action == "coordination":
            tab = str(parameters[0]) if parameters else ""
            return gateway is not None and tab in TABS and offered(gateway, TABS[tab][1])
        if action == "accounts":
            return gateway is not None and (
                offered(gateway, "accounts") or offered(gateway, "accounts_to_enable")
            )
        return True

    def action_coordination(self, tab: str) -> None:
        if self.gateway is None:
            return
        if isinstance(self.screen, CoordinationScreen):
            self.screen.action_tab(tab)
        else:
            self.push_screen(CoordinationScreen(self.gateway, self.institute.today, tab))

    def on_open_coordination(self, message: OpenCoordination) -> None:
        if self.gateway is not None and message.client is not None:
            screen = CoordinationScreen(self.gateway, self.institute.today, message.tab)
            screen.about(*message.client)
            self.push_screen(screen)
        else:
            self.action_coordination(message.tab)

    def action_accounts(self) -> None:
        if self.gateway is not None and not isinstance(self.screen, AccountsScreen):
            self.push_screen(AccountsScreen(self.gateway))

    def action_directory(self) -> None:
        if self.gateway is not None and not isinstance(self.screen, DirectoryScreen):
            self.push_screen(DirectoryScreen(self.gateway))

    def action_change_password(self) -> None:
        if self.gateway is not None and not isinstance(self.screen, ChangePasswordScreen):
            self.push_screen(OwnPasswordScreen(self.gateway))

    def action_help_quit(self) -> None:
        """Ctrl+C copies inside a field; elsewhere it says how to leave, in Spanish."""
        self.notify("Pulse [b]Ctrl+Q[/b] para salir de Violeta.", title="¿Desea salir?")

    def action_search(self) -> None:
        if self.gateway is None:
            return
        if isinstance(self.screen, SearchScreen):
            self.screen.focus_query()
        else:
            self.push_screen(SearchScreen(self.gateway))

    def action_register(self) -> None:
        self.post_message(StartRegistration())

    def on_start_registration(self, _message: StartRegistration) -> None:
        if self.gateway is not None and not isinstance(self.screen, RegisterClientScreen):
            self.push_screen(RegisterDraftScreen(self.gateway, self.institute.today))

    def on_open_client(self, message: OpenClient) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        client_id = message.client_id

        def show(first: ClientDetail | DomainError, generation: int) -> None:
            kept = self._kept.get("client")
            if (
                isinstance(kept, ClientScreen)
                and kept.gateway is gateway
                and kept not in self.screen_stack
            ):
                kept.show_again(client_id, first, generation)
                screen: ClientScreen = kept
            else:
                screen = ClientScreen(gateway, client_id, first, generation)
                self._keep("client", screen)
            self._show(screen, replace=message.replace)

        self._read_then_show(gateway, lambda session: session.client_detail(client_id), show)

    def on_open_case(self, message: OpenCase) -> None:
        gateway = self.gateway
        if gateway is None:
            return
        case_id = message.case_id

        def show(first: CaseDetail | DomainError | None, generation: int | None) -> None:
            kept = self._kept.get("case")
            if (
                isinstance(kept, CaseScreen)
                and kept.gateway is gateway
                and kept not in self.screen_stack
            ):
                kept.show_again(case_id, first, generation)
                screen: CaseScreen = kept
            else:
                screen = CaseScreen(gateway, case_id, first, generation)
                self._keep("case", screen)
            self._show(screen, replace=message.replace)
            if message.announce:
                self.notify(message.announce, title="Expediente abierto")

        section = CaseScreen.opening_section(gateway)
        if section is None:
            # Her role reads no section without a reason: nothing to read before showing it.
            show(None, None)
            return
        self._read_then_show(
            gateway, lambda session: session.case_detail(case_id, section, ""), show
        )

    def _read_then_show(
        self,
        gateway: Gateway,
        read: Callable[[StaffSession], T],
        show: Callable[[T | DomainError, int], None],
    ) -> None:
        """Reads what a screen opens with, then shows the screen with it (or with the refusal).

        Composed with what it shows, a screen is laid out and drawn once; composed empty and
        filled when its read came back, it was laid out and drawn twice, and half the time it
        took to open a woman's record or a case was that. The read is the one the screen would
        make (audited once). While it runs, another request to open is not taken: the same
        Enter pressed twice opens one screen."""
        if self._opening:
            return
        self._opening = True
        generation = gateway.generation

        def job() -> None:
            try:
                first = outcome(gateway, read)
            except SessionClosed:
                self.post_message(Opened(lambda: None))
                return
            self.post_message(
                Opened(lambda: self._shown_if_current(gateway, show, first, generation))
            )

        self.run_worker(job, thread=True, group="service")

    def _shown_if_current(
        self,
        gateway: Gateway,
        show: Callable[[T | DomainError, int], None],
        first: T | DomainError,
        generation: int,
    ) -> None:
        # Locked, or another person logged in, while it was read: it is not shown.
        if self.gateway is gateway:
            show(first, generation)

    def _keep(self, kind: str, screen: SessionScreen) -> None:
        """Keeps the first screen of its kind after it is closed, to show the next woman or
        case in: composing a screen (a dozen widgets started, styled and laid out) was a
        third of the time it took to open one. A screen of its kind already on the stack (her
        record opened again from her case) is not kept."""
        if kind not in self._kept:
            self._kept[kind] = screen
            self.install_screen(screen, f"kept-{kind}")

    async def _drop_kept_screens(self) -> None:
        """The kept screens not on screen are taken down, with what they last showed."""
        for kind, screen in list(self._kept.items()):
            if screen not in self.screen_stack:
                del self._kept[kind]
                self.uninstall_screen(screen)
                await screen.remove()

    def on_opened(self, message: Opened) -> None:
        self._opening = False
        message.then()

    def on_start_intake(self, message: StartIntake) -> None:
        if self.gateway is not None:
            self.push_screen(
                IntakeDraftScreen(self.gateway, message.client_id, message.client_name)
            )

    def _show(self, screen: Screen[None], *, replace: bool) -> None:
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # -- help and command palette --------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        keys = [key for key in getattr(screen, "KEYMAP", ()) if self._usable(key, screen)]
        title = getattr(screen, "TITLE_TEXT", "") or "Inicio de sesión"
        visible = [key for key in GLOBAL_KEYS if self._usable(key, self)]
        self.push_screen(HelpScreen(title, keys, visible))

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, CommandPalette):
            self.push_screen(SpanishCommandPalette())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers exactly what the keys offer, with the same Spanish names."""
        shown = set()
        for key in getattr(screen, "KEYMAP", ()):
            if not self._usable(key, screen):
                continue
            shown.add(key.title)
            yield SystemCommand(key.title, f"Tecla: {key.label}", self._runner(key.action, screen))
        for key in GLOBAL_KEYS:
            if (
                key.action != "command_palette"
                and key.title not in shown
                and self._usable(key, self)
            ):
                yield SystemCommand(
                    key.title, f"Tecla: {key.label}", self._runner(key.action, self)
                )

    def _usable(self, key: Key, target: App[None] | Screen[object]) -> bool:
        """Whether the key would do something now: the check its target answers for it."""
        action, parameters = split_action(key.action)
        if action.startswith("app."):
            return self.check_action(action.removeprefix("app."), parameters) is not False
        return target.check_action(action, parameters) is not False

    def _runner(
        self, action: str, target: App[None] | Screen[object]
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action, target)

        return run


class Opened(Message, bubble=False):
    """A screen's first read came back (from a worker thread): ``then`` shows it."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self.then = then


class QuietCollector:
    """Full garbage collections wait until she stops typing.

    Python's cyclic collector walks the whole heap in a full collection; with an institute of
    30,000 cases open that was 30 to 100 ms, about once per case opened from search, in the
    middle of drawing it. The young generations are still collected as usual (they are
    small); the full collection is left to Python only when the app is not running, and
    done here when nothing was pressed for ``QUIET_SECONDS`` and one is due, or regardless
    once it is long overdue, so the heap never grows without bound. What is alive at each
    login (the institute, the modules, the app) is set aside from later full collections.
    """

    DUE = 10  # young-generation collections since the last full one: Python's own threshold
    OVERDUE = 100
    QUIET_SECONDS = 1.0
    NEVER = 1_000_000_000

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        young, middle, old = gc.get_threshold()
        # Another app in this process may have started one already (tests run many).
        self._saved = (young, middle, self.DUE if old == self.NEVER else old)
        gc.set_threshold(young, middle, self.NEVER)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        gc.unfreeze()

    def tick(self, quiet_for: float) -> None:
        pending = gc.get_count()[2]
        if pending >= self.OVERDUE or (pending >= self.DUE and quiet_for >= self.QUIET_SECONDS):
            gc.collect()

    @staticmethod
    def settle() -> None:
        """At a login, when a pause goes unnoticed: what the previous session left is collected
        first, so nothing set aside stays set aside once it is garbage."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def split_action(action: str) -> tuple[str, tuple[object, ...]]:
    """«case_form('refer_case')» -> («case_form», ('refer_case',))."""
    _namespace, name, parameters = parse(action)
    prefix = action.split(".", 1)[0] + "." if action.startswith("app.") else ""
    return prefix + name, tuple(parameters)


def run_app(institute: Institute, login_notice: str = "") -> None:
    app = VioletaApp(institute, login_notice=login_notice)
    try:
        app.run()
    finally:
        if app.gateway is not None:
            app.gateway.close()
