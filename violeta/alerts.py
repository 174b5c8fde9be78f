"""Supervision: the audit trail by person, woman, day, section, purpose and outcome; the
anomaly sweep that turns flags into alerts; coordinación's alert queue and acknowledgements.

Thresholds come from ``Settings.alerts``. A sweep examines the accesses projected since the
last one (by position, not by clock), looking back far enough for the time-window rules, and
saves the alerts it raises together with its new position in one transaction: two terminals
sweeping at once conflict and the second redoes its sweep, so nothing is raised twice.

The commands are in violeta/handlers/supervision.py, the trail and the alert queue in
violeta/queries/supervision.py; the sweep here is shared by both."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.persistence import RecordConflictError

from domain.alerts import Alert, AlertRule, AnomalyWatch, alert_id
from domain.errors import InvalidField, UnknownRecord
from domain.permissions import Decision
from domain.vocabulary import Section
from projections.audit_trail import READ_ACTIONS
from projections.storage import Row
from violeta.session import MEXICO, SessionContext, retry_on_conflict
from violeta.settings import AlertThresholds
from violeta.store import load_aggregate

TRAIL_LIMIT_MAX = 1000
SWEEP_BATCH = 5000  # accesses examined per step of a sweep (see sweep_anomalies)


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


WINDOW_RULES = (AlertRule.MANY_WOMEN, AlertRule.REPEATED_DENIALS)
# When each person's last alert of a time-window rule was raised for: (rule, staff) → time.
LastAlerts = dict[tuple[AlertRule, str], datetime]


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def detect(
    accesses: Sequence[_Access],
    through: int,
    unassigned: set[str],
    thresholds: AlertThresholds,
    last_alerts: LastAlerts | None = None,
) -> list[_Flag]:
    """The anomaly rules over accesses in trail order; flags only accesses after ``through``
    (the earlier ones are context for the time windows). ``last_alerts``: when each person's
    last alert of a window rule was raised for (a burst raises once per window)."""
    last_alerts = last_alerts or {}
    flags: list[_Flag] = []
    new = [a for a in accesses if a.seq > through]
    start, end = _minutes(thresholds.office_start), _minutes(thresholds.office_end)
    out_of_hours: dict[tuple[str, str], list[_Access]] = defaultdict(list)
    # One alert per person, day and women read: browsing a case she does not attend reads
    # several sections, and coordinación has one thing to look into, not one per section.
    not_assigned: dict[tuple[str, str, str], list[_Access]] = defaultdict(list)
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
            not_assigned[(access.staff_id, access.local_day, _women_digest(access))].append(access)
        if access.weekday not in thresholds.office_days or not start <= access.minute < end:
            out_of_hours[(access.staff_id, access.local_day)].append(access)
    for (staff_id, day, women_read), group in not_assigned.items():
        flags.append(
            _Flag(
                AlertRule.NOT_ASSIGNED,
                f"{staff_id}:{day}:{women_read}",
                staff_id,
                tuple(group),
                len(group[0].women),
            )
        )
    for (staff_id, day), group in out_of_hours.items():
        women = set().union(*(a.women for a in group))
        flags.append(
            _Flag(AlertRule.OUT_OF_HOURS, f"{staff_id}:{day}", staff_id, tuple(group), len(women))
        )

    by_staff: dict[str, list[_Access]] = defaultdict(list)
    for access in accesses:
        by_staff[access.staff_id].append(access)
    widths = _widths(thresholds)
    for staff_id, own in by_staff.items():
        flags += _windows(
            [a for a in own if _counts_for(AlertRule.MANY_WOMEN, a)],
            widths[AlertRule.MANY_WOMEN],
            lambda _accesses, women: women > thresholds.many_women,
            AlertRule.MANY_WOMEN,
            staff_id,
            through,
            last_alerts.get((AlertRule.MANY_WOMEN, staff_id)),
        )
        flags += _windows(
            [a for a in own if _counts_for(AlertRule.REPEATED_DENIALS, a)],
            widths[AlertRule.REPEATED_DENIALS],
            lambda accesses, _women: accesses >= thresholds.denials,
            AlertRule.REPEATED_DENIALS,
            staff_id,
            through,
            last_alerts.get((AlertRule.REPEATED_DENIALS, staff_id)),
        )
    return flags


def _widths(thresholds: AlertThresholds) -> dict[AlertRule, timedelta]:
    return {
        AlertRule.MANY_WOMEN: timedelta(minutes=thresholds.many_women_minutes),
        AlertRule.REPEATED_DENIALS: timedelta(minutes=thresholds.denials_minutes),
    }


def _counts_for(rule: AlertRule, access: _Access) -> bool:
    """Whether a time-window rule counts the access: bursts count reads, never a denied one
    (nor a listing: Mi día names dozens of women); the denials rule counts denials."""
    if rule is AlertRule.MANY_WOMEN:
        return access.action in READ_ACTIONS and access.outcome != Decision.DENIED.value
    return access.outcome == Decision.DENIED.value


def _women_digest(access: _Access) -> str:
    """Which women an access read, as a digest: an alert's key names staff, never her."""
    return hashlib.sha256("|".join(sorted(access.women)).encode()).hexdigest()[:16]


