"""The case views during a rebuild: the statements of ``projections.views`` gathered in memory
and written once per row and batch.

Kept incrementally (after every command), each event becomes a few statements of one row
each, and a case's row is updated by nearly every event of the case (its last activity, its
notes, its status); a rebuild of 12,000 events ran ~19,000 of them. Here, during a rebuild
only, the statements that ``CaseRecordProjection`` gives for each event are not run as they
come: those of the frequent kinds are *absorbed* into the batch's memory (a new case's whole
row, the changes to a case that an earlier batch wrote, each counter's sum, each closure
request's last state, each area's last assignee…) and the batch ends with one statement per
row it changed, grouped by table (one ``executemany`` each). The statements that read
another view (a follow-up, a referral, an order or an agenda row copies the case's client
and folio from ``cases_view``) are given those values from memory instead.

Every other statement runs where it came, as before; when it touches a table this memory
holds rows of (an erasure blanking her follow-ups, a rectification of her name), what the
memory holds is written first (``_flush``), so every statement still sees the rows the
statements before it left. What each absorbed statement does to its row is what its SQL does
(same result, also for a row that does not exist: an update of nothing changes nothing);
``tests/integration/test_views_rebuild.py`` compares every view table with incremental
projection on both backends.

Memory across batches: each case's client and folio (what the statements copy from
``cases_view``) and the follow-ups that exist (an insert of one that exists changes
nothing): about 200 bytes per case. A batch another process applied, or a resumed rebuild,
reads them back from the tables (``load``); a refused batch drops them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from domain.access import AccessRecord
from domain.cases import Case
from domain.clients import Client
from projections.batch_memory import BatchMemory
from projections.counters import OPEN_COUNTER, month_counter
from projections.storage import Statement, ViewStore

Params = tuple[Any, ...]

CASE_INSERT = (
    "INSERT INTO cases_view VALUES (?, ?, ?, ?, 'abierto', ?, ?, ?, 0, ?) "
    "ON CONFLICT (case_id) DO NOTHING"
)
CASE_TOUCH = "UPDATE cases_view SET last_activity = ? WHERE case_id = ?"
CASE_STATUS = "UPDATE cases_view SET status = ?, last_activity = ? WHERE case_id = ?"
CASE_NOTE = "UPDATE cases_view SET notes = notes + 1, last_activity = ? WHERE case_id = ?"
COUNTER = (
    "INSERT INTO view_counters VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET n = view_counters.n + excluded.n"
)
AREA = (
    "INSERT INTO case_areas VALUES (?, ?, ?) ON CONFLICT (case_id, area) "
    "DO UPDATE SET staff_id = excluded.staff_id"
)
CLOSURE_INSERT = "INSERT INTO closure_requests VALUES (?, ?, ?) ON CONFLICT (case_id) DO NOTHING"
CLOSURE_DELETE = "DELETE FROM closure_requests WHERE case_id = ?"
FOLLOW_UP_INSERT = (
    "INSERT INTO follow_ups_view "
    "SELECT ?, case_id, client_id, folio, ?, ?, 'pendiente', NULL, NULL "
    "FROM cases_view WHERE case_id = ? ON CONFLICT (follow_up_id) DO NOTHING"
)
FOLLOW_UP_SETTLE = (
    "UPDATE follow_ups_view SET state = ?, settled_on = ?, outcome = ? WHERE follow_up_id = ?"
)
AGENDA_UPSERT = (
    "INSERT INTO psychology_agenda "
    "SELECT case_id, client_id, folio, ?, ?, ?, 0 FROM cases_view WHERE case_id = ? "
    "ON CONFLICT (case_id) DO UPDATE SET next_session = excluded.next_session, "
    "held_on = excluded.held_on, held_by = excluded.held_by, closed = 0 "
    "WHERE excluded.held_on >= psychology_agenda.held_on"
)
AGENDA_CLOSE = "UPDATE psychology_agenda SET closed = 1, next_session = NULL WHERE case_id = ?"
REFERRAL_INSERT = (
    "INSERT INTO referrals_view (referral_id, case_id, client_id, institution_id, "
    "made_on, made_by, with_personal_data, consent_override, outcome, outcome_on) "
    "SELECT ?, case_id, client_id, ?, ?, ?, ?, ?, '', NULL FROM cases_view "
    "WHERE case_id = ? ON CONFLICT (referral_id) DO NOTHING"
)
ORDER_INSERT = (
    "INSERT INTO protection_orders_view "
    "SELECT ?, case_id, client_id, folio, ?, ?, ?, ?, 0, ? "
    "FROM cases_view WHERE case_id = ? ON CONFLICT (order_id) DO NOTHING"
)
# Rows written in the order they came, at the end of the batch: inserts of a row that no
# statement of the batch reads (only an erasure deletes them, and it writes these first).
CLIENT_INSERT = (
    "INSERT INTO clients_view VALUES (?, ?, ?, ?, ?, NULL, 0) ON CONFLICT (client_id) DO NOTHING"
)
FLAGS_INSERT = "INSERT INTO client_flags VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
SEARCH_INSERT = "INSERT INTO search_index VALUES (?, ?) ON CONFLICT DO NOTHING"
PENDING_INSERT = "INSERT INTO search_pending VALUES (?) ON CONFLICT DO NOTHING"
ACCESS_INSERT = (
    "INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
SUBJECT_INSERT = "INSERT INTO access_subjects VALUES (?, ?) ON CONFLICT DO NOTHING"
DEFERRED = (
    CLIENT_INSERT,
    FLAGS_INSERT,
    SEARCH_INSERT,
    PENDING_INSERT,
    ACCESS_INSERT,
    SUBJECT_INSERT,
)

# What this memory writes instead.
NEW_CASE = "INSERT INTO cases_view VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
CASE_CHANGES = (
    "UPDATE cases_view SET status = COALESCE(?, status), "
    "last_activity = COALESCE(?, last_activity), notes = notes + ? WHERE case_id = ?"
)
NEW_FOLLOW_UP = "INSERT INTO follow_ups_view VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
AGENDA_ROW = (
    "INSERT INTO psychology_agenda VALUES (?, ?, ?, ?, ?, ?, 0) "
    "ON CONFLICT (case_id) DO UPDATE SET next_session = excluded.next_session, "
    "held_on = excluded.held_on, held_by = excluded.held_by, closed = 0 "
    "WHERE excluded.held_on >= psychology_agenda.held_on"
)
REFERRAL_ROW = (
    "INSERT INTO referrals_view (referral_id, case_id, client_id, institution_id, "
    "made_on, made_by, with_personal_data, consent_override, outcome, outcome_on) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', NULL) ON CONFLICT (referral_id) DO NOTHING"
)
ORDER_ROW = (
    "INSERT INTO protection_orders_view VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) "
    "ON CONFLICT (order_id) DO NOTHING"
)

# The tables this memory holds rows of: any other statement that names one of them has the
# memory written before it. Rows of the first two are only ever added by absorbed statements
# (what is known to exist is exact).
HELD = (
    "cases_view",
    "follow_ups_view",
    "view_counters",
    "case_areas",
    "closure_requests",
    "psychology_agenda",
    "clients_view",
    "client_flags",
    "search_index",
    "search_pending",
    "access_log",
    "access_subjects",
)
_KEYED = ("cases_view", "follow_ups_view")

# A new case's row, as in cases_view.
STATUS, NOTES, LAST = 4, 8, 9
# A follow-up's row, as in follow_ups_view.
FU_STATE, FU_SETTLED, FU_OUTCOME = 6, 7, 8
# Closure requests: the row to insert unless one exists, the row that replaces whatever was
# there (deleted, then inserted again in the same batch), or none at all.
_IF_ABSENT, _REPLACE, _GONE = "if_absent", "replace", "gone"


# Indexes that only the terminals' queries use (Mi día, the work queues, the audit trail),
# never a statement of the projections: a rebuild from zero drops them once the views are
# reset and builds each once at the end, from its table whole (one sorted pass instead of an
# insertion per row into a growing B-tree). Until then, a terminal's query reads the tables
# without them; a rebuild killed meanwhile gets them back at the next opening of the views
# (every ``CREATE INDEX IF NOT EXISTS`` of the schema runs then), or at its end when run again.
QUERY_ONLY_INDEXES = (
    "cases_view_client",
    "cases_view_folio",
    "cases_view_status",
    "cases_view_opened_on",
    "cases_view_opened_by",
    "cases_view_activity",
    "clients_view_erasure",
    "access_log_exceptional",
    "access_log_at",
    "access_log_staff",
    "access_subjects_client",
    "client_flags_age",
    "referrals_view_case",
    "case_areas_staff",
    "follow_ups_view_due_folio",
    "protection_orders_view_expiry",
    "psychology_agenda_next",
    "access_facts_staff",
    "access_facts_day",
    "access_facts_outcome",
    "access_facts_section",
    "access_facts_at",
    "alerts_view_open",
)


def deferred_indexes(schema: Sequence[str]) -> list[tuple[str, str]]:
    """(name, its CREATE INDEX statement) of the schema's query-only indexes."""
    prefix = "CREATE INDEX IF NOT EXISTS "
    found: dict[str, str] = {}
    for statement in schema:
        if statement.startswith(prefix):
            name = statement[len(prefix) :].split(" ", 1)[0]
            if name in QUERY_ONLY_INDEXES:
                found.setdefault(name, statement)
    return list(found.items())


