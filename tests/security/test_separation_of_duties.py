"""Separation of duties that holds even for whoever holds the files (issue 8).

Each test plays an attack measured on the code before duty keys: administración or a lone
coordinator reading what her role does not allow, or one person satisfying a two-person rule.
Every attack is refused with a Spanish message, recorded, and returns no sealed value.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from domain.errors import NotPermitted
from domain.vocabulary import Role, Section
from keys import Keyring, KeyringError
from keys.keyring import _dek_ad, _duty_ad, _kek_ad, _slot_ad, _wrapping_duty
from keys.primitives import open_kek_from_slot, password_key, unwrap
from tests.support.factories import PASSWORD, RECOVERY_KEYS, a_case, enable, staff
from violeta.errors import LoginFailed
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

NOTES = "Notas sintéticas de la sesión psicológica"
TEMPORARY = "temporal-de-prueba-2026"


def _with_psychology_notes(
    institute: Institute, coordinator: StaffSession
) -> tuple[object, object]:
    psychologist = staff(institute, coordinator, "psicologia", Role.PSYCHOLOGY)
    client_id, case_id = a_case(coordinator)
    psychologist.record_psychology_session(case_id, modality="presencial", notes=NOTES)
    psychologist.close()
    return client_id, case_id


def _denied(coordinator: StaffSession, client_id: object) -> int:
    return sum(1 for e in coordinator.audit_entries(client_id) if e.outcome == "denegado")  # type: ignore[arg-type]


def test_administracion_creating_a_psychology_account_reads_nothing(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id, case_id = _with_psychology_notes(institute, coordinator)
    admin = staff(institute, coordinator, "sistemas", Role.ADMINISTRATION)
    admin.create_account("psico2", "Persona Psicóloga Dos", Role.PSYCHOLOGY, TEMPORARY)
    intruder = institute.login("psico2", TEMPORARY)
    intruder.change_password(TEMPORARY, TEMPORARY + "-b")
    for attempt in (
        lambda: intruder.psychology_section(case_id),  # type: ignore[arg-type]
        lambda: intruder.client_detail(client_id),  # type: ignore[arg-type]
    ):
        with pytest.raises(NotPermitted, match="pendiente de habilitar"):
            attempt()
    with pytest.raises(NotPermitted):
        admin.enable_account(intruder.identity.staff_id)  # administración holds no key
    assert _denied(coordinator, client_id) == 2


def test_a_password_reset_by_administracion_empties_the_slot_and_tells_the_owner(
    institute: Institute, coordinator: StaffSession
) -> None:
    _, case_id = _with_psychology_notes(institute, coordinator)
    admin = staff(institute, coordinator, "sistemas", Role.ADMINISTRATION)
    target = next(a for a in admin.accounts() if a.username == "psicologia")
    admin.reset_password(target.staff_id, TEMPORARY)
    as_her = institute.login("psicologia", TEMPORARY)
    assert as_her.identity.notices and "restablecida" in as_her.identity.notices[0]
    assert "Persona Administración Prueba" in as_her.identity.notices[0]
    as_her.change_password(TEMPORARY, TEMPORARY + "-b")
    with pytest.raises(NotPermitted, match="pendiente de habilitar"):
        as_her.psychology_section(case_id)  # type: ignore[arg-type]
    # Only a psychology account or the recovery key may enable her again, never coordinación.
    with pytest.raises(NotPermitted, match="psicología"):
        coordinator.enable_account(target.staff_id)


def test_coordinacion_cannot_give_herself_a_psychology_account(
    institute: Institute, coordinator: StaffSession
) -> None:
    _, case_id = _with_psychology_notes(institute, coordinator)
    staff_id = coordinator.create_account(
        "psico3", "Persona Psicóloga Tres", Role.PSYCHOLOGY, TEMPORARY
    )
    with pytest.raises(NotPermitted, match="segunda persona"):
        coordinator.enable_account(staff_id)
    puppet = institute.login("psico3", TEMPORARY)
    puppet.change_password(TEMPORARY, TEMPORARY + "-b")
    with pytest.raises(NotPermitted):
        puppet.psychology_section(case_id)  # type: ignore[arg-type]


def test_a_second_coordinator_made_by_the_first_cannot_approve_her_requests(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id, _ = a_case(coordinator)
    staff_id = coordinator.create_account(
        "coordinacion2", "Persona Coordinación Dos", Role.COORDINATION, TEMPORARY
    )
    with pytest.raises(NotPermitted, match="segunda persona"):
        coordinator.enable_account(staff_id)
    enable(institute, "coordinacion2")  # even the recovery key does not make her a second person
    accomplice = institute.login("coordinacion2", TEMPORARY)
    accomplice.change_password(TEMPORARY, TEMPORARY + "-b")
    coordinator.request_erasure(client_id)  # type: ignore[arg-type]
    with pytest.raises(NotPermitted, match="segunda persona"):
        accomplice.approve_erasure(client_id)  # type: ignore[arg-type]
    assert coordinator.client_detail(client_id).name == "Ana Prueba Sintética"  # type: ignore[arg-type]


def test_the_resetter_never_enables(institute: Institute, coordinator: StaffSession) -> None:
    lawyer = staff(institute, coordinator, "juridica", Role.LEGAL)
    lawyer.close()
    second = staff(institute, coordinator, "coordinacion2", Role.COORDINATION)
    target = next(a for a in coordinator.accounts() if a.username == "juridica")
    second.deactivate_account(target.staff_id)
    second.reactivate_account(target.staff_id, TEMPORARY)
    with pytest.raises(NotPermitted, match="segunda persona"):
        second.enable_account(target.staff_id)
    coordinator.enable_account(target.staff_id)
    assert institute.login("juridica", TEMPORARY).identity.must_change_password


def _slot_private(store: object, username: str, password: str) -> bytearray:
    slot = store.slot(username)  # type: ignore[attr-defined]
    secret = password_key(password, slot.salt, slot.kdf)
    return unwrap(secret, slot.wrapped_private_key, _slot_ad("password", username))


def _unwrappable_with_everything_the_slot_opens(
    store: object, username: str, password: str
) -> set[str]:
    """Plays the insider with the key store and one password, without the service: opens
    the slot, its master key and every duty key it carries, and tries every stored key."""
    private = _slot_private(store, username, password)
    slot = store.slot(username)  # type: ignore[attr-defined]
    kek, _ = open_kek_from_slot(slot.wrapped_kek, private, _kek_ad(username))
    keys = [kek]
    for duty, envelope in store.slot_duties(username).items():  # type: ignore[attr-defined]
        keys.append(open_kek_from_slot(envelope, private, _duty_ad(duty, username))[0])
    with store._read() as cursor:  # type: ignore[attr-defined]
        cursor.execute(
            store._q("SELECT key_id, purpose, subject_id, wrapped FROM {p}wrapped_keys"), {}
        )  # type: ignore[attr-defined]
        rows = cursor.fetchall()
    opened = set()
    for key_id, purpose, subject_id, wrapped in rows:
        for key in keys:
            try:
                unwrap(key, bytes(wrapped), _dek_ad(key_id, purpose, subject_id))
            except InvalidTag:
                continue
            opened.add(purpose)
    assert {_wrapping_duty(row[1]) for row in rows} >= {None}
    return opened


def test_the_key_store_opened_directly_with_one_password_gives_only_what_the_role_needs(
    institute: Institute, coordinator: StaffSession
) -> None:
    _with_psychology_notes(institute, coordinator)
    admin = staff(institute, coordinator, "sistemas", Role.ADMINISTRATION)
    admin.close()
    store = institute.keystore
    new = PASSWORD + "-nueva"
    assert _unwrappable_with_everything_the_slot_opens(store, "sistemas", new) == {"institution"}
    assert _unwrappable_with_everything_the_slot_opens(store, "coordinacion", PASSWORD) == {
        "institution",
        "index",
        "subject",
    }
    assert "subject:psicologia" in _unwrappable_with_everything_the_slot_opens(
        store, "psicologia", new
    )


def test_psychology_notes_are_sealed_with_a_key_coordinacion_never_holds(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id, case_id = _with_psychology_notes(institute, coordinator)
    case = coordinator._get_case(case_id)  # type: ignore[arg-type]
    (session,) = case.services.psychology_sessions
    with pytest.raises(KeyringError, match="no tiene acceso"):
        coordinator._keyring.open(
            str(client_id),
            f"case:{case_id}:psychology_notes:{session.session_id}",
            session.notes.envelope,
        )
    coordinator.add_note(case_id, Section.INTAKE, "Nota de coordinación sintética.")  # type: ignore[arg-type]


def _failed_login_in_a_new_process(data: Path, username: str) -> str:
    script = (
        "import sys\n"
        "from keys import KdfParams\n"
        "from violeta.service import Institute\n"
        "from violeta.settings import Settings\n"
        "from violeta.errors import LoginFailed\n"
        "i = Institute(Settings(data=sys.argv[1]), kdf=KdfParams.fast())\n"
        "try:\n"
        "    i.login(sys.argv[2], 'no-es-la-clave-0')\n"
        "except LoginFailed as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data), username],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return done.stdout.strip()


def test_unknown_usernames_lock_like_known_ones_across_processes(settings: Settings) -> None:
    if settings.backend != "sqlite":
        pytest.skip("the process boundary is the same on PostgreSQL; measured on the file")
    from tests.support.factories import initialized

    with initialized(settings):
        pass
    answers = {
        name: [_failed_login_in_a_new_process(settings.data, name) for _ in range(6)]
        for name in ("coordinacion", "nadie-con-ese-nombre")
    }
    assert answers["coordinacion"][-1].startswith("Cuenta bloqueada")
    assert [a[:16] for a in answers["coordinacion"]] == [
        a[:16] for a in answers["nadie-con-ese-nombre"]
    ]
    institute = Institute(settings)
    with institute.keystore._read() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT digest FROM unknown_logins")
        (digest,) = cursor.fetchone()
    assert b"nadie" not in bytes(digest)
    institute.close()


def test_a_wrong_recovery_key_enables_nothing(
    institute: Institute, coordinator: StaffSession
) -> None:
    coordinator.create_account("juridica", "Julia Jurídica Prueba", Role.LEGAL, TEMPORARY)
    with pytest.raises(LoginFailed, match="no es válida"):
        institute.enable_with_recovery_key("AAAA-BBBB-CCCC-DDDD", "juridica")
    assert not next(a for a in coordinator.accounts() if a.username == "juridica").enabled


def test_the_recovery_key_is_replaced_by_coordinacion_with_the_old_one(
    institute: Institute, coordinator: StaffSession
) -> None:
    old = RECOVERY_KEYS[id(institute)]
    new = institute.replace_recovery_key(coordinator, old)
    assert new != old and len(new.split("-")) == 8
    coordinator.create_account("juridica", "Julia Jurídica Prueba", Role.LEGAL, TEMPORARY)
    with pytest.raises(LoginFailed):
        institute.enable_with_recovery_key(old, "juridica")
    institute.enable_with_recovery_key(new, "juridica")
    assert Keyring.slot_info(institute.keystore, "juridica").duties  # type: ignore[union-attr]