def _windows(
    accesses: Iterable[_Access],
    width: timedelta,
    exceeds: Callable[[int, int], bool],
    rule: AlertRule,
    staff_id: str,
    through: int,
    last_flag: datetime | None = None,
) -> list[_Flag]:
    """One flag where a sliding window first exceeds the rule (asked with how many accesses
    and how many distinct women the window holds), then none until the window has passed
    entirely (a burst is one alert, not one per access in it).

    The window's women are counted as accesses enter and leave it, so a sweep costs the
    same per access however many the window holds (the demo's story reads thousands in
    minutes; recounting the window at every access made its sweep quadratic)."""
    flags: list[_Flag] = []
    window: deque[_Access] = deque()
    women: Counter[str] = Counter()
    for access in accesses:
        window.append(access)
        women.update(access.women)
        while window[0].at <= access.at - width:
            for woman in window.popleft().women:
                women[woman] -= 1
                if not women[woman]:
                    del women[woman]
        if exceeds(len(window), len(women)) and (
            last_flag is None or access.at - last_flag >= width
        ):
            last_flag = access.at
            if access.seq > through:
                flags.append(
                    _Flag(
                        rule, f"{staff_id}:{access.access_id}", staff_id, tuple(window), len(women)
                    )
                )
    return flags


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


def sweep_anomalies(ctx: SessionContext) -> int:
    """Raises the alerts of the accesses projected since the last sweep; returns how many.

    A long backlog (the first sweep of a large archive) goes in steps of ``SWEEP_BATCH``
    accesses, each saved with its position, so memory follows the step, not the archive."""
    ctx._refresh_read_side()
    raised = 0
    while True:
        step, caught_up = retry_on_conflict(lambda: sweep_once(ctx))
        raised += step
        if step:  # the next step (and the next sweep) reads when these were raised
            ctx._refresh_read_side()
        if caught_up:
            break
    return raised


def sweep_once(ctx: SessionContext) -> tuple[int, bool]:
    """One step: the alerts raised, and whether the sweep reached the last access."""
    thresholds = ctx._institute.settings.alerts
    try:
        watch = load_aggregate(ctx._store, AnomalyWatch.create_id(), AnomalyWatch, "")
    except UnknownRecord:
        watch = AnomalyWatch()
    last = ctx._views.query("SELECT MAX(seq) AS top FROM access_facts")[0]["top"]
    if last is None or int(last) <= watch.through:
        return 0, True
    through = watch.through
    top = min(int(last), through + SWEEP_BATCH)
    new = _accesses(
        ctx._views.query(
            "SELECT f.*, s.client_id FROM access_facts f LEFT JOIN access_subjects s "
            "ON s.access_id = f.access_id WHERE f.seq > ? AND f.seq <= ? ORDER BY f.seq",
            (through, top),
        )
    )
    last_alerts = _last_alerts(
        ctx, {(rule, a.staff_id) for a in new for rule in WINDOW_RULES if _counts_for(rule, a)}
    )
    accesses = [*_window_context(ctx, new, through, thresholds, last_alerts), *new]
    unassigned = {
        row["access_id"]
        for row in ctx._views.query(
            "SELECT DISTINCT u.access_id FROM access_unassigned u JOIN access_facts f "
            "ON f.access_id = u.access_id WHERE f.seq > ? AND f.seq <= ?",
            (through, int(top)),
        )
    }
    flags = detect(accesses, through, unassigned, thresholds, last_alerts)
    existing = _raised_before(ctx, [str(alert_id(flag.rule, flag.key)) for flag in flags])
    alerts = []
    for flag in flags:
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
    watch.sweep(top)
    try:
        ctx._store.save(watch, *alerts)
    except RecordConflictError:
        ctx.refresh()  # another terminal swept meanwhile: redo from its position
        raise
    return len(alerts), top == int(last)


