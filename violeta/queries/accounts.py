"""Queries: the list of staff accounts (no case content)."""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Role
from keys import Keyring
from violeta.accounts import managed_account
from violeta.dto import AccountView
from violeta.roles import ENABLERS, ROLE_DUTIES
from violeta.session import SessionContext


def accounts(ctx: SessionContext) -> list[AccountView]:
    ctx.refresh()
    rows = ctx._views.query(
        "SELECT s.*, e.enabled FROM staff_view s LEFT JOIN staff_enabled e "
        "ON e.staff_id = s.staff_id ORDER BY s.display_name"
    )
    views = []
    for row in rows:
        slot = Keyring.slot_info(ctx._institute.keystore, row["username"])
        # Views built before staff_enabled existed: the account itself says.
        enabled = (
            bool(row["enabled"])
            if row["enabled"] is not None
            else managed_account(ctx, UUID(row["staff_id"])).enabled
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


def accounts_to_enable(ctx: SessionContext) -> list[AccountView]:
    """The active accounts waiting for someone of this role to enable them (psicología:
    psychology's; coordinación: the rest). Lets psicología, who lists no other accounts,
    find whom to enable; the second-person rule is still the enabling's own."""
    roles = {role.label: role for role in Role}
    return [
        view
        for view in accounts(ctx)
        if view.active and not view.enabled and ENABLERS[roles[view.role]] is ctx.role
    ]
