"""The next psychology session of each case (Mi día of psicología): dates and ids only.

One row per case with a psychology process: the date the last session set for the next one
(NULL when none was set), who held that session, and whether the process was closed. No
note, no name: the service opens her name for the psychologist's own list, audited.
"""

from __future__ import annotations

from domain.cases import Case
from projections.storage import Statement

AGENDA_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS psychology_agenda ("
    "case_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, folio TEXT NOT NULL, "
    "next_session TEXT, held_on TEXT NOT NULL, held_by TEXT NOT NULL, "
    "closed INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS psychology_agenda_next ON psychology_agenda (closed, next_session)",
)


def session_held(event: Case.PsychologySessionHeld) -> list[Statement]:
    """The latest session decides the next one (a session recorded late for an earlier
    date does not move it back)."""
    return [
        Statement(
            "INSERT INTO psychology_agenda "
            "SELECT case_id, client_id, folio, ?, ?, ?, 0 FROM cases_view WHERE case_id = ? "
            "ON CONFLICT (case_id) DO UPDATE SET next_session = excluded.next_session, "
            "held_on = excluded.held_on, held_by = excluded.held_by, closed = 0 "
            "WHERE excluded.held_on >= psychology_agenda.held_on",
            (
                event.next_session.isoformat() if event.next_session is not None else None,
                event.held_on.isoformat(),
                str(event.held_by),
                str(event.originator_id),
            ),
        )
    ]


def process_closed(event: Case.PsychologyProcessClosed) -> list[Statement]:
    return [
        Statement(
            "UPDATE psychology_agenda SET closed = 1, next_session = NULL WHERE case_id = ?",
            (str(event.originator_id),),
        )
    ]