def _window_context(
    ctx: SessionContext,
    new: Sequence[_Access],
    through: int,
    thresholds: AlertThresholds,
    last_alerts: LastAlerts,
) -> list[_Access]:
    """The accesses already swept that the time-window rules count beside the new ones: of
    each person whose new reads (or denials) could raise an alert, her reads and denials
    from a window before the first of them. One that could not falls within a window of
    her last alert of that rule (a burst raises once per window; ``last_alerts``). Nobody
    else's accesses, and none older, are read: the sweep's work follows what was done since
    the last one, never the trail of the hour before (a coordinación's Mi día sweeps, and at
    30,000 cases that hour held the 1,000-case institute's whole history several times)."""
    widths = _widths(thresholds)
    since: dict[str, datetime] = {}
    for access in new:
        for rule, width in widths.items():
            latest = last_alerts.get((rule, access.staff_id))
            if _counts_for(rule, access) and (latest is None or access.at - latest >= width):
                start = access.at - width
                since[access.staff_id] = min(since.get(access.staff_id, start), start)
    if not since:
        return []
    # Through the index on the time (the window's accesses): MIN(seq) would walk the
    # positions up from the first access ever until one falls in the window.
    first = ctx._views.query(
        "SELECT MIN(+seq) AS s FROM access_facts WHERE at >= ? AND +seq <= ?",
        (min(since.values()).isoformat(), through),
    )[0]["s"]
    if first is None:
        return []
    staff = sorted(since)
    marks = ", ".join("?" for _ in staff)
    reads = ", ".join("?" for _ in READ_ACTIONS)
    return _accesses(
        ctx._views.query(
            "SELECT f.*, s.client_id FROM access_facts f LEFT JOIN access_subjects s "  # noqa: S608 - placeholders only
            f"ON s.access_id = f.access_id WHERE f.staff_id IN ({marks}) "
            f"AND f.seq >= ? AND f.seq <= ? AND (f.outcome = ? OR f.action IN ({reads})) "
            "ORDER BY f.seq",
            (*staff, int(first), through, Decision.DENIED.value, *READ_ACTIONS),
        )
    )


def _last_alerts(ctx: SessionContext, wanted: set[tuple[AlertRule, str]]) -> LastAlerts:
    """When the last alert of each (rule, person) was raised for: one step down the index."""
    found: LastAlerts = {}
    for rule, staff_id in sorted(wanted):
        rows = ctx._views.query(
            "SELECT last_at FROM alerts_view WHERE staff_id = ? AND rule = ? "
            "ORDER BY last_at DESC LIMIT 1",
            (staff_id, rule.value),
        )
        if rows:
            found[(rule, staff_id)] = datetime.fromisoformat(rows[0]["last_at"])
    return found


def _raised_before(ctx: SessionContext, alert_ids: Sequence[str]) -> set[str]:
    if not alert_ids:
        return set()
    placeholders = ", ".join("?" for _ in alert_ids)
    rows = ctx._views.query(
        f"SELECT alert_id FROM alerts_view WHERE alert_id IN ({placeholders})",  # noqa: S608 - placeholders only
        tuple(alert_ids),
    )
    return {row["alert_id"] for row in rows}


def get_alert(ctx: SessionContext, alert: UUID) -> Alert:
    return load_aggregate(ctx._store, alert, Alert, "No existe una alerta con ese identificador.")
