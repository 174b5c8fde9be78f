"""The door: what the terminal app, the CLI and the tests call (DESIGN §2, §8).

``StaffSession`` is one logged-in staff member's session. ``handle(command)`` runs a command
(violeta/commands.py) through the pipeline (violeta/bus.py); each method below only builds its
command, or names its query, and hands it to the pipeline. Who may do a thing: its row in
violeta/policy.py. What it writes: its handler, in the module named above its group
(violeta/handlers/<area>.py); what it reads: violeta/queries/<area>.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar
from uuid import UUID

from domain.vocabulary import Role, Section
from projections.priority_zones import Ranking
from violeta import bus
from violeta import commands as cmd
from violeta.alerts import TRAIL_PAGE, AlertView
from violeta.commands import Command
from violeta.dto import (
    AccessEntry,
    AccountView,
    ActivityCount,
    CaseDetail,
    CaseLifeView,
    CaseSummary,
    ClientDetail,
    ClientSummary,
    Dashboard,
    DashboardCounters,
    DueFollowUp,
    ExpiringOrder,
    FollowUpView,
    InstitutionForm,
    InstitutionVersion,
    InstitutionView,
    LegalSectionView,
    NewActivity,
    NewClient,
    NewIntake,
    NewReferral,
    OpenMisconductReport,
    PendingClosure,
    ProtectionOrderView,
    PsychologySectionView,
    ReferralView,
    SocialWorkSectionView,
    TargetProgress,
    ZoneOption,
)
from violeta.importing import ImportReport, Progress
from violeta.queries import accounts as staff_accounts
from violeta.queries import (
    activities,
    arco,
    clients,
    my_day,
    sections,
    statistics,
    supervision,
    work_queues,
)
from violeta.queries import directory as institution_directory
from violeta.queries import zones as zone_catalogue
from violeta.queries.arco import CorrectionEntry
from violeta.reporting import StatisticsTable
from violeta.session import SessionContext
from violeta.zones import ZoneImportReport, ZoneVersionView

P = ParamSpec("P")
R = TypeVar("R")


class StaffSession(SessionContext):
    """Everything one logged-in staff member can do, over her session's context (the unlocked
    keyring, the stores). Every public method has its row in the policy table."""

    def handle(self, command: Command[R]) -> R:
        """Runs ``command`` through the pipeline: its row of the policy table, then its handler."""
        return bus.handle(self, command)

    def _ask(
        self, query: Callable[Concatenate[SessionContext, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        return bus.ask(self, query, *args, **kwargs)

    # -- the session itself (violeta/session.py, violeta/bus.py)

    def may(self, command: str, section: Section | None = None) -> bool:
        return self._ask(bus.may, command, section)

    def refresh(self) -> int:
        return self._ask(SessionContext.refresh)

    def zones(self) -> list[ZoneOption]:
        return self._ask(zone_catalogue.zones)

    def rebuild_views(self, progress: Callable[[int, int], None] | None = None) -> int:
        return self.handle(cmd.RebuildViews(progress))

    def sweep_anomalies(self) -> int:
        return self.handle(cmd.SweepAnomalies())

    def close(self) -> None:
        """Chains and projects what this session recorded last (its last read's access event
        waits for the next command otherwise), so that a store at rest has a recorded head
        for every event and ``violeta audit verify`` can require one; then locks."""
        self._ask(SessionContext.close)

    # -- violeta/handlers/clients.py

    def register_client(self, form: NewClient, *, confirm_not_duplicate: bool = False) -> UUID:
        return self.handle(cmd.RegisterClient(form, confirm_not_duplicate))

    def authorize_age_exception(self, client_id: UUID) -> None:
        self.handle(cmd.AuthorizeAgeException(client_id))

    def set_sharing_consent(self, client_id: UUID, granted: bool) -> None:
        self.handle(cmd.SetSharingConsent(client_id, granted))

    def set_statistics_consent(self, client_id: UUID, granted: bool) -> None:
        self.handle(cmd.SetStatisticsConsent(client_id, granted))

    def request_erasure(self, client_id: UUID) -> None:
        self.handle(cmd.RequestErasure(client_id))

    def approve_erasure(self, client_id: UUID) -> None:
        self.handle(cmd.ApproveErasure(client_id))

    def correct_client(self, client_id: UUID, field: str, value: str) -> None:
        self.handle(cmd.CorrectClient(client_id, field, value))

    # -- violeta/handlers/cases.py

    def open_case(self, client_id: UUID, form: NewIntake) -> CaseSummary:
        return self.handle(cmd.OpenCase(client_id, form))

    def add_note(self, case_id: UUID, section: Section, text: str) -> None:
        self.handle(cmd.AddNote(case_id, section, text))

    def assign_area(self, case_id: UUID, area: str, staff_id: UUID) -> None:
        self.handle(cmd.AssignArea(case_id, area, staff_id))

    def enter_follow_up(self, case_id: UUID) -> None:
        self.handle(cmd.EnterFollowUp(case_id))

    def request_closure(self, case_id: UUID, reason: str) -> None:
        self.handle(cmd.RequestClosure(case_id, reason))

    def approve_closure(self, case_id: UUID) -> None:
        self.handle(cmd.ApproveClosure(case_id))

    def decline_closure(self, case_id: UUID) -> None:
        self.handle(cmd.DeclineClosure(case_id))

    def reopen_case(self, case_id: UUID, reason: str) -> None:
        self.handle(cmd.ReopenCase(case_id, reason))

    # -- violeta/handlers/legal.py

    def give_legal_advice(self, case_id: UUID, matter: str, notes: str, given_on: str = "") -> UUID:
        return self.handle(cmd.GiveLegalAdvice(case_id, matter, notes, given_on))

    def decide_accompaniment(
        self,
        case_id: UUID,
        *,
        severity: bool,
        lacks_resources: bool,
        deadline: str,
        unfamiliar_with_procedure: bool,
        accompany: bool,
        decided_on: str = "",
    ) -> None:
        self.handle(
            cmd.DecideAccompaniment(
                case_id,
                severity,
                lacks_resources,
                deadline,
                unfamiliar_with_procedure,
                accompany,
                decided_on,
            )
        )

    def record_accompaniment(
        self, case_id: UUID, area: str, authority: str, notes: str, performed_on: str = ""
    ) -> UUID:
        return self.handle(cmd.RecordAccompaniment(case_id, area, authority, notes, performed_on))

    def report_misconduct(
        self,
        case_id: UUID,
        *,
        institution: str,
        conduct: str,
        facts: str,
        reported_to: str,
        reported_on: str = "",
    ) -> UUID:
        return self.handle(
            cmd.ReportMisconduct(case_id, institution, conduct, facts, reported_to, reported_on)
        )

    def update_misconduct_report(
        self, case_id: UUID, report_id: UUID, status: str, updated_on: str = ""
    ) -> None:
        self.handle(cmd.UpdateMisconductReport(case_id, report_id, status, updated_on))

    # -- violeta/handlers/psychology.py

    def record_psychology_session(
        self, case_id: UUID, *, modality: str, notes: str, held_on: str = "", next_session: str = ""
    ) -> UUID:
        return self.handle(
            cmd.RecordPsychologySession(case_id, modality, notes, held_on, next_session)
        )

    def close_psychology_process(self, case_id: UUID, closed_on: str = "") -> None:
        self.handle(cmd.ClosePsychologyProcess(case_id, closed_on))

    # -- violeta/handlers/social_work.py

    def record_gestion(
        self, case_id: UUID, *, what: str, institution: str, outcome: str, done_on: str = ""
    ) -> UUID:
        return self.handle(cmd.RecordGestion(case_id, what, institution, outcome, done_on))

    def record_social_visit(
        self, case_id: UUID, *, kind: str, notes: str, visited_on: str = ""
    ) -> UUID:
        return self.handle(cmd.RecordSocialVisit(case_id, kind, notes, visited_on))

    # -- violeta/handlers/follow_ups.py

    def schedule_follow_up(self, case_id: UUID, due_on: str, channel: str) -> UUID:
        return self.handle(cmd.ScheduleFollowUp(case_id, due_on, channel))

    def settle_follow_up(
        self, case_id: UUID, follow_up_id: UUID, *, done: bool, outcome: str, settled_on: str = ""
    ) -> None:
        self.handle(cmd.SettleFollowUp(case_id, follow_up_id, done, outcome, settled_on))

    def record_protection_order(
        self,
        case_id: UUID,
        *,
        kind: str,
        measures: Sequence[str],
        detail: str,
        authority: str,
        issued_on: str,
        expires_on: str = "",
    ) -> UUID:
        return self.handle(
            cmd.RecordProtectionOrder(
                case_id, kind, measures, detail, authority, issued_on, expires_on
            )
        )

    def extend_protection_order(self, case_id: UUID, order_id: UUID, expires_on: str = "") -> None:
        self.handle(cmd.ExtendProtectionOrder(case_id, order_id, expires_on))

    # -- violeta/queries/sections.py

    def legal_section(self, case_id: UUID, justification: str = "") -> LegalSectionView:
        return self._ask(sections.legal_section, case_id, justification)

    def psychology_section(self, case_id: UUID) -> PsychologySectionView:
        return self._ask(sections.psychology_section, case_id)

    def social_work_section(self, case_id: UUID, justification: str = "") -> SocialWorkSectionView:
        return self._ask(sections.social_work_section, case_id, justification)

    def follow_up_section(self, case_id: UUID, justification: str = "") -> list[FollowUpView]:
        return self._ask(sections.follow_up_section, case_id, justification)

    def protection_order_section(
        self, case_id: UUID, justification: str = ""
    ) -> list[ProtectionOrderView]:
        return self._ask(sections.protection_order_section, case_id, justification)

    def case_life(self, case_id: UUID, justification: str = "") -> CaseLifeView:
        return self._ask(sections.case_life, case_id, justification)

    def referrals(self, case_id: UUID, justification: str = "") -> list[ReferralView]:
        return self._ask(sections.referrals, case_id, justification)

    def case_detail(
        self, case_id: UUID, section: Section = Section.INTAKE, justification: str = ""
    ) -> CaseDetail:
        return self._ask(sections.case_detail, case_id, section, justification)

    # -- violeta/queries/work_queues.py

    def open_misconduct_reports(self) -> list[OpenMisconductReport]:
        return self._ask(work_queues.open_misconduct_reports)

    def follow_ups_due(
        self, within_days: int = 7, *, assigned_to_me: bool = False, limit: int | None = None
    ) -> list[DueFollowUp]:
        return self._ask(
            work_queues.follow_ups_due,
            within_days,
            assigned_to_me=assigned_to_me,
            limit=limit,
        )

    def orders_expiring(
        self, within_days: int = 10, *, assigned_to_me: bool = False
    ) -> list[ExpiringOrder]:
        return self._ask(work_queues.orders_expiring, within_days, assigned_to_me=assigned_to_me)

    def pending_closures(self) -> list[PendingClosure]:
        return self._ask(work_queues.pending_closures)

    # -- violeta/queries/arco.py

    def correction_history(self, client_id: UUID) -> list[CorrectionEntry]:
        return self._ask(arco.correction_history, client_id)

    def export_client_data(self, client_id: UUID, destination: Path) -> Path:
        return self._ask(arco.export_client_data, client_id, destination)

    # -- violeta/handlers/importing.py

    def import_csv(self, path: Path, progress: Progress | None = None) -> ImportReport:
        return self.handle(cmd.ImportCsv(path, progress))

    # -- violeta/queries/my_day.py

    def dashboard(self) -> Dashboard:
        return self._ask(my_day.dashboard)

    def dashboard_counters(self) -> DashboardCounters:
        return self._ask(my_day.dashboard_counters)

    # -- violeta/queries/clients.py

    def pending_age_authorizations(self) -> list[ClientSummary]:
        return self._ask(clients.pending_age_authorizations)

    def search_clients(self, text: str) -> list[ClientSummary]:
        return self._ask(clients.search_clients, text)

    def client_detail(self, client_id: UUID, justification: str = "") -> ClientDetail:
        return self._ask(clients.client_detail, client_id, justification)

    def audit_entries(self, client_id: UUID | None = None, limit: int = 200) -> list[AccessEntry]:
        return self._ask(clients.audit_entries, client_id, limit)

    def case_counts(self) -> dict[tuple[str, str], int]:
        return self._ask(clients.case_counts)

    # -- violeta/queries/statistics.py

    def statistics_tables(self) -> list[tuple[str, str]]:
        return self._ask(statistics.statistics_tables)

    def statistics_table(
        self, name: str, *, since: str = "", until: str = "", period: str = "mes"
    ) -> StatisticsTable:
        return self._ask(statistics.statistics_table, name, since=since, until=until, period=period)

    def priority_zones(self, until: str = "") -> Ranking:
        return self._ask(statistics.priority_zones, until)

    # -- violeta/queries/supervision.py

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
        return self._ask(
            supervision.audit_trail,
            staff_id=staff_id,
            client_id=client_id,
            day=day,
            section=section,
            purpose=purpose,
            outcome=outcome,
            limit=limit,
        )

    def alerts(self, *, include_acknowledged: bool = False, limit: int = 200) -> list[AlertView]:
        return self._ask(supervision.alerts, include_acknowledged=include_acknowledged, limit=limit)

    def open_alert_count(self) -> int:
        return self._ask(supervision.open_alert_count)

    def zone_history(self, code: str) -> list[ZoneVersionView]:
        return self._ask(zone_catalogue.zone_history, code)

    # -- violeta/handlers/supervision.py

    def acknowledge_alert(self, alert: UUID, note: str) -> None:
        self.handle(cmd.AcknowledgeAlert(alert, note))

    def import_zones(self, path: Path) -> ZoneImportReport:
        return self.handle(cmd.ImportZones(path))

    def merge_zones(self, code: str, into: str) -> None:
        self.handle(cmd.MergeZones(code, into))

    # -- violeta/handlers/accounts.py

    def create_account(
        self,
        username: str,
        display_name: str,
        role: Role,
        initial_password: str,
        *,
        must_change_password: bool = True,
    ) -> UUID:
        return self.handle(
            cmd.CreateAccount(username, display_name, role, initial_password, must_change_password)
        )

    def enable_account(self, staff_id: UUID) -> None:
        self.handle(cmd.EnableAccount(staff_id))

    def rotate_master_key(self) -> None:
        self.handle(cmd.RotateMasterKey())

    def change_password(self, old_password: str, new_password: str) -> None:
        self.handle(cmd.ChangePassword(old_password, new_password))

    def deactivate_account(self, staff_id: UUID) -> None:
        self.handle(cmd.DeactivateAccount(staff_id))

    def reactivate_account(self, staff_id: UUID, initial_password: str) -> None:
        self.handle(cmd.ReactivateAccount(staff_id, initial_password))

    def reset_password(self, staff_id: UUID, temporary_password: str) -> None:
        self.handle(cmd.ResetPassword(staff_id, temporary_password))

    # -- violeta/queries/accounts.py

    def accounts(self) -> list[AccountView]:
        return self._ask(staff_accounts.accounts)

    # -- violeta/handlers/activities.py

    def record_activity(self, form: NewActivity) -> UUID:
        return self.handle(cmd.RecordActivity(form))

    def cancel_activity(self, activity_id: UUID) -> None:
        self.handle(cmd.CancelActivity(activity_id))

    def set_target(self, year: int, kind: str, target: str) -> None:
        self.handle(cmd.SetTarget(year, kind, target))

    # -- violeta/queries/activities.py

    def target_progress(self, year: int) -> list[TargetProgress]:
        return self._ask(activities.target_progress, year)

    def activity_counts(self, year: int) -> list[ActivityCount]:
        return self._ask(activities.activity_counts, year)

    # -- violeta/handlers/directory.py

    def add_institution(self, form: InstitutionForm) -> UUID:
        return self.handle(cmd.AddInstitution(form))

    def update_institution(self, institution_id: UUID, form: InstitutionForm) -> None:
        self.handle(cmd.UpdateInstitution(institution_id, form))

    def set_institution_active(self, institution_id: UUID, active: bool) -> None:
        self.handle(cmd.SetInstitutionActive(institution_id, active))

    def refer_case(self, case_id: UUID, form: NewReferral) -> UUID:
        return self.handle(cmd.ReferCase(case_id, form))

    def record_referral_outcome(
        self, case_id: UUID, referral_id: UUID, outcome: str, note: str = "", recorded_on: str = ""
    ) -> None:
        self.handle(cmd.RecordReferralOutcome(case_id, referral_id, outcome, note, recorded_on))

    # -- violeta/queries/directory.py

    def directory(
        self, *, include_inactive: bool = False, kind: str = "", service: str = ""
    ) -> list[InstitutionView]:
        return self._ask(
            institution_directory.directory,
            include_inactive=include_inactive,
            kind=kind,
            service=service,
        )

    def institution_history(self, institution_id: UUID) -> list[InstitutionVersion]:
        return self._ask(institution_directory.institution_history, institution_id)
