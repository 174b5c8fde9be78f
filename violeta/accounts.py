"""Staff accounts: creation, enabling, password change, listing, deactivation, reactivation
and password reset.

An account is two things: the StaffAccount aggregate (who, which role, active or not, enabled
or not) and her key slot in the keyring. A new, reactivated or reset slot holds the master key
only: it can change its password and nothing else until a second person who holds the duty
keys her role needs enables it (coordinación for case roles and administración, psicología
for psychology) or the recovery key does. Deactivating removes the slot. Who may run each
method is in violeta/policy.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.accounts import StaffAccount
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from keys import Keyring, KeyringError, KeyStore, UnlockedKeyring
from violeta.dto import AccountView
from violeta.roles import ENABLERS, ROLE_DUTIES
from violeta.session import SessionCore, load_aggregate
from violeta.store import CaseStore

NO_SUCH_ACCOUNT = "No existe una cuenta con ese identificador."


def enable_account(
    keystore: KeyStore,
    keyring: UnlockedKeyring,
    store: CaseStore,
    username: str,
    enabled_by: StaffAccount | None,
) -> StaffAccount:
    """Seals her role's duty keys to her slot, then records the enabling. The keys go first:
    a slot with keys whose account is not marked enabled is still refused at login, and
    repeating the command completes it."""
    slot = Keyring.slot_info(keystore, username)
    if slot is None:
        raise InvalidField("Usuario", "no existe una cuenta con ese nombre de usuario.")
    account = load_aggregate(store, UUID(slot.account_id), StaffAccount, NO_SUCH_ACCOUNT)
    if enabled_by is not None and enabled_by.role is not ENABLERS[account.role]:
        raise NotPermitted(
            f"Una cuenta de {account.role.label.lower()} la habilita "
            f"{ENABLERS[account.role].label.lower()} o la llave de recuperación."
        )
    duties = sorted(ROLE_DUTIES[account.role])
    account.check_may_enable(None if enabled_by is None else enabled_by.id)
    try:
        keyring.enable_slot(username, duties)
    except KeyringError as error:
        raise DomainError(str(error)) from None
    account.enable(None if enabled_by is None else enabled_by.id, [d.value for d in duties])
    store.save(account)
    return account


class Accounts(SessionCore):
    def create_account(
        self,
        username: str,
        display_name: str,
        role: Role,
        initial_password: str,
        *,
        must_change_password: bool = True,
    ) -> UUID:
        """Someone else chose the password, so by default she must replace it at first login;
        only the synthetic demo, whose password is printed for everyone, skips that. Her slot
        holds no duty key until a second person enables it."""
        account = StaffAccount.open(
            account_id=uuid4(),
            username_text=username,
            display_name=display_name,
            role=role,
            opened_by=self._account.id,
        )
        if Keyring.slot_info(self._institute.keystore, account.username) is not None:
            raise InvalidField("Usuario", "ya existe una cuenta con ese nombre de usuario.")
        self._add_password_slot(account, initial_password, must_change_password)
        self._store.save(account)
        return account.id

    def enable_account(self, staff_id: UUID) -> None:
        """The second person of an account: never the one who created, reset or reactivated
        her slot (policy: SecondPerson.ENABLING)."""
        account = load_aggregate(self._store, staff_id, StaffAccount, NO_SUCH_ACCOUNT)
        enable_account(
            self._institute.keystore,
            self._keyring,
            self._store,
            account.username,
            self._current_account(),
        )

    def rotate_master_key(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """A new master key and new duty keys (those this account holds: coordinación's
        «expediente»), in one transaction (a kill leaves the old ones whole; running it again
        finishes it): the institution key and every key a rotated duty key wraps are
        rewrapped, and the new keys are sent to every slot. Events and the women's own keys
        are untouched, and no one needs a new password. Returns the duties rotated."""
        try:
            return sorted(duty.value for duty in self._keyring.rotate_keys(progress))
        except KeyringError as error:
            raise DomainError(str(error)) from None

    def change_password(self, old_password: str, new_password: str) -> None:
        try:
            self._keyring.change_password(self._account.username, old_password, new_password)
        except KeyringError as error:
            raise DomainError(str(error)) from None

    def _add_password_slot(
        self, account: StaffAccount, password: str, must_change_password: bool
    ) -> None:
        try:
            self._keyring.add_password_slot(
                account.username,
                password,
                account_id=str(account.id),
                must_change_password=must_change_password,
                kdf=self._institute.kdf,
            )
        except KeyringError as error:
            raise DomainError(str(error)) from None

    def _managed_account(self, staff_id: UUID) -> StaffAccount:
        return load_aggregate(self._store, staff_id, StaffAccount, NO_SUCH_ACCOUNT)

    def accounts(self) -> list[AccountView]:
        self.refresh()
        rows = self._views.query(
            "SELECT s.*, e.enabled FROM staff_view s LEFT JOIN staff_enabled e "
            "ON e.staff_id = s.staff_id ORDER BY s.display_name"
        )
        views = []
        for row in rows:
            slot = Keyring.slot_info(self._institute.keystore, row["username"])
            # Views built before staff_enabled existed: the account itself says.
            enabled = (
                bool(row["enabled"])
                if row["enabled"] is not None
                else self._managed_account(UUID(row["staff_id"])).enabled
            )
            views.append(
                AccountView(
                    staff_id=UUID(row["staff_id"]),
                    username=row["username"],
                    display_name=row["display_name"],
                    role=Role(row["role"]).label,
                    active=bool(row["active"]),
                    must_change_password=slot is not None and slot.must_change_password,
                    enabled=enabled
                    and slot is not None
                    and ROLE_DUTIES[Role(row["role"])] <= slot.duties,
                )
            )
        return views

    def accounts_to_enable(self) -> list[AccountView]:
        """The active accounts waiting for someone of this role to enable them (psicología:
        psychology's; coordinación: the rest). Lets psicología, who lists no other accounts,
        find whom to enable; the second-person rule is still the enabling's own."""
        roles = {role.label: role for role in Role}
        return [
            view
            for view in self.accounts()
            if view.active and not view.enabled and ENABLERS[roles[view.role]] is self.role
        ]

    def deactivate_account(self, staff_id: UUID) -> None:
        account = self._managed_account(staff_id)
        account.deactivate(self._account.id)
        if account.role is Role.COORDINATION and self._active_coordinators() <= 1:
            # Closures and erasures need a coordinación approval: someone must remain.
            raise DomainError("No se puede desactivar la última cuenta activa de coordinación.")
        # The slot goes first: an account marked inactive whose password still unwraps the
        # master key would be worse than the reverse, which repeating this command completes.
        if Keyring.slot_info(self._institute.keystore, account.username) is not None:
            try:
                self._keyring.remove_slot(account.username)
            except KeyringError as error:
                raise DomainError(str(error)) from None
        self._store.save(account)

    def _active_coordinators(self) -> int:
        self.refresh()
        return self._count(
            "SELECT COUNT(*) AS n FROM staff_view WHERE role = ? AND active = 1",
            (Role.COORDINATION.value,),
        )

    def reactivate_account(self, staff_id: UUID, initial_password: str) -> None:
        """She gets a new slot with a temporary password to change at her first login, to be
        enabled again by someone else."""
        account = self._managed_account(staff_id)
        account.reactivate(self._account.id)
        self._add_password_slot(account, initial_password, must_change_password=True)
        self._store.save(account)

    def reset_password(self, staff_id: UUID, temporary_password: str) -> None:
        """The new password must be changed at the next login, and the slot, which lost its
        duty keys, must be enabled by someone other than the one who reset it."""
        account = self._managed_account(staff_id)
        account.reset_password(self._account.id, datetime.now(UTC))
        try:
            self._keyring.reset_password(account.username, temporary_password)
        except KeyringError as error:
            raise DomainError(str(error)) from None
        self._store.save(account)