class CaseViewsRebuild(BatchMemory):
    """The case views' projection during ``Projector.rebuild`` (a ``BatchedProjection``)."""

    def __init__(self, projection: Any, schema: Sequence[str] = ()) -> None:
        self._projection = projection
        self.deferred_indexes = deferred_indexes(schema)
        # Across batches: every case in the views (id → client, folio) and every follow-up.
        self.cases: dict[str, tuple[str, str]] = {}
        self.follow_ups: set[str] = set()
        self._touches: dict[str, bool] = {}
        super().__init__(schema)
        absorb: dict[str, Callable[[Params], list[Statement]]] = {
            CASE_INSERT: self._case_insert,
            CASE_TOUCH: self._case_touch,
            CASE_STATUS: self._case_status,
            CASE_NOTE: self._case_note,
            COUNTER: self._counter,
            AREA: self._area,
            CLOSURE_INSERT: self._closure_insert,
            CLOSURE_DELETE: self._closure_delete,
            FOLLOW_UP_INSERT: self._follow_up_insert,
            FOLLOW_UP_SETTLE: self._follow_up_settle,
            AGENDA_UPSERT: self._agenda_upsert,
            AGENDA_CLOSE: self._agenda_close,
            REFERRAL_INSERT: self._referral_insert,
            ORDER_INSERT: self._order_insert,
        }
        for sql in DEFERRED:
            absorb[sql] = self._deferrer(sql)
        self._absorb = absorb

    @property
    def indexer(self) -> Any:
        return self._projection.indexer

    def _clear_batch(self) -> None:
        self.new_cases: dict[str, list[Any]] = {}
        # case id → [status or None, last activity or None, notes added]
        self.case_changes: dict[str, list[Any]] = {}
        self.counters: dict[str, int] = {}
        self.areas: dict[tuple[str, str], str] = {}
        self.closures: dict[str, tuple[str, Params | None]] = {}
        self.new_follow_ups: dict[str, list[Any]] = {}
        self.settled: dict[str, Params] = {}
        # In the order they came, per statement: (sql, params); one table's rows each.
        self.deferred: dict[str, list[Params]] = {}
        self.agenda: list[Statement] = []

    # ------------------------------------------------------------------ the batch protocol

    def begin_batch(self, views: ViewStore, after: int, events: Sequence[object] = ()) -> None:
        super().begin_batch(views, after, events)
        # The women whose name, CURP or phone the batch opens: their keys in one read.
        self.indexer.prepare(
            event.originator_id
            for event in events
            if isinstance(event, Client.Registered | Client.Corrected)
        )

    def load(self, views: ViewStore, at: int) -> None:
        """What the views hold at case-view position ``at`` (a resumed rebuild, a batch that
        another process applied meanwhile)."""
        self.cases = {
            sys.intern(str(row["case_id"])): (sys.intern(str(row["client_id"])), str(row["folio"]))
            for row in views.query("SELECT case_id, client_id, folio FROM cases_view")
        }
        self.follow_ups = {
            str(row["follow_up_id"])
            for row in views.query("SELECT follow_up_id FROM follow_ups_view")
        }
        self.at = at

    def process(self, event: object) -> list[Statement]:
        direct = DIRECT.get(type(event))
        if direct is not None:
            direct(self, event)
            return []
        out: list[Statement] = []
        for statement in self._projection.process(event):
            absorb = self._absorb.get(statement.sql)
            if absorb is not None:
                out += absorb(statement.params)
            elif self._touches_held(statement.sql):
                out += self._flush()
                out.append(statement)
            else:
                out.append(statement)
        return out

    def batch_statements(self) -> list[Statement]:
        return self._flush()

    # ------------------------------------------------------------------ writing

    def _touches_held(self, sql: str) -> bool:
        touches = self._touches.get(sql)
        if touches is None:
            words = set(sql.replace("(", " ").replace(",", " ").split())
            touches = any(table in words for table in HELD)
            head = sql.split("(", 1)[0].split()
            if touches and any(t in head for t in _KEYED) and head[0] in ("INSERT", "DELETE"):
                # Known rows would go stale: every statement that adds or removes one is
                # absorbed above (a new one must be too).
                raise RuntimeError(f"a rebuild cannot follow this statement: {sql}")
            self._touches[sql] = touches
        return touches

    def _flush(self) -> list[Statement]:
        """Statements for everything the memory holds, which it then forgets (it still knows
        which cases and follow-ups exist)."""
        rows = self.bulk.rows
        out = rows(NEW_CASE, [tuple(row) for row in self.new_cases.values()])
        out += [
            Statement(CASE_CHANGES, (status, last, notes, case_id))
            for case_id, (status, last, notes) in self.case_changes.items()
        ]
        out += rows(COUNTER, sorted(self.counters.items()))
        out += rows(AREA, [(case, area, staff) for (case, area), staff in self.areas.items()])
        closures = self.closures.items()
        out += [
            Statement(CLOSURE_DELETE, (case_id,))
            for case_id, (state, _) in closures
            if state != _IF_ABSENT
        ]
        out += rows(
            CLOSURE_INSERT, [row for state, row in self.closures.values() if state != _GONE and row]
        )
        out += rows(NEW_FOLLOW_UP, [tuple(row) for row in self.new_follow_ups.values()])
        out += [Statement(FOLLOW_UP_SETTLE, params) for params in self.settled.values()]
        for sql, deferred in self.deferred.items():
            # In key order: each B-tree then takes its rows in one pass instead of at random
            # places (inserts that ignore an existing row: their order changes nothing).
            out += rows(sql, sorted(deferred, key=_key))
        out += self.agenda
        self._clear_batch()
        return out

    # ------------------------------------------------------------------ cases_view

    def _case_insert(self, params: Params) -> list[Statement]:
        case_id, client_id, folio, opened_on, zone, risk, opened_by, last = params
        if case_id not in self.cases:  # ON CONFLICT DO NOTHING
            self.cases[sys.intern(case_id)] = (sys.intern(client_id), folio)
            self.new_cases[case_id] = [
                case_id, client_id, folio, opened_on, "abierto", zone, risk, opened_by, 0, last
            ]  # fmt: skip
        return []

    def _change(self, case_id: str, status: str | None, last: str, notes: int) -> None:
        row = self.new_cases.get(case_id)
        if row is not None:
            if status is not None:
                row[STATUS] = status
            row[LAST] = last
            row[NOTES] += notes
        elif case_id in self.cases:  # (an update of no row changes nothing)
            change = self.case_changes.get(case_id)
            if change is None:
                self.case_changes[case_id] = [status, last, notes]
            else:
                if status is not None:
                    change[0] = status
                change[1] = last
                change[2] += notes

    def _case_touch(self, params: Params) -> list[Statement]:
        self._change(params[1], None, params[0], 0)
        return []

    def _case_status(self, params: Params) -> list[Statement]:
        self._change(params[2], params[0], params[1], 0)
        return []

    def _case_note(self, params: Params) -> list[Statement]:
        self._change(params[1], None, params[0], 1)
        return []

    # ------------------------------------------------------------------ the others

    def _counter(self, params: Params) -> list[Statement]:
        name, delta = params
        self.counters[name] = self.counters.get(name, 0) + delta
        return []

    def _area(self, params: Params) -> list[Statement]:
        case_id, area, staff = params
        self.areas[(case_id, area)] = staff
        return []

    def _closure_insert(self, params: Params) -> list[Statement]:
        case_id = params[0]
        state = self.closures.get(case_id)
        if state is None:
            self.closures[case_id] = (_IF_ABSENT, params)
        elif state[0] == _GONE:
            self.closures[case_id] = (_REPLACE, params)
        # a row is there either way: DO NOTHING
        return []

    def _closure_delete(self, params: Params) -> list[Statement]:
        self.closures[params[0]] = (_GONE, None)
        return []

    def _follow_up_insert(self, params: Params) -> list[Statement]:
        follow_up_id, due_on, channel, case_id = params
        case = self.cases.get(case_id)
        if case is not None and follow_up_id not in self.follow_ups:
            self.follow_ups.add(follow_up_id)
            self.new_follow_ups[follow_up_id] = [
                follow_up_id, case_id, case[0], case[1], due_on, channel, "pendiente", None, None
            ]  # fmt: skip
        return []

    def _follow_up_settle(self, params: Params) -> list[Statement]:
        state, settled_on, outcome, follow_up_id = params
        row = self.new_follow_ups.get(follow_up_id)
        if row is not None:
            row[FU_STATE], row[FU_SETTLED], row[FU_OUTCOME] = state, settled_on, outcome
        elif follow_up_id in self.follow_ups:
            self.settled[follow_up_id] = params
        return []

    def _agenda_upsert(self, params: Params) -> list[Statement]:
        next_session, held_on, held_by, case_id = params
        case = self.cases.get(case_id)
        if case is not None:
            row = (case_id, case[0], case[1], next_session, held_on, held_by)
            self.agenda.append(Statement(AGENDA_ROW, row))
        return []

    def _agenda_close(self, params: Params) -> list[Statement]:
        self.agenda.append(Statement(AGENDA_CLOSE, params))
        return []

    def _referral_insert(self, params: Params) -> list[Statement]:
        referral_id, institution_id, made_on, made_by, personal, override, case_id = params
        case = self.cases.get(case_id)
        if case is None:
            return []
        row = (referral_id, case_id, case[0], institution_id, made_on, made_by, personal, override)
        return [Statement(REFERRAL_ROW, row)]

    def _order_insert(self, params: Params) -> list[Statement]:
        order_id, kind, authority, issued_on, expires_on, detail, case_id = params
        case = self.cases.get(case_id)
        if case is None:
            return []
        row = (order_id, case_id, case[0], case[1], kind, authority, issued_on, expires_on, detail)
        return [Statement(ORDER_ROW, row)]

    def _deferrer(self, sql: str) -> Callable[[Params], list[Statement]]:
        def defer(params: Params) -> list[Statement]:
            self.deferred.setdefault(sql, []).append(params)
            return []

        return defer


