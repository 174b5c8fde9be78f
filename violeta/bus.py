"""The pipeline every command and query of a session goes through (DESIGN §2, §5).

``handle`` runs one command (violeta/commands.py), ``ask`` one query (violeta/queries/):

1. look up the row of the policy table (violeta/policy.py) named after it;
2. authorize against it (``admit``): the account must be enabled and its password changed,
   the role allowed, an approval given by a second person; a refusal is recorded as an
   access event before it is raised;
3. run the one handler of the command (violeta/handlers/<area>.py): it validates what staff
   typed and seals it before any event exists, and saves through the context's
   save-with-retry (``SessionContext._change_and_save``, ``retry_on_conflict``), which
   reloads and reapplies the change on a version conflict; a query records its access event
   (``SessionContext._record_access``) before it opens personal data, and a break-the-glass
   read asks for its reason there (``_authorize``).

Only the outermost call is admitted: a handler or query that uses another (Mi día reads the
work queues) was admitted as a whole. No handler repeats the table's role check; what depends
on the record itself (the staff assigned to a case, the area an accompaniment names) stays in
its handler.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import fields
from functools import cache
from typing import Any, Concatenate, Final, ParamSpec, TypeVar, cast
from uuid import UUID

from domain.accounts import StaffAccount
from domain.errors import DomainError, NotPermitted, UnknownRecord
from domain.vocabulary import Section
from violeta import commands
from violeta.commands import Command
from violeta.handlers import (
    accounts,
    activities,
    cases,
    clients,
    directory,
    drafts,
    follow_ups,
    importing,
    legal,
    psychology,
    social_work,
    supervision,
)
from violeta.isolation import unstorable_text
from violeta.policy import POLICY, SECTION_ARGUMENT, Rule, SecondPerson
from violeta.session import SessionContext
from violeta.store import load_aggregate

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


# The argument that names the record an approval completes, per second-person rule.
APPROVED_RECORD: Final[dict[SecondPerson, str]] = {
    SecondPerson.CLOSURE: "case_id",
    SecondPerson.ERASURE: "client_id",
    SecondPerson.AGE_EXCEPTION: "client_id",
    SecondPerson.ENABLING: "staff_id",
}


def may(
    ctx: SessionContext,
    command: str,
    section: Section | None = None,
    subject: UUID | None = None,
) -> bool:
    """Whether this session may run ``command`` now (on ``section`` for a command that
    takes one): what the terminal app offers comes from the same table that admits. With
    ``subject`` (the case, woman or account an approval completes), also the second-person
    rule ``admit`` applies: an approval this person may not give is not offered either."""
    rule = POLICY.get(command)
    if rule is None or (not rule.before_enabling and ctx._pending_reason()):
        return False
    if ctx.role not in rule.allowed_roles(section):
        return False
    if subject is None or rule.second_person is None:
        return True
    try:
        arguments = {APPROVED_RECORD[rule.second_person]: subject}
        requester = requester_of(ctx, rule.second_person, arguments)
    except DomainError:  # no such record, or one that does not open: nothing to approve
        return False
    return requester is None or is_second_person(ctx, requester)


def admit(ctx: SessionContext, command: str, rule: Rule, arguments: dict[str, Any]) -> None:
    """Enforces the command's row of the policy table (violeta/policy.py): the account
    must be enabled and its password changed, the role must be allowed, and an approval
    must come from a second person. A refusal is recorded before it is raised."""
    section = arguments.get("section") if rule.section == SECTION_ARGUMENT else rule.section
    target = section if isinstance(section, Section) else Section.IDENTIFICATION

    def refuse(message: str) -> NotPermitted:
        client_ids, case_ids = subjects_of(ctx, arguments)
        ctx._record_denied(target, client_ids, command, case_ids, rule.action)
        return NotPermitted(message)

    if not rule.before_enabling and ctx._pending_reason():
        raise refuse(ctx._pending_reason())
    if ctx.role not in rule.allowed_roles(section if isinstance(section, Section) else None):
        raise refuse(f"Su rol ({ctx.role.label}) no permite esta acción.")
    if rule.second_person is not None:
        requester = requester_of(ctx, rule.second_person, arguments)
        if requester is not None and not is_second_person(ctx, requester):
            raise refuse(
                f"La aprobación ({rule.second_person.value}) necesita a una segunda persona: "
                "no puede darla quien la solicitó, ni quien tenga una cuenta que esa persona "
                "creó, restableció o habilitó."
            )


def subjects_of(ctx: SessionContext, arguments: dict[str, Any]) -> tuple[list[UUID], list[UUID]]:
    client_ids = [arguments["client_id"]] if isinstance(arguments.get("client_id"), UUID) else []
    case_ids = [arguments["case_id"]] if isinstance(arguments.get("case_id"), UUID) else []
    if case_ids and not client_ids:
        try:
            client_ids = [ctx._get_case(case_ids[0]).client_id]
        except UnknownRecord:
            case_ids = []  # recorded as an attempt on no record
    return client_ids, case_ids


def requester_of(ctx: SessionContext, rule: SecondPerson, arguments: dict[str, Any]) -> UUID | None:
    """Who asked for what this approval completes (None: nothing asked yet; the domain
    then refuses with its own message)."""
    if rule is SecondPerson.CLOSURE:
        request = ctx._get_case(arguments["case_id"]).services.closure_request
        return None if request is None else request[0]
    if rule is SecondPerson.ENABLING:
        target = load_aggregate(ctx._store, arguments["staff_id"], StaffAccount, "")
        return target.slot_author
    client = ctx._get_client(arguments["client_id"])
    if rule is SecondPerson.ERASURE:
        return client.erasure_requested_by
    return client.registered_by


def is_second_person(ctx: SessionContext, requester: UUID) -> bool:
    approver = ctx._current_account()
    return requester != approver.id and requester not in approver.responsible


HANDLERS: Final[dict[type[Command[Any]], Callable[[SessionContext, Any], Any]]] = {
    commands.RebuildViews: accounts.rebuild_views,
    commands.SweepAnomalies: supervision.sweep_anomalies,
    commands.RegisterClient: clients.register_client,
    commands.AuthorizeAgeException: clients.authorize_age_exception,
    commands.SetSharingConsent: clients.set_sharing_consent,
    commands.SetStatisticsConsent: clients.set_statistics_consent,
    commands.RequestErasure: clients.request_erasure,
    commands.ApproveErasure: clients.approve_erasure,
    commands.CorrectClient: clients.correct_client,
    commands.OpenCase: cases.open_case,
    commands.AddNote: cases.add_note,
    commands.AssignArea: cases.assign_area,
    commands.EnterFollowUp: cases.enter_follow_up,
    commands.RequestClosure: cases.request_closure,
    commands.ApproveClosure: cases.approve_closure,
    commands.DeclineClosure: cases.decline_closure,
    commands.ReopenCase: cases.reopen_case,
    commands.GiveLegalAdvice: legal.give_legal_advice,
    commands.DecideAccompaniment: legal.decide_accompaniment,
    commands.RecordAccompaniment: legal.record_accompaniment,
    commands.ReportMisconduct: legal.report_misconduct,
    commands.UpdateMisconductReport: legal.update_misconduct_report,
    commands.RecordPsychologySession: psychology.record_psychology_session,
    commands.ClosePsychologyProcess: psychology.close_psychology_process,
    commands.RecordGestion: social_work.record_gestion,
    commands.RecordSocialVisit: social_work.record_social_visit,
    commands.ScheduleFollowUp: follow_ups.schedule_follow_up,
    commands.SettleFollowUp: follow_ups.settle_follow_up,
    commands.RecordProtectionOrder: follow_ups.record_protection_order,
    commands.ExtendProtectionOrder: follow_ups.extend_protection_order,
    commands.ImportCsv: importing.import_csv,
    commands.AcknowledgeAlert: supervision.acknowledge_alert,
    commands.ImportZones: supervision.import_zones,
    commands.MergeZones: supervision.merge_zones,
    commands.CreateAccount: accounts.create_account,
    commands.EnableAccount: accounts.enable_account,
    commands.RotateMasterKey: accounts.rotate_master_key,
    commands.ChangePassword: accounts.change_password,
    commands.DeactivateAccount: accounts.deactivate_account,
    commands.ReactivateAccount: accounts.reactivate_account,
    commands.ResetPassword: accounts.reset_password,
    commands.RecordActivity: activities.record_activity,
    commands.CancelActivity: activities.cancel_activity,
    commands.SetTarget: activities.set_target,
    commands.AddInstitution: directory.add_institution,
    commands.UpdateInstitution: directory.update_institution,
    commands.SetInstitutionActive: directory.set_institution_active,
    commands.ReferCase: directory.refer_case,
    commands.RecordReferralOutcome: directory.record_referral_outcome,
    commands.SaveDraft: drafts.save_draft,
    commands.DiscardDraft: drafts.discard_draft,
}


def handle(ctx: SessionContext, command: Command[R]) -> R:
    """Runs one command through the pipeline (see the module's docstring)."""
    handler = HANDLERS[type(command)]
    arguments = {field.name: getattr(command, field.name) for field in fields(command)}  # type: ignore[arg-type]
    return cast(R, _admitted(ctx, command.policy_name(), arguments, lambda: handler(ctx, command)))


def ask(
    ctx: SessionContext,
    query: Callable[Concatenate[SessionContext, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Runs one query through the same authorization as a command."""
    bound = _signature(query).bind(ctx, *args, **kwargs)
    bound.apply_defaults()
    return _admitted(
        ctx, query.__name__, dict(bound.arguments), lambda: query(ctx, *args, **kwargs)
    )


@cache
def _signature(query: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(query)


def _admitted(
    ctx: SessionContext, name: str, arguments: dict[str, Any], call: Callable[[], T]
) -> T:
    depth = getattr(ctx._calls, "depth", 0)
    if depth == 0:
        admit(ctx, name, POLICY[name], arguments)
    ctx._calls.depth = depth + 1
    try:
        return call()
    except Exception as error:
        # Text no store can hold, which no field rule looked at: a Spanish refusal.
        refusal = unstorable_text(error) if depth == 0 else None
        if refusal is None:
            raise
        raise refusal from None
    finally:
        ctx._calls.depth = depth
