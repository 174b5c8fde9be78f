"""Handlers: her sealed drafts of a long form (saving and discarding them)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.errors import DomainError, InvalidField, NotPermitted
from keys import Duty
from projections.storage import Statement
from violeta.commands import DiscardDraft, SaveDraft
from violeta.drafts import DRAFT_SUBJECT, DraftKind, drafts_table, label, own_draft, payload
from violeta.policy import POLICY
from violeta.session import SessionContext


def save_draft(ctx: SessionContext, command: SaveDraft) -> UUID:
    """Seals what the form holds; saving again under ``draft_id`` replaces it."""
    client_id, draft_id = command.client_id, command.draft_id
    try:
        chosen = DraftKind(command.kind)
    except ValueError:
        raise InvalidField("Tipo de borrador", "no es un formulario que se guarde.") from None
    if chosen is DraftKind.INTAKE:
        if client_id is None:
            raise InvalidField("Usuaria", "una entrevista inicial es de una usuaria.")
        # An interview opens a case: her role must be one the table lets open cases.
        if ctx.role not in POLICY["open_case"].allowed_roles():
            raise NotPermitted("Su rol no abre expedientes.")
        if ctx._get_client(client_id).erased:
            raise DomainError("Sus datos fueron cancelados (ARCO): no se guarda nada de ella.")
    elif client_id is not None:
        raise InvalidField("Usuaria", "un registro es de una usuaria aún no registrada.")
    text = payload(command.values)
    drafts_table(ctx)
    if draft_id is not None:
        row = own_draft(ctx, draft_id)
        if row["kind"] != chosen.value or row["client_id"] != (
            str(client_id) if client_id else None
        ):
            raise InvalidField("Borrador", "ese borrador es de otro formulario.")
        subject = str(row["subject"])
    else:
        draft_id = uuid4()
        subject = str(client_id) if client_id is not None else f"{DRAFT_SUBJECT}{draft_id}"
    sealed = ctx._seal(subject, label(draft_id), text, Duty.CASE)
    ctx._views.execute(
        [
            Statement(
                "INSERT INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (draft_id) "
                "DO UPDATE SET saved_at = excluded.saved_at, payload = excluded.payload",
                (
                    str(draft_id),
                    str(ctx._account.id),
                    chosen.value,
                    str(client_id) if client_id is not None else None,
                    subject,
                    datetime.now(UTC).isoformat(),
                    sealed.envelope,
                ),
            )
        ]
    )
    return draft_id


def discard_draft(ctx: SessionContext, command: DiscardDraft) -> None:
    """Deletes it (also once saved as a real record); its own key, if any, is shredded."""
    row = own_draft(ctx, command.draft_id)
    ctx._views.execute(
        [Statement("DELETE FROM drafts WHERE draft_id = ?", (str(command.draft_id),))]
    )
    if row["client_id"] is None:
        ctx._keyring.shred(str(row["subject"]))
