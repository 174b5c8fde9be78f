"""Login and the forced change of password on first login."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from domain.errors import DomainError, InvalidField
from tui.base import SessionScreen, unexpected
from tui.dialogs import leave_asking_if_typed
from tui.footer import KeyFooter
from tui.keymap import LOGIN_KEYS, OWN_PASSWORD_KEYS, PASSWORD_KEYS, Key, bindings
from tui.widgets import FormField
from violeta.service import Institute, LoginFailed, StaffSession

INSTITUTION = "Dirección de Atención Integral a las Mujeres · Cortazar, Guanajuato"


class LoginScreen(Screen[None]):
    KEYMAP: ClassVar[tuple[Key, ...]] = LOGIN_KEYS
    BINDINGS = bindings(LOGIN_KEYS)
    AUTO_FOCUS = "#usuario"

    class LoggedIn(Message):
        def __init__(self, session: StaffSession) -> None:
            super().__init__()
            self.session = session

    class Refused(Message, bubble=False):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, institute: Institute, notice: str = "", *, locked: bool = False) -> None:
        super().__init__()
        self.institute = institute
        self.notice = notice
        self.locked = locked

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Static("[b]Violeta[/b]", id="login-title")
            yield Static(INSTITUTION, id="login-subtitle")
            if self.locked:
                yield Static(
                    "Sesión bloqueada. Quien la bloqueó vuelve a lo que hacía al entrar de "
                    "nuevo; otra persona empieza una sesión nueva.",
                    id="login-locked",
                    classes="explain",
                )
            yield Label("Usuario", classes="field-label")
            yield Input(id="usuario", placeholder="usuario")
            yield Label("Contraseña", classes="field-label")
            yield Input(id="contrasena", password=True)
            yield Static("", id="login-message", classes="field-message", markup=False)
            if self.notice:
                yield Static(self.notice, id="login-notice", classes="muted", markup=False)
        yield KeyFooter()

    @on(Input.Submitted, "#usuario")
    def next_field(self) -> None:
        self.query_one("#contrasena", Input).focus()

    @on(Input.Submitted, "#contrasena")
    def action_submit(self) -> None:
        username = self.query_one("#usuario", Input).value
        password = self.query_one("#contrasena", Input)
        if not username.strip() or not password.value:
            self._say("Escriba su usuario y su contraseña.")
            return
        self._say("Verificando…", problem=False)
        self.verify(username, password.value)
        password.value = ""

    def reset(self) -> None:
        """Back to an empty form (after logging out or an idle lock)."""
        self.query_one("#usuario", Input).value = ""
        self.query_one("#contrasena", Input).value = ""
        self._say("", problem=False)
        self.query_one("#usuario", Input).focus()

    # -- service calls ------------------------------------------------------------------

    def verify(self, username: str, password: str) -> None:
        def job() -> None:
            try:
                session = self.institute.login(username, password)
            except (LoginFailed, DomainError) as error:
                # A damaged account record or slot says so, in Spanish, like a refusal.
                self.post_message(self.Refused(error.message))
                return
            except Exception as error:
                # Never a crash, and never the error's own (English) text.
                self.post_message(self.Refused(unexpected(error).message))
                return
            self.post_message(self.LoggedIn(session))

        self.run_worker(job, thread=True, exclusive=True, group="login")

    # -------------------------------------------------------------------------------------

    def on_login_screen_refused(self, message: Refused) -> None:
        self._say(message.reason)
        self.query_one("#contrasena", Input).focus()

    def on_login_screen_logged_in(self, _message: LoggedIn) -> None:
        self._say("", problem=False)
        self.query_one("#usuario", Input).value = ""

    def _say(self, text: str, *, problem: bool = True) -> None:
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_class(problem and bool(text), "-problem")


def _new_password_check(text: str) -> None:
    if not text:
        raise InvalidField("Contraseña nueva", "es obligatoria.")


class ChangePasswordScreen(SessionScreen):
    """First login with a password someone else set: it must be replaced before anything else."""

    KEYMAP = PASSWORD_KEYS
    BINDINGS = bindings(PASSWORD_KEYS)
    TITLE_TEXT = "Cambio de contraseña"

    FORCED = True
    EXPLANATION = (
        "Su contraseña fue asignada por otra persona. Antes de continuar, elija una "
        "contraseña nueva que solo usted conozca."
    )

    class Changed(Message):
        def __init__(self, forced: bool) -> None:
            super().__init__()
            self.forced = forced

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        with Center(), Vertical(id="password-box"):
            yield Static(self.EXPLANATION, classes="explain")
            yield FormField("Contraseña actual", _required, id="actual", password=True)
            yield FormField("Contraseña nueva", _new_password_check, id="nueva", password=True)
            yield FormField("Repita la contraseña nueva", _required, id="repetida", password=True)
            yield Static("", id="password-message", classes="field-message -problem", markup=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#actual-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "repetida-input":
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        current = self.query_one("#actual", FormField)
        new = self.query_one("#nueva", FormField)
        repeated = self.query_one("#repetida", FormField)
        self.query_one("#password-message", Static).update("")
        if not all([current.validate(), new.validate(), repeated.validate()]):
            return
        if new.value != repeated.value:
            repeated.show_problem("No coincide con la contraseña nueva.")
            return
        if new.value == current.value:
            new.show_problem("Debe ser distinta de la actual.")
            return
        self.change(current.value, new.value)

    # -- service calls ------------------------------------------------------------------

    def change(self, current: str, new: str) -> None:
        self.run_service(
            lambda session: session.change_password(current, new),
            lambda _: self.Changed(self.FORCED),
            writes=True,
        )

    # -------------------------------------------------------------------------------------

    def handle_failure(self, error: DomainError) -> None:
        self.query_one("#password-message", Static).update(error.message)


class OwnPasswordScreen(ChangePasswordScreen):
    """Mis datos: she changes her own password whenever she wants to."""

    KEYMAP = OWN_PASSWORD_KEYS
    BINDINGS = bindings(OWN_PASSWORD_KEYS)
    TITLE_TEXT = "Mis datos · cambiar mi contraseña"
    FORCED = False
    EXPLANATION = (
        "Escriba su contraseña actual y la nueva dos veces. La nueva protege su llave: "
        "nadie más debe conocerla."
    )

    def action_back(self) -> None:
        """Esc asks before throwing away what was typed, as in every form."""
        typed = any(field.value for field in self.query(FormField))
        leave_asking_if_typed(self, typed, self.app.pop_screen)


def _required(text: str) -> None:
    if not text:
        raise InvalidField("Contraseña", "es obligatoria.")
