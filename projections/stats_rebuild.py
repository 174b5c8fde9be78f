"""The statistics store during a rebuild: the rules of ``stats_tables`` applied to dicts.

Kept incrementally (a terminal's catch-up, a follower), every fact costs a chain of SQL
statements: its ``stats_contrib`` row, then its cell's increment, read back from that row;
a new case's 12 windows of women attended; a moved fact's decrement and increment. That is
right when a few events arrive at a time, and most of a rebuild's work when 12,000 do (more
than half its statements). Here, during a rebuild only, the same rules run on the tables held
in memory, and each batch ends with one row per row it changed (``batch_statements``): the
cell's new count, the fact's new row, the window's new total. Each batch still moves these
tables and the read side's position in one transaction, so a rebuild killed midway resumes
from what the tables hold (``load``), and what it writes is what the statements of
``stats_tables`` would have left: ``tests/integration/test_statistics_rebuild.py`` compares
both on both backends.

Memory: one entry per case, per cell and per window, and one per fact that may still move (a
case's status and areas, referrals, orders, reports: about 300 bytes each); the facts that
never move once added (``SETTLED``: most of them) leave the memory with the batch that wrote
them, and are read back only for the two events that change them (her consent, a merge).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from domain.cases import Area, Case
from domain.clients import Client
from domain.directory import Institution
from domain.zones import ZoneCatalogue
from projections.batch_memory import Bulk
from projections.stats_tables import (
    ATTENTIONS,
    CASES,
    CASES_AGE,
    CASES_AREA,
    CASES_MODALITY,
    CASES_RISK,
    CASES_STATUS,
    CASES_VIOLENCE,
    COUNT_TABLES,
    EXPIRES,
    EXTENDED,
    FILED,
    ISSUED,
    MISCONDUCT,
    ORDERS,
    PENDING_OUTCOME,
    REFERRALS,
    STATS_SCHEMA,
    TABLES_BY_NAME,
    UNKNOWN_KIND,
    CountTable,
    _windows,
    extension_month,
    month_of,
)
from projections.storage import PostgresViewStore, Statement, ViewStore

# A fact's row, as in stats_contrib: [client_id, month, k1, k2, counted]
CLIENT, MONTH, K1, K2, COUNTED = range(5)
# A case's row, as in stats_membership: [client_id, month, zone, counted]
M_CLIENT, M_MONTH, M_ZONE, M_COUNTED = range(4)
# The value of a new fact taken from its case's row (its opening month, its zone).
CASE_MONTH, CASE_ZONE = object(), object()

Cell = tuple[str, ...]
FactKey = tuple[str, str]  # (table name, fact id)

_CONTRIB = "stats_contrib"
_MEMBERSHIP = "stats_membership"
_WOMEN = "stats_women_12m"
_CONSENT = "stats_consent"
_KINDS = "stats_institution_kinds"
_MERGES = "stats_zone_merges"


def _cell(table: CountTable, fact: list[Any]) -> Cell:
    if len(table.dimensions) == 1:
        return (fact[MONTH], fact[K1])
    return (fact[MONTH], fact[K1], fact[K2])


@cache
def _upsert(table: str, columns: tuple[str, ...], keys: int) -> str:
    """A row given whole: inserted, or every column past the key set to the given value."""
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    values = ", ".join(f"{column} = excluded.{column}" for column in columns[keys:])
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608 - fixed names
        f"ON CONFLICT ({', '.join(columns[:keys])}) DO UPDATE SET {values}"
    )


def _upserts(
    table: str, columns: tuple[str, ...], keys: int, rows: list[tuple[Any, ...]], many: bool
) -> list[Statement]:
    """On PostgreSQL, where each statement is one execution of the server's and a batch
    changes thousands of rows, arrays of a column each (projections/batch_memory.py
    ``Bulk``); on SQLite one row each (the driver's executemany: a statement of many rows is
    compiled again for each new length, and costs more)."""
    if many:
        return _BULK.rows(_upsert(table, columns, keys), rows)
    sql = _upsert(table, columns, keys)
    return [Statement(sql, row) for row in rows]


_BULK = Bulk(STATS_SCHEMA)
_BULK.many = True


@cache
def _delete(table: str, keys: tuple[str, ...]) -> str:
    where = " AND ".join(f"{key} = ?" for key in keys)
    return f"DELETE FROM {table} WHERE {where}"  # noqa: S608 - fixed names


# Facts that never move once added (only her consent or a merge of zones changes them): after
# the batch that wrote them they leave the memory, and are read back for those two events.
SETTLED = frozenset(
    table.name
    for table in (CASES, CASES_AGE, CASES_RISK, CASES_VIOLENCE, CASES_MODALITY, ATTENTIONS)
)
_MOVING = tuple(table.name for table in COUNT_TABLES if table.name not in SETTLED)
_SETTLED = tuple(sorted(SETTLED))
_FACT_COLUMNS = "tab, fact_id, client_id, month, k1, k2, counted"


class StatisticsMemory:
    """The statistics tables of one view store, in memory, at one position of its read side
    (``at``), with which of their rows the events applied since the last batch changed."""

    def __init__(self) -> None:
        self.at: int | None = None  # the read side's position these tables are at
        self.views: ViewStore | None = None  # where settled facts are read back from
        self._clear()

    def _clear(self) -> None:
        self._strings: dict[str, str] = {}
        self.consent: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.merges: dict[str, str] = {}
        self.members: dict[str, list[Any]] = {}
        self.client_cases: dict[str, list[str]] = {}
        self.contrib: dict[FactKey, list[Any]] = {}
        # Her facts, by key (a key may repeat after a fact was replaced: read through a dict).
        self.client_facts: dict[str, list[FactKey]] = {}
        self.counts: dict[str, dict[Cell, int]] = {table.name: {} for table in COUNT_TABLES}
        self.women: dict[tuple[str, str], list[Any]] = {}  # (last, zone) -> [first, women]
        self._dirty: dict[str, set[Any]] = {}
        self._settle: list[FactKey] = []

    # ---------------------------------------------------------------- loading and writing

    def load(self, views: ViewStore, at: int) -> None:
        """The tables as the view store holds them (those of read-side position ``at``)."""
        self._clear()
        s = self._s
        for row in views.query(f"SELECT client_id, counted FROM {_CONSENT}"):  # noqa: S608
            self.consent[s(row["client_id"])] = int(row["counted"])
        for row in views.query(f"SELECT institution_id, kind FROM {_KINDS}"):  # noqa: S608
            self.kinds[str(row["institution_id"])] = s(row["kind"])
        for row in views.query(f"SELECT code, merged_into FROM {_MERGES}"):  # noqa: S608
            self.merges[s(row["code"])] = s(row["merged_into"])
        for row in views.query(
            f"SELECT case_id, client_id, month, zone, counted FROM {_MEMBERSHIP}"  # noqa: S608
        ):
            client = s(row["client_id"])
            member = [client, s(row["month"]), s(row["zone"]), int(row["counted"])]
            self.members[str(row["case_id"])] = member
            self.client_cases.setdefault(client, []).append(str(row["case_id"]))
        marks = ", ".join("?" for _ in _MOVING)
        for row in views.query(
            f"SELECT {_FACT_COLUMNS} FROM {_CONTRIB} WHERE tab IN ({marks})",  # noqa: S608
            _MOVING,
        ):
            self._known_fact(row)
        for table in COUNT_TABLES:
            columns = ", ".join(table.columns)
            cells = self.counts[table.name]
            for row in views.query(f"SELECT {columns}, {table.count} AS n FROM {table.name}"):  # noqa: S608
                cells[tuple(s(row[column]) for column in table.columns)] = int(row["n"])
        for row in views.query(f"SELECT last_month, zone, first_month, women FROM {_WOMEN}"):  # noqa: S608
            self.women[(s(row["last_month"]), s(row["zone"]))] = [
                s(row["first_month"]),
                int(row["women"]),
            ]
        self.at = at
        self.views = views

    def _known_fact(self, row: Any) -> None:
        key = (self._s(row["tab"]), str(row["fact_id"]))
        if key in self.contrib:
            return  # what memory holds is newer
        s = self._s
        client = s(row["client_id"])
        self.contrib[key] = [
            client,
            s(row["month"]),
            s(row["k1"]),
            s(row["k2"]),
            int(row["counted"]),
        ]
        self.client_facts.setdefault(client, []).append(key)

    def _read_back(self, where: str, params: tuple[str, ...]) -> None:
        """The settled facts of the store that ``where`` selects, back in memory (the others
        never leave it: the store may hold an older version of them)."""
        if self.views is None:
            return
        marks = ", ".join("?" for _ in _SETTLED)
        for row in self.views.query(
            f"SELECT {_FACT_COLUMNS} FROM {_CONTRIB} WHERE {where} AND tab IN ({marks})",  # noqa: S608 - fixed text
            (*params, *_SETTLED),
        ):
            self._known_fact(row)

    def settle(self) -> None:
        """After the batch was committed: its settled facts leave the memory."""
        for key in self._settle:
            fact = self.contrib.pop(key, None)
            if fact is None:
                continue
            keys = self.client_facts.get(fact[CLIENT], [])
            if key in keys:
                keys.remove(key)
            if not keys:
                self.client_facts.pop(fact[CLIENT], None)
        self._settle = []

    def batch_statements(self) -> list[Statement]:
        """The rows changed since the last call, each once, grouped by table."""
        statements: list[Statement] = []
        dirty, self._dirty = self._dirty, {}
        many = isinstance(self.views, PostgresViewStore)
        for table in COUNT_TABLES:
            cells = dirty.get(table.name)
            if not cells:
                continue
            counts = self.counts[table.name]
            statements += _upserts(
                table.name,
                (*table.columns, table.count),
                len(table.columns),
                [(*cell, counts[cell]) for cell in cells if cell in counts],
                many,
            )
            delete = _delete(table.name, table.columns)
            statements += [Statement(delete, cell) for cell in cells if cell not in counts]
        facts = dirty.get(_CONTRIB, set())
        self._settle = [key for key in facts if key[0] in SETTLED and key in self.contrib]
        statements += _upserts(
            _CONTRIB,
            ("tab", "fact_id", "client_id", "month", "k1", "k2", "counted"),
            2,
            [(*key, *self.contrib[key]) for key in facts if key in self.contrib],
            many,
        )
        delete = _delete(_CONTRIB, ("tab", "fact_id"))
        statements += [Statement(delete, key) for key in facts if key not in self.contrib]
        statements += _upserts(
            _MEMBERSHIP,
            ("case_id", "client_id", "month", "zone", "counted"),
            1,
            [(case, *self.members[case]) for case in dirty.get(_MEMBERSHIP, ())],
            many,
        )
        windows = dirty.get(_WOMEN, set())
        statements += _upserts(
            _WOMEN,
            ("last_month", "zone", "first_month", "women"),
            2,
            [(*key, *self.women[key]) for key in windows if key in self.women],
            many,
        )
        delete = _delete(_WOMEN, ("last_month", "zone"))
        statements += [Statement(delete, key) for key in windows if key not in self.women]
        small: tuple[tuple[str, tuple[str, str], dict[str, Any]], ...] = (
            (_CONSENT, ("client_id", "counted"), self.consent),
            (_KINDS, ("institution_id", "kind"), self.kinds),
            (_MERGES, ("code", "merged_into"), self.merges),
        )
        for name, columns, values in small:
            rows = [(key, values[key]) for key in dirty.get(name, ())]
            statements += _upserts(name, columns, 1, rows, many)
        return statements

    def _s(self, text: str) -> str:
        """One string object per distinct month, zone, kind and client id."""
        return self._strings.setdefault(text, text)

    def _touch(self, table: str, key: Any) -> None:
        self._dirty.setdefault(table, set()).add(key)

    # ----------------------------------------------------------------- the rules, in memory

    def apply(self, event: object) -> None:
        handler = MEMORY_HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _increment(self, table: CountTable, key: FactKey) -> None:
        fact = self.contrib.get(key)
        if fact is not None and fact[COUNTED] == 1:
            self._move(table, _cell(table, fact), 1)

    def _decrement(self, table: CountTable, key: FactKey) -> None:
        fact = self.contrib.get(key)
        if fact is not None and fact[COUNTED] == 1:
            self._move(table, _cell(table, fact), -1)

    def _move(self, table: CountTable, cell: Cell, by: int) -> None:
        counts = self.counts[table.name]
        count = counts.get(cell, 0) + by
        if by < 0 and cell not in counts:
            return  # (an UPDATE of no row)
        if count <= 0:
            counts.pop(cell, None)  # cells of 0 are deleted
        else:
            counts[cell] = count
        self._touch(table.name, cell)

    def add_fact(
        self, table: CountTable, fact_id: str, case_id: str, month: Any, k1: Any, k2: Any = ""
    ) -> None:
        """``stats_tables.add_fact``: a new fact counts when her cases count now."""
        key = (table.name, fact_id)
        member = self.members.get(case_id)
        if member is not None and key not in self.contrib and k1 is not None:
            s = self._s
            client = member[M_CLIENT]
            self.contrib[key] = [
                client,
                member[M_MONTH] if month is CASE_MONTH else s(month),
                member[M_ZONE] if k1 is CASE_ZONE else s(k1),
                s(k2),
                member[M_COUNTED],
            ]
            self.client_facts.setdefault(client, []).append(key)
            self._touch(_CONTRIB, key)
        self._increment(table, key)

    def set_fact(
        self, table: CountTable, fact_id: str, case_id: str, month: Any, k1: Any, k2: Any = ""
    ) -> None:
        key = (table.name, fact_id)
        self._decrement(table, key)
        if self.contrib.pop(key, None) is not None:
            self._touch(_CONTRIB, key)
        self.add_fact(table, fact_id, case_id, month, k1, k2)

    def change_fact(self, table: CountTable, fact_id: str, column: int, new: str) -> None:
        key = (table.name, fact_id)
        self._decrement(table, key)
        fact = self.contrib.get(key)
        if fact is not None:
            fact[column] = self._s(new)
            self._touch(_CONTRIB, key)
        self._increment(table, key)

    def opened(self, event: Case.Opened) -> None:
        case_id, client = str(event.originator_id), self._s(str(event.client_id))
        month = self._s(month_of(event.opened_on))
        member = self.members.get(case_id)
        if member is None:
            zone = self._s(self.merges.get(event.zone, event.zone))
            member = [client, month, zone, self.consent.get(client, 1)]
            self.members[case_id] = member
            self.client_cases.setdefault(member[M_CLIENT], []).append(case_id)
            self._touch(_MEMBERSHIP, case_id)
        self._woman_windows(case_id, member, month)
        facts: list[tuple[CountTable, str, str]] = [
            (CASES, case_id, ""),
            (CASES_AGE, case_id, event.age_band),
            (CASES_RISK, case_id, event.risk),
            (CASES_STATUS, case_id, "abierto"),
            *((CASES_VIOLENCE, f"{case_id}:{k}", k) for k in sorted(set(event.violence_types))),
            *((CASES_MODALITY, f"{case_id}:{m}", m) for m in sorted(set(event.modalities))),
        ]
        for table, fact, k2 in facts:
            self.add_fact(table, fact, case_id, CASE_MONTH, CASE_ZONE, k2)

    def _woman_windows(self, case_id: str, member: list[Any], month: str) -> None:
        """+1 in each window of her new case where she was not attended in that zone yet."""
        client, zone = member[M_CLIENT], member[M_ZONE]
        others = [
            self.members[other][M_MONTH]
            for other in self.client_cases.get(client, ())
            if other != case_id
            and self.members[other][M_ZONE] == zone
            and self.members[other][M_COUNTED] == 1
        ]
        counted = int(member[M_COUNTED] == 1)
        for last, first in _windows(month):
            new = (
                int(counted and not any(first <= o <= last for o in others)) if others else counted
            )
            key = (last, zone)
            row = self.women.get(key)
            if row is None:
                self.women[key] = [first, new]
            else:
                row[1] += new
            self._touch(_WOMEN, key)

    def consent_changed(self, client_id: str, granted: bool) -> None:
        """``stats_tables.consent_changed`` and the consent row itself."""
        flag = int(granted)
        self._read_back("client_id = ?", (client_id,))
        for key in dict.fromkeys(self.client_facts.get(client_id, ())):
            fact = self.contrib.get(key)
            if fact is None:
                continue
            if fact[COUNTED] != flag:
                if fact[COUNTED] == 0:  # granted: what she had added comes back
                    self._move(TABLES_BY_NAME[key[0]], _cell(TABLES_BY_NAME[key[0]], fact), 1)
                else:
                    self._move(TABLES_BY_NAME[key[0]], _cell(TABLES_BY_NAME[key[0]], fact), -1)
            fact[COUNTED] = flag
            self._touch(_CONTRIB, key)
        cases = [self.members[case] for case in self.client_cases.get(client_id, ())]
        windows: set[tuple[str, str]] = set()
        for member in cases:
            if member[M_COUNTED] == (0 if granted else 1):
                for last, _first in _windows(member[M_MONTH]):
                    row = self.women.get((last, member[M_ZONE]))
                    if row is not None and row[0] <= member[M_MONTH]:
                        windows.add((last, member[M_ZONE]))
        for key in windows:
            self.women[key][1] += 1 if granted else -1
            self._touch(_WOMEN, key)
        for case in self.client_cases.get(client_id, ()):
            self.members[case][M_COUNTED] = flag
            self._touch(_MEMBERSHIP, case)
        if client_id in self.consent:
            self.consent[client_id] = flag
            self._touch(_CONSENT, client_id)

    def zones_merged(self, old: str, new: str) -> None:
        """``stats_tables.zones_merged`` and the merge's own row."""
        new = self._s(new)
        self._merge_cells(old, new)
        for case, member in self.members.items():
            if member[M_ZONE] == old:
                member[M_ZONE] = new
                self._touch(_MEMBERSHIP, case)
        self._merge_women(old, new)
        self.merges[old] = new
        self._touch(_MERGES, old)
        for code, into in self.merges.items():
            if into == old:
                self.merges[code] = new
                self._touch(_MERGES, code)

    def _merge_cells(self, old: str, new: str) -> None:
        self._read_back("k1 = ?", (old,))
        for table in COUNT_TABLES:
            if table.dimensions[0] != "zone":
                continue
            counts = self.counts[table.name]
            for cell in [cell for cell in counts if cell[1] == old]:
                moved = (cell[0], new, *cell[2:])
                counts[moved] = counts.get(moved, 0) + counts.pop(cell)
                self._touch(table.name, cell)
                self._touch(table.name, moved)
            for key, fact in self.contrib.items():
                if key[0] == table.name and fact[K1] == old:
                    fact[K1] = new
                    self._touch(_CONTRIB, key)

    def _merge_women(self, old: str, new: str) -> None:
        for last, zone in [key for key in self.women if key[1] == old]:
            first = self.women.pop((last, zone))[0]
            self.women.setdefault((last, new), [first, 0])
            self._touch(_WOMEN, (last, zone))
        # After a merge a woman attended in both zones is one woman of the survivor: recount.
        attended: dict[str, set[str]] = {}
        for member in self.members.values():
            if member[M_ZONE] != new or member[M_COUNTED] != 1:
                continue
            for last, _first in _windows(member[M_MONTH]):
                row = self.women.get((last, new))
                if row is not None and row[0] <= member[M_MONTH]:
                    attended.setdefault(last, set()).add(member[M_CLIENT])
        for (last, zone), row in self.women.items():
            if zone == new:
                row[1] = len(attended.get(last, ()))
                self._touch(_WOMEN, (last, zone))


