"""Mi día: what one staff member sees first: the counters, her recent cases, the
follow-ups coming due and, for coordinación, the closures waiting for approval. Every list in
it is an audited read."""

from __future__ import annotations

from domain.cases import AREA_ROLES
from domain.permissions import Action, Decision, decide
from domain.vocabulary import Role, Section
from projections.storage import Row
from violeta.case_services import CaseServices
from violeta.dto import CaseSummary, Dashboard, DueFollowUp
from violeta.reading import Reading
from violeta.session import RECENT_CASES

FOLLOW_UPS_AHEAD_DAYS = 7
RECENT_WINDOW = 1000
# The most urgent ones: a screen, not the whole month's caseload (the rest wait in
# Seguimientos, and are not listed, hence not recorded as seen, here).
FOLLOW_UPS_SHOWN = 50


class MyDay(Reading, CaseServices):
    def dashboard(self) -> Dashboard:
        counters = self.dashboard_counters()
        recent: list[CaseSummary] = []
        if decide(self.role, Section.IDENTIFICATION, Action.READ) is Decision.GRANTED:
            # Hers: the cases she opened and those where she attends an area.
            rows = self._my_recent_rows(str(self._account.id))
            recent = self._case_summaries(rows, purpose="mi día: mis expedientes recientes")
        return Dashboard(
            staff=self.identity,
            my_recent_cases=tuple(recent),
            open_cases=counters.open_cases,
            cases_this_month=counters.cases_this_month,
            pending_erasures=counters.pending_erasures,
            exceptional_accesses_today=counters.exceptional_accesses_today,
            follow_ups_due=self._my_follow_ups_due(),
            closures_to_approve=tuple(self.pending_closures())
            if self.role is Role.COORDINATION
            else (),
        )

    def _my_recent_rows(self, me: str) -> list[Row]:
        """Hers, most recent first: first among the institute's RECENT_WINDOW most recently
        active cases (enough for anyone who worked lately, and the work stays that size
        whatever the archive), else among all of hers (few, if none of them is recent)."""
        edge = self._views.query(
            "SELECT last_activity FROM cases_view ORDER BY last_activity DESC LIMIT 1 OFFSET ?",
            (RECENT_WINDOW,),
        )
        if edge:
            rows = self._recent_since(me, edge[0]["last_activity"])
            if len(rows) >= RECENT_CASES:
                return rows
        return self._recent_since(me, "")

    def _recent_since(self, me: str, since: str) -> list[Row]:
        # Each kind through its own index: the cases she opened by her and their activity; those
        # she attends, within the window by the institute's activity (CROSS JOIN keeps that
        # order in SQLite), or else by her.
        attended_join = " CROSS JOIN" if since else ","
        return self._views.query(
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

    def _my_follow_ups_due(self) -> tuple[DueFollowUp, ...]:
        """Overdue ones and those due within a week: an area sees the cases it attends;
        reception and coordinación, who call and supervise, see them all."""
        if decide(self.role, Section.FOLLOW_UPS, Action.READ) is not Decision.GRANTED:
            return ()
        attends_areas = self.role in AREA_ROLES.values()
        return tuple(
            self.follow_ups_due(
                FOLLOW_UPS_AHEAD_DAYS, assigned_to_me=attends_areas, limit=FOLLOW_UPS_SHOWN
            )
        )
