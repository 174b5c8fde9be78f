"""Queries: Mi día, one staff member's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.cases import AREA_ROLES
from domain.permissions import Action, Decision, decide
from domain.vocabulary import (
    CaseStatus,
    Role,
    Section,
)
from projections.counters import OPEN_COUNTER, month_counter
from projections.storage import Row
from violeta.agenda import PSYCHOLOGY_AHEAD_DAYS, PSYCHOLOGY_SHOWN, NextPsychologySession
from violeta.alerts import AlertView
from violeta.drafts import DraftSummary
from violeta.dto import (
    CaseSummary,
    ClientSummary,
    Dashboard,
    DashboardCounters,
    DueFollowUp,
    ExpiringOrder,
    OpenMisconductReport,
    PendingErasure,
)
from violeta.lookups import case_summaries
from violeta.policy import POLICY
from violeta.queries.agenda import next_psychology_sessions
from violeta.queries.clients import age_authorizations_pending, erasures_pending
from violeta.queries.drafts import drafts_listed
from violeta.queries.supervision import alerts
from violeta.queries.work_queues import (
    closures_pending,
    due_follow_ups_page,
    expiring_orders,
    misconduct_reports_open,
)
from violeta.session import RECENT_CASES, SessionContext

FOLLOW_UPS_AHEAD_DAYS = 7
ORDERS_AHEAD_DAYS = 10
SCREEN = "mi día"  # the purpose of the one access a load of Mi día records
RECENT_WINDOW = 1000


# The most urgent ones: a first page, not the whole month's caseload. The rest are not
# listed here (hence not recorded as seen): the screen says there are more; each case keeps
# all of its own in its Seguimientos tab, and settling these brings the next ones up. Every
# row listed costs its reading, the opening of her name and its place in the access record
# (and in its projection, once per woman in the index of whom saw her). 12 fit on one
# screen beside her recent cases (20 took a screen and a half, and made Mi día of an area
# ~1.5-1.7 times as long at 30,000 cases as at 1,000, where 3 to 8 are due; 50 twice).
FOLLOW_UPS_SHOWN = 12


@dataclass(frozen=True)
class MyDay:
    """Everything Mi día shows, read at once: each queue is empty for a role that does not
    work it (the same rows of the policy table as the screen's own choice)."""

    dashboard: Dashboard
    orders_expiring: tuple[ExpiringOrder, ...] = ()
    age_authorizations: tuple[ClientSummary, ...] = ()
    misconduct_reports: tuple[OpenMisconductReport, ...] = ()
    alerts: tuple[AlertView, ...] = ()
    drafts: tuple[DraftSummary, ...] = ()
    psychology_sessions: tuple[NextPsychologySession, ...] = ()
    erasures: tuple[PendingErasure, ...] = ()


def my_day(ctx: SessionContext) -> MyDay:
    """Mi día's screen: the views caught up once, and one audited access naming every
    woman in any of its lists (and, in its purpose, the lists)."""
    with ctx._one_listing(SCREEN):
        board = _dashboard(ctx)
        return MyDay(
            dashboard=board,
            orders_expiring=tuple(
                expiring_orders(ctx, ORDERS_AHEAD_DAYS, assigned_to_me=False)
                if _offered(ctx, "orders_expiring")
                else ()
            ),
            # Listed to whoever may authorize them: a queue nobody here can act on is noise.
            age_authorizations=tuple(
                age_authorizations_pending(ctx)
                if _offered(ctx, "pending_age_authorizations")
                and _offered(ctx, "authorize_age_exception")
                else ()
            ),
            misconduct_reports=tuple(
                misconduct_reports_open(ctx) if _offered(ctx, "open_misconduct_reports") else ()
            ),
            alerts=tuple(alerts(ctx) if _offered(ctx, "alerts") else ()),
            drafts=tuple(drafts_listed(ctx) if _offered(ctx, "my_drafts") else ()),
            psychology_sessions=tuple(
                next_psychology_sessions(ctx, PSYCHOLOGY_AHEAD_DAYS, limit=PSYCHOLOGY_SHOWN)
                if _offered(ctx, "psychology_sessions_due")
                else ()
            ),
            # Like the age queue: listed to whoever may approve them.
            erasures=tuple(
                erasures_pending(ctx)
                if _offered(ctx, "pending_erasures") and _offered(ctx, "approve_erasure")
                else ()
            ),
        )


def _offered(ctx: SessionContext, name: str) -> bool:
    """Whether the door would admit ``name`` for this session (violeta/bus.py ``may``)."""
    rule = POLICY[name]
    return (rule.before_enabling or not ctx._pending_reason()) and ctx.role in (
        rule.allowed_roles()
    )


def dashboard(ctx: SessionContext) -> Dashboard:
    """Her cases, her follow-ups due and the counters: one audited access for its lists."""
    with ctx._one_listing(SCREEN):
        return _dashboard(ctx)


def _dashboard(ctx: SessionContext) -> Dashboard:
    # Caught up once (in dashboard_counters): its lists read the same views, and what it
    # records meanwhile (the one access for its lists) waits for the next refresh.
    counters = dashboard_counters(ctx)
    recent: list[CaseSummary] = []
    if decide(ctx.role, Section.IDENTIFICATION, Action.READ) is Decision.GRANTED:
        # Hers: the cases she opened and those where she attends an area.
        rows = _my_recent_rows(ctx, str(ctx._account.id))
        recent = case_summaries(ctx, rows, purpose="mi día: mis expedientes recientes")
    follow_ups, more_follow_ups = _my_follow_ups_due(ctx)
    return Dashboard(
        staff=ctx.identity,
        my_recent_cases=tuple(recent),
        open_cases=counters.open_cases,
        cases_this_month=counters.cases_this_month,
        pending_erasures=counters.pending_erasures,
        exceptional_accesses_today=counters.exceptional_accesses_today,
        follow_ups_due=follow_ups,
        more_follow_ups=more_follow_ups,
        closures_to_approve=tuple(closures_pending(ctx)) if ctx.role is Role.COORDINATION else (),
    )


def _my_recent_rows(ctx: SessionContext, me: str) -> list[Row]:
    """Hers, most recent first: first among the institute's RECENT_WINDOW most recently
    active cases (enough for anyone who worked lately, and the work stays that size
    whatever the archive), else among all of hers (few, if none of them is recent)."""
    edge = ctx._views.query(
        "SELECT last_activity FROM cases_view ORDER BY last_activity DESC LIMIT 1 OFFSET ?",
        (RECENT_WINDOW,),
    )
    if edge:
        rows = _recent_since(ctx, me, edge[0]["last_activity"])
        if len(rows) >= RECENT_CASES:
            return rows
    return _recent_since(ctx, me, "")


def _recent_since(ctx: SessionContext, me: str, since: str) -> list[Row]:
    # Each kind through its own index: the cases she opened by her and their activity; those
    # she attends, within the window by the institute's activity (CROSS JOIN keeps that
    # order in SQLite), or else by her.
    attended_join = " CROSS JOIN" if since else ","
    return ctx._views.query(
        "SELECT * FROM cases_view WHERE case_id IN ("  # noqa: S608 - one of two join words
        "SELECT case_id FROM (SELECT case_id FROM cases_view WHERE opened_by = ? "
        "AND last_activity >= ? ORDER BY last_activity DESC LIMIT ?) AS opened "
        "UNION SELECT case_id FROM (SELECT cases_view.case_id FROM cases_view"
        f"{attended_join} case_areas WHERE case_areas.case_id = cases_view.case_id "
        "AND case_areas.staff_id = ? AND cases_view.last_activity >= ? "
        "ORDER BY cases_view.last_activity DESC LIMIT ?) AS attended"
        ") ORDER BY last_activity DESC LIMIT ?",
        (me, since, RECENT_CASES, me, since, RECENT_CASES, RECENT_CASES),
    )


def _my_follow_ups_due(ctx: SessionContext) -> tuple[tuple[DueFollowUp, ...], bool]:
    """Overdue ones and those due within a week, the most urgent first page, and whether
    more are due: an area sees the cases it attends; reception and coordinación, who call
    and supervise, see them all."""
    if decide(ctx.role, Section.FOLLOW_UPS, Action.READ) is not Decision.GRANTED:
        return (), False
    attends_areas = ctx.role in AREA_ROLES.values()
    shown, more = due_follow_ups_page(
        ctx, FOLLOW_UPS_AHEAD_DAYS, assigned_to_me=attends_areas, limit=FOLLOW_UPS_SHOWN
    )
    return tuple(shown), more


def dashboard_counters(ctx: SessionContext) -> DashboardCounters:
    """Counts only, no names: a screen may poll it without recording an access."""
    ctx.refresh()
    today = ctx._institute.today()
    open_cases, cases_this_month = _case_counters(ctx, today)
    return DashboardCounters(
        open_cases=open_cases,
        cases_this_month=cases_this_month,
        # The erasure queue and today's exceptional reads: small sets, each through its index.
        pending_erasures=ctx._count(
            "SELECT COUNT(*) AS n FROM clients_view WHERE erasure_requested_by IS NOT NULL"
        ),
        exceptional_accesses_today=ctx._count(
            "SELECT COUNT(*) AS n FROM access_log WHERE exceptional = 1 AND at >= ?",
            (today.isoformat(),),
        ),
    )


def _case_counters(ctx: SessionContext, today: date) -> tuple[int, int]:
    """Cases not closed and cases opened this month: two rows the projection keeps
    (projections/counters.py), whatever the size of the archive."""
    month = today.replace(day=1)
    this_month = month_counter(month.isoformat()[:7])
    rows = ctx._views.query(
        "SELECT name, n FROM view_counters WHERE name IN (?, ?)", (OPEN_COUNTER, this_month)
    )
    counters = {row["name"]: int(row["n"]) for row in rows}
    if OPEN_COUNTER in counters:
        return counters[OPEN_COUNTER], counters.get(this_month, 0)
    # Views built before the counters, not adopted yet (no batch applied in this process):
    # counted over the views, each through its index.
    next_month = (month + timedelta(days=32)).replace(day=1)
    open_statuses = [status.value for status in CaseStatus if status is not CaseStatus.CLOSED]
    return (
        ctx._count(
            "SELECT COUNT(*) AS n FROM cases_view WHERE status IN "  # noqa: S608 - placeholders only
            f"({', '.join('?' for _ in open_statuses)})",
            tuple(open_statuses),
        ),
        ctx._count(
            "SELECT COUNT(*) AS n FROM cases_view WHERE opened_on >= ? AND opened_on < ?",
            (month.isoformat(), next_month.isoformat()),
        ),
    )
