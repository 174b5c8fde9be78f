"""Supervision: the audit trail by person, woman, day, section, purpose and outcome; the
anomaly sweep that turns flags into alerts; coordinación's alert queue and acknowledgements.

Thresholds come from ``Settings.alerts``. A sweep examines the accesses projected since the
last one (by position, not by clock), looking back far enough for the time-window rules, and
saves the alerts it raises together with its new position in one transaction: two terminals
sweeping at once conflict and the second redoes its sweep, so nothing is raised twice.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.persistence import RecordConflictError

from domain import identity
from domain.alerts import Alert, AlertRule, AnomalyWatch, alert_id
from domain.errors import InvalidField, NotPermitted, UnknownRecord
from domain.permissions import Action, Decision
from domain.vocabulary import Role, Section
from projections.audit_trail import READ_ACTIONS
from projections.storage import Row
from violeta.dto import AccessEntry
from violeta.session import MEXICO, SessionCore, load_aggregate, retry_on_conflict
from violeta.settings import AlertThresholds

TRAIL_LIMIT_MAX = 1000
# One screen page: an audited read names every woman it lists, so its cost follows the page,
# never the archive; the terminal app asks for the next page.
TRAIL_PAGE = 100
OUTCOMES = {decision.value: decision for decision in Decision}


@dataclass(frozen=True)
class AlertView:
    alert_id: UUID
    rule: AlertRule
    rule_label: str
    staff_id: UUID
    staff: str  # display name
    first_at: datetime  # Mexico City
    last_at: datetime
    accesses: int
    women: int
    raised_at: datetime
    acknowledged: bool
    acknowledged_by: str = ""
    acknowledged_on: date | None = None
    note: str = ""

    @property
    def summary(self) -> str:
        when = self.first_at.strftime("%d/%m/%Y %H:%M")
        return f"{self.rule_label}: {self.staff}, {when} ({self.accesses} accesos)"


@dataclass
class _Access:
    seq: int
    access_id: str
    at: datetime
    staff_id: str
    role: str
    action: str
    outcome: str
    exceptional: bool
    local_day: str
    weekday: int
    minute: int
    women: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Flag:
    rule: AlertRule
    key: str
    staff_id: str
    accesses: tuple[_Access, ...]
    women: int


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def detect(
    accesses: Sequence[_Access], through: int, unassigned: set[str], thresholds: AlertThresholds
) -> list[_Flag]:
    """The anomaly rules over accesses in trail order; flags only accesses after ``through``
    (the earlier ones are context for the time windows)."""
    flags: list[_Flag] = []
    new = [a for a in accesses if a.seq > through]
    start, end = _minutes(thresholds.office_start), _minutes(thresholds.office_end)
    out_of_hours: dict[tuple[str, str], list[_Access]] = defaultdict(list)
    for access in new:
        if access.exceptional:
            flags.append(
                _Flag(
                    AlertRule.BREAK_GLASS,
                    access.access_id,
                    access.staff_id,
                    (access,),
                    len(access.women),
                )
            )
        if access.role in thresholds.assignment_roles and access.access_id in unassigned:
            flags.append(
                _Flag(
                    AlertRule.NOT_ASSIGNED,
                    access.access_id,
                    access.staff_id,
                    (access,),
                    len(access.women),
                )
            )
        if access.weekday not in thresholds.office_days or not start <= access.minute < end:
            out_of_hours[(access.staff_id, access.local_day)].append(access)
    for (staff_id, day), group in out_of_hours.items():
        women = set().union(*(a.women for a in group))
        flags.append(
            _Flag(AlertRule.OUT_OF_HOURS, f"{staff_id}:{day}", staff_id, tuple(group), len(women))
        )

    by_staff: dict[str, list[_Access]] = defaultdict(list)
    for access in accesses:
        by_staff[access.staff_id].append(access)
    burst_window = timedelta(minutes=thresholds.many_women_minutes)
    denial_window = timedelta(minutes=thresholds.denials_minutes)
    for staff_id, own in by_staff.items():
        reads = [a for a in own if a.action in READ_ACTIONS and a.outcome != "denegado"]
        flags += _windows(
            reads,
            burst_window,
            lambda window: len(set().union(*(a.women for a in window))) > thresholds.many_women,
            AlertRule.MANY_WOMEN,
            staff_id,
            through,
        )
        denials = [a for a in own if a.outcome == "denegado"]
        flags += _windows(
            denials,
            denial_window,
            lambda window: len(window) >= thresholds.denials,
            AlertRule.REPEATED_DENIALS,
            staff_id,
            through,
        )
    return flags


def _windows(
    accesses: Iterable[_Access],
    width: timedelta,
    exceeds: Callable[[list[_Access]], bool],
    rule: AlertRule,
    staff_id: str,
    through: int,
) -> list[_Flag]:
    """One flag where a sliding window first exceeds the rule, then none until the window has
    passed entirely (a burst is one alert, not one per access in it)."""
    flags: list[_Flag] = []
    window: deque[_Access] = deque()
    last_flag: datetime | None = None
    for access in accesses:
        window.append(access)
        while window[0].at <= access.at - width:
            window.popleft()
        if exceeds(list(window)) and (last_flag is None or access.at - last_flag >= width):
            last_flag = access.at
            if access.seq > through:
                women = set().union(*(a.women for a in window))
                flags.append(
                    _Flag(
                        rule, f"{staff_id}:{access.access_id}", staff_id, tuple(window), len(women)
                    )
                )
    return flags


class AuditServices(SessionCore):
    # ------------------------------------------------------------------ trail

    def audit_trail(
        self,
        *,
        staff_id: UUID | None = None,
        client_id: UUID | None = None,
        day: str = "",
        section: str = "",
        purpose: str = "",
        outcome: str = "",
        limit: int = TRAIL_PAGE,
    ) -> list[AccessEntry]:
        """The access trail, newest first, filtered (coordinación only). The women it names
        are recorded as audited by this read before it returns."""
        self._check_supervisor("consultar la bitácora de accesos")
        conditions: list[str] = []
        params: list[object] = []
        if staff_id is not None:
            conditions.append("f.staff_id = ?")
            params.append(str(staff_id))
        if client_id is not None:
            conditions.append(
                "f.access_id IN (SELECT access_id FROM access_subjects WHERE client_id = ?)"
            )
            params.append(str(client_id))
        if day.strip():
            conditions.append("f.local_day = ?")
            params.append(identity.parse_date("Día", day).isoformat())
        if section.strip():
            conditions.append("f.section = ?")
            params.append(_section(section).value)
        if purpose.strip():
            text = identity.free_text("Propósito", purpose, max_length=identity.SHORT_TEXT_MAX)
            conditions.append("LOWER(l.purpose) LIKE ?")
            params.append(f"%{text.lower()}%")
        if outcome.strip():
            chosen = OUTCOMES.get(outcome.strip().lower())
            if chosen is None:
                raise InvalidField("Resultado", "elija concedido, denegado o excepcional.")
            conditions.append("f.outcome = ?")
            params.append(chosen.value)
        if not 1 <= limit <= TRAIL_LIMIT_MAX:
            raise InvalidField("Límite", f"debe estar entre 1 y {TRAIL_LIMIT_MAX}.")
        self._refresh_read_side()
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        rows = self._views.query(
            "SELECT l.*, f.seq FROM access_log l JOIN access_facts f USING (access_id) "  # noqa: S608 - fixed text
            f"{where}ORDER BY f.seq DESC LIMIT ?",
            (*params, limit),
        )
        subjects = self._subjects([row["access_id"] for row in rows])
        named = sorted({c for ids in subjects.values() for c in ids})
        self._record_access(
            action="auditar",
            section=Section.IDENTIFICATION,
            client_ids=[UUID(c) for c in named],
            case_ids=[],
            purpose="bitácora de accesos",
        )
        staff_names = self._staff_names()
        return [
            self._access_entry(row, subjects.get(row["access_id"], []), staff_names) for row in rows
        ]

    def _subjects(self, access_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for start in range(0, len(access_ids), 500):
            chunk = list(access_ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            for row in self._views.query(
                f"SELECT access_id, client_id FROM access_subjects WHERE access_id IN ({marks}) "  # noqa: S608 - placeholders only
                "ORDER BY client_id",
                chunk,
            ):
                found[row["access_id"]].append(row["client_id"])
        return found

    # ----------------------------------------------------------------- alerts

    def alerts(self, *, include_acknowledged: bool = False, limit: int = 200) -> list[AlertView]:
        """Coordinación's queue, newest first: it sweeps the trail first, so it is current.
        An alert names a staff member, never a woman; the trail tells whom she opened."""
        self._check_supervisor("consultar las alertas")
        if not 1 <= limit <= TRAIL_LIMIT_MAX:
            raise InvalidField("Límite", f"debe estar entre 1 y {TRAIL_LIMIT_MAX}.")
        self.sweep_anomalies()
        condition = "" if include_acknowledged else "WHERE acknowledged_by IS NULL "
        rows = self._views.query(
            f"SELECT * FROM alerts_view {condition}"  # noqa: S608 - fixed text
            "ORDER BY raised_at DESC, first_at DESC LIMIT ?",
            (limit,),
        )
        names = self._staff_names()
        views = []
        for row in rows:
            note = ""
            if row["acknowledged_by"] is not None:
                note = self._get_alert(UUID(row["alert_id"])).note
            views.append(_alert_view(row, names, note))
        return views

    def open_alert_count(self) -> int:
        """How many alerts wait for coordinación (after sweeping): for Mi día's counter."""
        self._check_supervisor("consultar las alertas")
        self.sweep_anomalies()
        return self._count("SELECT COUNT(*) AS n FROM alerts_view WHERE acknowledged_by IS NULL")

    def acknowledge_alert(self, alert: UUID, note: str) -> None:
        """Coordinación records what she found; the alert stays, marked as attended."""
        self._check_supervisor("atender alertas")
        text = identity.free_text("Nota", note, max_length=identity.SHORT_TEXT_MAX)
        today = self._institute.today()

        def attempt() -> None:
            current = self._get_alert(alert)
            current.acknowledge(self._account.id, text, today)
            self._store.save(current)

        retry_on_conflict(attempt)
        self._refresh_read_side()

    def sweep_anomalies(self) -> int:
        """Raises the alerts of the accesses projected since the last sweep; returns how many."""
        self._refresh_read_side()
        raised = retry_on_conflict(self._sweep_once)
        if raised:
            self._refresh_read_side()
        return raised

    def _sweep_once(self) -> int:
        thresholds = self._institute.settings.alerts
        try:
            watch = load_aggregate(self._store, AnomalyWatch.create_id(), AnomalyWatch, "")
        except UnknownRecord:
            watch = AnomalyWatch()
        top = self._views.query("SELECT MAX(seq) AS top FROM access_facts")[0]["top"]
        if top is None or int(top) <= watch.through:
            return 0
        through = watch.through
        first_new = self._views.query(
            "SELECT at FROM access_facts WHERE seq = (SELECT MIN(seq) FROM access_facts "
            "WHERE seq > ?)",
            (through,),
        )[0]["at"]
        lookback = max(thresholds.many_women_minutes, thresholds.denials_minutes)
        since = (datetime.fromisoformat(first_new) - timedelta(minutes=lookback)).isoformat()
        # Earlier accesses within the longest window are context for the time-window rules.
        context = self._views.query(
            "SELECT MIN(seq) AS s FROM access_facts WHERE at >= ? AND seq <= ?", (since, through)
        )[0]["s"]
        start = through + 1 if context is None else int(context)
        rows = self._views.query(
            "SELECT f.*, s.client_id FROM access_facts f LEFT JOIN access_subjects s "
            "ON s.access_id = f.access_id WHERE f.seq >= ? AND f.seq <= ? ORDER BY f.seq",
            (start, int(top)),
        )
        accesses = _accesses(rows)
        unassigned = {
            row["access_id"]
            for row in self._views.query(
                "SELECT DISTINCT u.access_id FROM access_unassigned u JOIN access_facts f "
                "ON f.access_id = u.access_id WHERE f.seq > ? AND f.seq <= ?",
                (through, int(top)),
            )
        }
        existing = {
            row["alert_id"] for row in self._views.query("SELECT alert_id FROM alerts_view")
        }
        alerts = []
        for flag in detect(accesses, through, unassigned, thresholds):
            if str(alert_id(flag.rule, flag.key)) in existing:
                continue
            existing.add(str(alert_id(flag.rule, flag.key)))
            alerts.append(
                Alert.raise_for(
                    flag.rule,
                    flag.key,
                    UUID(flag.staff_id),
                    flag.accesses[0].at.isoformat(),
                    flag.accesses[-1].at.isoformat(),
                    len(flag.accesses),
                    flag.women,
                    [UUID(a.access_id) for a in flag.accesses],
                )
            )
        watch.sweep(int(top))
        try:
            self._store.save(watch, *alerts)
        except RecordConflictError:
            self.refresh()  # another terminal swept meanwhile: redo from its position
            raise
        return len(alerts)

    def _get_alert(self, alert: UUID) -> Alert:
        return load_aggregate(
            self._store, alert, Alert, "No existe una alerta con ese identificador."
        )

    def _check_supervisor(self, purpose: str) -> None:
        if self.role is not Role.COORDINATION:
            self._record_denied(Section.IDENTIFICATION, [], purpose, action=Action.READ)
            raise NotPermitted(f"Solo coordinación puede {purpose}.")


