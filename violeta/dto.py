"""What the application service hands to the user interfaces: plain, opened, already audited.

Inputs are what staff typed (strings), validated by the service; outputs carry plaintext only
for records the reader was authorized to see and whose access was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain.vocabulary import Role


@dataclass(frozen=True)
class NewClient:
    name: str
    birth_date: str  # dd/mm/aaaa
    zone: str  # zone code from the catalogue
    curp: str = ""
    phone: str = ""
    registered_on: str = ""  # dd/mm/aaaa; empty means today
    phone_safe_to_call: bool = False  # may the institute call that number without risk?
    safe_contact_name: str = ""  # someone she trusts, to reach her when her phone is unsafe
    safe_contact_phone: str = ""
    address: str = ""  # street and number; the zone comes from the catalogue
    indigenous_language: str = ""  # key of domain.clients.INDIGENOUS_LANGUAGES; "" = none
    disabilities: tuple[str, ...] = ()  # keys of domain.clients.DISABILITIES
    # Required to register: a form that asks must pass what she answered. The default keeps
    # forms written before the field working; registration refuses False.
    privacy_notice_accepted: bool = True
    consent_to_share: bool = False  # share her data with institutions of the directory
    consent_to_statistics: bool = True  # counted (anonymously) in statistics; revocable
    age_exception_reason: str = ""  # required when she is outside 18-60


@dataclass(frozen=True)
class NewIntake:
    reason: str
    narrative: str
    violence_types: tuple[str, ...]
    modalities: tuple[str, ...]
    risk: str
    opened_on: str = ""  # dd/mm/aaaa; empty means today
    aggressor_relationship: str = "no_referido"  # AggressorRelationship value
    aggressor_details: str = ""  # sealed: name, description, where he may be found
    risk_factors: tuple[str, ...] = ()  # RiskFactor values


@dataclass(frozen=True)
class StaffIdentity:
    staff_id: UUID
    username: str
    display_name: str
    role: Role
    must_change_password: bool
    # False while pending: not yet enabled by a second person, or before her first password
    # change; she can then only change her password. ``pending`` says why, in Spanish.
    ready: bool = True
    pending: str = ""
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ZoneOption:
    code: str
    name: str


@dataclass(frozen=True)
class ClientSummary:
    client_id: UUID
    name: str
    zone_name: str
    age_band: str
    open_cases: int
    erased: bool
    # Tells apart two women of the same name in a list (no personal data).
    registered_on: date | None = None


@dataclass(frozen=True)
class CaseSummary:
    case_id: UUID
    client_id: UUID
    folio: str
    client_name: str
    opened_on: date
    status: str
    zone_name: str
    risk: str


@dataclass(frozen=True)
class NoteView:
    section: str
    text: str
    author: str
    written_on: date


@dataclass(frozen=True)
class ClientDetail:
    client_id: UUID
    name: str
    curp: str
    birth_date: str
    phone: str
    zone_name: str
    age_band: str
    registered_on: date
    erased: bool
    erasure_pending: bool
    cases: tuple[CaseSummary, ...]
    phone_safe_to_call: bool = False
    safe_contact_name: str = ""
    safe_contact_phone: str = ""
    address: str = ""
    indigenous_language: str = ""  # Spanish label
    disabilities: tuple[str, ...] = ()  # Spanish labels
    privacy_notice_accepted: bool = True
    consent_to_share: bool = False
    consent_to_statistics: bool = True
    age_authorization: str = ""  # Spanish label; "No requerida" inside 18-60
    age_exception_reason: str = ""
    proposed_referral: str = ""  # Spanish label, e.g. the child-protection authority
    corrected_fields: tuple[str, ...] = ()  # Spanish labels of fields rectified (ARCO)


@dataclass(frozen=True)
class CaseDetail:
    case_id: UUID
    client_id: UUID
    folio: str
    client_name: str
    opened_on: date
    status: str
    zone_name: str
    risk: str
    violence_types: tuple[str, ...]
    modalities: tuple[str, ...]
    reason: str
    narrative: str
    notes: tuple[NoteView, ...]
    exceptional_access: bool
    aggressor_relationship: str = ""
    aggressor_details: str = ""
    risk_factors: tuple[str, ...] = ()
    # The section's structured records (advice, sessions, gestiones, follow-ups, orders,
    # referrals), opened in the same audited read as its notes.
    records: tuple[RecordEntry, ...] = ()
    # Whether the reader attends one of its areas: only she may ask for its closure.
    attended_by_reader: bool = False
    # A closure was asked for and waits for coordinación: not asked for again meanwhile.
    closure_pending: bool = False
    # She opened it today: its entrevista inicial is hers to read back without a reason.
    opened_by_reader_today: bool = False


@dataclass(frozen=True)
class RecordEntry:
    """One structured record of a case section, ready to show (Spanish labels)."""

    title: str
    on: date | None
    by: str  # staff display name, "" when not a staff member's record
    details: tuple[tuple[str, str], ...]  # (label, value), empty values left out


@dataclass(frozen=True)
class DashboardCounters:
    open_cases: int
    cases_this_month: int
    pending_erasures: int
    exceptional_accesses_today: int


@dataclass(frozen=True)
class Dashboard:
    staff: StaffIdentity
    my_recent_cases: tuple[CaseSummary, ...]
    open_cases: int
    cases_this_month: int
    pending_erasures: int
    exceptional_accesses_today: int
    notes: tuple[str, ...] = field(default=())
    follow_ups_due: tuple[DueFollowUp, ...] = ()
    closures_to_approve: tuple[PendingClosure, ...] = ()  # coordinación's alone
    more_follow_ups: bool = False  # more are due than the first page listed


@dataclass(frozen=True)
class AccessEntry:
    access_id: UUID
    at: datetime
    staff: str
    role: str
    action: str
    section: str
    outcome: str
    exceptional: bool
    purpose: str
    justification: str
    client_ids: tuple[UUID, ...]


# ------------------------------------------------ services on a case (life cycle, areas)
# Dates are ``date`` values; the interfaces show them as dd/mm/aaaa.


@dataclass(frozen=True)
class StatusChangeView:
    status: str
    on: date
    by: str
    reason: str  # opened; empty for moves that need no reason


@dataclass(frozen=True)
class CaseLifeView:
    case_id: UUID
    folio: str
    status: str
    areas: tuple[tuple[str, str], ...]  # (area, staff name)
    closure_requested_by: str  # empty when no request is pending
    closure_requested_on: date | None
    closure_reason: str
    history: tuple[StatusChangeView, ...]


@dataclass(frozen=True)
class LegalAdviceView:
    advice_id: UUID
    matter: str
    notes: str
    given_on: date
    given_by: str


@dataclass(frozen=True)
class AccompanimentDecisionView:
    severity: bool
    lacks_resources: bool
    deadline: date | None
    unfamiliar_with_procedure: bool
    accompany: bool
    decided_on: date
    decided_by: str


@dataclass(frozen=True)
class AccompanimentView:
    accompaniment_id: UUID
    area: str
    authority: str
    notes: str
    performed_on: date
    performed_by: str


@dataclass(frozen=True)
class MisconductReportView:
    report_id: UUID
    institution: str
    conduct: str
    facts: str
    reported_to: str
    reported_on: date
    status: str


@dataclass(frozen=True)
class LegalSectionView:
    case_id: UUID
    advice: tuple[LegalAdviceView, ...]
    decisions: tuple[AccompanimentDecisionView, ...]
    accompaniments: tuple[AccompanimentView, ...]
    misconduct_reports: tuple[MisconductReportView, ...]
    exceptional_access: bool


@dataclass(frozen=True)
class PsychologySessionView:
    session_id: UUID
    held_on: date
    modality: str
    notes: str
    next_session: date | None
    held_by: str


@dataclass(frozen=True)
class PsychologySectionView:
    case_id: UUID
    sessions: tuple[PsychologySessionView, ...]
    next_session: date | None
    closed_on: date | None


@dataclass(frozen=True)
class GestionView:
    gestion_id: UUID
    what: str
    institution: str
    outcome: str
    done_on: date
    done_by: str


@dataclass(frozen=True)
class SocialVisitView:
    visit_id: UUID
    kind: str
    notes: str
    visited_on: date
    visited_by: str


@dataclass(frozen=True)
class SocialWorkSectionView:
    case_id: UUID
    gestiones: tuple[GestionView, ...]
    visits: tuple[SocialVisitView, ...]
    accompaniments: tuple[AccompanimentView, ...]
    exceptional_access: bool


@dataclass(frozen=True)
class FollowUpView:
    follow_up_id: UUID
    due_on: date
    channel: str
    state: str
    settled_on: date | None
    outcome: str


@dataclass(frozen=True)
class ProtectionOrderView:
    order_id: UUID
    kind: str
    measures: tuple[str, ...]
    detail: str
    authority: str
    issued_on: date
    expires_on: date
    extended: bool


@dataclass(frozen=True)
class DueFollowUp:
    """A work-queue row: folio, dates and her name (opened for the list, one audited access)."""

    case_id: UUID
    folio: str
    follow_up_id: UUID
    due_on: date
    channel: str
    overdue: bool
    client_name: str = ""


@dataclass(frozen=True)
class ExpiringOrder:
    case_id: UUID
    folio: str
    order_id: UUID
    kind: str
    expires_on: date
    days_left: int
    extendable: bool


@dataclass(frozen=True)
class PendingErasure:
    """An ARCO cancellation waiting for coordinación: who she is and who asked for it."""

    client_id: UUID
    name: str
    zone_name: str
    age_band: str
    requested_by: str
    requested_by_id: UUID


@dataclass(frozen=True)
class PendingClosure:
    case_id: UUID
    folio: str
    requested_by: str
    requested_on: date


@dataclass(frozen=True)
class OpenMisconductReport:
    """A reporte de actuación still open: institution and conduct, no facts, no name."""

    case_id: UUID
    folio: str
    report_id: UUID
    institution: str
    conduct: str
    reported_on: date
    status: str


@dataclass(frozen=True)
class AccountView:
    """A staff account as administración sees it: who, which role, whether she can log in."""

    staff_id: UUID
    username: str
    display_name: str
    role: str  # Spanish label
    active: bool
    must_change_password: bool
    enabled: bool = True


# ------------------------------------------------ directory and referrals (canalización)


@dataclass(frozen=True)
class InstitutionForm:
    name: str
    kind: str  # key of domain.directory.INSTITUTION_KINDS
    services: tuple[str, ...]  # keys of domain.directory.SERVICES
    address: str = ""
    phone: str = ""
    hours: str = ""  # e.g. "lunes a viernes 9:00-15:00"
    contact: str = ""  # the institution's public contact (office or official)


@dataclass(frozen=True)
class InstitutionView:
    institution_id: UUID
    name: str
    kind: str  # Spanish label
    services: tuple[str, ...]  # Spanish labels
    address: str
    phone: str
    hours: str
    contact: str
    active: bool
    version: int
    updated_on: date


@dataclass(frozen=True)
class InstitutionVersion:
    version: int
    recorded_on: date
    recorded_by: str  # staff display name
    change: str  # Spanish: alta, cambio de datos, baja, reactivación
    name: str


@dataclass(frozen=True)
class NewReferral:
    institution_id: UUID
    reason: str
    with_personal_data: bool = True  # False: the institution receives no data about her
    consent_override_reason: str = ""  # coordinación only, when she has not consented
    made_on: str = ""  # dd/mm/aaaa; empty means today


@dataclass(frozen=True)
class ReferralView:
    referral_id: UUID
    institution_id: UUID
    institution: str
    reason: str
    with_personal_data: bool
    consent_override_reason: str  # "" unless coordinación overrode the missing consent
    made_by: str
    made_on: date
    outcome: str  # Spanish label; "" while pending
    outcome_note: str
    outcome_on: date | None


# ------------------------------------------------------------- work-plan activities


@dataclass(frozen=True)
class NewActivity:
    held_on: str  # dd/mm/aaaa
    kind: str  # value or Spanish label of domain.activities.ActivityKind
    topic: str
    zone: str  # zone code from the catalogue
    attendance: dict[str, str]  # age band ("18-29") -> count as typed
    partner: str = ""  # partner institution, if any


@dataclass(frozen=True)
class ActivityCount:
    month: str  # AAAA-MM
    zone_name: str
    kind: str  # Spanish label
    activities: int
    attendees: int


@dataclass(frozen=True)
class ActivityView:
    """One activity of the work plan as registered (no personal data: a place, a topic, counts)."""

    activity_id: UUID
    held_on: date
    kind: str  # Spanish label
    topic: str
    zone_name: str
    attendees: int
    cancelled: bool


@dataclass(frozen=True)
class TargetProgress:
    kind: str  # Spanish label
    target: int
    done: int
    attendees: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.target) if self.target else 0
