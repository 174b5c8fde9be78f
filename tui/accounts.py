"""Administración: the staff accounts, and what the service lets each role do with them.

Administración and coordinación list and create accounts and (de)activate them; only
administración resets a password; an account is enabled by a second person of the role the
service names for it (coordinación for the case roles and administración, psicología for
psychology), never by whoever created, reset or reactivated it. Every key is offered from the
service's policy table; a second-person refusal comes from the service itself.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from domain.vocabulary import Role
from tui.base import SessionScreen
from tui.dialogs import ConfirmScreen
from tui.forms import Field, Values
from tui.gateway import Gateway
from tui.keymap import ACCOUNTS_KEYS, bindings
from tui.records import RecordForm, RecordScreen
from tui.roles import offered
from tui.widgets import Table, cells
from violeta.dto import AccountView
from violeta.roles import ENABLERS
from violeta.service import StaffSession

# Action of this screen -> the service command it runs.
ACCOUNT_ACTIONS = {
    "new_account": "create_account",
    "reset_password": "reset_password",
    "enable_account": "enable_account",
    "deactivate_account": "deactivate_account",
    "reactivate_account": "reactivate_account",
}
TELL_IN_PERSON = "Se la dice en persona; deberá cambiarla al entrar."
NOT_SECOND = (
    "Usted no puede habilitar esta cuenta: la creó, restableció o reactivó usted, o quien "
    "preparó la suya. Debe habilitarla otra persona."
)


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        return Role.RECEPTION  # never offered: the choice list holds the roles only


NEW_ACCOUNT = RecordForm(
    title="Nueva cuenta del personal",
    done="Cuenta creada. Debe habilitarla una segunda persona antes de que trabaje.",
    method="create_account",
    fields=(
        Field("usuario", "Usuario", "text", placeholder="minúsculas, p. ej. mlopez"),
        Field("nombre", "Nombre", "text", hint="Como lo verán sus compañeras."),
        Field("rol", "Rol", "choice", tuple((role.label, role.value) for role in Role)),
        Field("clave", "Contraseña", "text", password=True, hint=TELL_IN_PERSON),
    ),
    save=lambda session, _subject, v: session.create_account(
        v["usuario"], v["nombre"], _role(v["rol"]), v["clave"]
    ),
)


def password_form(
    title: str, done: str, method: str, save: Callable[[StaffSession, UUID, Values], object]
) -> RecordForm:
    return RecordForm(
        title=title,
        done=done,
        method=method,
        fields=(Field("clave", "Contraseña", "text", password=True, hint=TELL_IN_PERSON),),
        save=save,
    )


RESET = password_form(
    "Restablecer contraseña",
    "Contraseña restablecida. La cuenta debe habilitarse de nuevo por otra persona.",
    "reset_password",
    lambda session, staff_id, v: session.reset_password(staff_id, v["clave"]),
)
REACTIVATE = password_form(
    "Reactivar cuenta",
    "Cuenta reactivada. Debe habilitarla una segunda persona.",
    "reactivate_account",
    lambda session, staff_id, v: session.reactivate_account(staff_id, v["clave"]),
)


class AccountsScreen(SessionScreen):
    KEYMAP = ACCOUNTS_KEYS
    BINDINGS = bindings(ACCOUNTS_KEYS)
    TITLE_TEXT = "Administración de cuentas"
    RELOADABLE = True
    AUTO_FOCUS = "#cuentas"

    class Loaded(Message, bubble=False):
        def __init__(self, accounts: list[AccountView]) -> None:
            super().__init__()
            self.accounts = accounts

    class Changed(Message, bubble=False):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        self._rows: dict[str, AccountView] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static(
            "Una cuenta nueva, restablecida o reactivada no trabaja hasta que otra persona la "
            "habilita (coordinación; psicología habilita a psicología).",
            classes="explain",
        )
        table: DataTable[str] = Table(id="cuentas", cursor_type="row", zebra_stripes=True)
        table.add_columns("Nombre", "Usuario", "Rol", "Estado", "Habilitada", "Contraseña")
        yield table
        yield Static("", id="cuentas-vacio", classes="muted", markup=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.mark_fresh()
        if offered(self.gateway, "accounts"):
            self.run_service(lambda session: session.accounts(), self.Loaded)
        else:  # psicología: only the accounts she may enable
            self.run_service(lambda session: session.accounts_to_enable(), self.Loaded)

    def _focused(self) -> AccountView | None:
        table = self.query_one("#cuentas", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        command = ACCOUNT_ACTIONS.get(action)
        if command is None:
            return True
        if not offered(self.gateway, command):
            return False
        if action == "new_account":
            return True
        account = self._focused()
        # Her own password is changed in Mis datos; she never disables herself.
        if account is None or account.staff_id == self.gateway.identity.staff_id:
            return False
        return self._fits(action, account)

    def _fits(self, action: str, account: AccountView) -> bool:
        """What the account's state allows: reactivate an inactive one, the rest on active
        ones; enabling by the role the service names as her enabler, while still pending."""
        if action == "reactivate_account":
            return not account.active
        if action == "enable_account":
            role = next((r for r in Role if r.label == account.role), None)
            return (
                account.active
                and not account.enabled
                and role is not None
                and ENABLERS[role] is self.gateway.identity.role
                # Not by whoever created, reset or reactivated it, nor by someone whose own
                # account that person set up: the service's second-person rule.
                and offered(self.gateway, "enable_account", subject=account.staff_id)
            )
        return account.active

    def _push(self, form: RecordForm, account: AccountView | None) -> None:
        subject = account.staff_id if account is not None else UUID(int=0)
        heading = f"{account.display_name} ({account.username})" if account is not None else ""

        def done(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, subject, heading, form), done)

    def action_new_account(self) -> None:
        self._push(NEW_ACCOUNT, None)

    def action_reset_password(self) -> None:
        if (account := self._focused()) is not None:
            self._push(RESET, account)

    def action_reactivate_account(self) -> None:
        if (account := self._focused()) is not None:
            self._push(REACTIVATE, account)

    def action_enable_account(self) -> None:
        account = self._focused()
        if account is None:
            return
        staff_id = account.staff_id
        self._confirm(
            "Habilitar cuenta",
            f"¿Habilitar la cuenta de {account.display_name} ({account.role})? Recibirá las "
            "llaves de su rol y podrá trabajar.",
            lambda session: session.enable_account(staff_id),
            f"Cuenta de {account.display_name} habilitada.",
        )

    def action_deactivate_account(self) -> None:
        account = self._focused()
        if account is None:
            return
        staff_id = account.staff_id
        self._confirm(
            "Desactivar cuenta",
            f"¿Desactivar la cuenta de {account.display_name}? Ya no podrá entrar; lo que "
            "registró se conserva.",
            lambda session: session.deactivate_account(staff_id),
            f"Cuenta de {account.display_name} desactivada.",
        )

    def _confirm(
        self, title: str, question: str, call: Callable[[StaffSession], object], done: str
    ) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_service(call, lambda _: self.Changed(done), writes=True)

        self.app.push_screen(ConfirmScreen(title, question), answered)

    def on_accounts_screen_changed(self, message: Changed) -> None:
        self.notify(message.text)
        self.action_reload()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()
        self._explain()

    def _explain(self) -> None:
        """Why «h» is missing on a pending account of her role's to enable, if it is."""
        account = self._focused()
        not_second = (
            account is not None
            and account.staff_id != self.gateway.identity.staff_id
            and account.active
            and not account.enabled
            and self._fits("enable_account", account) is False
            and offered(self.gateway, "enable_account")
            and next((r for r in Role if r.label == account.role), None) in self._enabled_by_me()
        )
        if self._rows:
            self.query_one("#cuentas-vacio", Static).update(NOT_SECOND if not_second else "")

    def _enabled_by_me(self) -> set[Role]:
        return {role for role, enabler in ENABLERS.items() if enabler is self.gateway.identity.role}

    def on_accounts_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#cuentas", DataTable)
        focused = self._focused()
        table.clear()
        self._rows = {str(item.staff_id): item for item in message.accounts}
        for item in message.accounts:
            table.add_row(
                *cells(
                    item.display_name,
                    item.username,
                    item.role,
                    "Activa" if item.active else "Desactivada",
                    "Sí" if item.enabled else "Pendiente",
                    "Temporal" if item.must_change_password else "Propia",
                ),
                key=str(item.staff_id),
            )
        self.query_one("#cuentas-vacio", Static).update(
            ""
            if message.accounts
            else "No hay cuentas."
            if offered(self.gateway, "accounts")
            else "Ninguna cuenta espera que usted la habilite."
        )
        if focused is not None and str(focused.staff_id) in self._rows:
            # The cursor stays on the account just changed, not back on the first row.
            table.move_cursor(row=table.get_row_index(str(focused.staff_id)))
        self.refresh_bindings()
        self._explain()