def _key(row: Params) -> Any:
    """A deferred row's primary key (its first column; the two of search_index's and
    access_subjects')."""
    return row[:2] if len(row) == 2 else row[0]


# ---------------------------------------------------------------------- the frequent kinds
# Nine events in ten are of these kinds: each is taken into the memory as the statements
# ``CaseRecordProjection`` gives for it would be absorbed (same methods, same values), without
# making the statements and finding each one's method by its SQL (a third of the case views'
# Python in a rebuild). ``tests/integration/test_views_rebuild.py`` checks that its history
# has every kind below and that the views equal incremental projection's.


def _touch(memory: CaseViewsRebuild, event: Any) -> None:
    memory._change(str(event.originator_id), None, event.timestamp.isoformat(), 0)


def access_log_row(event: AccessRecord.Recorded) -> tuple[Any, ...]:
    """The access log's row of one access, the same for a terminal and for a rebuild."""
    return (
        str(event.originator_id),
        event.timestamp.isoformat(),
        str(event.staff_id),
        event.role,
        event.action,
        event.section,
        event.outcome,
        int(event.exceptional),
        event.purpose,
        None if event.sealed_justification is None else event.sealed_justification.envelope,
    )


def _access_recorded(memory: CaseViewsRebuild, event: AccessRecord.Recorded) -> None:
    access_id = str(event.originator_id)
    deferred = memory.deferred
    deferred.setdefault(ACCESS_INSERT, []).append(access_log_row(event))
    subjects = deferred.setdefault(SUBJECT_INSERT, [])
    subjects += [(access_id, client_id) for client_id in event.client_ids.texts()]


