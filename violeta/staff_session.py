"""The door: what the terminal app, the CLI and the tests call (DESIGN §2, §8).

``StaffSession`` is one logged-in staff member's session. ``handle(command)`` runs a command
(violeta/commands.py) through the pipeline (violeta/bus.py). Each public name below is one
line: ``Handles(Command)`` builds that command from the call's arguments and hands it to
``handle``; ``Asks(query)`` hands a query (violeta/queries/<area>.py) to the same pipeline.
Who may do a thing: its row in violeta/policy.py (named after it). What it writes: its handler,
in the module named above its group (violeta/handlers/<area>.py, listed in bus.HANDLERS).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from violeta import bus
from violeta import commands as cmd
from violeta.commands import Command
from violeta.queries import accounts as staff_accounts
from violeta.queries import (
    activities,
    agenda,
    arco,
    clients,
    drafts,
    my_day,
    sections,
    statistics,
    supervision,
    work_queues,
)
from violeta.queries import directory as institution_directory
from violeta.queries import zones as zone_catalogue
from violeta.session import SessionContext
from violeta.session import close as close_session

P = ParamSpec("P")
R = TypeVar("R")


class Handles(Generic[P, R]):
    """A command of the door: ``session.name(...)`` builds ``command(...)`` from exactly the
    call's arguments and runs it through the pipeline (``StaffSession.handle``)."""

    def __init__(self, command: Callable[P, Command[R]]) -> None:
        self.command = command
        self.signature = inspect.signature(command)

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.unbound = _unbound(name, self.command.__init__)

    @overload
    def __get__(self, session: None, owner: type[Any]) -> Callable[..., R]: ...
    @overload
    def __get__(self, session: StaffSession, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(
        self, session: StaffSession | None, owner: type[Any]
    ) -> Callable[..., R] | Callable[P, R]:
        if session is None:
            return self.unbound
        door, command = session, self.command

        def handled(*args: P.args, **kwargs: P.kwargs) -> R:
            return door.handle(command(*args, **kwargs))

        handled.__dict__["__signature__"] = self.signature  # what inspect and help() show
        return handled


class Asks(Generic[P, R]):
    """A query of the door: ``session.name(...)`` runs ``query(session, ...)`` through the
    pipeline's admission (its row is the one named like the query)."""

    def __init__(self, query: Callable[Concatenate[SessionContext, P], R]) -> None:
        self.query = query
        signature = inspect.signature(query)
        self.signature = signature.replace(parameters=list(signature.parameters.values())[1:])

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.unbound = _unbound(name, self.query)

    @overload
    def __get__(self, session: None, owner: type[Any]) -> Callable[..., R]: ...
    @overload
    def __get__(self, session: SessionContext, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(
        self, session: SessionContext | None, owner: type[Any]
    ) -> Callable[..., R] | Callable[P, R]:
        if session is None:
            return self.unbound
        context, query = session, self.query

        def asked(*args: P.args, **kwargs: P.kwargs) -> R:
            return bus.ask(context, query, *args, **kwargs)

        asked.__doc__ = query.__doc__
        asked.__dict__["__signature__"] = self.signature  # what inspect and help() show
        return asked


def _unbound(name: str, wrapped: Callable[..., Any]) -> Callable[..., Any]:
    """What ``StaffSession.name`` is on the class, as a method would be: it calls the door on
    the session it is given, and unwraps (``inspect.unwrap``) to the query, or to the
    command's constructor, for tools that read the parameters and their types."""

    def door(session: StaffSession, *args: Any, **kwargs: Any) -> Any:
        return getattr(session, name)(*args, **kwargs)

    door.__name__ = door.__qualname__ = name
    door.__doc__ = wrapped.__doc__
    door.__dict__["__wrapped__"] = wrapped
    return door


class StaffSession(SessionContext):
    """Everything one logged-in staff member can do, over her session's context (the unlocked
    keyring, the stores). Every public name has its row in the policy table."""

    def handle(self, command: Command[R]) -> R:
        """Runs ``command`` through the pipeline: its row of the policy table, then its handler."""
        return bus.handle(self, command)

    # -- the session itself (violeta/session.py, violeta/bus.py)
    identity = SessionContext.identity
    role = SessionContext.role
    may = Asks(bus.may)
    refresh = Asks(SessionContext.refresh)
    close = Asks(close_session)
    zones = Asks(zone_catalogue.zones)
    rebuild_views = Handles(cmd.RebuildViews)
    sweep_anomalies = Handles(cmd.SweepAnomalies)

    # -- violeta/handlers/clients.py
    register_client = Handles(cmd.RegisterClient)
    authorize_age_exception = Handles(cmd.AuthorizeAgeException)
    set_sharing_consent = Handles(cmd.SetSharingConsent)
    set_statistics_consent = Handles(cmd.SetStatisticsConsent)
    request_erasure = Handles(cmd.RequestErasure)
    approve_erasure = Handles(cmd.ApproveErasure)
    correct_client = Handles(cmd.CorrectClient)

    # -- violeta/handlers/cases.py
    open_case = Handles(cmd.OpenCase)
    add_note = Handles(cmd.AddNote)
    assign_area = Handles(cmd.AssignArea)
    enter_follow_up = Handles(cmd.EnterFollowUp)
    request_closure = Handles(cmd.RequestClosure)
    approve_closure = Handles(cmd.ApproveClosure)
    decline_closure = Handles(cmd.DeclineClosure)
    reopen_case = Handles(cmd.ReopenCase)

    # -- violeta/handlers/legal.py
    give_legal_advice = Handles(cmd.GiveLegalAdvice)
    decide_accompaniment = Handles(cmd.DecideAccompaniment)
    record_accompaniment = Handles(cmd.RecordAccompaniment)
    report_misconduct = Handles(cmd.ReportMisconduct)
    update_misconduct_report = Handles(cmd.UpdateMisconductReport)

    # -- violeta/handlers/psychology.py
    record_psychology_session = Handles(cmd.RecordPsychologySession)
    close_psychology_process = Handles(cmd.ClosePsychologyProcess)

    # -- violeta/handlers/social_work.py
    record_gestion = Handles(cmd.RecordGestion)
    record_social_visit = Handles(cmd.RecordSocialVisit)

    # -- violeta/handlers/follow_ups.py
    schedule_follow_up = Handles(cmd.ScheduleFollowUp)
    settle_follow_up = Handles(cmd.SettleFollowUp)
    record_protection_order = Handles(cmd.RecordProtectionOrder)
    extend_protection_order = Handles(cmd.ExtendProtectionOrder)

    # -- violeta/queries/sections.py
    legal_section = Asks(sections.legal_section)
    psychology_section = Asks(sections.psychology_section)
    social_work_section = Asks(sections.social_work_section)
    follow_up_section = Asks(sections.follow_up_section)
    protection_order_section = Asks(sections.protection_order_section)
    case_life = Asks(sections.case_life)
    referrals = Asks(sections.referrals)
    case_detail = Asks(sections.case_detail)

    # -- violeta/queries/work_queues.py
    open_misconduct_reports = Asks(work_queues.open_misconduct_reports)
    follow_ups_due = Asks(work_queues.follow_ups_due)
    orders_expiring = Asks(work_queues.orders_expiring)
    pending_closures = Asks(work_queues.pending_closures)

    # -- violeta/queries/arco.py
    correction_history = Asks(arco.correction_history)
    export_client_data = Asks(arco.export_client_data)

    # -- violeta/handlers/importing.py
    import_csv = Handles(cmd.ImportCsv)

    # -- violeta/queries/my_day.py
    dashboard = Asks(my_day.dashboard)
    dashboard_counters = Asks(my_day.dashboard_counters)
    my_day = Asks(my_day.my_day)  # last: from here on, the name is this door's

    # -- violeta/queries/clients.py
    pending_age_authorizations = Asks(clients.pending_age_authorizations)
    pending_erasures = Asks(clients.pending_erasures)
    search_clients = Asks(clients.search_clients)
    client_detail = Asks(clients.client_detail)
    audit_entries = Asks(clients.audit_entries)
    case_counts = Asks(clients.case_counts)

    # -- violeta/queries/statistics.py
    statistics_tables = Asks(statistics.statistics_tables)
    statistics_table = Asks(statistics.statistics_table)
    priority_zones = Asks(statistics.priority_zones)

    # -- violeta/queries/supervision.py
    audit_trail = Asks(supervision.audit_trail)
    alerts = Asks(supervision.alerts)
    open_alert_count = Asks(supervision.open_alert_count)
    zone_history = Asks(zone_catalogue.zone_history)

    # -- violeta/handlers/supervision.py
    acknowledge_alert = Handles(cmd.AcknowledgeAlert)
    import_zones = Handles(cmd.ImportZones)
    merge_zones = Handles(cmd.MergeZones)

    # -- violeta/handlers/accounts.py
    create_account = Handles(cmd.CreateAccount)
    enable_account = Handles(cmd.EnableAccount)
    rotate_master_key = Handles(cmd.RotateMasterKey)
    change_password = Handles(cmd.ChangePassword)
    deactivate_account = Handles(cmd.DeactivateAccount)
    reactivate_account = Handles(cmd.ReactivateAccount)
    reset_password = Handles(cmd.ResetPassword)

    # -- violeta/queries/accounts.py
    accounts = Asks(staff_accounts.accounts)
    accounts_to_enable = Asks(staff_accounts.accounts_to_enable)

    # -- violeta/handlers/activities.py
    record_activity = Handles(cmd.RecordActivity)
    cancel_activity = Handles(cmd.CancelActivity)
    set_target = Handles(cmd.SetTarget)

    # -- violeta/queries/activities.py
    target_progress = Asks(activities.target_progress)
    activity_counts = Asks(activities.activity_counts)
    activities_of_year = Asks(activities.activities_of_year)

    # -- violeta/handlers/directory.py
    add_institution = Handles(cmd.AddInstitution)
    update_institution = Handles(cmd.UpdateInstitution)
    set_institution_active = Handles(cmd.SetInstitutionActive)
    refer_case = Handles(cmd.ReferCase)
    record_referral_outcome = Handles(cmd.RecordReferralOutcome)

    # -- violeta/queries/directory.py
    directory = Asks(institution_directory.directory)
    institution_history = Asks(institution_directory.institution_history)

    # -- violeta/handlers/drafts.py, violeta/queries/drafts.py, violeta/queries/agenda.py
    save_draft = Handles(cmd.SaveDraft)
    discard_draft = Handles(cmd.DiscardDraft)
    my_drafts = Asks(drafts.my_drafts)
    open_draft = Asks(drafts.open_draft)
    psychology_sessions_due = Asks(agenda.psychology_sessions_due)
