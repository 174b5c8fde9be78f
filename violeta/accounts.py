"""Staff accounts: creation, enabling, password change, listing, deactivation, reactivation
and password reset.

An account is two things: the StaffAccount aggregate (who, which role, active or not, enabled
or not) and her key slot in the keyring. A new, reactivated or reset slot holds the master key
only: it can change its password and nothing else until a second person who holds the duty
keys her role needs enables it (coordinación for case roles and administración, psicología
for psychology) or the recovery key does. Deactivating removes the slot.

This module holds what the account handlers (violeta/handlers/accounts.py), the account list
(violeta/queries/accounts.py) and ``Institute.enable_with_recovery_key`` share; who may run
each command is in violeta/policy.py."""

from __future__ import annotations

from uuid import UUID

from domain.accounts import StaffAccount
from domain.errors import DomainError, InvalidField, NotPermitted
from keys import Keyring, KeyringError, KeyStore, UnlockedKeyring
from violeta.roles import ENABLERS, ROLE_DUTIES
from violeta.session import SessionContext
from violeta.store import CaseStore, load_aggregate

NO_SUCH_ACCOUNT = "No existe una cuenta con ese identificador."


def enable_slot(
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


def managed_account(ctx: SessionContext, staff_id: UUID) -> StaffAccount:
    return load_aggregate(ctx._store, staff_id, StaffAccount, NO_SUCH_ACCOUNT)
