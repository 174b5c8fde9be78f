"""Walks every role × section × action of the permission matrix (DESIGN §5)."""

import pytest

from domain.permissions import Action, Decision, decide
from domain.vocabulary import Role, Section

R, W = Action.READ, Action.WRITE
G, B, D = Decision.GRANTED, Decision.BREAK_GLASS, Decision.DENIED

S = Section
EXPECTED: dict[Role, dict[Section, tuple[Decision, Decision]]] = {
    Role.RECEPTION: {
        S.IDENTIFICATION: (G, G),
        S.INTAKE: (B, G),
        S.LEGAL: (B, D),
        S.PSYCHOLOGICAL: (D, D),
        S.SOCIAL_WORK: (B, D),
        S.REFERRALS: (B, D),
        S.FOLLOW_UPS: (G, D),
        S.PROTECTION_ORDERS: (B, D),
    },
    Role.SOCIAL_WORK: {
        S.IDENTIFICATION: (G, G),
        S.INTAKE: (G, G),
        S.LEGAL: (B, D),
        S.PSYCHOLOGICAL: (D, D),
        S.SOCIAL_WORK: (G, G),
        S.REFERRALS: (G, G),
        S.FOLLOW_UPS: (G, G),
        S.PROTECTION_ORDERS: (G, D),
    },
    Role.LEGAL: {
        S.IDENTIFICATION: (G, G),
        S.INTAKE: (G, G),
        S.LEGAL: (G, G),
        S.PSYCHOLOGICAL: (D, D),
        S.SOCIAL_WORK: (B, D),
        S.REFERRALS: (G, G),
        S.FOLLOW_UPS: (G, G),
        S.PROTECTION_ORDERS: (G, G),
    },
    Role.PSYCHOLOGY: {
        S.IDENTIFICATION: (G, G),
        S.INTAKE: (G, G),
        S.LEGAL: (B, D),
        S.PSYCHOLOGICAL: (G, G),
        S.SOCIAL_WORK: (B, D),
        S.REFERRALS: (G, G),
        S.FOLLOW_UPS: (G, G),
        S.PROTECTION_ORDERS: (B, D),
    },
    Role.COORDINATION: {
        S.IDENTIFICATION: (G, G),
        S.INTAKE: (G, G),
        S.LEGAL: (G, D),
        S.PSYCHOLOGICAL: (D, D),
        S.SOCIAL_WORK: (G, D),
        S.REFERRALS: (G, G),
        S.FOLLOW_UPS: (G, G),
        S.PROTECTION_ORDERS: (G, D),
    },
    Role.ADMINISTRATION: dict.fromkeys(Section, (D, D)),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("section", list(Section))
def test_every_role_section_and_action_has_the_expected_decision(
    role: Role, section: Section
) -> None:
    read, write = EXPECTED[role][section]
    assert decide(role, section, R) is read
    assert decide(role, section, W) is write


def test_psychology_notes_are_psychologys_alone() -> None:
    others = [role for role in Role if role is not Role.PSYCHOLOGY]
    assert all(decide(role, Section.PSYCHOLOGICAL, R) is D for role in others)


def test_administration_reads_no_case_content_even_with_a_reason() -> None:
    assert all(decide(Role.ADMINISTRATION, section, R) is D for section in Section)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("section", list(Section))
def test_on_the_day_she_opened_a_case_only_its_intake_reads_without_a_reason(
    role: Role, section: Section
) -> None:
    """Her own words of that day, read back: the intake's break-the-glass becomes a plain read,
    and nothing else changes (no write, no other section, nothing sealed off opens)."""
    read, write = EXPECTED[role][section]
    expected_read = G if section is Section.INTAKE and read is B else read
    assert decide(role, section, R, opened_it_today=True) is expected_read
    assert decide(role, section, W, opened_it_today=True) is write
