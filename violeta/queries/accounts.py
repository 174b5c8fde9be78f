"""Queries: the list of staff accounts (no case content)."""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Role
from keys import Keyring
from violeta.accounts import managed_account
from violeta.dto import AccountView
from violeta.roles import ROLE_DUTIES
from violeta.session import SessionContext


def accounts(ctx: SessionContext) -> list[AccountView]:
    ctx.refresh()
    rows = ctx._views.query("SELECT * FROM staff_view ORDER BY display_name")
    views = []
    for row in rows:
        slot = Keyring.slot_info(ctx._institute.keystore, row["username"])
        account = managed_account(ctx, UUID(row["staff_id"]))
        views.append(
            AccountView(
                staff_id=UUID(row["staff_id"]),
                username=row["username"],
                display_name=row["display_name"],
                role=Role(row["role"]).label,
                active=bool(row["active"]),
                must_change_password=slot is not None and slot.must_change_password,
                enabled=account.enabled
                and slot is not None
                and ROLE_DUTIES[account.role] <= slot.duties,
            )
        )
    return views
