"""Mi día's agenda queries: the next psychology sessions, and the names of a work queue.

A work queue shows her name so that staff know whom they call or see; the names are opened
in memory for the rows of that one list, and the list is recorded as one access naming every
woman in it (``_record_listing``), never one access per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.cases import Area
from domain.errors import InvalidField
from domain.permissions import Action
from domain.vocabulary import Section
from keys import PLACEHOLDER
from projections.storage import Row
from violeta.session import SessionCore

PSYCHOLOGY_AHEAD_DAYS = 7
PSYCHOLOGY_SHOWN = 50
MAX_DAYS_AHEAD = 100


@dataclass(frozen=True)
class NextPsychologySession:
    """A row of psicología's agenda: the session the last one set, with her name."""

    case_id: UUID
    folio: str
    client_name: str
    next_session: date
    last_session: date
    overdue: bool


def listed_names(session: SessionCore, rows: Sequence[Row]) -> dict[str, str]:
    """Her name for each client of a work queue already authorized and recorded."""
    clients = session._client_rows(sorted({row["client_id"] for row in rows}))
    names: dict[str, str] = {}
    for client_id, client in clients.items():
        sealed = client["name"]
        names[client_id] = (
            PLACEHOLDER
            if sealed is None or client["erased"]
            else session._keyring.open(client_id, "client.name", bytes(sealed))
        )
    return names


class Agenda(SessionCore):
    def psychology_sessions_due(
        self, within_days: int = PSYCHOLOGY_AHEAD_DAYS, *, limit: int = PSYCHOLOGY_SHOWN
    ) -> list[NextPsychologySession]:
        """The next sessions set up to ``within_days`` ahead (missed ones first) in the open
        processes she attends: she held the last session or attends the case's psychology
        area. Psicología's alone; one audited list naming the women in it."""
        if not 0 <= within_days <= MAX_DAYS_AHEAD:
            raise InvalidField("Días", f"indique entre 0 y {MAX_DAYS_AHEAD} días.")
        purpose = "mi día: próximas sesiones de psicología"
        self._authorize(Section.PSYCHOLOGICAL, Action.READ, [], [], purpose, "")
        self.refresh()
        today = self._institute.today()
        me = str(self._account.id)
        rows = self._views.query(
            "SELECT * FROM psychology_agenda WHERE closed = 0 AND next_session IS NOT NULL "
            "AND next_session <= ? AND (held_by = ? OR EXISTS (SELECT 1 FROM case_areas "
            "WHERE case_areas.case_id = psychology_agenda.case_id AND case_areas.area = ? "
            "AND case_areas.staff_id = ?)) ORDER BY next_session, folio LIMIT ?",
            (
                (today + timedelta(days=within_days)).isoformat(),
                me,
                Area.PSYCHOLOGICAL.value,
                me,
                limit,
            ),
        )
        self._record_access(
            action="listar",
            section=Section.PSYCHOLOGICAL,
            client_ids=sorted({UUID(row["client_id"]) for row in rows}),
            case_ids=sorted({UUID(row["case_id"]) for row in rows}),
            purpose=purpose,
        )
        names = listed_names(self, rows)
        return [
            NextPsychologySession(
                case_id=UUID(row["case_id"]),
                folio=row["folio"],
                client_name=names.get(row["client_id"], PLACEHOLDER),
                next_session=date.fromisoformat(row["next_session"]),
                last_session=date.fromisoformat(row["held_on"]),
                overdue=date.fromisoformat(row["next_session"]) < today,
            )
            for row in rows
        ]