def _status(status: str) -> Callable[[StatisticsMemory, Case.Event], None]:
    def handler(memory: StatisticsMemory, event: Case.Event) -> None:
        memory.change_fact(CASES_STATUS, str(event.originator_id), K2, status)

    return handler


def _area_assigned(memory: StatisticsMemory, event: Case.AreaAssigned) -> None:
    case_id = str(event.originator_id)
    memory.set_fact(
        CASES_AREA, f"{case_id}:{event.area}", case_id, CASE_MONTH, CASE_ZONE, event.area
    )


def _attention(
    fact: Callable[[Any], Any], on: Callable[[Any], Any], area: Callable[[Any], str], kind: str
) -> Callable[[StatisticsMemory, Any], None]:
    def handler(memory: StatisticsMemory, event: Any) -> None:
        memory.add_fact(
            ATTENTIONS,
            str(fact(event)),
            str(event.originator_id),
            month_of(on(event)),
            area(event),
            kind,
        )

    return handler


def _referral_made(memory: StatisticsMemory, event: Case.ReferralMade) -> None:
    memory.add_fact(
        REFERRALS,
        str(event.referral_id),
        str(event.originator_id),
        month_of(event.made_on),
        memory.kinds.get(str(event.institution_id), UNKNOWN_KIND),
        PENDING_OUTCOME,
    )


