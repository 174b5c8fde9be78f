"""``violeta keys rotate`` rotates the master key and the duty keys (expediente, psicologia):
every key stays readable by every account, old terminals follow without a new login, and a
rotation killed mid-way leaves the old keys whole and finishes when run again (both
backends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest

from domain.vocabulary import Role, Section
from keys import Duty
from tests.support.factories import (
    PASSWORD,
    RECOVERY_KEYS,
    a_case,
    a_client,
    initialized,
    make_institute,
    staff,
)
from violeta.auditing import verify_key_journal
from violeta.operations.key_rotation import rotate_with_recovery_key
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PSYCHOLOGY_NOTE = "Nota sintética de psicología"


def _stored(institute: Institute) -> tuple[dict[str, bytes], dict[tuple[str, str], bytes]]:
    """Every wrapped key and every slot's duty envelope, as stored."""
    store = institute.keystore
    with store._read() as cursor:  # type: ignore[attr-defined]
        cursor.execute(store._q("SELECT key_id, wrapped FROM {p}wrapped_keys"), {})  # type: ignore[attr-defined]
        keys = {row[0]: bytes(row[1]) for row in cursor.fetchall()}
        cursor.execute(store._q("SELECT username, duty, wrapped FROM {p}slot_duties"), {})  # type: ignore[attr-defined]
        duties = {(row[0], row[1]): bytes(row[2]) for row in cursor.fetchall()}
    return keys, duties


def _populated(institute: Institute, coordinator: StaffSession) -> tuple[UUID, UUID, StaffSession]:
    client_id, case_id = a_case(coordinator)
    psychologist = staff(institute, coordinator, "psicologia", Role.PSYCHOLOGY)
    psychologist.add_note(case_id, Section.PSYCHOLOGICAL, PSYCHOLOGY_NOTE)
    coordinator.refresh()
    return client_id, case_id, psychologist


def _everything_opens(settings: Settings, client_id: UUID, case_id: UUID) -> None:
    institute = make_institute(settings)
    try:
        coordinator = institute.login("coordinacion", PASSWORD)
        assert coordinator.client_detail(client_id).name == "Ana Prueba Sintética"
        assert [c.client_id for c in coordinator.search_clients("Ana Prueba")] == [client_id]
        coordinator.close()
        psychologist = institute.login("psicologia", PASSWORD + "-nueva")
        notes = psychologist.case_detail(case_id, Section.PSYCHOLOGICAL).notes
        assert PSYCHOLOGY_NOTE in [note.text for note in notes]
        psychologist.close()
    finally:
        institute.close()


def test_rotation_replaces_the_duty_keys_and_everyone_still_reads(settings: Settings) -> None:
    with initialized(settings) as (institute, coordinator):
        client_id, case_id, psychologist = _populated(institute, coordinator)
        keys_before, duties_before = _stored(institute)

        rotated = rotate_with_recovery_key(institute.keystore, RECOVERY_KEYS[id(institute)])

        assert rotated == sorted(duty.value for duty in Duty)
        keys_after, duties_after = _stored(institute)
        assert keys_after.keys() == keys_before.keys()
        # Every key under a duty key (the index key, each woman's two keys) was rewrapped.
        assert all(keys_after[key] != keys_before[key] for key in keys_before)
        assert duties_after.keys() == duties_before.keys()
        assert all(duties_after[slot] != duties_before[slot] for slot in duties_before)

        # Terminals logged in before the rotation follow it without a new login: they read,
        # and what they write now is readable by everyone else.
        assert coordinator.client_detail(client_id).name == "Ana Prueba Sintética"
        later = coordinator.register_client(a_client("Berta Después Rotación"))
        psychologist.add_note(case_id, Section.PSYCHOLOGICAL, PSYCHOLOGY_NOTE + " 2")
        _, new_case = a_case(coordinator, "Carla Nueva Sintética")
        psychologist.add_note(new_case, Section.PSYCHOLOGICAL, PSYCHOLOGY_NOTE)
        coordinator.close()
        psychologist.close()

    _everything_opens(settings, client_id, case_id)
    institute = make_institute(settings)
    try:
        session = institute.login("coordinacion", PASSWORD)
        assert session.client_detail(later).name == "Berta Después Rotación"
        session.close()
        psychologist = institute.login("psicologia", PASSWORD + "-nueva")
        assert [
            n.text for n in psychologist.case_detail(new_case, Section.PSYCHOLOGICAL).notes
        ] == [PSYCHOLOGY_NOTE]
        psychologist.close()
    finally:
        institute.close()
    assert verify_key_journal(settings).intact


