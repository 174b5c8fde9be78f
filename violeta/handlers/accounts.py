"""Handlers: staff accounts and their key slots."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.accounts import StaffAccount
from domain.errors import DomainError, InvalidField
from domain.vocabulary import Role
from keys import Keyring, KeyringError
from violeta.accounts import NO_SUCH_ACCOUNT, enable_slot, managed_account
from violeta.commands import (
    ChangePassword,
    CreateAccount,
    DeactivateAccount,
    EnableAccount,
    ReactivateAccount,
    RebuildViews,
    ResetPassword,
    RotateMasterKey,
)
from violeta.session import SessionContext
from violeta.store import load_aggregate


def create_account(ctx: SessionContext, command: CreateAccount) -> UUID:
    """Someone else chose the password, so by default she must replace it at first login;
    only the synthetic demo, whose password is printed for everyone, skips that. Her slot
    holds no duty key until a second person enables it."""
    account = StaffAccount.open(
        account_id=uuid4(),
        username_text=command.username,
        display_name=command.display_name,
        role=command.role,
        opened_by=ctx._account.id,
    )
    if Keyring.slot_info(ctx._institute.keystore, account.username) is not None:
        raise InvalidField("Usuario", "ya existe una cuenta con ese nombre de usuario.")
    _add_password_slot(ctx, account, command.initial_password, command.must_change_password)
    ctx._store.save(account)
    return account.id


def enable_account(ctx: SessionContext, command: EnableAccount) -> None:
    """The second person of an account: never the one who created, reset or reactivated
    her slot (policy: SecondPerson.ENABLING)."""
    account = load_aggregate(ctx._store, command.staff_id, StaffAccount, NO_SUCH_ACCOUNT)
    enable_slot(
        ctx._institute.keystore,
        ctx._keyring,
        ctx._store,
        account.username,
        ctx._current_account(),
    )


def rotate_master_key(ctx: SessionContext, command: RotateMasterKey) -> list[str]:
    """A new master key and new duty keys (those this account holds: coordinación's
    «expediente»), in one transaction (a kill leaves the old ones whole; running it again
    finishes it): the institution key and every key a rotated duty key wraps are
    rewrapped, and the new keys are sent to every slot. Events and the women's own keys
    are untouched, and no one needs a new password. Returns the duties rotated."""
    try:
        return sorted(duty.value for duty in ctx._keyring.rotate_keys(command.progress))
    except KeyringError as error:
        raise DomainError(str(error)) from None


def change_password(ctx: SessionContext, command: ChangePassword) -> None:
    try:
        ctx._keyring.change_password(
            ctx._account.username, command.old_password, command.new_password
        )
    except KeyringError as error:
        raise DomainError(str(error)) from None


def deactivate_account(ctx: SessionContext, command: DeactivateAccount) -> None:
    account = managed_account(ctx, command.staff_id)
    account.deactivate(ctx._account.id)
    if account.role is Role.COORDINATION and _active_coordinators(ctx) <= 1:
        # Closures and erasures need a coordinación approval: someone must remain.
        raise DomainError("No se puede desactivar la última cuenta activa de coordinación.")
    # The slot goes first: an account marked inactive whose password still unwraps the
    # master key would be worse than the reverse, which repeating this command completes.
    if Keyring.slot_info(ctx._institute.keystore, account.username) is not None:
        try:
            ctx._keyring.remove_slot(account.username)
        except KeyringError as error:
            raise DomainError(str(error)) from None
    ctx._store.save(account)


def reactivate_account(ctx: SessionContext, command: ReactivateAccount) -> None:
    """She gets a new slot with a temporary password to change at her first login, to be
    enabled again by someone else."""
    account = managed_account(ctx, command.staff_id)
    account.reactivate(ctx._account.id)
    _add_password_slot(ctx, account, command.initial_password, must_change_password=True)
    ctx._store.save(account)


def reset_password(ctx: SessionContext, command: ResetPassword) -> None:
    """The new password must be changed at the next login, and the slot, which lost its
    duty keys, must be enabled by someone other than the one who reset it."""
    account = managed_account(ctx, command.staff_id)
    account.reset_password(ctx._account.id, datetime.now(UTC))
    try:
        ctx._keyring.reset_password(account.username, command.temporary_password)
    except KeyringError as error:
        raise DomainError(str(error)) from None
    ctx._store.save(account)


def _add_password_slot(
    ctx: SessionContext, account: StaffAccount, password: str, must_change_password: bool
) -> None:
    try:
        ctx._keyring.add_password_slot(
            account.username,
            password,
            account_id=str(account.id),
            must_change_password=must_change_password,
            kdf=ctx._institute.kdf,
        )
    except KeyringError as error:
        raise DomainError(str(error)) from None


def _active_coordinators(ctx: SessionContext) -> int:
    ctx.refresh()
    return ctx._count(
        "SELECT COUNT(*) AS n FROM staff_view WHERE role = ? AND active = 1",
        (Role.COORDINATION.value,),
    )


def rebuild_views(ctx: SessionContext, command: RebuildViews) -> int:
    # Both projections from one decoding of each batch.
    return ctx._projector.rebuild(command.progress, companions=[ctx._follower.read_side])
