"""Commands: every state-changing request of a session, as data (DESIGN §2, §5).

A command carries exactly the arguments of its ``StaffSession`` method. Its row in the policy
table (violeta/policy.py) is named after it in snake_case (``GiveLegalAdvice`` ->
``give_legal_advice``), and ``violeta.bus.HANDLERS`` names the one handler that runs it; the
comment above each group names the handler module that says what it writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Generic, TypeVar
from uuid import UUID

from domain.vocabulary import Role, Section
from violeta.dto import CaseSummary, InstitutionForm, NewActivity, NewClient, NewIntake, NewReferral
from violeta.importing import ImportReport, Progress
from violeta.zones import ZoneImportReport

R_co = TypeVar("R_co", covariant=True)


class Command(Generic[R_co]):
    """A request to change state; ``R_co`` is what its handler returns."""

    @classmethod
    def policy_name(cls) -> str:
        """Its row in the policy table and the name of its ``StaffSession`` method."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


# -- violeta/session.py (the views) and violeta/alerts.py (the sweep)


@dataclass(frozen=True)
class RebuildViews(Command[int]):
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class SweepAnomalies(Command[int]):
    pass


# -- violeta/handlers/clients.py


@dataclass(frozen=True)
class RegisterClient(Command[UUID]):
    form: NewClient
    _: KW_ONLY
    confirm_not_duplicate: bool = False


@dataclass(frozen=True)
class AuthorizeAgeException(Command[None]):
    client_id: UUID


@dataclass(frozen=True)
class SetSharingConsent(Command[None]):
    client_id: UUID
    granted: bool


@dataclass(frozen=True)
class SetStatisticsConsent(Command[None]):
    client_id: UUID
    granted: bool


@dataclass(frozen=True)
class RequestErasure(Command[None]):
    client_id: UUID


@dataclass(frozen=True)
class ApproveErasure(Command[None]):
    client_id: UUID


@dataclass(frozen=True)
class CorrectClient(Command[None]):
    client_id: UUID
    field: str
    value: str


# -- violeta/handlers/cases.py


@dataclass(frozen=True)
class OpenCase(Command[CaseSummary]):
    client_id: UUID
    form: NewIntake


@dataclass(frozen=True)
class AddNote(Command[None]):
    case_id: UUID
    section: Section
    text: str


@dataclass(frozen=True)
class AssignArea(Command[None]):
    case_id: UUID
    area: str
    staff_id: UUID


@dataclass(frozen=True)
class EnterFollowUp(Command[None]):
    case_id: UUID


@dataclass(frozen=True)
class RequestClosure(Command[None]):
    case_id: UUID
    reason: str


@dataclass(frozen=True)
class ApproveClosure(Command[None]):
    case_id: UUID


@dataclass(frozen=True)
class DeclineClosure(Command[None]):
    case_id: UUID


@dataclass(frozen=True)
class ReopenCase(Command[None]):
    case_id: UUID
    reason: str


# -- violeta/handlers/legal.py


@dataclass(frozen=True)
class GiveLegalAdvice(Command[UUID]):
    case_id: UUID
    matter: str
    notes: str
    given_on: str = ""


@dataclass(frozen=True)
class DecideAccompaniment(Command[None]):
    case_id: UUID
    _: KW_ONLY
    severity: bool
    lacks_resources: bool
    deadline: str
    unfamiliar_with_procedure: bool
    accompany: bool
    decided_on: str = ""


@dataclass(frozen=True)
class RecordAccompaniment(Command[UUID]):
    case_id: UUID
    area: str
    authority: str
    notes: str
    performed_on: str = ""


@dataclass(frozen=True)
class ReportMisconduct(Command[UUID]):
    case_id: UUID
    _: KW_ONLY
    institution: str
    conduct: str
    facts: str
    reported_to: str
    reported_on: str = ""


@dataclass(frozen=True)
class UpdateMisconductReport(Command[None]):
    case_id: UUID
    report_id: UUID
    status: str
    updated_on: str = ""


# -- violeta/handlers/psychology.py


@dataclass(frozen=True)
class RecordPsychologySession(Command[UUID]):
    case_id: UUID
    _: KW_ONLY
    modality: str
    notes: str
    held_on: str = ""
    next_session: str = ""


