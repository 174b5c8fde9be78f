"""Hostile text typed into any command (control characters, bidi marks, lone surrogates, SQL
and terminal escapes, megabyte strings): a clear Spanish refusal or a sealed value, never a
crash, and a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.vocabulary import Role, Section
from tests.support.factories import a_case, a_client, staff
from violeta.service import Institute, StaffSession

KNOWN_HOSTILE = [
    "\x1b]0;PWNED\x07",
    "Ana\u202eacitsétnis",
    "\udcff\ud800",
    "'; DROP TABLE stored_events; --",
    "\x00\x01\x02",
    "a" * 1_000_000,
    "\u200b\u200d\ufeff",
    " ",
]
COMMANDS = ["registrar", "nota", "gestion", "buscar", "rectificar", "cierre"]


def _stored(session: StaffSession) -> int:
    return int(session._store.recorder.max_notification_id() or 0)


@pytest.fixture
def targets(institute: Institute, coordinator: StaffSession) -> dict[str, Callable[[str], object]]:
    client_id, case_id = a_case(coordinator)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    return {
        "registrar": lambda text: coordinator.register_client(
            a_client(text), confirm_not_duplicate=True
        ),
        "nota": lambda text: coordinator.add_note(case_id, Section.INTAKE, text),
        "gestion": lambda text: social.record_gestion(
            case_id, what=text, institution=text, outcome="favorable"
        ),
        "buscar": coordinator.search_clients,
        "rectificar": lambda text: coordinator.correct_client(client_id, "address", text),
        "cierre": lambda text: social.request_closure(case_id, text),
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(min_size=1, max_size=60), command=st.sampled_from(COMMANDS))
def test_random_text_is_refused_in_spanish_or_sealed(
    targets: dict[str, Callable[[str], object]],
    coordinator: StaffSession,
    text: str,
    command: str,
) -> None:
    _check(targets, coordinator, text, command)


@pytest.mark.parametrize("command", COMMANDS)
def test_known_hostile_text_is_refused_in_spanish_or_sealed(
    targets: dict[str, Callable[[str], object]], coordinator: StaffSession, command: str
) -> None:
    for text in KNOWN_HOSTILE:
        _check(targets, coordinator, text, command)


def _check(
    targets: dict[str, Callable[[str], object]],
    coordinator: StaffSession,
    text: str,
    command: str,
) -> None:
    before = _stored(coordinator)
    refusal = ""
    try:
        targets[command](text)
    except DomainError as error:
        refusal = error.message
    if refusal:
        assert refusal.isprintable() and "Traceback" not in refusal
        if command != "buscar":  # a refused search is still an audited attempt
            assert _stored(coordinator) == before
