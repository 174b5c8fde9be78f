"""The permission matrix of DESIGN §5, as data.

A role reads or writes a case section by default (GRANTED), may read it only with a typed
justification that raises an alert for coordinación (BREAK_GLASS), or never (DENIED).
Psychology notes are psychology's alone; administración manages accounts and keys and reads
no case content at all (separation of duties).
"""

from __future__ import annotations

from enum import StrEnum

from domain.vocabulary import Role, Section


class Action(StrEnum):
    READ = "leer"
    WRITE = "escribir"


class Decision(StrEnum):
    GRANTED = "concedido"
    BREAK_GLASS = "excepcional"
    DENIED = "denegado"


R = frozenset({Action.READ})
W = frozenset({Action.WRITE})
RW = frozenset({Action.READ, Action.WRITE})
NONE: frozenset[Action] = frozenset()

S = Section
DEFAULTS: dict[Role, dict[Section, frozenset[Action]]] = {
    Role.RECEPTION: {
        S.IDENTIFICATION: RW,
        S.INTAKE: W,
        S.FOLLOW_UPS: R,
    },
    Role.SOCIAL_WORK: {
        S.IDENTIFICATION: RW,
        S.INTAKE: RW,
        S.SOCIAL_WORK: RW,
        S.REFERRALS: RW,
        S.FOLLOW_UPS: RW,
        S.PROTECTION_ORDERS: R,
    },
    Role.LEGAL: {
        S.IDENTIFICATION: RW,
        S.INTAKE: RW,
        S.LEGAL: RW,
        S.REFERRALS: RW,
        S.FOLLOW_UPS: RW,
        S.PROTECTION_ORDERS: RW,
    },
    Role.PSYCHOLOGY: {
        S.IDENTIFICATION: RW,
        S.INTAKE: RW,
        S.PSYCHOLOGICAL: RW,
        S.REFERRALS: RW,
        S.FOLLOW_UPS: RW,
    },
    Role.COORDINATION: {
        S.IDENTIFICATION: RW,
        S.INTAKE: RW,
        S.LEGAL: R,
        S.SOCIAL_WORK: R,
        S.REFERRALS: RW,
        S.FOLLOW_UPS: RW,
        S.PROTECTION_ORDERS: R,
    },
    Role.ADMINISTRATION: {},
}

# Sections no justification can open: psychology notes outside psychology, and any case
# content for administración.
SEALED_OFF: dict[Role, frozenset[Section]] = {
    role: frozenset({S.PSYCHOLOGICAL}) for role in Role if role is not Role.PSYCHOLOGY
}
SEALED_OFF[Role.ADMINISTRATION] = frozenset(Section)

# The case list and search show names: the identification section, for reading.
LISTING_SECTION = S.IDENTIFICATION


# Whoever opened a case reads back, on the day she opened it, what she typed in opening it:
# recepción writes the entrevista inicial without the right to read it, and her own words are
# no break-the-glass. Any other day, or anyone else, the matrix above decides.
READ_BACK_ON_OPENING_DAY = frozenset({S.INTAKE})


def decide(
    role: Role, section: Section, action: Action, *, opened_it_today: bool = False
) -> Decision:
    """``opened_it_today``: the reader opened this case, and today is the day she did."""
    if action in DEFAULTS[role].get(section, NONE):
        return Decision.GRANTED
    if action is Action.READ and section not in SEALED_OFF.get(role, frozenset()):
        if opened_it_today and section in READ_BACK_ON_OPENING_DAY:
            return Decision.GRANTED
        return Decision.BREAK_GLASS
    return Decision.DENIED


JUSTIFICATION_MIN_LENGTH = 20