def _client_registered(memory: CaseViewsRebuild, event: Client.Registered) -> None:
    client_id = str(event.originator_id)
    deferred = memory.deferred
    deferred.setdefault(CLIENT_INSERT, []).append(
        (
            client_id,
            event.name.envelope,
            event.zone,
            event.age_band,
            event.registered_on.isoformat(),
        )
    )
    tokens = memory.indexer.client_tokens(event.originator_id, event.name, event.curp, event.phone)
    if tokens is None:
        deferred.setdefault(PENDING_INSERT, []).append((client_id,))
    else:
        deferred.setdefault(SEARCH_INSERT, []).extend(
            (token, client_id) for token in sorted(tokens)
        )
    deferred.setdefault(FLAGS_INSERT, []).append(
        (
            client_id,
            int(event.consent_to_statistics),
            int(event.consent_to_share),
            event.age_authorization,
            event.proposed_referral,
        )
    )


def _case_opened(memory: CaseViewsRebuild, event: Case.Opened) -> None:
    opened_on = event.opened_on.isoformat()
    memory._case_insert(
        (
            str(event.originator_id),
            str(event.client_id),
            event.folio,
            opened_on,
            event.zone,
            event.risk,
            str(event.opened_by),
            event.timestamp.isoformat(),
        )
    )
    memory._counter((OPEN_COUNTER, 1))
    memory._counter((month_counter(opened_on[:7]), 1))


