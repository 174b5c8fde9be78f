"""Mi día's agenda: the next psychology sessions (violeta/queries/agenda.py), and the names
of a work queue.

A work queue shows her name so that staff know whom they call or see; the names are opened
in memory for the rows of that one list, and the list is recorded as one access naming every
woman in it (``_record_listing``), never one access per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from projections.storage import Row
from violeta.session import SessionContext

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


def listed_names(session: SessionContext, rows: Sequence[Row]) -> dict[str, str]:
    """Her name for each client of a work queue already authorized and recorded."""
    return session._listed_names(row["client_id"] for row in rows)
