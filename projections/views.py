"""The read models a terminal reads back: case views, search, work queues, zones, staff.

Each domain event becomes a list of SQL statements; the runner applies a batch of them in one
transaction with its tracking record. Sealed values are copied sealed; the only projection that
opens anything is search, through a ``BlindIndexer`` supplied by the process that holds keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Protocol
from uuid import UUID

from domain.access import AccessRecord
from domain.accounts import StaffAccount
from domain.cases import Case
from domain.clients import Client
from domain.directory import Institution
from domain.sealed import Sealed
from domain.zones import ZoneCatalogue
from projections.activities import ACTIVITY_HANDLERS, ACTIVITY_SCHEMA
from projections.case_services import SERVICE_HANDLERS, SERVICES_SCHEMA, erase_service_traces
from projections.counters import (
    COUNTERS_SCHEMA,
    OPEN_COUNTER,
    counter_statement,
    month_counter,
)
from projections.read_side import READ_SIDE_SCHEMA
from projections.storage import Statement
from projections.views_rebuild import (
    ACCESS_INSERT,
    SUBJECT_INSERT,
    CaseViewsRebuild,
    access_log_row,
)
from projections.zone_catalogue import ZONE_SCHEMA, ZoneCatalogueProjection

SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS clients_view ("
    "client_id TEXT PRIMARY KEY, name BLOB, zone TEXT NOT NULL, age_band TEXT NOT NULL, "
    "registered_on TEXT NOT NULL, erasure_requested_by TEXT, "
    "erased INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS cases_view ("
    "case_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, folio TEXT NOT NULL, "
    "opened_on TEXT NOT NULL, status TEXT NOT NULL, zone TEXT NOT NULL, risk TEXT NOT NULL, "
    "opened_by TEXT NOT NULL, notes INTEGER NOT NULL, last_activity TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS cases_view_client ON cases_view (client_id)",
    # Search by folio (CTZ-2026-00479) finds her case without walking the register.
    "CREATE INDEX IF NOT EXISTS cases_view_folio ON cases_view (folio)",
    # Mi día and its counters read these without walking the archive: open cases by status,
    # this month's by date, her own most recent first.
    "CREATE INDEX IF NOT EXISTS cases_view_status ON cases_view (status)",
    "CREATE INDEX IF NOT EXISTS cases_view_opened_on ON cases_view (opened_on)",
    "CREATE INDEX IF NOT EXISTS cases_view_opened_by ON cases_view (opened_by, last_activity)",
    "CREATE INDEX IF NOT EXISTS cases_view_activity ON cases_view (last_activity)",
    *COUNTERS_SCHEMA,
    "CREATE TABLE IF NOT EXISTS search_index ("
    "token TEXT NOT NULL, client_id TEXT NOT NULL, PRIMARY KEY (token, client_id)) WITHOUT ROWID",
    # Clients whose tokens a session without the case key could not compute (administración,
    # an account not yet enabled): the next session holding it indexes them (ids only).
    "CREATE TABLE IF NOT EXISTS search_pending (client_id TEXT PRIMARY KEY) WITHOUT ROWID",
    # An erasure or a correction drops her tokens without walking everyone's.
    "CREATE INDEX IF NOT EXISTS search_index_client ON search_index (client_id)",
    "CREATE INDEX IF NOT EXISTS clients_view_erasure ON clients_view (erasure_requested_by)",
    "CREATE TABLE IF NOT EXISTS zones_view ("
    "code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, women INTEGER) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS staff_view ("
    "staff_id TEXT PRIMARY KEY, username TEXT NOT NULL, display_name TEXT NOT NULL, "
    "role TEXT NOT NULL, active INTEGER NOT NULL) WITHOUT ROWID",
    # Whether a second person enabled her current key slot (the account list shows it
    # without loading every account).
    "CREATE TABLE IF NOT EXISTS staff_enabled ("
    "staff_id TEXT PRIMARY KEY, enabled INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS access_log ("
    "access_id TEXT PRIMARY KEY, at TEXT NOT NULL, staff_id TEXT NOT NULL, role TEXT NOT NULL, "
    "action TEXT NOT NULL, section TEXT NOT NULL, outcome TEXT NOT NULL, "
    "exceptional INTEGER NOT NULL, purpose TEXT NOT NULL, "
    "justification BLOB) WITHOUT ROWID",  # sealed with the woman's key (or NULL)
    "CREATE INDEX IF NOT EXISTS access_log_exceptional ON access_log (exceptional, at)",
    "CREATE INDEX IF NOT EXISTS access_log_at ON access_log (at)",
    "CREATE TABLE IF NOT EXISTS access_subjects ("
    "access_id TEXT NOT NULL, client_id TEXT NOT NULL, "
    "PRIMARY KEY (access_id, client_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS access_subjects_client ON access_subjects (client_id)",
    # Categories and consents of each client (no personal values): work queues and the
    # statistics opposition below read them.
    "CREATE TABLE IF NOT EXISTS client_flags ("
    "client_id TEXT PRIMARY KEY, statistics INTEGER NOT NULL, share INTEGER NOT NULL, "
    "age_authorization TEXT NOT NULL, proposed_referral TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS client_flags_age ON client_flags (age_authorization)",
    # The directorio homologado: public data about institutions, in clear on purpose.
    "CREATE TABLE IF NOT EXISTS directory_view ("
    "institution_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, "
    "services TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL, hours TEXT NOT NULL, "
    "contact TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL, "
    "updated_on TEXT NOT NULL) WITHOUT ROWID",
    # Referrals hold no personal value here (the reason stays sealed in the case's events):
    # only which case went where, when, and the outcome category, for work queues and counts.
    "CREATE TABLE IF NOT EXISTS referrals_view ("
    "referral_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, client_id TEXT NOT NULL, "
    "institution_id TEXT NOT NULL, made_on TEXT NOT NULL, made_by TEXT NOT NULL, "
    "with_personal_data INTEGER NOT NULL, consent_override INTEGER NOT NULL, "
    "outcome TEXT NOT NULL, outcome_on TEXT) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS referrals_view_case ON referrals_view (case_id)",
    *SERVICES_SCHEMA,
    *ACTIVITY_SCHEMA,
    # Kept by the read side's own projection (projections/read_side.py), in the same store.
    *READ_SIDE_SCHEMA,
    *ZONE_SCHEMA,
)


class BlindIndexer(Protocol):
    """Computes the search tokens of a client from her sealed identification; None when this
    process holds no case key (her indexing is then deferred to one that does)."""

    def client_tokens(
        self, client_id: UUID, name: Sealed, curp: Sealed | None, phone: Sealed | None
    ) -> set[str] | None: ...

    def field_tokens(
        self, client_id: UUID, kind: str, label: str, value: Sealed
    ) -> set[str] | None:
        """Tokens of one corrected field (kind: nombre, curp or telefono)."""
        ...

    def prepare(self, client_ids: Iterable[UUID]) -> None:
        """Told ahead of the clients whose tokens a batch will ask for (a rebuild): their keys
        may be fetched at once."""
        ...


def _indexing(client_id: str, tokens: set[str] | None) -> list[Statement]:
    return index_statements(client_id, tokens)


def index_statements(client_id: str, tokens: set[str] | None) -> list[Statement]:
    if tokens is None:
        return [
            Statement("INSERT INTO search_pending VALUES (?) ON CONFLICT DO NOTHING", (client_id,))
        ]
    return [
        Statement(
            "INSERT INTO search_index VALUES (?, ?) ON CONFLICT DO NOTHING", (token, client_id)
        )
        for token in sorted(tokens)
    ]


def _staff_enabled(
    event: StaffAccount.Opened
    | StaffAccount.PasswordReset
    | StaffAccount.Reactivated
    | StaffAccount.Enabled,
    *,
    enabled: bool,
) -> Statement:
    return Statement(
        "INSERT INTO staff_enabled VALUES (?, ?) ON CONFLICT (staff_id) "
        "DO UPDATE SET enabled = excluded.enabled",
        (str(event.originator_id), int(enabled)),
    )


class CaseRecordProjection:
    def __init__(self, indexer: BlindIndexer) -> None:
        self._indexer = indexer
        self._zones = ZoneCatalogueProjection()

    @property
    def indexer(self) -> BlindIndexer:
        return self._indexer

    def for_rebuild(self) -> CaseViewsRebuild:
        """This projection during a rebuild: its statements gathered in memory and written
        once per row and batch (projections/views_rebuild.py)."""
        return CaseViewsRebuild(self, SCHEMA)

    def process(self, event: object) -> list[Statement]:
        handler = self._handlers.get(type(event))
        statements = handler(self, event) if handler else []
        return [*statements, *self._zones.process(event)]

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
        return [*statements, *_indexing(client_id, tokens)]

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
            Statement("DELETE FROM search_pending WHERE client_id = ?", (client_id,)),
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
            counter_statement(OPEN_COUNTER, 1),
            counter_statement(month_counter(event.opened_on.isoformat()[:7]), 1),
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

    def _staff_opened_v2(self, event: StaffAccount.Opened) -> list[Statement]:
        # The first account (made at init, by nobody) holds its keys from the start.
        return [*self._staff_opened(event), _staff_enabled(event, enabled=event.opened_by is None)]

    def _staff_slot_replaced(
        self, event: StaffAccount.PasswordReset | StaffAccount.Reactivated
    ) -> list[Statement]:
        return [_staff_enabled(event, enabled=False)]

    def _account_enabled(self, event: StaffAccount.Enabled) -> list[Statement]:
        return [_staff_enabled(event, enabled=True)]

    def _staff_deactivated(self, event: StaffAccount.Deactivated) -> list[Statement]:
        return [
            Statement(
                "UPDATE staff_view SET active = 0 WHERE staff_id = ?", (str(event.originator_id),)
            )
        ]

    def _staff_reactivated(self, event: StaffAccount.Reactivated) -> list[Statement]:
        return [
            Statement(
                "UPDATE staff_view SET active = 1 WHERE staff_id = ?", (str(event.originator_id),)
            ),
            *self._staff_slot_replaced(event),
        ]

    def _access_recorded(self, event: AccessRecord.Recorded) -> list[Statement]:
        access_id = str(event.originator_id)
        return [
            Statement(ACCESS_INSERT, access_log_row(event)),
            *(
                Statement(SUBJECT_INSERT, (access_id, client_id))
                for client_id in event.client_ids.texts()
            ),
        ]

    def _client_flags(self, event: Client.Registered) -> list[Statement]:
        return [
            Statement(
                "INSERT INTO client_flags VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    str(event.originator_id),
                    int(event.consent_to_statistics),
                    int(event.consent_to_share),
                    event.age_authorization,
                    event.proposed_referral,
                ),
            )
        ]

    def _client_registered_v2(self, event: Client.Registered) -> list[Statement]:
        return self._client_registered(event) + self._client_flags(event)

    def _age_exception_authorized(self, event: Client.AgeExceptionAuthorized) -> list[Statement]:
        return [
            Statement(
                "UPDATE client_flags SET age_authorization = 'autorizada' WHERE client_id = ?",
                (str(event.originator_id),),
            )
        ]

    def _sharing_consent_changed(self, event: Client.SharingConsentChanged) -> list[Statement]:
        return [
            Statement(
                "UPDATE client_flags SET share = ? WHERE client_id = ?",
                (int(event.granted), str(event.originator_id)),
            )
        ]

    def _statistics_consent_changed(
        self, event: Client.StatisticsConsentChanged
    ) -> list[Statement]:
        """ARCO opposition: she objects to one use of her data, being counted.

        This is opposition, not erasure: her record and her cases stay intact and usable for
        her own attention; only their contribution to the statistics is taken out (and put
        back if she consents again). The counts are anonymous, but the cells of a small zone
        can still point at her, and the LGPDPPSO lets her oppose that treatment.
        """
        return [
            Statement(
                "UPDATE client_flags SET statistics = ? WHERE client_id = ?",
                (int(event.granted), str(event.originator_id)),
            )
        ]

    def _client_corrected(self, event: Client.Corrected) -> list[Statement]:
        """Rectification: the view shows the current value; the events keep the history.

        New search tokens are added for a corrected name, CURP or phone; tokens of the old
        value stay until erasure (the search confirms every hit against the current value).
        """
        client_id = str(event.originator_id)
        statements: list[Statement] = []
        if event.field == "name" and event.value is not None:
            statements.append(
                Statement(
                    "UPDATE clients_view SET name = ? WHERE client_id = ?",
                    (event.value.envelope, client_id),
                )
            )
        kinds = {"name": "nombre", "curp": "curp", "phone": "telefono"}
        if event.field in kinds and event.value is not None:
            tokens = self._indexer.field_tokens(
                event.originator_id, kinds[event.field], f"client.{event.field}", event.value
            )
            statements.extend(_indexing(client_id, tokens))
        return statements

    def _institution_registered(self, event: Institution.Registered) -> list[Statement]:
        return [
            Statement(
                "INSERT INTO directory_view VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT (institution_id) DO NOTHING",
                (
                    str(event.originator_id),
                    event.name,
                    event.kind,
                    ",".join(event.services),
                    event.address,
                    event.phone,
                    event.hours,
                    event.contact,
                    event.originator_version,
                    event.recorded_on.isoformat(),
                ),
            )
        ]

    def _institution_updated(self, event: Institution.Updated) -> list[Statement]:
        return [
            Statement(
                "UPDATE directory_view SET name = ?, kind = ?, services = ?, address = ?, "
                "phone = ?, hours = ?, contact = ?, version = ?, updated_on = ? "
                "WHERE institution_id = ?",
                (
                    event.name,
                    event.kind,
                    ",".join(event.services),
                    event.address,
                    event.phone,
                    event.hours,
                    event.contact,
                    event.originator_version,
                    event.recorded_on.isoformat(),
                    str(event.originator_id),
                ),
            )
        ]

    def _institution_active(
        self, event: Institution.Deactivated | Institution.Reactivated
    ) -> list[Statement]:
        return [
            Statement(
                "UPDATE directory_view SET active = ?, version = ?, updated_on = ? "
                "WHERE institution_id = ?",
                (
                    int(isinstance(event, Institution.Reactivated)),
                    event.originator_version,
                    event.recorded_on.isoformat(),
                    str(event.originator_id),
                ),
            )
        ]

    def _referral_made(self, event: Case.ReferralMade) -> list[Statement]:
        case_id = str(event.originator_id)
        return [
            Statement(
                "INSERT INTO referrals_view (referral_id, case_id, client_id, institution_id, "
                "made_on, made_by, with_personal_data, consent_override, outcome, outcome_on) "
                "SELECT ?, case_id, client_id, ?, ?, ?, ?, ?, '', NULL FROM cases_view "
                "WHERE case_id = ? ON CONFLICT (referral_id) DO NOTHING",
                (
                    str(event.referral_id),
                    str(event.institution_id),
                    event.made_on.isoformat(),
                    str(event.made_by),
                    int(event.with_personal_data),
                    int(event.consent_override is not None),
                    case_id,
                ),
            ),
            Statement(
                "UPDATE cases_view SET last_activity = ? WHERE case_id = ?",
                (event.timestamp.isoformat(), case_id),
            ),
        ]

    def _referral_outcome(self, event: Case.ReferralOutcomeRecorded) -> list[Statement]:
        return [
            Statement(
                "UPDATE referrals_view SET outcome = ?, outcome_on = ? WHERE referral_id = ?",
                (event.outcome, event.recorded_on.isoformat(), str(event.referral_id)),
            )
        ]

    _handlers: ClassVar[dict[type, Callable[[Any, Any], list[Statement]]]] = {
        Institution.Registered: _institution_registered,
        Institution.Updated: _institution_updated,
        Institution.Deactivated: _institution_active,
        Institution.Reactivated: _institution_active,
        Case.ReferralMade: _referral_made,
        Case.ReferralOutcomeRecorded: _referral_outcome,
        Client.Registered: _client_registered_v2,
        Client.AgeExceptionAuthorized: _age_exception_authorized,
        Client.SharingConsentChanged: _sharing_consent_changed,
        Client.StatisticsConsentChanged: _statistics_consent_changed,
        Client.Corrected: _client_corrected,
        Client.ErasureRequested: _erasure_requested,
        Client.Erased: _client_erased,
        Case.Opened: _case_opened,
        Case.NoteAdded: _note_added,
        ZoneCatalogue.ZoneRecorded: _zone_recorded,
        StaffAccount.Opened: _staff_opened_v2,
        StaffAccount.PasswordReset: _staff_slot_replaced,
        StaffAccount.Enabled: _account_enabled,
        StaffAccount.Deactivated: _staff_deactivated,
        StaffAccount.Reactivated: _staff_reactivated,
        AccessRecord.Recorded: _access_recorded,
        **SERVICE_HANDLERS,
        **ACTIVITY_HANDLERS,
    }
