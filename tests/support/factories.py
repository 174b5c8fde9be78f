"""Synthetic people and institutes for tests. Nothing here is about a real person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from uuid import UUID

from domain import identity
from domain.vocabulary import Role
from keys import KdfParams
from violeta.dto import NewClient, NewIntake
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

TODAY = date(2026, 11, 20)
PASSWORD = "contraseña-de-prueba-1"
CORTAZAR = "110110001"
TIERRA_FRIA = "110110054"


def synthetic_curp(head: str = "PASA900101MGTRRR") -> str:
    body = head + "0"
    return body + identity.curp_check_digit(body)


def make_institute(settings: Settings) -> Institute:
    return Institute(settings, kdf=KdfParams.fast(), today=lambda: TODAY)


def a_client(name: str = "Ana Prueba Sintética", **overrides: str) -> NewClient:
    values = {"name": name, "birth_date": "15/03/1990", "zone": CORTAZAR}
    values.update(overrides)
    return NewClient(**values)


def an_intake(**overrides: object) -> NewIntake:
    values: dict[str, object] = {
        "reason": "Orientación jurídica (dato sintético)",
        "narrative": "Relato sintético de prueba.",
        "violence_types": ("psicologica", "fisica"),
        "modalities": ("familiar",),
        "risk": "medio",
    }
    values.update(overrides)
    return NewIntake(**values)  # type: ignore[arg-type]


def a_case(coordinator: StaffSession, name: str = "Ana Prueba Sintética") -> tuple[UUID, UUID]:
    """A woman registered and her case opened on 01/10/2026, so later dates can be recorded."""
    client_id = coordinator.register_client(a_client(name, registered_on="01/10/2026"))
    case = coordinator.open_case(client_id, an_intake(opened_on="01/10/2026"))
    return client_id, case.case_id


# The recovery key each test institute printed at init (tests only: a real one lives in a safe).
RECOVERY_KEYS: dict[int, str] = {}
# Sessions made by staff(), closed with their institute (each holds database connections).
STAFF_SESSIONS: dict[int, list[StaffSession]] = {}


def initialize(
    institute: Institute, username: str = "coordinacion", password: str = PASSWORD
) -> StaffSession:
    coordinator, recovery_key = institute.initialize(
        username, "Carmen Coordinación Prueba", password
    )
    RECOVERY_KEYS[id(institute)] = recovery_key
    return coordinator


def enable(institute: Institute, username: str) -> None:
    """Enables an account with the institute's recovery key: the second person of tests that
    are not about enabling."""
    institute.enable_with_recovery_key(RECOVERY_KEYS[id(institute)], username)


def staff(
    institute: Institute, coordinator: StaffSession, username: str, role: Role
) -> StaffSession:
    coordinator.create_account(username, f"Persona {role.label} Prueba", role, PASSWORD)
    enable(institute, username)
    session = institute.login(username, PASSWORD)
    session.change_password(PASSWORD, PASSWORD + "-nueva")
    STAFF_SESSIONS.setdefault(id(institute), []).append(session)
    return session


@contextmanager
def initialized(settings: Settings) -> Iterator[tuple[Institute, StaffSession]]:
    institute = make_institute(settings)
    coordinator = initialize(institute)
    try:
        yield institute, coordinator
    finally:
        for session in [*STAFF_SESSIONS.pop(id(institute), []), coordinator]:
            session.close()
        RECOVERY_KEYS.pop(id(institute), None)
        institute.close()


def all_bytes_under(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file())


def stored_subject_keys(institute: Institute) -> int:
    """How many per-client keys the key store holds, counted in its table directly."""
    store = institute.keystore
    with store._read() as cursor:  # type: ignore[attr-defined]
        cursor.execute(
            store._q("SELECT COUNT(*) FROM {p}wrapped_keys WHERE purpose = 'subject'"),  # type: ignore[attr-defined]
            {},
        )
        return int(cursor.fetchone()[0])
