"""The one declared policy (violeta/policy.py): complete, enforced in one place, and strong
enough that a careless change to a rule fails here."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.access import AccessRecord
from domain.errors import NotPermitted
from domain.permissions import Action
from domain.vocabulary import Role, Section
from tests.support.factories import a_case, staff
from violeta import commands
from violeta.bus import HANDLERS
from violeta.commands import Command
from violeta.policy import COORDINATION, POLICY, SECTION_ARGUMENT, public_names
from violeta.service import Institute, StaffSession
from violeta.staff_session import Asks, Handles

ROLE_MESSAGE = "no permite esta acción"
# Calling these for real would end or change the session the walk uses.
NOT_WALKED = {"close", "change_password", "identity", "role", "rotate_master_key"}


# The door itself: runs any command through the pipeline (each command has its own row).
DOOR = {"handle"}


def test_every_public_method_of_the_service_has_one_row_and_every_row_a_method() -> None:
    assert public_names(StaffSession) - DOOR == set(POLICY)


def _commands() -> list[type[Command[Any]]]:
    return [
        value
        for value in vars(commands).values()
        if inspect.isclass(value) and issubclass(value, Command) and value is not Command
    ]


def test_every_command_has_one_row_one_handler_and_one_door() -> None:
    """A command (violeta/commands.py) is named after its row and its door, and has exactly
    one handler in the bus, a function of the context and the command."""
    found = _commands()
    assert found
    assert set(HANDLERS) == set(found)
    for command in found:
        name = command.policy_name()
        assert name in POLICY, command
        assert POLICY[name].action is Action.WRITE, command
        door = StaffSession.__dict__[name]
        assert isinstance(door, Handles), name
        assert door.command is command, name
        handler = HANDLERS[command]
        assert handler.__module__.startswith("violeta.handlers."), command
        assert list(inspect.signature(handler).parameters) == ["ctx", "command"], command


def test_every_row_that_writes_is_a_command_and_every_other_a_query() -> None:
    """What changes state goes through a command and its handler; a read is a query, asked
    under its own row's name (a door ``b = Asks(a)`` would be admitted as ``a``)."""
    written = {command.policy_name() for command in _commands()}
    assert written == {name for name, rule in POLICY.items() if rule.action is Action.WRITE}
    for name in set(POLICY) - written - {"identity", "role"}:
        door = StaffSession.__dict__[name]
        assert isinstance(door, Asks), name
        assert door.query.__name__ == name, name
        assert door.query.__module__.startswith(
            ("violeta.queries.", "violeta.session", "violeta.bus")
        )
    for name in ("identity", "role"):
        assert isinstance(StaffSession.__dict__[name], property), name


@pytest.mark.parametrize(
    "command",
    [
        "approve_closure",
        "decline_closure",
        "approve_erasure",
        "authorize_age_exception",
        "audit_entries",
        "assign_area",
        "pending_closures",
        "correction_history",
        "export_client_data",
        "set_target",
        "rebuild_views",
    ],
)
def test_approvals_and_the_access_trail_are_coordinacion_s_alone(command: str) -> None:
    assert POLICY[command].allowed_roles() == COORDINATION


def test_psychology_is_psychology_s_alone_and_never_by_break_the_glass() -> None:
    for name, rule in POLICY.items():
        if rule.section in (Section.PSYCHOLOGICAL, SECTION_ARGUMENT):
            assert rule.allowed_roles(Section.PSYCHOLOGICAL) <= {Role.PSYCHOLOGY}, name


def test_administracion_runs_nothing_that_touches_a_case() -> None:
    for name, rule in POLICY.items():
        if rule.section is not None:
            for section in Section:
                assert Role.ADMINISTRATION not in rule.allowed_roles(section), name


def test_the_approvals_declare_their_second_person_rule() -> None:
    approvals = {name for name, rule in POLICY.items() if rule.second_person is not None}
    assert approvals == {
        "approve_closure",
        "approve_erasure",
        "authorize_age_exception",
        "enable_account",
    }


def test_only_changing_the_password_runs_before_enabling() -> None:
    early = {name for name, rule in POLICY.items() if rule.before_enabling}
    assert early == {"identity", "role", "close", "change_password", "may"}