def _referral_outcome(memory: StatisticsMemory, event: Case.ReferralOutcomeRecorded) -> None:
    memory.change_fact(REFERRALS, str(event.referral_id), K2, event.outcome)


def _order_recorded(memory: StatisticsMemory, event: Case.ProtectionOrderRecorded) -> None:
    order, case_id = str(event.order_id), str(event.originator_id)
    memory.add_fact(
        ORDERS, f"{order}:{ISSUED}", case_id, month_of(event.issued_on), event.kind, ISSUED
    )
    memory.add_fact(
        ORDERS, f"{order}:{EXPIRES}", case_id, month_of(event.expires_on), event.kind, EXPIRES
    )


def _order_extended(memory: StatisticsMemory, event: Case.ProtectionOrderExtended) -> None:
    order = str(event.order_id)
    issued = memory.contrib.get((ORDERS.name, f"{order}:{ISSUED}"))
    memory.add_fact(
        ORDERS,
        f"{order}:{EXTENDED}:{event.originator_version}",
        str(event.originator_id),
        extension_month(event),
        None if issued is None else issued[K1],
        EXTENDED,
    )
    memory.change_fact(ORDERS, f"{order}:{EXPIRES}", MONTH, month_of(event.expires_on))


def _misconduct_reported(memory: StatisticsMemory, event: Case.MisconductReported) -> None:
    memory.add_fact(
        MISCONDUCT,
        str(event.report_id),
        str(event.originator_id),
        month_of(event.reported_on),
        event.conduct,
        FILED,
    )


