"""Sealed drafts of a long form (registration, entrevista inicial): never lose an interview.

A draft is a working copy, not a record: it lives in one table of the views database
(``drafts``, outside the rebuildable schema, so ``violeta rebuild`` keeps it), holds ids and
dates in clear and the typed values sealed. Which key seals it:

- about a registered woman (an entrevista inicial for her): **her key** (subject = her id,
  case duty). Erasing her shreds that key, so her drafts can never be opened again, and the
  erasure deletes their rows too (``discard_drafts_of``).
- about nobody yet (the registration of a woman not yet registered): **a key of its own**
  (subject = ``borrador:<id>``, case duty), shredded when the draft is discarded or saved as a
  real record. The case duty is what the author already needs to register her; coordinación
  holds it too, which matters only for recovery: the service shows a draft to its author alone
  (listing, opening, discarding), whoever else logs in on that terminal.

Every call is by the author on her own drafts; listing names the women the drafts concern in
one audited access, and opening one is an audited read of her identification. The commands are
in violeta/handlers/drafts.py, the reads in violeta/queries/drafts.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID
from weakref import WeakSet

from domain.errors import InvalidField, NotPermitted, UnknownRecord
from projections.storage import Row, SQLiteViewStore, Statement, ViewStore
from violeta.session import SessionContext

DRAFTS_DDL = (
    "CREATE TABLE IF NOT EXISTS drafts ("
    "draft_id TEXT PRIMARY KEY, author TEXT NOT NULL, kind TEXT NOT NULL, client_id TEXT, "
    "subject TEXT NOT NULL, saved_at TEXT NOT NULL, payload BLOB NOT NULL)"
)
DRAFTS_INDEX = "CREATE INDEX IF NOT EXISTS drafts_author ON drafts (author, saved_at)"
PAYLOAD_MAX = 64_000  # characters of the typed values, JSON
FIELDS_MAX = 60
DRAFT_SUBJECT = "borrador:"  # prefix of a draft's own key (see verify_key_journal)
DRAFTS_SHOWN = 50


class DraftKind(StrEnum):
    REGISTRATION = "registro"
    INTAKE = "entrevista_inicial"

    @property
    def label(self) -> str:
        return {"registro": "Registro de usuaria", "entrevista_inicial": "Entrevista inicial"}[
            self.value
        ]


@dataclass(frozen=True)
class DraftSummary:
    draft_id: UUID
    kind: DraftKind
    client_id: UUID | None
    client_name: str  # empty for a registration draft (she is not registered yet)
    saved_at: datetime  # Mexico City time


@dataclass(frozen=True)
class Draft:
    draft_id: UUID
    kind: DraftKind
    client_id: UUID | None
    values: dict[str, str]


def payload(values: dict[str, str]) -> str:
    if not isinstance(values, dict) or len(values) > FIELDS_MAX:
        raise InvalidField("Borrador", "el formulario no tiene una forma válida.")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise InvalidField("Borrador", "el formulario no tiene una forma válida.")
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    if len(text) > PAYLOAD_MAX:
        raise InvalidField("Borrador", f"es demasiado largo (máximo {PAYLOAD_MAX} caracteres).")
    return text


_TABLE_READY: WeakSet[ViewStore] = WeakSet()  # views stores whose drafts table exists


def drafts_table(ctx: SessionContext) -> None:
    if ctx._views in _TABLE_READY:
        return
    ddl = DRAFTS_DDL
    if not isinstance(ctx._views, SQLiteViewStore):
        ddl = ddl.replace(" BLOB", " BYTEA")
    ctx._views.execute([Statement(ddl, ()), Statement(DRAFTS_INDEX, ())])
    _TABLE_READY.add(ctx._views)


def own_draft(ctx: SessionContext, draft_id: UUID) -> Row:
    drafts_table(ctx)
    rows = ctx._views.query("SELECT * FROM drafts WHERE draft_id = ?", (str(draft_id),))
    if not rows:
        raise UnknownRecord("Ese borrador ya no existe (se guardó o se descartó).")
    row = rows[0]
    if row["author"] != str(ctx._account.id):
        raise NotPermitted("Ese borrador es de otra persona: solo su autora lo ve.")
    return row


def label(draft_id: UUID) -> str:
    return f"draft:{draft_id}"


def discard_drafts_of(session: SessionContext, client_id: UUID) -> None:
    """Her erasure destroys every draft about her, whoever wrote it (her key is shredded
    too, so a copy of the rows could not be opened)."""
    ddl = DRAFTS_DDL
    if not isinstance(session._views, SQLiteViewStore):
        ddl = ddl.replace(" BLOB", " BYTEA")
    session._views.execute(
        [
            Statement(ddl, ()),
            Statement("DELETE FROM drafts WHERE client_id = ?", (str(client_id),)),
        ]
    )