def test_what_the_app_offers_is_what_the_guard_allows(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    assert coordinator.may("approve_closure") and not lawyer.may("approve_closure")
    assert lawyer.may("case_detail", Section.LEGAL)
    assert not lawyer.may("case_detail", Section.PSYCHOLOGICAL)
    assert not lawyer.may("no_such_command")


def _dummy(parameter: inspect.Parameter, tmp: Path) -> Any:  # noqa: PLR0911 - one per type
    annotation = str(parameter.annotation)
    if parameter.default is not inspect.Parameter.empty:
        return parameter.default
    if "UUID" in annotation:
        return uuid4()
    if "Section" in annotation:
        return Section.INTAKE
    if "Role" in annotation:
        return Role.RECEPTION
    if "Path" in annotation:
        return tmp / "no-existe.csv"
    if "int" in annotation:
        return 2026
    if "bool" in annotation:
        return False
    if "str" in annotation:
        return "x"
    return None  # a form: the guard decides before the method looks at it


def _call(session: StaffSession, name: str, tmp: Path) -> None:
    method = getattr(session, name)
    signature = inspect.signature(method)
    arguments = {
        p.name: _dummy(p, tmp)
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    method(**arguments)


@pytest.fixture
def sessions(institute: Institute, coordinator: StaffSession) -> dict[Role, StaffSession]:
    walked = {role: staff(institute, coordinator, f"walk_{role.value}", role) for role in Role}
    walked[Role.COORDINATION] = coordinator
    return walked


def test_the_matrix_walk_every_role_by_every_command(
    sessions: dict[Role, StaffSession], coordinator: StaffSession, tmp_path: Path
) -> None:
    """Each role runs each command with placeholder arguments: a role outside the row is
    refused by the guard with a recorded denial; a role inside it gets past the guard."""
    for name, rule in sorted(POLICY.items()):
        if name in NOT_WALKED:
            continue
        section = Section.INTAKE if rule.section == SECTION_ARGUMENT else None
        allowed = rule.allowed_roles(section)
        for role, session in sessions.items():
            try:
                _call(session, name, tmp_path)
            except NotPermitted as error:
                refused_by_guard = ROLE_MESSAGE in error.message
            except Exception:
                refused_by_guard = False
            else:
                refused_by_guard = False
            assert refused_by_guard == (role not in allowed), (name, role)
    denied = [e for e in coordinator.audit_entries(limit=5000) if e.outcome == "denegado"]
    assert len(denied) >= sum(
        1
        for name, rule in POLICY.items()
        if name not in NOT_WALKED
        for role in Role
        if role
        not in rule.allowed_roles(Section.INTAKE if rule.section == SECTION_ARGUMENT else None)
    )


def _reads(
    institute: Institute, coordinator: StaffSession, tmp: Path
) -> dict[str, tuple[StaffSession, dict[str, Any]]]:
    """A real call of every read of personal data the table declares, by a role allowed."""
    psychologist = staff(institute, coordinator, "psico", Role.PSYCHOLOGY)
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    client_id, case_id = a_case(coordinator)
    by_case = {"case_id": case_id}
    return {
        "client_detail": (coordinator, {"client_id": client_id}),
        "search_clients": (coordinator, {"text": "ana"}),
        "pending_age_authorizations": (coordinator, {}),
        "pending_erasures": (coordinator, {}),
        "correction_history": (coordinator, {"client_id": client_id}),
        "export_client_data": (coordinator, {"client_id": client_id, "destination": tmp / "arco"}),
        "case_detail": (coordinator, {**by_case, "section": Section.INTAKE}),
        "case_life": (coordinator, by_case),
        "legal_section": (coordinator, by_case),
        "psychology_section": (psychologist, by_case),
        "social_work_section": (coordinator, by_case),
        "follow_up_section": (coordinator, by_case),
        "protection_order_section": (coordinator, {**by_case, "justification": "x" * 25}),
        "referrals": (coordinator, by_case),
        "follow_ups_due": (coordinator, {}),
        "psychology_sessions_due": (psychologist, {}),
        "orders_expiring": (lawyer, {}),
        "open_misconduct_reports": (lawyer, {}),
        "pending_closures": (coordinator, {}),
        "dashboard": (coordinator, {}),
        "audit_entries": (coordinator, {"client_id": client_id}),
    }


def test_every_read_the_table_declares_records_its_access_before_returning_data(
    institute: Institute,
    coordinator: StaffSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = _reads(institute, coordinator, tmp_path)
    declared = {
        name
        for name, rule in POLICY.items()
        if rule.action is Action.READ and rule.section is not None
    } | {"dashboard", "audit_entries"}
    assert declared <= reads.keys()
    for name in sorted(reads):
        session, arguments = reads[name]
        original = session._store.save
        recorded: list[str] = []

        def recording(
            *aggregates: object, original: Any = original, recorded: list[str] = recorded
        ) -> Any:
            recorded.extend(a.purpose for a in aggregates if isinstance(a, AccessRecord))
            return original(*aggregates)

        monkeypatch.setattr(session._store, "save", recording)
        getattr(session, name)(**arguments)  # it works while the access can be recorded
        assert recorded, name
        # Each access it records, failing alone, stops the whole read: no list of a
        # dashboard, no section of a case, leaves without its own access event.
        for number, purpose in enumerate(dict.fromkeys(recorded)):

            def failing(
                *aggregates: object, original: Any = original, purpose: str = purpose
            ) -> Any:
                if any(isinstance(a, AccessRecord) and a.purpose == purpose for a in aggregates):
                    raise RuntimeError("almacén no disponible")
                return original(*aggregates)

            if name == "export_client_data":
                arguments = {**arguments, "destination": tmp_path / f"arco-{number}"}
            monkeypatch.setattr(session._store, "save", failing)
            with pytest.raises(RuntimeError, match="almacén"):
                getattr(session, name)(**arguments)
        monkeypatch.setattr(session._store, "save", original)


def test_a_pending_account_is_refused_everything_but_its_password(
    institute: Institute, coordinator: StaffSession
) -> None:
    staff_id = coordinator.create_account(
        "pendiente", "Persona Pendiente Prueba", Role.LEGAL, "temporal-2026-x"
    )
    pending = institute.login("pendiente", "temporal-2026-x")
    assert not pending.identity.ready and "contraseña" in pending.identity.pending
    with pytest.raises(NotPermitted, match="contraseña"):
        pending.search_clients("ana")
    pending.change_password("temporal-2026-x", "temporal-2026-y")
    assert "habilitar" in pending.identity.pending
    with pytest.raises(NotPermitted, match="habilitar"):
        pending.dashboard()
    assert isinstance(staff_id, UUID)
