"""The read models built from the event store: case views, search, statistics, zones, staff.

Each domain event becomes a list of SQL statements; the runner applies a batch of them in one
transaction with its tracking record. Sealed values are copied sealed; the only projection that
opens anything is search, through a ``BlindIndexer`` supplied by the process that holds keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol
from uuid import UUID

from domain.access import AccessRecord
from domain.accounts import StaffAccount
from domain.cases import Case
from domain.clients import Client
from domain.sealed import Sealed
from domain.zones import ZoneCatalogue
from projections.case_services import SERVICE_HANDLERS, SERVICES_SCHEMA, erase_service_traces
from projections.storage import Statement

SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS clients_view ("
    "client_id TEXT PRIMARY KEY, name BLOB, zone TEXT NOT NULL, age_band TEXT NOT NULL, "
    "registered_on TEXT NOT NULL, erasure_requested_by TEXT, erased INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cases_view ("
    "case_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, folio TEXT NOT NULL, "
    "opened_on TEXT NOT NULL, status TEXT NOT NULL, zone TEXT NOT NULL, risk TEXT NOT NULL, "
    "opened_by TEXT NOT NULL, notes INTEGER NOT NULL, last_activity TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS cases_view_client ON cases_view (client_id)",
    "CREATE TABLE IF NOT EXISTS search_index ("
    "token TEXT NOT NULL, client_id TEXT NOT NULL, PRIMARY KEY (token, client_id))",
    "CREATE TABLE IF NOT EXISTS stats_cases ("
    "month TEXT NOT NULL, zone TEXT NOT NULL, cases INTEGER NOT NULL, "
    "PRIMARY KEY (month, zone))",
    "CREATE TABLE IF NOT EXISTS zones_view ("
    "code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, women INTEGER)",
    "CREATE TABLE IF NOT EXISTS staff_view ("
    "staff_id TEXT PRIMARY KEY, username TEXT NOT NULL, display_name TEXT NOT NULL, "
    "role TEXT NOT NULL, active INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS access_log ("
    "access_id TEXT PRIMARY KEY, at TEXT NOT NULL, staff_id TEXT NOT NULL, role TEXT NOT NULL, "
    "action TEXT NOT NULL, section TEXT NOT NULL, outcome TEXT NOT NULL, "
    "exceptional INTEGER NOT NULL, purpose TEXT NOT NULL, justification TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS access_subjects ("
    "access_id TEXT NOT NULL, client_id TEXT NOT NULL, PRIMARY KEY (access_id, client_id))",
    "CREATE INDEX IF NOT EXISTS access_subjects_client ON access_subjects (client_id)",
    *SERVICES_SCHEMA,
)


class BlindIndexer(Protocol):
    """Computes the search tokens of a client from her sealed identification."""

    def client_tokens(
        self, client_id: UUID, name: Sealed, curp: Sealed | None, phone: Sealed | None
    ) -> set[str]: ...


class CaseRecordProjection:
    def __init__(self, indexer: BlindIndexer) -> None:
        self._indexer = indexer

    def process(self, event: object) -> list[Statement]:
        handler = self._handlers.get(type(event))
        return handler(self, event) if handler else []

    def _client_registered(self, event: Client.Registered) -> list[Statement]:
        client_id = str(event.originator_id)
        statements = [
            Statement(
                "INSERT INTO clients_view VALUES (?, ?, ?, ?, ?, NULL, 0) "
                "ON CONFLICT (client_id) DO NOTHING",
                (
                    client_id,
                    event.name.envelope,
                    event.zone,
                    event.age_band,
                    event.registered_on.isoformat(),
                ),
            )
        ]
        tokens = self._indexer.client_tokens(
            event.originator_id, event.name, event.curp, event.phone
        )
        statements.extend(
            Statement(
                "INSERT INTO search_index VALUES (?, ?) ON CONFLICT DO NOTHING",
                (token, client_id),
            )
            for token in sorted(tokens)
        )
        return statements

    def _erasure_requested(self, event: Client.ErasureRequested) -> list[Statement]:
        return [
            Statement(
                "UPDATE clients_view SET erasure_requested_by = ? WHERE client_id = ?",
                (str(event.requested_by), str(event.originator_id)),
            )
        ]

    def _client_erased(self, event: Client.Erased) -> list[Statement]:
        client_id = str(event.originator_id)
        return [
            Statement(
                "UPDATE clients_view SET name = NULL, erased = 1, erasure_requested_by = NULL "
                "WHERE client_id = ?",
                (client_id,),
            ),
            Statement("DELETE FROM search_index WHERE client_id = ?", (client_id,)),
            *erase_service_traces(client_id),
        ]

    def _case_opened(self, event: Case.Opened) -> list[Statement]:
        return [
            Statement(
                "INSERT INTO cases_view VALUES (?, ?, ?, ?, 'abierto', ?, ?, ?, 0, ?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (
                    str(event.originator_id),
                    str(event.client_id),
                    event.folio,
                    event.opened_on.isoformat(),
                    event.zone,
                    event.risk,
                    str(event.opened_by),
                    event.timestamp.isoformat(),
                ),
            ),
            Statement(
                "INSERT INTO stats_cases VALUES (?, ?, 1) "
                "ON CONFLICT (month, zone) DO UPDATE SET cases = stats_cases.cases + 1",
                (event.opened_on.strftime("%Y-%m"), event.zone),
            ),
        ]

    def _note_added(self, event: Case.NoteAdded) -> list[Statement]:
        return [
            Statement(
                "UPDATE cases_view SET notes = notes + 1, last_activity = ? WHERE case_id = ?",
                (event.timestamp.isoformat(), str(event.originator_id)),
            )
        ]

    def _zone_recorded(self, event: ZoneCatalogue.ZoneRecorded) -> list[Statement]:
        return [
            Statement(
                "INSERT INTO zones_view VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE "
                "SET name = excluded.name, kind = excluded.kind, women = excluded.women",
                (event.code, event.name, event.kind, event.women),
            )
        ]

    def _staff_opened(self, event: StaffAccount.Opened) -> list[Statement]:
        return [
            Statement(
                "INSERT INTO staff_view VALUES (?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
                (str(event.originator_id), event.username, event.display_name, event.role),
            )
        ]

    def _staff_deactivated(self, event: StaffAccount.Deactivated) -> list[Statement]:
        return [
            Statement(
                "UPDATE staff_view SET active = 0 WHERE staff_id = ?", (str(event.originator_id),)
            )
        ]

    def _access_recorded(self, event: AccessRecord.Recorded) -> list[Statement]:
        access_id = str(event.originator_id)
        return [
            Statement(
                "INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (
                    access_id,
                    event.timestamp.isoformat(),
                    str(event.staff_id),
                    event.role,
                    event.action,
                    event.section,
                    event.outcome,
                    int(event.exceptional),
                    event.purpose,
                    event.justification,
                ),
            ),
            *(
                Statement(
                    "INSERT INTO access_subjects VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (access_id, str(client_id)),
                )
                for client_id in event.client_ids
            ),
        ]

    _handlers: ClassVar[dict[type, Callable[[Any, Any], list[Statement]]]] = {
        Client.Registered: _client_registered,
        Client.ErasureRequested: _erasure_requested,
        Client.Erased: _client_erased,
        Case.Opened: _case_opened,
        Case.NoteAdded: _note_added,
        ZoneCatalogue.ZoneRecorded: _zone_recorded,
        StaffAccount.Opened: _staff_opened,
        StaffAccount.Deactivated: _staff_deactivated,
        AccessRecord.Recorded: _access_recorded,
        **SERVICE_HANDLERS,
    }
