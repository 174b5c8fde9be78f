"""Backup → wipe → restore: identical views and statistics, chain verified; a backup without
its passphrase reveals nothing; a damaged or altered backup restores nothing (SQLite)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from keys import KdfParams
from tests.conftest import PostgresTarget
from tests.support.factories import PASSWORD, a_client, an_intake, initialized, make_institute
from violeta.auditing import verify_chain
from violeta.cli import app
from violeta.operations.backup import backup, restore
from violeta.operations.backup_format import BACKUP_KEYS, BACKUP_MANIFEST
from violeta.operations.data_checks import UnusableData
from violeta.operations.doctor import doctor
from violeta.settings import Settings

PASSPHRASE = "clave-de-respaldo-sintética-1"
NAMES = ("Ana Prueba Sintética", "Beatriz Ejemplo Ficticia", "Carla Muestra Inventada")
CANARY = "Zacarías Canario Improbable"
runner = CliRunner()


@pytest.fixture
def institute_dir(tmp_path: Path) -> Path:
    settings = Settings(data=tmp_path / "datos")
    with initialized(settings) as (_, coordinator):
        for name in (*NAMES, CANARY):
            client_id = coordinator.register_client(a_client(name))
            coordinator.open_case(client_id, an_intake())
        coordinator.search_clients("ana")
    return settings.data


def _view_tables(views: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(views)) as connection:
        names = [
            str(row[0])
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(
                connection.execute(f"SELECT * FROM {name}").fetchall(),
                key=repr,
            )
            for name in names
        }


def _fast_backup(source: Path, destination: Path) -> None:
    backup(Settings(data=source), destination, PASSPHRASE, kdf=KdfParams.fast())


@pytest.fixture
def backed_up(institute_dir: Path, tmp_path: Path) -> Path:
    destination = tmp_path / "respaldo"
    _fast_backup(institute_dir, destination)
    return destination


def test_backup_wipe_restore_gives_identical_views_and_a_verified_chain(
    institute_dir: Path, backed_up: Path, tmp_path: Path
) -> None:
    before = _view_tables(institute_dir / "vistas.sqlite")
    shutil.rmtree(institute_dir)  # the wipe
    target = Settings(data=tmp_path / "restaurado")
    restore(backed_up, target, PASSPHRASE)
    assert verify_chain(target).intact
    session = make_institute(target).login("coordinacion", PASSWORD)
    try:
        session.rebuild_views()
        after = _view_tables(target.views_path)
        assert [c.name for c in session.search_clients("ana prueba")] == [NAMES[0]]
    finally:
        session.close()
    assert after.keys() == before.keys()
    for table in before:
        if table not in ("tracking", "audit_chain"):
            assert after[table] == before[table], table
    # The chain heads are the same, and the restored store has at least the backed-up events.
    assert set(before["audit_chain"]) <= set(after["audit_chain"])


def test_the_command_line_drill_decrypts_every_event_before_reporting_success(
    institute_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIOLETA_CLAVE_RESPALDO", PASSPHRASE)
    destination = tmp_path / "respaldo"
    made = runner.invoke(app, ["backup", "--to", str(destination), "--data", str(institute_dir)])
    assert made.exit_code == 0, made.output
    assert "cadena verificada" in made.output
    target = tmp_path / "restaurado"
    restored = runner.invoke(
        app,
        ["restore", "--from", str(destination), "--data", str(target)],
        input=f"coordinacion\n{PASSWORD}\n",
    )
    assert restored.exit_code == 0, restored.output
    assert "cada evento descifrado" in restored.output
    assert all(p.name.startswith(("eventos", "llaves", "vistas")) for p in target.iterdir())
    assert (target.stat().st_mode & 0o777) == 0o700
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in target.iterdir())


def test_the_backup_without_its_passphrase_reveals_nothing(
    institute_dir: Path, backed_up: Path
) -> None:
    everything = b"".join(p.read_bytes() for p in sorted(backed_up.iterdir()))
    for text in (CANARY, CANARY.upper(), "Zacarías", "Improbable"):
        assert text.encode() not in everything
        assert text.encode("utf-16-le") not in everything
    # The key store is in the backup only encrypted: none of its wrapped keys is there as is.
    with closing(sqlite3.connect(institute_dir / "llaves.sqlite")) as connection:
        wrapped = [bytes(row[0]) for row in connection.execute("SELECT wrapped FROM wrapped_keys")]
    assert wrapped
    assert not any(blob[:32] in everything for blob in wrapped)
    assert b"SQLite format 3" not in (backed_up / BACKUP_KEYS).read_bytes()


def test_a_wrong_passphrase_restores_nothing(backed_up: Path, tmp_path: Path) -> None:
    target = Settings(data=tmp_path / "restaurado")
    with pytest.raises(UnusableData, match="clave del respaldo no es correcta"):
        restore(backed_up, target, "otra-clave-equivocada")
    assert not target.data.exists()


def test_a_damaged_backup_file_restores_nothing(backed_up: Path, tmp_path: Path) -> None:
    events = backed_up / "eventos.sqlite"
    raw = bytearray(events.read_bytes())
    raw[-100] ^= 0x01
    events.write_bytes(bytes(raw))
    target = Settings(data=tmp_path / "restaurado")
    with pytest.raises(UnusableData, match="no coincide con su huella"):
        restore(backed_up, target, PASSPHRASE)
    assert not target.data.exists()


def test_an_altered_backup_with_a_rewritten_manifest_is_caught_by_the_chain(
    backed_up: Path, tmp_path: Path
) -> None:
    """The attacker changes an event's topic and fixes the manifest's fingerprint."""
    events = backed_up / "eventos.sqlite"
    with closing(sqlite3.connect(events)) as connection:
        connection.execute("UPDATE stored_events SET topic = topic || 'x' WHERE rowid = 4")
        connection.commit()
    manifest = json.loads((backed_up / BACKUP_MANIFEST).read_text(encoding="utf-8"))
    import hashlib

    manifest["archivos"]["eventos.sqlite"] = hashlib.sha256(events.read_bytes()).hexdigest()
    (backed_up / BACKUP_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    target = Settings(data=tmp_path / "restaurado")
    with pytest.raises(UnusableData, match="evento 4"):
        restore(backed_up, target, PASSPHRASE)
    assert not target.data.exists()


def test_restore_never_writes_over_a_data_directory(institute_dir: Path, backed_up: Path) -> None:
    before = sorted((p.name, p.stat().st_mtime_ns) for p in institute_dir.iterdir())
    with pytest.raises(UnusableData, match="no está vacío"):
        restore(backed_up, Settings(data=institute_dir), PASSPHRASE)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in institute_dir.iterdir()) == before


def test_backup_refuses_a_non_empty_destination_a_short_passphrase_and_no_institute(
    institute_dir: Path, tmp_path: Path
) -> None:
    occupied = tmp_path / "ocupado"
    occupied.mkdir()
    (occupied / "otra-cosa.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UnusableData, match="no está vacío"):
        _fast_backup(institute_dir, occupied)
    assert [p.name for p in occupied.iterdir()] == ["otra-cosa.txt"]
    with pytest.raises(UnusableData, match="al menos 12"):
        backup(Settings(data=institute_dir), tmp_path / "nuevo", "corta")
    assert not (tmp_path / "nuevo").exists()
    empty = tmp_path / "vacio"
    empty.mkdir()
    with pytest.raises(UnusableData, match="no está inicializado"):
        _fast_backup(empty, tmp_path / "otro")
    assert not (tmp_path / "otro").exists()


def test_a_failed_login_probe_leaves_nothing_restored(
    backed_up: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIOLETA_CLAVE_RESPALDO", PASSPHRASE)
    target = tmp_path / "restaurado"
    result = runner.invoke(
        app,
        ["restore", "--from", str(backed_up), "--data", str(target)],
        input="coordinacion\ncontraseña-equivocada\n",
    )
    assert result.exit_code == 1
    assert "No se restauró nada" in result.output
    assert not target.exists()


def test_doctor_reports_a_healthy_institute_after_a_backup(
    institute_dir: Path, backed_up: Path
) -> None:
    findings = doctor(Settings(data=institute_dir))
    assert [f.level for f in findings] == ["bien"] * len(findings), findings
    result = runner.invoke(app, ["doctor", "--data", str(institute_dir)])
    assert result.exit_code == 0, result.output
    assert "Cadena de auditoría" in result.output and "Último respaldo" in result.output


def test_doctor_names_loose_permissions_a_missing_backup_and_a_broken_chain(
    institute_dir: Path,
) -> None:
    (institute_dir / "eventos.sqlite").chmod(0o644)
    with closing(sqlite3.connect(institute_dir / "vistas.sqlite")) as connection:
        connection.execute("DELETE FROM audit_chain WHERE notification_id = 2")
        connection.commit()
    findings = {f.topic: f for f in doctor(Settings(data=institute_dir))}
    assert findings["Permisos"].level == "problema"
    assert "eventos.sqlite" in findings["Permisos"].text
    assert findings["Respaldo"].level == "problema"
    assert findings["Cadena de auditoría"].level == "problema"
    assert "evento 2" in findings["Cadena de auditoría"].text
    result = runner.invoke(app, ["doctor", "--data", str(institute_dir)])
    assert result.exit_code == 1


def test_doctor_names_a_damaged_slot(institute_dir: Path) -> None:
    with closing(sqlite3.connect(institute_dir / "llaves.sqlite")) as connection:
        (wrapped,) = connection.execute(
            "SELECT wrapped_private_key FROM key_slots WHERE username = 'coordinacion'"
        ).fetchone()
        connection.execute(
            "UPDATE key_slots SET wrapped_private_key = ? WHERE username = 'coordinacion'",
            (bytes(wrapped[:-1]) + bytes([wrapped[-1] ^ 1]),),
        )
        connection.commit()
    (keys,) = [f for f in doctor(Settings(data=institute_dir)) if "dañados" in f.text]
    assert keys.level == "problema"
    assert "coordinacion" in keys.text


def test_doctor_on_a_wrong_folder_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-existe"
    result = runner.invoke(app, ["doctor", "--data", str(missing)])
    assert result.exit_code == 1
    assert "no existe" in result.output
    assert not missing.exists()


def test_a_destination_that_cannot_be_written_is_said_in_spanish(
    institute_dir: Path, backed_up: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "archivo.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(UnusableData, match="una parte de la ruta no es un directorio"):
        _fast_backup(institute_dir, a_file / "respaldo")
    with pytest.raises(UnusableData, match="una parte de la ruta no es un directorio"):
        restore(backed_up, Settings(data=a_file / "datos"), PASSPHRASE)
    assert a_file.read_text(encoding="utf-8") == "x"


def test_on_postgres_doctor_checks_the_server_and_the_chain(
    postgres_target: PostgresTarget, tmp_path: Path
) -> None:
    settings = Settings(
        data=tmp_path / "datos",
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
    )
    with initialized(settings):
        pass
    findings = {f.topic: f for f in doctor(settings)}
    assert findings["PostgreSQL"].level == "bien"
    assert findings["Cadena de auditoría"].level == "bien"
    assert findings["Vistas"].level == "bien"
    assert findings["Respaldo"].level == "atención" and "pg_dump" in findings["Respaldo"].text
    with pytest.raises(UnusableData, match="no es un respaldo"):
        restore(tmp_path, settings, PASSPHRASE)
    unreachable = settings.model_copy(update={"postgres": "host=127.0.0.1 port=1 dbname=nada"})
    [finding] = doctor(unreachable)
    assert finding.level == "problema" and "No se pudo conectar con PostgreSQL" in finding.text


def test_on_postgres_backup_drop_restore_gives_identical_views(
    postgres_target: PostgresTarget, tmp_path: Path
) -> None:
    """pg_dump of the events and views; the key store dumped apart and encrypted; the schema
    dropped (the wipe) and restored under the same name."""
    settings = Settings(
        data=tmp_path / "datos",
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
    )
    with initialized(settings) as (_, coordinator):
        for name in (NAMES[0], CANARY):
            client_id = coordinator.register_client(a_client(name))
            coordinator.open_case(client_id, an_intake())
    before = _pg_views(settings)
    destination = tmp_path / "respaldo"
    backup(settings, destination, PASSPHRASE, kdf=KdfParams.fast())
    everything = b"".join(p.read_bytes() for p in sorted(destination.iterdir()))
    assert CANARY.encode() not in everything
    assert b"wrapped_kek" not in everything and b"keyring_meta" not in everything
    with psycopg.connect(postgres_target.conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {postgres_target.schema} CASCADE")  # the wipe
    with pytest.raises(UnusableData, match="clave del respaldo no es correcta"):
        restore(destination, settings, "otra-clave-equivocada")
    restore(destination, settings, PASSPHRASE)
    assert verify_chain(settings).intact
    session = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        session.rebuild_views()
        assert _pg_views(settings) == before
        assert [c.name for c in session.search_clients("ana prueba")] == [NAMES[0]]
    finally:
        session.close()
    with pytest.raises(UnusableData, match="no está vacío"):
        restore(destination, settings, PASSPHRASE)


def _pg_views(settings: Settings) -> dict[str, list[str]]:
    from projections.views import SCHEMA
    from violeta.service import open_view_store

    tables = [
        statement.split()[5]
        for statement in SCHEMA
        if statement.startswith("CREATE TABLE IF NOT EXISTS")
    ]
    views = open_view_store(settings)
    try:
        return {
            table: sorted(
                repr(sorted(dict(row).items())) for row in views.query(f"SELECT * FROM {table}")
            )
            for table in tables
            if table not in {"access_log", "access_subjects"}
        }
    finally:
        views.close()