def _misconduct_updated(memory: StatisticsMemory, event: Case.MisconductReportUpdated) -> None:
    memory.change_fact(MISCONDUCT, str(event.report_id), K2, event.status)


def _consent(memory: StatisticsMemory, event: Client.StatisticsConsentChanged) -> None:
    memory.consent_changed(str(event.originator_id), event.granted)


def _registered(memory: StatisticsMemory, event: Client.Registered) -> None:
    client = memory._s(str(event.originator_id))
    if client not in memory.consent:
        memory.consent[client] = int(event.consent_to_statistics)
        memory._touch(_CONSENT, client)


def _institution(memory: StatisticsMemory, event: Institution.Registered) -> None:
    institution = str(event.originator_id)
    memory.kinds[institution] = memory._s(event.kind)
    memory._touch(_KINDS, institution)


def _zones_merged(memory: StatisticsMemory, event: ZoneCatalogue.ZonesMerged) -> None:
    memory.zones_merged(event.code, event.into)


# The same events as stats_tables.STATS_HANDLERS, each with the same rule.
MEMORY_HANDLERS: dict[type, Callable[[StatisticsMemory, Any], None]] = {
    Case.Opened: StatisticsMemory.opened,
    Case.FollowUpStageEntered: _status("en_seguimiento"),
    Case.ClosureApproved: _status("cerrado"),
    Case.Reopened: _status("reabierto"),
    Case.AreaAssigned: _area_assigned,
    Case.LegalAdviceGiven: _attention(
        lambda e: e.advice_id, lambda e: e.given_on, lambda e: Area.LEGAL.value, "asesoria"
    ),
    Case.Accompanied: _attention(
        lambda e: e.accompaniment_id, lambda e: e.performed_on, lambda e: e.area, "acompanamiento"
    ),
    Case.PsychologySessionHeld: _attention(
        lambda e: e.session_id, lambda e: e.held_on, lambda e: Area.PSYCHOLOGICAL.value, "sesion"
    ),
    Case.GestionRecorded: _attention(
        lambda e: e.gestion_id, lambda e: e.done_on, lambda e: Area.SOCIAL_WORK.value, "gestion"
    ),
    Case.SocialVisitRecorded: _attention(
        lambda e: e.visit_id, lambda e: e.visited_on, lambda e: Area.SOCIAL_WORK.value, "visita"
    ),
    Case.ReferralMade: _referral_made,
    Case.ReferralOutcomeRecorded: _referral_outcome,
    Case.ProtectionOrderRecorded: _order_recorded,
    Case.ProtectionOrderExtended: _order_extended,
    Case.MisconductReported: _misconduct_reported,
    Case.MisconductReportUpdated: _misconduct_updated,
    Client.StatisticsConsentChanged: _consent,
    Client.Registered: _registered,
    Institution.Registered: _institution,
    Institution.Updated: _institution,
    ZoneCatalogue.ZonesMerged: _zones_merged,
}