def _note_added(memory: CaseViewsRebuild, event: Case.NoteAdded) -> None:
    memory._change(str(event.originator_id), None, event.timestamp.isoformat(), 1)


def _area_assigned(memory: CaseViewsRebuild, event: Case.AreaAssigned) -> None:
    _touch(memory, event)
    memory._area((str(event.originator_id), event.area, str(event.staff_id)))


def _follow_up_scheduled(memory: CaseViewsRebuild, event: Case.FollowUpScheduled) -> None:
    _touch(memory, event)
    memory._follow_up_insert(
        (str(event.follow_up_id), event.due_on.isoformat(), event.channel, str(event.originator_id))
    )


def _follow_up_settled(memory: CaseViewsRebuild, event: Case.FollowUpSettled) -> None:
    _touch(memory, event)
    outcome = event.outcome.envelope if event.outcome is not None else None
    memory._follow_up_settle(
        (event.state, event.settled_on.isoformat(), outcome, str(event.follow_up_id))
    )


def _psychology_session(memory: CaseViewsRebuild, event: Case.PsychologySessionHeld) -> None:
    _touch(memory, event)
    next_session = event.next_session.isoformat() if event.next_session is not None else None
    memory._agenda_upsert(
        (next_session, event.held_on.isoformat(), str(event.held_by), str(event.originator_id))
    )


def _closure_requested(memory: CaseViewsRebuild, event: Case.ClosureRequested) -> None:
    _touch(memory, event)
    memory._closure_insert(
        (str(event.originator_id), str(event.requested_by), event.requested_on.isoformat())
    )


def _closure_approved(memory: CaseViewsRebuild, event: Case.ClosureApproved) -> None:
    case_id = str(event.originator_id)
    memory._change(case_id, "cerrado", event.timestamp.isoformat(), 0)
    memory._closure_delete((case_id,))
    memory._counter((OPEN_COUNTER, -1))


DIRECT: dict[type, Callable[[CaseViewsRebuild, Any], None]] = {
    AccessRecord.Recorded: _access_recorded,
    Client.Registered: _client_registered,
    Case.Opened: _case_opened,
    Case.NoteAdded: _note_added,
    Case.AreaAssigned: _area_assigned,
    Case.FollowUpScheduled: _follow_up_scheduled,
    Case.FollowUpSettled: _follow_up_settled,
    Case.PsychologySessionHeld: _psychology_session,
    Case.LegalAdviceGiven: _touch,
    Case.GestionRecorded: _touch,
    Case.ClosureRequested: _closure_requested,
    Case.ClosureApproved: _closure_approved,
}
