"""The audit trail's read side during a rebuild: its statements gathered in memory and written
as plain rows once per batch (projections/views_rebuild.py does the same for the case views).

Kept incrementally, each access costs a statement that numbers it from ``MAX(seq)`` of
``access_facts`` and, for each case she read, one that asks ``audit_case_staff`` whether she
attends it; each opening and each area assigned, an upsert of ``audit_case_staff``. On
PostgreSQL each is an execution on the server (7,700 of them in a rebuild of the 1k demo).
Here the numbering goes on from the last number in memory, the question is asked of the
memory's copy of ``audit_case_staff`` (every case's opener and attendants, as the statements
before it left them), and each batch ends with plain inserts (many rows per statement on
PostgreSQL) and one upsert per changed attendant.

Same rows as the statements of ``projections.audit_trail``: an access is an aggregate of its
own whose ``Recorded`` is its first version, so no access is projected twice and the
``ON CONFLICT (access_id) DO NOTHING`` of its fact never skips a number. A batch that another
process applied, or a resumed rebuild, reads the numbering and the attendants back
(``load``); a refused batch drops them. Memory: about 150 bytes per case and area.
"""

from __future__ import annotations

import sys
from typing import Any

from domain.access import AccessRecord
from domain.cases import Case
from projections.audit_trail import AUDIT_TRAIL_SCHEMA, AuditProjection, access_fact, cases_read
from projections.batch_memory import BatchMemory
from projections.storage import Statement, ViewStore

Params = tuple[Any, ...]

ACCESS_FACT = (
    "INSERT INTO access_facts (seq, access_id, at, staff_id, role, action, section, "
    "outcome, exceptional, local_day, weekday, minute, women) "
    "SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
    "FROM access_facts WHERE 1 = 1 ON CONFLICT (access_id) DO NOTHING"
)
UNASSIGNED = (
    "INSERT INTO access_unassigned SELECT ?, ? WHERE NOT EXISTS "
    "(SELECT 1 FROM audit_case_staff WHERE case_id = ? AND staff_id = ?) "
    "ON CONFLICT DO NOTHING"
)
OPENER = "INSERT INTO audit_case_staff VALUES (?, '', ?) ON CONFLICT DO NOTHING"
ATTENDANT = (
    "INSERT INTO audit_case_staff VALUES (?, ?, ?) ON CONFLICT (case_id, area) "
    "DO UPDATE SET staff_id = excluded.staff_id"
)

# What this memory writes instead.
FACT_ROW = (
    "INSERT INTO access_facts (seq, access_id, at, staff_id, role, action, section, "
    "outcome, exceptional, local_day, weekday, minute, women) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (access_id) DO NOTHING"
)
UNASSIGNED_ROW = "INSERT INTO access_unassigned VALUES (?, ?) ON CONFLICT DO NOTHING"

HELD = ("access_facts", "access_unassigned", "audit_case_staff")


class AuditMemory(BatchMemory):
    def __init__(self) -> None:
        self.seq = 0
        # case id → [area, staff id, area, staff id…] ('' for who opened it), as
        # audit_case_staff holds them (a flat list: a third of a dict's size per case).
        self.staff: dict[str, list[str]] = {}
        self._checked: set[str] = set()
        self._projection = AuditProjection()
        super().__init__(AUDIT_TRAIL_SCHEMA)

    def _clear_batch(self) -> None:
        self.facts: list[Params] = []
        self.unassigned: list[Params] = []
        self.changed: dict[tuple[str, str], str] = {}

    def load(self, views: ViewStore, at: int) -> None:
        """What the tables hold at read-side position ``at``."""
        rows = views.query("SELECT MAX(seq) AS n FROM access_facts")
        self.seq = int(rows[0]["n"] or 0)
        self.staff = {}
        for row in views.query("SELECT case_id, area, staff_id FROM audit_case_staff"):
            self._set(str(row["case_id"]), str(row["area"]), str(row["staff_id"]))
        self.at = at

    def process(self, event: object) -> list[Statement]:
        """The trail's statements for ``event``, those of the held tables absorbed; an access,
        her reads of cases she does not attend, an opening and an area assigned (nearly all
        the trail's events) taken in directly, from the values those statements carry."""
        kind = type(event)  # (the trail's handlers go by exact type too)
        if isinstance(event, AccessRecord.Recorded) and kind is AccessRecord.Recorded:
            fact = access_fact(event)
            self._fact(fact)
            for case_id in cases_read(event):
                self._unassigned(fact[0], case_id, fact[2])
            return []
        if isinstance(event, Case.Opened) and kind is Case.Opened:
            self._opener(str(event.originator_id), str(event.opened_by))
            return []
        if isinstance(event, Case.AreaAssigned) and kind is Case.AreaAssigned:
            self._attendant(str(event.originator_id), event.area, str(event.staff_id))
            return []
        return self.absorb(self._projection.process(event))

    def absorb(self, statements: list[Statement]) -> list[Statement]:
        out: list[Statement] = []
        for statement in statements:
            sql, params = statement.sql, statement.params
            if sql == ACCESS_FACT:
                self._fact(params)
            elif sql == UNASSIGNED:
                access_id, case_id, _, staff_id = params
                self._unassigned(access_id, case_id, staff_id)
            elif sql == OPENER:
                self._opener(*params)
            elif sql == ATTENDANT:
                self._attendant(*params)
            else:
                self._check(sql)
                out.append(statement)
        return out

    def _fact(self, fact: Params) -> None:
        self.seq += 1
        self.facts.append((self.seq, *fact))

    def _unassigned(self, access_id: str, case_id: str, staff_id: str) -> None:
        if staff_id not in self.staff.get(case_id, [])[1::2]:
            self.unassigned.append((access_id, case_id))

    def _opener(self, case_id: str, staff_id: str) -> None:
        if "" not in self.staff.get(case_id, [])[::2]:
            self._set(case_id, "", staff_id)
            self.changed[(case_id, "")] = staff_id

    def _attendant(self, case_id: str, area: str, staff_id: str) -> None:
        self._set(case_id, area, staff_id)
        self.changed[(case_id, area)] = staff_id

    def _set(self, case_id: str, area: str, staff_id: str) -> None:
        area, staff_id = sys.intern(area), sys.intern(staff_id)  # a few dozen distinct
        pairs = self.staff.get(case_id)
        if pairs is None:
            self.staff[sys.intern(case_id)] = [area, staff_id]
            return
        for at in range(0, len(pairs), 2):
            if pairs[at] == area:
                pairs[at + 1] = staff_id
                return
        pairs += (area, staff_id)

    def _check(self, sql: str) -> None:
        """Every statement that writes a held table is absorbed above (a new one must be
        too: the memory would go stale)."""
        if sql not in self._checked:
            words = set(sql.replace("(", " ").replace(",", " ").split())
            if any(table in words for table in HELD):
                raise RuntimeError(f"a rebuild cannot follow this statement: {sql}")
            self._checked.add(sql)

    def flush(self) -> list[Statement]:
        out = self.bulk.rows(FACT_ROW, self.facts)
        out += self.bulk.rows(UNASSIGNED_ROW, self.unassigned)
        changed = [(case_id, area, staff) for (case_id, area), staff in self.changed.items()]
        out += self.bulk.rows(ATTENDANT, changed)
        self._clear_batch()
        return out
