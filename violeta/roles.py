"""Which duty keys each role's slot carries, and who may enable an account of each role."""

from __future__ import annotations

from domain.vocabulary import Role
from keys import Duty

ROLE_DUTIES: dict[Role, frozenset[Duty]] = {
    Role.RECEPTION: frozenset({Duty.CASE}),
    Role.SOCIAL_WORK: frozenset({Duty.CASE}),
    Role.LEGAL: frozenset({Duty.CASE}),
    Role.COORDINATION: frozenset({Duty.CASE}),
    Role.PSYCHOLOGY: frozenset({Duty.CASE, Duty.PSYCHOLOGY}),
    Role.ADMINISTRATION: frozenset(),
}

# Who may enable an account of each role (besides the recovery key): someone who holds every
# duty key it needs. Psychology's key is psychology's alone.
ENABLERS: dict[Role, Role] = {
    role: Role.PSYCHOLOGY if Duty.PSYCHOLOGY in duties else Role.COORDINATION
    for role, duties in ROLE_DUTIES.items()
}