@dataclass(frozen=True)
class ClosePsychologyProcess(Command[None]):
    case_id: UUID
    closed_on: str = ""


# -- violeta/handlers/social_work.py


@dataclass(frozen=True)
class RecordGestion(Command[UUID]):
    case_id: UUID
    _: KW_ONLY
    what: str
    institution: str
    outcome: str
    done_on: str = ""


@dataclass(frozen=True)
class RecordSocialVisit(Command[UUID]):
    case_id: UUID
    _: KW_ONLY
    kind: str
    notes: str
    visited_on: str = ""


# -- violeta/handlers/follow_ups.py


@dataclass(frozen=True)
class ScheduleFollowUp(Command[UUID]):
    case_id: UUID
    due_on: str
    channel: str


@dataclass(frozen=True)
class SettleFollowUp(Command[None]):
    case_id: UUID
    follow_up_id: UUID
    _: KW_ONLY
    done: bool
    outcome: str
    settled_on: str = ""


@dataclass(frozen=True)
class RecordProtectionOrder(Command[UUID]):
    case_id: UUID
    _: KW_ONLY
    kind: str
    measures: Sequence[str]
    detail: str
    authority: str
    issued_on: str
    expires_on: str = ""


@dataclass(frozen=True)
class ExtendProtectionOrder(Command[None]):
    case_id: UUID
    order_id: UUID
    expires_on: str = ""


# -- violeta/handlers/importing.py


@dataclass(frozen=True)
class ImportCsv(Command[ImportReport]):
    path: Path
    progress: Progress | None = None


# -- violeta/handlers/supervision.py


@dataclass(frozen=True)
class AcknowledgeAlert(Command[None]):
    alert: UUID
    note: str


@dataclass(frozen=True)
class ImportZones(Command[ZoneImportReport]):
    path: Path


@dataclass(frozen=True)
class MergeZones(Command[None]):
    code: str
    into: str


# -- violeta/handlers/accounts.py


@dataclass(frozen=True)
class CreateAccount(Command[UUID]):
    username: str
    display_name: str
    role: Role
    initial_password: str
    _: KW_ONLY
    must_change_password: bool = True


@dataclass(frozen=True)
class EnableAccount(Command[None]):
    staff_id: UUID


@dataclass(frozen=True)
class RotateMasterKey(Command[list[str]]):
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class ChangePassword(Command[None]):
    old_password: str
    new_password: str


@dataclass(frozen=True)
class DeactivateAccount(Command[None]):
    staff_id: UUID


@dataclass(frozen=True)
class ReactivateAccount(Command[None]):
    staff_id: UUID
    initial_password: str


@dataclass(frozen=True)
class ResetPassword(Command[None]):
    staff_id: UUID
    temporary_password: str


# -- violeta/handlers/activities.py


@dataclass(frozen=True)
class RecordActivity(Command[UUID]):
    form: NewActivity


@dataclass(frozen=True)
class CancelActivity(Command[None]):
    activity_id: UUID


@dataclass(frozen=True)
class SetTarget(Command[None]):
    year: int
    kind: str
    target: str


# -- violeta/handlers/directory.py


@dataclass(frozen=True)
class AddInstitution(Command[UUID]):
    form: InstitutionForm


@dataclass(frozen=True)
class UpdateInstitution(Command[None]):
    institution_id: UUID
    form: InstitutionForm


@dataclass(frozen=True)
class SetInstitutionActive(Command[None]):
    institution_id: UUID
    active: bool


@dataclass(frozen=True)
class ReferCase(Command[UUID]):
    case_id: UUID
    form: NewReferral


@dataclass(frozen=True)
class RecordReferralOutcome(Command[None]):
    case_id: UUID
    referral_id: UUID
    outcome: str
    note: str = ""
    recorded_on: str = ""


# -- violeta/handlers/drafts.py


@dataclass(frozen=True)
class SaveDraft(Command[UUID]):
    kind: str
    values: dict[str, str]
    _: KW_ONLY
    client_id: UUID | None = None
    draft_id: UUID | None = None


@dataclass(frozen=True)
class DiscardDraft(Command[None]):
    draft_id: UUID
