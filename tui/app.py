"""The staff terminal app: navigation, session lifetime, idle lock and background refresh."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar

from rich.segment import Segments
from rich.traceback import Traceback
from textual import events
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from tui.base import ExternalChanges, SessionScreen, unexpected
from tui.case import CaseScreen
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.forms import IntakeScreen, RegisterClientScreen
from tui.gateway import Gateway, SessionClosed
from tui.help import HelpScreen
from tui.keymap import GLOBAL_KEYS, Key, bindings
from tui.login import ChangePasswordScreen, LoginScreen
from tui.navigation import OpenCase, OpenClient, StartIntake, StartRegistration
from tui.search import SearchScreen
from violeta.service import Institute

REFRESH_SECONDS = 1.0
# Not before a forced password change is done; locking is always possible.
CASEWORK_ACTIONS = {"search", "register"}


class VioletaApp(App[None]):
    CSS_PATH = "violeta.tcss"
    TITLE = "Violeta"
    KEYMAP: ClassVar[tuple[Key, ...]] = GLOBAL_KEYS
    BINDINGS = bindings(GLOBAL_KEYS)
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self, institute: Institute, idle_lock_seconds: float = 300, login_notice: str = ""
    ) -> None:
        super().__init__()
        self.institute = institute
        self.login_notice = login_notice
        self.idle_lock_seconds = idle_lock_seconds
        self.gateway: Gateway | None = None
        self.last_activity = time.monotonic()
        self._refreshing = False
        self._refresh_warned = False

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.institute, self.login_notice))
        self.set_interval(min(1.0, self.idle_lock_seconds / 4), self._check_idle)
        self.set_interval(REFRESH_SECONDS, self._refresh)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    # -- session lifetime -------------------------------------------------------------

    def on_login_screen_logged_in(self, message: LoginScreen.LoggedIn) -> None:
        self.gateway = Gateway(message.session)
        self.last_activity = time.monotonic()
        if self.gateway.identity.must_change_password:
            self.push_screen(ChangePasswordScreen(self.gateway))
        else:
            self.push_screen(DashboardScreen(self.gateway))

    def on_change_password_screen_changed(self, _message: ChangePasswordScreen.Changed) -> None:
        if self.gateway is not None:
            self.notify("Contraseña actualizada.")
            self.switch_screen(DashboardScreen(self.gateway))

    async def action_lock(self) -> None:
        """Closes the session and drops every screen that showed data, back to login."""
        gateway, self.gateway = self.gateway, None
        if gateway is None:
            return
        self.run_worker(gateway.close, thread=True, group="close")
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen):
                screen.reset()
        while not isinstance(self.screen, LoginScreen):
            await self.pop_screen()

    async def action_quit(self) -> None:
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            await self.run_worker(gateway.close, thread=True, group="close").wait()
        self.exit()

    async def _check_idle(self) -> None:
        idle = time.monotonic() - self.last_activity
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
            self.notify(unexpected(error).message, severity="error", markup=False)

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
        if action in CASEWORK_ACTIONS:
            return self.gateway is not None and not isinstance(self.screen, ChangePasswordScreen)
        if action == "lock":
            return self.gateway is not None
        return True

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
            self.push_screen(RegisterClientScreen(self.gateway, self.institute.today))

    def on_open_client(self, message: OpenClient) -> None:
        if self.gateway is not None:
            self._show(ClientScreen(self.gateway, message.client_id), replace=message.replace)

    def on_open_case(self, message: OpenCase) -> None:
        if self.gateway is None:
            return
        self._show(CaseScreen(self.gateway, message.case_id), replace=message.replace)
        if message.announce:
            self.notify(message.announce, title="Expediente abierto")

    def on_start_intake(self, message: StartIntake) -> None:
        if self.gateway is not None:
            self.push_screen(IntakeScreen(self.gateway, message.client_id, message.client_name))

    def _show(self, screen: Screen[None], *, replace: bool) -> None:
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # -- help and command palette --------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        keys = getattr(self.screen, "KEYMAP", ())
        title = getattr(self.screen, "TITLE_TEXT", "") or "Inicio de sesión"
        visible = [key for key in GLOBAL_KEYS if self._available(key)]
        self.push_screen(HelpScreen(title, keys, visible))

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(placeholder="Buscar comando…", id="--command-palette"))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers exactly what the keys offer, with the same Spanish names."""
        offered = set()
        for key in getattr(screen, "KEYMAP", ()):
            if screen.check_action(key.action.split("(")[0], ()) is False:
                continue
            offered.add(key.description)
            yield SystemCommand(
                key.description, f"Tecla: {key.label}", self._runner(key.action, screen)
            )
        for key in GLOBAL_KEYS:
            if (
                key.action != "command_palette"
                and key.description not in offered
                and self._available(key)
            ):
                yield SystemCommand(
                    key.description, f"Tecla: {key.label}", self._runner(key.action, self)
                )

    def _available(self, key: Key) -> bool:
        return bool(self.check_action(key.action, ()))

    def _runner(
        self, action: str, target: App[None] | Screen[object]
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action, target)

        return run


def run_app(institute: Institute, login_notice: str = "") -> None:
    app = VioletaApp(institute, login_notice=login_notice)
    try:
        app.run()
    finally:
        if app.gateway is not None:
            app.gateway.close()