def _section(text: str) -> Section:
    wanted = text.strip().casefold()
    for member in Section:
        if wanted in (member.value, member.label.casefold()):
            return member
    raise InvalidField("Sección", "no es una sección del expediente.")


def _accesses(rows: Sequence[Row]) -> list[_Access]:
    accesses: dict[int, _Access] = {}
    for row in rows:
        seq = int(row["seq"])
        access = accesses.get(seq)
        if access is None:
            access = accesses[seq] = _Access(
                seq=seq,
                access_id=row["access_id"],
                at=datetime.fromisoformat(row["at"]),
                staff_id=row["staff_id"],
                role=row["role"],
                action=row["action"],
                outcome=row["outcome"],
                exceptional=bool(row["exceptional"]),
                local_day=row["local_day"],
                weekday=int(row["weekday"]),
                minute=int(row["minute"]),
            )
        if row["client_id"] is not None:
            access.women.add(row["client_id"])
    return [accesses[seq] for seq in sorted(accesses)]


def _alert_view(row: Row, names: dict[str, str], note: str) -> AlertView:
    rule = AlertRule(row["rule"])
    return AlertView(
        alert_id=UUID(row["alert_id"]),
        rule=rule,
        rule_label=rule.label,
        staff_id=UUID(row["staff_id"]),
        staff=names.get(row["staff_id"], "—"),
        first_at=datetime.fromisoformat(row["first_at"]).astimezone(MEXICO),
        last_at=datetime.fromisoformat(row["last_at"]).astimezone(MEXICO),
        accesses=int(row["accesses"]),
        women=int(row["women"]),
        raised_at=datetime.fromisoformat(row["raised_at"]).astimezone(MEXICO),
        acknowledged=row["acknowledged_by"] is not None,
        acknowledged_by=names.get(row["acknowledged_by"] or "", ""),
        acknowledged_on=date.fromisoformat(row["acknowledged_on"])
        if row["acknowledged_on"]
        else None,
        note=note,
    )
