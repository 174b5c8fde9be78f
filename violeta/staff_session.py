"""The door: what the terminal app, the CLI and the tests call (DESIGN §2, §8).

``StaffSession`` is one logged-in staff member's session. ``handle(command)`` runs a command
(violeta/commands.py) through the pipeline (violeta/bus.py); each method below only builds its
command, or names its query, and hands it to the pipeline. Who may do a thing: its row in
violeta/policy.py. What it writes: its handler in the module named above its group
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
from violeta.alerts import TRAIL_PAGE, AlertView
from violeta.commands import (
    AcknowledgeAlert,
    AddInstitution,
    AddNote,
    ApproveClosure,
    ApproveErasure,
    AssignArea,
    AuthorizeAgeException,
    CancelActivity,
    ChangePassword,
    ClosePsychologyProcess,
    Command,
    CorrectClient,
    CreateAccount,
    DeactivateAccount,
    DecideAccompaniment,
    DeclineClosure,
    EnableAccount,
    EnterFollowUp,
    ExtendProtectionOrder,
    GiveLegalAdvice,
    ImportCsv,
    ImportZones,
    MergeZones,
    OpenCase,
    ReactivateAccount,
    RebuildViews,
    RecordAccompaniment,
    RecordActivity,
    RecordGestion,
    RecordProtectionOrder,
    RecordPsychologySession,
    RecordReferralOutcome,
    RecordSocialVisit,
    ReferCase,
    RegisterClient,
    ReopenCase,
    ReportMisconduct,
    RequestClosure,
    RequestErasure,
    ResetPassword,
    RotateMasterKey,
    ScheduleFollowUp,
    SetInstitutionActive,
    SetSharingConsent,
    SetStatisticsConsent,
    SetTarget,
    SettleFollowUp,
    SweepAnomalies,
    UpdateInstitution,
    UpdateMisconductReport,
)
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
from violeta.queries import accounts as queries_accounts
from violeta.queries import activities as queries_activities
from violeta.queries import arco as queries_arco
from violeta.queries import clients as queries_clients
from violeta.queries import directory as queries_directory
from violeta.queries import my_day as queries_my_day
from violeta.queries import sections as queries_sections
from violeta.queries import statistics as queries_statistics
from violeta.queries import supervision as queries_supervision
from violeta.queries import work_queues as queries_work_queues
from violeta.queries.arco import CorrectionEntry
from violeta.reporting import StatisticsTable
from violeta.session import SessionContext
from violeta.zones import ZoneImportReport, ZoneVersionView

P = ParamSpec("P")
R = TypeVar("R")


class StaffSession(SessionContext):
    """Everything one logged-in staff member can do. Holds the unlocked keyring (the context
    handlers are given). Every public method has its row in the policy table."""

    def handle(self, command: Command[R]) -> R:
        """Runs ``command`` through the pipeline: authorize against its row, its handler."""
        return bus.handle(self, command)

    def _ask(
        self, query: Callable[Concatenate[SessionContext, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        return bus.ask(self, query, *args, **kwargs)

    # -- violeta/session.py: the session itself

    def may(self, command: str, section: Section | None = None) -> bool:
        return self._ask(SessionContext.may, command, section)

    def refresh(self) -> int:
        return self._ask(SessionContext.refresh)

    def zones(self) -> list[ZoneOption]:
        return self._ask(SessionContext.zones)

    def rebuild_views(self, progress: Callable[[int, int], None] | None = None) -> int:
        return self.handle(RebuildViews(progress=progress))

    def sweep_anomalies(self) -> int:
        return self.handle(SweepAnomalies())

    def close(self) -> None:
        """Chains and projects what this session recorded last (its last read's access event
        waits for the next command otherwise), so that a store at rest has a recorded head
        for every event and ``violeta audit verify`` can require one; then locks."""
        self._ask(SessionContext.close)

    # -- handlers/clients.py

    def register_client(self, form: NewClient, *, confirm_not_duplicate: bool = False) -> UUID:
        return self.handle(RegisterClient(form=form, confirm_not_duplicate=confirm_not_duplicate))

    def authorize_age_exception(self, client_id: UUID) -> None:
        self.handle(AuthorizeAgeException(client_id=client_id))

    def set_sharing_consent(self, client_id: UUID, granted: bool) -> None:
        self.handle(SetSharingConsent(client_id=client_id, granted=granted))

    def set_statistics_consent(self, client_id: UUID, granted: bool) -> None:
        self.handle(SetStatisticsConsent(client_id=client_id, granted=granted))

    def request_erasure(self, client_id: UUID) -> None:
        self.handle(RequestErasure(client_id=client_id))

    def approve_erasure(self, client_id: UUID) -> None:
        self.handle(ApproveErasure(client_id=client_id))

    def correct_client(self, client_id: UUID, field: str, value: str) -> None:
        self.handle(CorrectClient(client_id=client_id, field=field, value=value))

    # -- handlers/cases.py

    def open_case(self, client_id: UUID, form: NewIntake) -> CaseSummary:
        return self.handle(OpenCase(client_id=client_id, form=form))

    def add_note(self, case_id: UUID, section: Section, text: str) -> None:
        self.handle(AddNote(case_id=case_id, section=section, text=text))

    def assign_area(self, case_id: UUID, area: str, staff_id: UUID) -> None:
        self.handle(AssignArea(case_id=case_id, area=area, staff_id=staff_id))

    def enter_follow_up(self, case_id: UUID) -> None:
        self.handle(EnterFollowUp(case_id=case_id))

    def request_closure(self, case_id: UUID, reason: str) -> None:
        self.handle(RequestClosure(case_id=case_id, reason=reason))

    def approve_closure(self, case_id: UUID) -> None:
        self.handle(ApproveClosure(case_id=case_id))

    def decline_closure(self, case_id: UUID) -> None:
        self.handle(DeclineClosure(case_id=case_id))

    def reopen_case(self, case_id: UUID, reason: str) -> None:
        self.handle(ReopenCase(case_id=case_id, reason=reason))

    # -- handlers/legal.py

    def give_legal_advice(self, case_id: UUID, matter: str, notes: str, given_on: str = "") -> UUID:
        return self.handle(
            GiveLegalAdvice(case_id=case_id, matter=matter, notes=notes, given_on=given_on)
        )

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
            DecideAccompaniment(
                case_id=case_id,
                severity=severity,
                lacks_resources=lacks_resources,
                deadline=deadline,
                unfamiliar_with_procedure=unfamiliar_with_procedure,
                accompany=accompany,
                decided_on=decided_on,
            )
        )

    def record_accompaniment(
        self, case_id: UUID, area: str, authority: str, notes: str, performed_on: str = ""
    ) -> UUID:
        return self.handle(
            RecordAccompaniment(
                case_id=case_id,
                area=area,
                authority=authority,
                notes=notes,
                performed_on=performed_on,
            )
        )

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
            ReportMisconduct(
                case_id=case_id,
                institution=institution,
                conduct=conduct,
                facts=facts,
                reported_to=reported_to,
                reported_on=reported_on,
            )
        )

    def update_misconduct_report(
        self, case_id: UUID, report_id: UUID, status: str, updated_on: str = ""
    ) -> None:
        self.handle(
            UpdateMisconductReport(
                case_id=case_id, report_id=report_id, status=status, updated_on=updated_on
            )
        )

    # -- handlers/psychology.py

    def record_psychology_session(
        self, case_id: UUID, *, modality: str, notes: str, held_on: str = "", next_session: str = ""
    ) -> UUID:
        return self.handle(
            RecordPsychologySession(
                case_id=case_id,
                modality=modality,
                notes=notes,
                held_on=held_on,
                next_session=next_session,
            )
        )

    def close_psychology_process(self, case_id: UUID, closed_on: str = "") -> None:
        self.handle(ClosePsychologyProcess(case_id=case_id, closed_on=closed_on))

    # -- handlers/social_work.py

    def record_gestion(
        self, case_id: UUID, *, what: str, institution: str, outcome: str, done_on: str = ""
    ) -> UUID:
        return self.handle(
            RecordGestion(
                case_id=case_id,
                what=what,
                institution=institution,
                outcome=outcome,
                done_on=done_on,
            )
        )

    def record_social_visit(
        self, case_id: UUID, *, kind: str, notes: str, visited_on: str = ""
    ) -> UUID:
        return self.handle(
            RecordSocialVisit(case_id=case_id, kind=kind, notes=notes, visited_on=visited_on)
        )

    # -- handlers/follow_ups.py

    def schedule_follow_up(self, case_id: UUID, due_on: str, channel: str) -> UUID:
        return self.handle(ScheduleFollowUp(case_id=case_id, due_on=due_on, channel=channel))

    def settle_follow_up(
        self, case_id: UUID, follow_up_id: UUID, *, done: bool, outcome: str, settled_on: str = ""
    ) -> None:
        self.handle(
            SettleFollowUp(
                case_id=case_id,
                follow_up_id=follow_up_id,
                done=done,
                outcome=outcome,
                settled_on=settled_on,
            )
        )

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
            RecordProtectionOrder(
                case_id=case_id,
                kind=kind,
                measures=measures,
                detail=detail,
                authority=authority,
                issued_on=issued_on,
                expires_on=expires_on,
            )
        )

    def extend_protection_order(self, case_id: UUID, order_id: UUID, expires_on: str = "") -> None:
        self.handle(
            ExtendProtectionOrder(case_id=case_id, order_id=order_id, expires_on=expires_on)
        )

    # -- queries/sections.py

    def legal_section(self, case_id: UUID, justification: str = "") -> LegalSectionView:
        return self._ask(queries_sections.legal_section, case_id, justification)

    def psychology_section(self, case_id: UUID) -> PsychologySectionView:
        return self._ask(queries_sections.psychology_section, case_id)

    def social_work_section(self, case_id: UUID, justification: str = "") -> SocialWorkSectionView:
        return self._ask(queries_sections.social_work_section, case_id, justification)

    def follow_up_section(self, case_id: UUID, justification: str = "") -> list[FollowUpView]:
        return self._ask(queries_sections.follow_up_section, case_id, justification)

    def protection_order_section(
        self, case_id: UUID, justification: str = ""
    ) -> list[ProtectionOrderView]:
        return self._ask(queries_sections.protection_order_section, case_id, justification)

    def case_life(self, case_id: UUID, justification: str = "") -> CaseLifeView:
        return self._ask(queries_sections.case_life, case_id, justification)

    def referrals(self, case_id: UUID, justification: str = "") -> list[ReferralView]:
        return self._ask(queries_sections.referrals, case_id, justification)

    def case_detail(
        self, case_id: UUID, section: Section = Section.INTAKE, justification: str = ""
    ) -> CaseDetail:
        return self._ask(queries_sections.case_detail, case_id, section, justification)

    # -- queries/work_queues.py

    def open_misconduct_reports(self) -> list[OpenMisconductReport]:
        return self._ask(queries_work_queues.open_misconduct_reports)

    def follow_ups_due(
        self, within_days: int = 7, *, assigned_to_me: bool = False, limit: int | None = None
    ) -> list[DueFollowUp]:
        return self._ask(
            queries_work_queues.follow_ups_due,
            within_days,
            assigned_to_me=assigned_to_me,
            limit=limit,
        )

    def orders_expiring(
        self, within_days: int = 10, *, assigned_to_me: bool = False
    ) -> list[ExpiringOrder]:
        return self._ask(
            queries_work_queues.orders_expiring, within_days, assigned_to_me=assigned_to_me
        )

    def pending_closures(self) -> list[PendingClosure]:
        return self._ask(queries_work_queues.pending_closures)

    # -- queries/arco.py

    def correction_history(self, client_id: UUID) -> list[CorrectionEntry]:
        return self._ask(queries_arco.correction_history, client_id)

    def export_client_data(self, client_id: UUID, destination: Path) -> Path:
        return self._ask(queries_arco.export_client_data, client_id, destination)

    # -- handlers/importing.py

    def import_csv(self, path: Path, progress: Progress | None = None) -> ImportReport:
        return self.handle(ImportCsv(path=path, progress=progress))

    # -- queries/my_day.py

    def dashboard(self) -> Dashboard:
        return self._ask(queries_my_day.dashboard)

    def dashboard_counters(self) -> DashboardCounters:
        return self._ask(queries_my_day.dashboard_counters)

    # -- queries/clients.py

    def pending_age_authorizations(self) -> list[ClientSummary]:
        return self._ask(queries_clients.pending_age_authorizations)

    def search_clients(self, text: str) -> list[ClientSummary]:
        return self._ask(queries_clients.search_clients, text)

    def client_detail(self, client_id: UUID, justification: str = "") -> ClientDetail:
        return self._ask(queries_clients.client_detail, client_id, justification)

    def audit_entries(self, client_id: UUID | None = None, limit: int = 200) -> list[AccessEntry]:
        return self._ask(queries_clients.audit_entries, client_id, limit)

    def case_counts(self) -> dict[tuple[str, str], int]:
        return self._ask(queries_clients.case_counts)

    # -- queries/statistics.py

    def statistics_tables(self) -> list[tuple[str, str]]:
        return self._ask(queries_statistics.statistics_tables)

    def statistics_table(
        self, name: str, *, since: str = "", until: str = "", period: str = "mes"
    ) -> StatisticsTable:
        return self._ask(
            queries_statistics.statistics_table, name, since=since, until=until, period=period
        )

    def priority_zones(self, until: str = "") -> Ranking:
        return self._ask(queries_statistics.priority_zones, until)

    # -- queries/supervision.py

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
            queries_supervision.audit_trail,
            staff_id=staff_id,
            client_id=client_id,
            day=day,
            section=section,
            purpose=purpose,
            outcome=outcome,
            limit=limit,
        )

    def alerts(self, *, include_acknowledged: bool = False, limit: int = 200) -> list[AlertView]:
        return self._ask(
            queries_supervision.alerts, include_acknowledged=include_acknowledged, limit=limit
        )

    def open_alert_count(self) -> int:
        return self._ask(queries_supervision.open_alert_count)

    def zone_history(self, code: str) -> list[ZoneVersionView]:
        return self._ask(queries_supervision.zone_history, code)

    # -- handlers/supervision.py

    def acknowledge_alert(self, alert: UUID, note: str) -> None:
        self.handle(AcknowledgeAlert(alert=alert, note=note))

    def import_zones(self, path: Path) -> ZoneImportReport:
        return self.handle(ImportZones(path=path))

    def merge_zones(self, code: str, into: str) -> None:
        self.handle(MergeZones(code=code, into=into))

    # -- handlers/accounts.py

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
            CreateAccount(
                username=username,
                display_name=display_name,
                role=role,
                initial_password=initial_password,
                must_change_password=must_change_password,
            )
        )

    def enable_account(self, staff_id: UUID) -> None:
        self.handle(EnableAccount(staff_id=staff_id))

    def rotate_master_key(self) -> None:
        self.handle(RotateMasterKey())

    def change_password(self, old_password: str, new_password: str) -> None:
        self.handle(ChangePassword(old_password=old_password, new_password=new_password))

    def deactivate_account(self, staff_id: UUID) -> None:
        self.handle(DeactivateAccount(staff_id=staff_id))

    def reactivate_account(self, staff_id: UUID, initial_password: str) -> None:
        self.handle(ReactivateAccount(staff_id=staff_id, initial_password=initial_password))

    def reset_password(self, staff_id: UUID, temporary_password: str) -> None:
        self.handle(ResetPassword(staff_id=staff_id, temporary_password=temporary_password))

    # -- queries/accounts.py

    def accounts(self) -> list[AccountView]:
        return self._ask(queries_accounts.accounts)

    # -- handlers/activities.py

    def record_activity(self, form: NewActivity) -> UUID:
        return self.handle(RecordActivity(form=form))

    def cancel_activity(self, activity_id: UUID) -> None:
        self.handle(CancelActivity(activity_id=activity_id))

    def set_target(self, year: int, kind: str, target: str) -> None:
        self.handle(SetTarget(year=year, kind=kind, target=target))

    # -- queries/activities.py

    def target_progress(self, year: int) -> list[TargetProgress]:
        return self._ask(queries_activities.target_progress, year)

    def activity_counts(self, year: int) -> list[ActivityCount]:
        return self._ask(queries_activities.activity_counts, year)

    # -- handlers/directory.py

    def add_institution(self, form: InstitutionForm) -> UUID:
        return self.handle(AddInstitution(form=form))

    def update_institution(self, institution_id: UUID, form: InstitutionForm) -> None:
        self.handle(UpdateInstitution(institution_id=institution_id, form=form))

    def set_institution_active(self, institution_id: UUID, active: bool) -> None:
        self.handle(SetInstitutionActive(institution_id=institution_id, active=active))

    def refer_case(self, case_id: UUID, form: NewReferral) -> UUID:
        return self.handle(ReferCase(case_id=case_id, form=form))

    def record_referral_outcome(
        self, case_id: UUID, referral_id: UUID, outcome: str, note: str = "", recorded_on: str = ""
    ) -> None:
        self.handle(
            RecordReferralOutcome(
                case_id=case_id,
                referral_id=referral_id,
                outcome=outcome,
                note=note,
                recorded_on=recorded_on,
            )
        )

    # -- queries/directory.py

    def directory(
        self, *, include_inactive: bool = False, kind: str = "", service: str = ""
    ) -> list[InstitutionView]:
        return self._ask(
            queries_directory.directory,
            include_inactive=include_inactive,
            kind=kind,
            service=service,
        )

    def institution_history(self, institution_id: UUID) -> list[InstitutionVersion]:
        return self._ask(queries_directory.institution_history, institution_id)
