"""Which actions the app offers a role: one lookup, named by the service method it calls.

Every screen asks ``offered`` and nothing else. It reads the service's declared policy table
(``violeta.policy.POLICY``, one row per StaffSession method) when the service has one, and
the permission matrix (``domain.permissions.decide``) with the few rules the service states
in code (coordinación alone approves, for instance). Both must allow an action for it to be
offered; the matrix's finer rows (an accompaniment's area, a note's section) only narrow it.
"""

from __future__ import annotations

import importlib
from typing import Any

from domain.permissions import Action, Decision, decide
from domain.vocabulary import Role, Section


def _policy_table() -> dict[str, Any] | None:
    try:
        module = importlib.import_module("violeta.policy")
    except ImportError:
        return None
    table = getattr(module, "POLICY", None)
    return table if isinstance(table, dict) else None


POLICY = _policy_table()


def _policy_allows(role: Role, method: str, section: Section | None) -> bool:
    rule = POLICY.get(method.split(":", maxsplit=1)[0]) if POLICY is not None else None
    if rule is None:
        return True
    return role in rule.allowed_roles(section)


S = Section

# Method of StaffSession -> the section and action the service authorizes it against.
BY_SECTION: dict[str, tuple[Section, Action]] = {
    "register_client": (S.IDENTIFICATION, Action.WRITE),
    "search_clients": (S.IDENTIFICATION, Action.READ),
    "client_detail": (S.IDENTIFICATION, Action.READ),
    "set_sharing_consent": (S.IDENTIFICATION, Action.WRITE),
    "set_statistics_consent": (S.IDENTIFICATION, Action.WRITE),
    "correct_client": (S.IDENTIFICATION, Action.WRITE),
    "request_erasure": (S.IDENTIFICATION, Action.WRITE),
    "open_case": (S.INTAKE, Action.WRITE),
    "request_closure": (S.INTAKE, Action.WRITE),
    # The service then refuses whoever neither attends an area of the case nor coordinates.
    "reopen_case": (S.INTAKE, Action.WRITE),
    "give_legal_advice": (S.LEGAL, Action.WRITE),
    "decide_accompaniment": (S.LEGAL, Action.WRITE),
    "record_accompaniment:juridica": (S.LEGAL, Action.WRITE),
    "record_accompaniment:trabajo_social": (S.SOCIAL_WORK, Action.WRITE),
    "report_misconduct": (S.LEGAL, Action.WRITE),
    "update_misconduct_report": (S.LEGAL, Action.WRITE),
    "open_misconduct_reports": (S.LEGAL, Action.READ),
    "record_psychology_session": (S.PSYCHOLOGICAL, Action.WRITE),
    "close_psychology_process": (S.PSYCHOLOGICAL, Action.WRITE),
    "record_gestion": (S.SOCIAL_WORK, Action.WRITE),
    "record_social_visit": (S.SOCIAL_WORK, Action.WRITE),
    "schedule_follow_up": (S.FOLLOW_UPS, Action.WRITE),
    "settle_follow_up": (S.FOLLOW_UPS, Action.WRITE),
    "follow_ups_due": (S.FOLLOW_UPS, Action.READ),
    "psychology_sessions_due": (S.PSYCHOLOGICAL, Action.READ),
    "save_draft": (S.IDENTIFICATION, Action.WRITE),
    "orders_expiring": (S.PROTECTION_ORDERS, Action.READ),
    "record_protection_order": (S.PROTECTION_ORDERS, Action.WRITE),
    "extend_protection_order": (S.PROTECTION_ORDERS, Action.WRITE),
    "refer_case": (S.REFERRALS, Action.WRITE),
    "record_referral_outcome": (S.REFERRALS, Action.WRITE),
}

# Methods the service reserves to roles, whatever the matrix says.
BY_ROLE: dict[str, frozenset[Role]] = {
    "approve_closure": frozenset({Role.COORDINATION}),
    "decline_closure": frozenset({Role.COORDINATION}),
    "assign_area": frozenset({Role.COORDINATION}),
    "approve_erasure": frozenset({Role.COORDINATION}),
    "authorize_age_exception": frozenset({Role.COORDINATION}),
    "pending_age_authorizations": frozenset({Role.COORDINATION}),
    "change_password": frozenset(Role),
    # The service's DIRECTORY_EDITORS: the directory is public data, edited by these two.
    "add_institution": frozenset({Role.COORDINATION, Role.SOCIAL_WORK}),
    "set_institution_active": frozenset({Role.COORDINATION, Role.SOCIAL_WORK}),
    "directory": frozenset(Role),
    # Her own drafts (violeta/drafts.py): every role that works on cases.
    "my_drafts": frozenset(Role) - {Role.ADMINISTRATION},
    "open_draft": frozenset(Role) - {Role.ADMINISTRATION},
    "discard_draft": frozenset(Role) - {Role.ADMINISTRATION},
}


def offered(role: Role, method: str, section: Section | None = None) -> bool:
    """Whether ``role`` is offered the action that calls ``method`` (of that ``section``,
    for the methods that take one: notes). Reads granted without a reason only."""
    if not _policy_allows(role, method, section):
        return False
    if method in BY_ROLE:
        return role in BY_ROLE[method]
    if method == "add_note" and section is not None:
        return decide(role, section, Action.WRITE) is Decision.GRANTED
    rule = BY_SECTION.get(method)
    if rule is None:
        raise KeyError(f"sin regla para {method}")
    return decide(role, *rule) is Decision.GRANTED
