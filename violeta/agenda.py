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

from keys import PLACEHOLDER
from projections.storage import Row
from violeta.lookups import client_rows
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
    clients = client_rows(session, sorted({row["client_id"] for row in rows}))
    names: dict[str, str] = {}
    for client_id, client in clients.items():
        sealed = client["name"]
        names[client_id] = (
            PLACEHOLDER
            if sealed is None or client["erased"]
            else session._keyring.open(client_id, "client.name", bytes(sealed))
        )
    return names
