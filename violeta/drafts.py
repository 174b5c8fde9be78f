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
one audited access, and opening one is an audited read of her identification.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID, uuid4

from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.permissions import Action
from domain.vocabulary import Section
from keys import PLACEHOLDER, Duty
from projections.storage import Row, SQLiteViewStore, Statement
from violeta.agenda import listed_names
from violeta.session import MEXICO, SessionCore

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


def _label(draft_id: UUID) -> str:
    return f"draft:{draft_id}"


def _payload(values: dict[str, str]) -> str:
    if not isinstance(values, dict) or len(values) > FIELDS_MAX:
        raise InvalidField("Borrador", "el formulario no tiene una forma válida.")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise InvalidField("Borrador", "el formulario no tiene una forma válida.")
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    if len(text) > PAYLOAD_MAX:
        raise InvalidField("Borrador", f"es demasiado largo (máximo {PAYLOAD_MAX} caracteres).")
    return text


class Drafts(SessionCore):
    _drafts_ready = False

    def _drafts_table(self) -> None:
        if self._drafts_ready:
            return
        ddl = DRAFTS_DDL
        if not isinstance(self._views, SQLiteViewStore):
            ddl = ddl.replace(" BLOB", " BYTEA")
        self._views.execute([Statement(ddl, ()), Statement(DRAFTS_INDEX, ())])
        self._drafts_ready = True

    def _own_draft(self, draft_id: UUID) -> Row:
        self._drafts_table()
        rows = self._views.query("SELECT * FROM drafts WHERE draft_id = ?", (str(draft_id),))
        if not rows:
            raise UnknownRecord("Ese borrador ya no existe (se guardó o se descartó).")
        row = rows[0]
        if row["author"] != str(self._account.id):
            raise NotPermitted("Ese borrador es de otra persona: solo su autora lo ve.")
        return row

    def save_draft(
        self,
        kind: str,
        values: dict[str, str],
        *,
        client_id: UUID | None = None,
        draft_id: UUID | None = None,
    ) -> UUID:
        """Seals what the form holds; saving again under ``draft_id`` replaces it."""
        try:
            chosen = DraftKind(kind)
        except ValueError:
            raise InvalidField("Tipo de borrador", "no es un formulario que se guarde.") from None
        if chosen is DraftKind.INTAKE:
            if client_id is None:
                raise InvalidField("Usuaria", "una entrevista inicial es de una usuaria.")
            if not self.may("open_case"):
                raise NotPermitted("Su rol no abre expedientes.")
            if self._get_client(client_id).erased:
                raise DomainError("Sus datos fueron cancelados (ARCO): no se guarda nada de ella.")
        elif client_id is not None:
            raise InvalidField("Usuaria", "un registro es de una usuaria aún no registrada.")
        text = _payload(values)
        self._drafts_table()
        if draft_id is not None:
            row = self._own_draft(draft_id)
            if row["kind"] != chosen.value or row["client_id"] != (
                str(client_id) if client_id else None
            ):
                raise InvalidField("Borrador", "ese borrador es de otro formulario.")
            subject = str(row["subject"])
        else:
            draft_id = uuid4()
            subject = str(client_id) if client_id is not None else f"{DRAFT_SUBJECT}{draft_id}"
        sealed = self._seal(subject, _label(draft_id), text, Duty.CASE)
        self._views.execute(
            [
                Statement(
                    "INSERT INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (draft_id) "
                    "DO UPDATE SET saved_at = excluded.saved_at, payload = excluded.payload",
                    (
                        str(draft_id),
                        str(self._account.id),
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

    def my_drafts(self) -> list[DraftSummary]:
        """Her own drafts, newest first; the women they concern are one audited list."""
        self._drafts_table()
        self.refresh()
        rows = self._views.query(
            "SELECT draft_id, kind, client_id, saved_at FROM drafts WHERE author = ? "
            "ORDER BY saved_at DESC LIMIT ?",
            (str(self._account.id), DRAFTS_SHOWN),
        )
        about = [row for row in rows if row["client_id"] is not None]
        names: dict[str, str] = {}
        if about:
            purpose = "mi día: mis borradores"
            self._authorize(Section.IDENTIFICATION, Action.READ, [], [], purpose, "")
            self._record_access(
                action="listar",
                section=Section.IDENTIFICATION,
                client_ids=sorted({UUID(row["client_id"]) for row in about}),
                case_ids=[],
                purpose=purpose,
            )
            names = listed_names(self, about)
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

    def open_draft(self, draft_id: UUID) -> Draft:
        """The values she typed, to resume the form; audited when it concerns a woman."""
        row = self._own_draft(draft_id)
        client_id = UUID(str(row["client_id"])) if row["client_id"] else None
        if client_id is not None:
            self._authorize(
                Section.IDENTIFICATION, Action.READ, [client_id], [], "retomar borrador", ""
            )
            self._record_access(
                action="ver",
                section=Section.IDENTIFICATION,
                client_ids=[client_id],
                case_ids=[],
                purpose="retomar borrador",
            )
        text = self._keyring.open(str(row["subject"]), _label(draft_id), bytes(row["payload"]))
        if text == PLACEHOLDER:
            raise DomainError("Sus datos fueron cancelados (ARCO): el borrador ya no se abre.")
        values = json.loads(text)
        return Draft(draft_id, DraftKind(str(row["kind"])), client_id, values)

    def discard_draft(self, draft_id: UUID) -> None:
        """Deletes it (also once saved as a real record); its own key, if any, is shredded."""
        row = self._own_draft(draft_id)
        self._views.execute([Statement("DELETE FROM drafts WHERE draft_id = ?", (str(draft_id),))])
        if row["client_id"] is None:
            self._keyring.shred(str(row["subject"]))


def discard_drafts_of(session: SessionCore, client_id: UUID) -> None:
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
