"""Queries: her own drafts (the women they concern listed in one audited access)."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from domain.errors import DomainError
from domain.permissions import Action
from domain.vocabulary import Section
from keys import PLACEHOLDER
from violeta.agenda import listed_names
from violeta.drafts import (
    DRAFTS_SHOWN,
    Draft,
    DraftKind,
    DraftSummary,
    drafts_table,
    label,
    own_draft,
)
from violeta.session import MEXICO, SessionContext


def my_drafts(ctx: SessionContext) -> list[DraftSummary]:
    """Her own drafts, newest first; the women they concern are one audited list."""
    drafts_table(ctx)
    ctx.refresh()
    return drafts_listed(ctx)


def drafts_listed(ctx: SessionContext) -> list[DraftSummary]:
    """``my_drafts`` on views the caller has just caught up."""
    drafts_table(ctx)
    rows = ctx._views.query(
        "SELECT draft_id, kind, client_id, saved_at FROM drafts WHERE author = ? "
        "ORDER BY saved_at DESC LIMIT ?",
        (str(ctx._account.id), DRAFTS_SHOWN),
    )
    about = [row for row in rows if row["client_id"] is not None]
    names: dict[str, str] = {}
    if about:
        purpose = "mi día: mis borradores"
        ctx._authorize(Section.IDENTIFICATION, Action.READ, [], [], purpose, "")
        ctx._record_access(
            action="listar",
            section=Section.IDENTIFICATION,
            client_ids=sorted({row["client_id"] for row in about}),
            case_ids=[],
            purpose=purpose,
        )
        names = listed_names(ctx, about)
    return [
        DraftSummary(
            draft_id=UUID(row["draft_id"]),
            kind=DraftKind(row["kind"]),
            client_id=UUID(row["client_id"]) if row["client_id"] else None,
            client_name=names.get(row["client_id"], PLACEHOLDER) if row["client_id"] else "",
            saved_at=datetime.fromisoformat(row["saved_at"]).astimezone(MEXICO),
        )
        for row in rows
    ]


def open_draft(ctx: SessionContext, draft_id: UUID) -> Draft:
    """The values she typed, to resume the form; audited when it concerns a woman."""
    row = own_draft(ctx, draft_id)
    client_id = UUID(str(row["client_id"])) if row["client_id"] else None
    if client_id is not None:
        ctx._authorize(Section.IDENTIFICATION, Action.READ, [client_id], [], "retomar borrador", "")
        ctx._record_access(
            action="ver",
            section=Section.IDENTIFICATION,
            client_ids=[client_id],
            case_ids=[],
            purpose="retomar borrador",
        )
    text = ctx._keyring.open(str(row["subject"]), label(draft_id), bytes(row["payload"]))
    if text == PLACEHOLDER:
        raise DomainError("Sus datos fueron cancelados (ARCO): el borrador ya no se abre.")
    values = json.loads(text)
    return Draft(draft_id, DraftKind(str(row["kind"])), client_id, values)