def test_a_coordinator_rotates_the_master_key_and_her_case_key(settings: Settings) -> None:
    with initialized(settings) as (institute, coordinator):
        client_id, case_id, psychologist = _populated(institute, coordinator)
        keys_before, duties_before = _stored(institute)
        assert coordinator.rotate_master_key() == [Duty.CASE.value]
        keys_after, duties_after = _stored(institute)
        psychology = {key for key, (owner, duty) in _duty_of(institute).items() if duty}
        assert all(keys_after[key] == keys_before[key] for key in psychology)
        assert all(
            (duties_after[slot] != duties_before[slot]) == (slot[1] == Duty.CASE.value)
            for slot in duties_before
        )
        psychologist.close()
    _everything_opens(settings, client_id, case_id)


def _duty_of(institute: Institute) -> dict[str, tuple[str, bool]]:
    """Per stored key: its subject, and whether the psychology key wraps it."""
    store = institute.keystore
    with store._read() as cursor:  # type: ignore[attr-defined]
        cursor.execute(store._q("SELECT key_id, purpose FROM {p}wrapped_keys"), {})  # type: ignore[attr-defined]
        return {row[0]: (row[1], "psicologia" in row[1]) for row in cursor.fetchall()}


def test_a_rotation_killed_mid_way_leaves_every_key_whole_and_finishes_when_run_again(
    settings: Settings,
) -> None:
    with initialized(settings) as (institute, coordinator):
        client_id, case_id, psychologist = _populated(institute, coordinator)
        psychologist.close()
        recovery_key = RECOVERY_KEYS[id(institute)]
    institute = make_institute(settings)
    before = _stored(institute)  # once every session has closed (and given back unused keys)
    institute.close()
    environment = os.environ | {
        "VIOLETA_DATA": str(settings.data),
        "VIOLETA_BACKEND": settings.backend,
        "VIOLETA_POSTGRES": settings.postgres,
        "VIOLETA_POSTGRES_SCHEMA": settings.postgres_schema,
        "ROTATION_RECOVERY_KEY": recovery_key,
    }
    rotation = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.rotation_process"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert rotation.stdout is not None
        line = rotation.stdout.readline()  # blocks until the first batch is rewritten
        assert line.startswith("lote"), rotation.stderr.read() if rotation.stderr else ""
        done, total = (int(part) for part in line.split()[1:])
        assert 0 < done < total  # killed with keys rewritten and others not yet
    finally:
        rotation.send_signal(signal.SIGKILL)
        rotation.wait()
        for stream in (rotation.stdout, rotation.stderr):
            if stream:
                stream.close()

    institute = make_institute(settings)
    try:
        assert _stored(institute) == before  # nothing half-rotated: the old keys are whole
        _everything_opens(settings, client_id, case_id)
        rotated = rotate_with_recovery_key(institute.keystore, recovery_key)  # run again
        assert rotated == sorted(duty.value for duty in Duty)
        keys_after, _ = _stored(institute)
        assert all(keys_after[key] != before[0][key] for key in before[0])
    finally:
        institute.close()
    _everything_opens(settings, client_id, case_id)
    assert verify_key_journal(settings).intact


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "sqlite":
        return Settings(data=tmp_path / "datos", backend="sqlite")
    target = request.getfixturevalue("postgres_target")
    return Settings(
        data=tmp_path / "datos",
        backend="postgres",
        postgres=target.conninfo,
        postgres_schema=target.schema,
    )


def test_keys_rotate_from_the_command_line_with_the_recovery_key(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from violeta.cli import app

    settings = Settings(data=tmp_path / "datos")
    with initialized(settings) as (institute, coordinator):
        client_id, case_id, psychologist = _populated(institute, coordinator)
        psychologist.close()
        recovery_key = RECOVERY_KEYS[id(institute)]
    runner = CliRunner()
    wrong = runner.invoke(
        app, ["keys", "rotate", "--data", str(settings.data), "--recuperacion"], input="X\n"
    )
    assert wrong.exit_code == 1
    assert "recuperación" in wrong.output
    result = runner.invoke(
        app,
        ["keys", "rotate", "--data", str(settings.data), "--recuperacion"],
        input=recovery_key + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "«expediente», «psicologia»" in result.output
    _everything_opens(settings, client_id, case_id)
