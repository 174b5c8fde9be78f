"""Staff accounts: creation, password change, listing, deactivation, reactivation and
password reset.

An account is two things: the StaffAccount aggregate (who, which role, active or not) and her
key slot in the keyring (the password that unwraps the master key). Deactivating removes the
slot, so a person who left can no longer unlock anything even if she still knows her password;
administración reads no case content, and nothing here opens any.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.accounts import StaffAccount
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from keys import Keyring, KeyringError
from violeta.dto import AccountView
from violeta.session import SessionCore, load_aggregate

ACCOUNT_MANAGERS = (Role.ADMINISTRATION, Role.COORDINATION)
NO_SUCH_ACCOUNT = "No existe una cuenta con ese identificador."


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
        only the synthetic demo, whose password is printed for everyone, skips that."""
        if self.role not in ACCOUNT_MANAGERS:
            raise NotPermitted("Solo administración o coordinación pueden crear cuentas.")
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

    def _managed_account(self, staff_id: UUID, *roles: Role) -> StaffAccount:
        if self.role not in roles:
            labels = " o ".join(role.label.lower() for role in roles)
            raise NotPermitted(f"Solo {labels} puede administrar cuentas del personal.")
        return load_aggregate(self._store, staff_id, StaffAccount, NO_SUCH_ACCOUNT)

    def accounts(self) -> list[AccountView]:
        if self.role not in ACCOUNT_MANAGERS:
            raise NotPermitted("Solo administración o coordinación pueden ver las cuentas.")
        self.refresh()
        rows = self._views.query("SELECT * FROM staff_view ORDER BY display_name")
        views = []
        for row in rows:
            slot = Keyring.slot_info(self._institute.keystore, row["username"])
            views.append(
                AccountView(
                    staff_id=UUID(row["staff_id"]),
                    username=row["username"],
                    display_name=row["display_name"],
                    role=Role(row["role"]).label,
                    active=bool(row["active"]),
                    must_change_password=slot is not None and slot.must_change_password,
                )
            )
        return views

    def deactivate_account(self, staff_id: UUID) -> None:
        account = self._managed_account(staff_id, *ACCOUNT_MANAGERS)
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
        """She gets a new slot with a temporary password to change at her first login."""
        account = self._managed_account(staff_id, *ACCOUNT_MANAGERS)
        account.reactivate(self._account.id)
        self._add_password_slot(account, initial_password, must_change_password=True)
        self._store.save(account)

    def reset_password(self, staff_id: UUID, temporary_password: str) -> None:
        """Administración only; the new password must be changed at the next login."""
        account = self._managed_account(staff_id, Role.ADMINISTRATION)
        account.reset_password(self._account.id)
        try:
            self._keyring.reset_password(account.username, temporary_password)
        except KeyringError as error:
            raise DomainError(str(error)) from None
        self._store.save(account)
