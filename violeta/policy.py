"""Who may run each command and query of the application service: one table (DESIGN §5).

Every public method of ``StaffSession`` (each command of violeta/commands.py, each query of
violeta/queries/) has exactly one row here, and the pipeline (violeta/bus.py) enforces the row
in one place before the handler or query runs. A row says:

- ``section`` and ``action``: the case section it reads or writes. The roles that may run it
  come from the section matrix (domain/permissions.py) unless ``roles`` narrows or replaces
  them; ``SECTION_ARGUMENT`` means the section is the call's ``section`` argument.
- ``break_glass``: a role outside the default may still *read* it with a typed reason (the
  method then asks for the reason and marks the access exceptional).
- ``second_person``: the two-person rule the method applies to its approval: the approver is
  never the requester, nor anyone whose account the requester created, reset or enabled.
- ``before_enabling``: may run while the account is pending (not yet enabled by a second
  person, or before her first password change). Only changing one's password may.

A newcomer finds who may do a thing here, and what it writes in its handler
(violeta/handlers/<area>.py, named in violeta/bus.py's ``HANDLERS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Final

from domain.permissions import Action, Decision, decide
from domain.vocabulary import Role, Section

SECTION_ARGUMENT: Final = "section"
EVERY_ROLE = frozenset(Role)
CASE_ROLES = frozenset(Role) - {Role.ADMINISTRATION}
ACCOUNT_MANAGERS = frozenset({Role.ADMINISTRATION, Role.COORDINATION})
COORDINATION = frozenset({Role.COORDINATION})


class SecondPerson(StrEnum):
    """Which request an approval completes; the service finds its requester."""

    CLOSURE = "cierre"
    ERASURE = "cancelación"
    AGE_EXCEPTION = "excepción de edad"
    ENABLING = "habilitación de cuenta"


@dataclass(frozen=True)
class Rule:
    section: Section | str | None
    action: Action
    roles: frozenset[Role] | None = None
    break_glass: bool = False
    second_person: SecondPerson | None = None
    before_enabling: bool = False

    def allowed_roles(self, section: Section | None = None) -> frozenset[Role]:
        """The roles that may run it (for a ``SECTION_ARGUMENT`` row, on ``section``)."""
        return _allowed_roles(self, section)


@cache  # asked on every command; the rows are frozen and the matrix is a constant
def _allowed_roles(rule: Rule, section: Section | None) -> frozenset[Role]:
    target = section if rule.section == SECTION_ARGUMENT else rule.section
    if not isinstance(target, Section):
        return rule.roles if rule.roles is not None else frozenset()
    from_matrix = frozenset(
        role
        for role in Role
        if decide(role, target, rule.action) is Decision.GRANTED
        or (rule.break_glass and decide(role, target, rule.action) is Decision.BREAK_GLASS)
    )
    return from_matrix if rule.roles is None else from_matrix & rule.roles


R, W = Action.READ, Action.WRITE
S = Section
Sp = SecondPerson

POLICY: Final[dict[str, Rule]] = {
    # -- identity, session (no case content)
    "identity": Rule(None, R, EVERY_ROLE, before_enabling=True),
    "role": Rule(None, R, EVERY_ROLE, before_enabling=True),
    "close": Rule(None, R, EVERY_ROLE, before_enabling=True),
    "change_password": Rule(None, W, EVERY_ROLE, before_enabling=True),
    "refresh": Rule(None, R, EVERY_ROLE),
    "may": Rule(None, R, EVERY_ROLE, before_enabling=True),
    "zones": Rule(None, R, EVERY_ROLE),
    "rebuild_views": Rule(None, W, COORDINATION),
    # -- accounts (administración and coordinación; no case content)
    "accounts": Rule(None, R, ACCOUNT_MANAGERS),
    "accounts_to_enable": Rule(None, R, frozenset({Role.COORDINATION, Role.PSYCHOLOGY})),
    "create_account": Rule(None, W, ACCOUNT_MANAGERS),
    "deactivate_account": Rule(None, W, ACCOUNT_MANAGERS),
    "reactivate_account": Rule(None, W, ACCOUNT_MANAGERS),
    "reset_password": Rule(None, W, frozenset({Role.ADMINISTRATION})),
    "rotate_master_key": Rule(None, W, ACCOUNT_MANAGERS),
    "enable_account": Rule(
        None, W, frozenset({Role.COORDINATION, Role.PSYCHOLOGY}), second_person=Sp.ENABLING
    ),
    # -- identification (registration, consents, ARCO)
    "register_client": Rule(S.IDENTIFICATION, W),
    "client_detail": Rule(S.IDENTIFICATION, R, break_glass=True),
    "search_clients": Rule(S.IDENTIFICATION, R),
    "pending_age_authorizations": Rule(S.IDENTIFICATION, R),
    "authorize_age_exception": Rule(
        S.IDENTIFICATION, W, COORDINATION, second_person=Sp.AGE_EXCEPTION
    ),
    "set_sharing_consent": Rule(S.IDENTIFICATION, W),
    "set_statistics_consent": Rule(S.IDENTIFICATION, W),
    "correct_client": Rule(S.IDENTIFICATION, W),
    "correction_history": Rule(S.IDENTIFICATION, R, COORDINATION),
    "export_client_data": Rule(S.IDENTIFICATION, R, COORDINATION),
    "request_erasure": Rule(S.IDENTIFICATION, W),
    "approve_erasure": Rule(S.IDENTIFICATION, W, COORDINATION, second_person=Sp.ERASURE),
    "pending_erasures": Rule(S.IDENTIFICATION, R, COORDINATION),
    "import_csv": Rule(S.INTAKE, W, frozenset({Role.RECEPTION, Role.SOCIAL_WORK}) | COORDINATION),
    "audit_entries": Rule(None, R, COORDINATION),
    # -- the case: intake, life cycle, notes
    "open_case": Rule(S.INTAKE, W),
    "case_detail": Rule(SECTION_ARGUMENT, R, break_glass=True),
    "case_life": Rule(S.INTAKE, R, break_glass=True),
    "add_note": Rule(SECTION_ARGUMENT, W),
    "assign_area": Rule(S.INTAKE, W, COORDINATION),
    "enter_follow_up": Rule(S.INTAKE, W),
    "request_closure": Rule(S.INTAKE, W),
    "approve_closure": Rule(S.INTAKE, W, COORDINATION, second_person=Sp.CLOSURE),
    "decline_closure": Rule(S.INTAKE, W, COORDINATION),
    "pending_closures": Rule(S.INTAKE, R, COORDINATION),
    "reopen_case": Rule(S.INTAKE, W),
    # -- legal
    "give_legal_advice": Rule(S.LEGAL, W),
    "decide_accompaniment": Rule(S.LEGAL, W),
    "record_accompaniment": Rule(None, W, frozenset({Role.LEGAL, Role.SOCIAL_WORK})),
    "report_misconduct": Rule(S.LEGAL, W),
    "update_misconduct_report": Rule(S.LEGAL, W),
    "open_misconduct_reports": Rule(S.LEGAL, R),
    "legal_section": Rule(S.LEGAL, R, break_glass=True),
    # -- psychology: psychology's alone, never by break-the-glass
    "record_psychology_session": Rule(S.PSYCHOLOGICAL, W),
    "close_psychology_process": Rule(S.PSYCHOLOGICAL, W),
    "psychology_section": Rule(S.PSYCHOLOGICAL, R),
    # -- social work
    "record_gestion": Rule(S.SOCIAL_WORK, W),
    "record_social_visit": Rule(S.SOCIAL_WORK, W),
    "social_work_section": Rule(S.SOCIAL_WORK, R, break_glass=True),
    # -- follow-ups and protection orders
    "schedule_follow_up": Rule(S.FOLLOW_UPS, W),
    "settle_follow_up": Rule(S.FOLLOW_UPS, W),
    "follow_up_section": Rule(S.FOLLOW_UPS, R, break_glass=True),
    "follow_ups_due": Rule(S.FOLLOW_UPS, R),
    # violeta/agenda.py: psicología's next sessions, a listing (no break-the-glass)
    "psychology_sessions_due": Rule(S.PSYCHOLOGICAL, R),
    # violeta/drafts.py: her own sealed drafts (author only, checked in the method)
    "save_draft": Rule(S.IDENTIFICATION, W),
    "my_drafts": Rule(None, R, CASE_ROLES),
    "open_draft": Rule(None, R, CASE_ROLES),
    "discard_draft": Rule(None, W, CASE_ROLES),
    "record_protection_order": Rule(S.PROTECTION_ORDERS, W),
    "extend_protection_order": Rule(S.PROTECTION_ORDERS, W),
    "protection_order_section": Rule(S.PROTECTION_ORDERS, R, break_glass=True),
    "orders_expiring": Rule(S.PROTECTION_ORDERS, R),
    # -- referrals and the directory
    "refer_case": Rule(S.REFERRALS, W),
    "record_referral_outcome": Rule(S.REFERRALS, W),
    "referrals": Rule(S.REFERRALS, R, break_glass=True),
    "directory": Rule(None, R, EVERY_ROLE),  # public data
    "institution_history": Rule(None, R, EVERY_ROLE),
    "add_institution": Rule(None, W, frozenset({Role.COORDINATION, Role.SOCIAL_WORK})),
    "update_institution": Rule(None, W, frozenset({Role.COORDINATION, Role.SOCIAL_WORK})),
    "set_institution_active": Rule(None, W, frozenset({Role.COORDINATION, Role.SOCIAL_WORK})),
    # -- work plan activities (no personal data)
    "record_activity": Rule(None, W, CASE_ROLES),
    "cancel_activity": Rule(None, W, CASE_ROLES),
    "set_target": Rule(None, W, COORDINATION),
    "target_progress": Rule(None, R, CASE_ROLES),
    "activity_counts": Rule(None, R, CASE_ROLES),
    "activities_of_year": Rule(None, R, CASE_ROLES),
    # -- supervision: statistics, priority zones, the audit trail and its alerts (read side)
    "statistics_tables": Rule(None, R, CASE_ROLES),  # counts only
    "statistics_table": Rule(None, R, COORDINATION),
    "priority_zones": Rule(None, R, COORDINATION),
    "audit_trail": Rule(None, R, COORDINATION),
    "alerts": Rule(None, R, COORDINATION),
    "open_alert_count": Rule(None, R, COORDINATION),
    "sweep_anomalies": Rule(None, W, COORDINATION),
    "acknowledge_alert": Rule(None, W, COORDINATION),  # never by the person it is about
    "import_zones": Rule(None, W, COORDINATION),
    "merge_zones": Rule(None, W, COORDINATION),
    "zone_history": Rule(None, R, CASE_ROLES),
    # -- Mi día and counters (each list inside records which women appeared in it)
    "dashboard": Rule(None, R, EVERY_ROLE),  # administración's is empty
    "my_day": Rule(None, R, EVERY_ROLE),  # each queue inside: the roles its own row allows
    "dashboard_counters": Rule(None, R, EVERY_ROLE),
    "case_counts": Rule(None, R, CASE_ROLES),
}


def public_names(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}
