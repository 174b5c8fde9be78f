"""The hash chain names the first altered or missing event, with no key (DESIGN §5)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from projections.audit_chain import GENESIS, Checkpoint, link
from projections.runner import BrokenChain
from tests.conftest import PostgresTarget
from tests.support.factories import PASSWORD, a_client, an_intake, initialized, make_institute
from violeta.auditing import verify_chain
from violeta.cli import app
from violeta.settings import Settings
from violeta.store import open_sealed_recorder

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_settling_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """``audit verify`` waits a little while only the newest heads are missing (a terminal
    may be chaining them); here nobody is, so it need not wait."""
    monkeypatch.setattr("violeta.cli.SETTLE_SECONDS", 0.0)


def populated(data_dir: Path) -> Settings:
    settings = Settings(data=data_dir)
    with initialized(settings) as (_, coordinator):
        for name in ("Ana Prueba Sintética", "Beatriz Prueba Ficticia", "Carla Prueba Inventada"):
            client_id = coordinator.register_client(a_client(name))
            coordinator.open_case(client_id, an_intake())
            coordinator.client_detail(client_id)
        coordinator.refresh()
    return settings


def rewrite_state(settings: Settings, notification_id: int) -> None:
    events = sqlite3.connect(settings.events_path)
    (state,) = events.execute(
        "SELECT state FROM stored_events WHERE rowid = ?", (notification_id,)
    ).fetchone()
    altered = bytearray(state)
    altered[-1] ^= 0x80
    events.execute(
        "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(altered), notification_id)
    )
    events.commit()
    events.close()


def test_an_untouched_store_verifies_from_the_command_line(data_dir: Path) -> None:
    populated(data_dir)
    result = runner.invoke(app, ["audit", "verify", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "Cadena íntegra" in result.output


def test_an_altered_event_is_named_as_the_first_broken_link(data_dir: Path) -> None:
    settings = populated(data_dir)
    rewrite_state(settings, 7)
    verification = verify_chain(settings)
    assert verification.first_broken == 7
    result = runner.invoke(app, ["audit", "verify", "--data", str(data_dir)])
    assert result.exit_code == 1
    assert "evento 7" in result.output


def test_a_deleted_event_is_detected(data_dir: Path) -> None:
    settings = populated(data_dir)
    events = sqlite3.connect(settings.events_path)
    last = events.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
    events.execute("DELETE FROM stored_events WHERE rowid = ?", (last,))
    events.commit()
    events.close()
    verification = verify_chain(settings)
    assert verification.first_broken == last
    assert verification.reason == "falta un evento registrado"


def test_a_witness_checkpoint_exposes_a_rewrite_that_recomputed_the_chain(
    data_dir: Path, tmp_path: Path
) -> None:
    settings = populated(data_dir)
    exported = runner.invoke(app, ["audit", "checkpoint", "--data", str(data_dir)])
    assert exported.exit_code == 0, exported.output
    witness_file = tmp_path / "testigo.json"
    witness_file.write_text(exported.output, encoding="utf-8")
    position = json.loads(exported.output)["eventos"]

    # The attacker alters history and recomputes every stored head to match it.
    rewrite_state(settings, 5)
    views = sqlite3.connect(settings.views_path)
    head = GENESIS
    for notification in open_sealed_recorder(settings).select_notifications(start=1, limit=10_000):
        head = link(head, notification)
        views.execute(
            "UPDATE audit_chain SET head = ? WHERE notification_id = ?", (head, notification.id)
        )
    views.commit()
    views.close()

    assert verify_chain(settings).intact  # the chain alone is fooled…
    witness = Checkpoint(position, bytes.fromhex(json.loads(exported.output)["cabeza"]))
    assert verify_chain(settings, witness).first_broken == position  # …the witness is not
    result = runner.invoke(
        app, ["audit", "verify", "--data", str(data_dir), "--testigo", str(witness_file)]
    )
    assert result.exit_code == 1
    assert "testigo" in result.output


def test_rebuilding_over_an_altered_history_is_refused(data_dir: Path) -> None:
    settings = populated(data_dir)
    session = make_institute(settings).login("coordinacion", PASSWORD)
    rewrite_state(settings, 4)
    with pytest.raises(BrokenChain, match="evento 4"):
        session.rebuild_views()


# --- A chain that misses nothing: every stored event has a head, nothing else has one --------


def _execute(path: Path, statement: str, *params: object) -> None:
    connection = sqlite3.connect(path)
    connection.execute(statement, params)
    connection.commit()
    connection.close()


def _newest(settings: Settings) -> int:
    connection = sqlite3.connect(settings.events_path)
    (newest,) = connection.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
    connection.close()
    return int(newest)


def _named_by_the_command(data_dir: Path, position: int) -> str:
    result = runner.invoke(app, ["audit", "verify", "--data", str(data_dir)])
    assert result.exit_code == 1, result.output
    assert f"evento {position}:" in result.output, result.output
    assert "íntegra" not in result.output
    return result.output


def test_an_altered_first_event_is_named(data_dir: Path) -> None:
    settings = populated(data_dir)
    rewrite_state(settings, 1)
    assert verify_chain(settings).first_broken == 1
    _named_by_the_command(data_dir, 1)


def test_a_deleted_first_event_is_named(data_dir: Path) -> None:
    settings = populated(data_dir)
    _execute(settings.events_path, "DELETE FROM stored_events WHERE rowid = 1")
    verification = verify_chain(settings)
    assert (verification.first_broken, verification.reason) == (1, "falta un evento registrado")
    _named_by_the_command(data_dir, 1)


def test_a_deleted_middle_event_is_named_by_its_own_position(data_dir: Path) -> None:
    settings = populated(data_dir)
    _execute(settings.events_path, "DELETE FROM stored_events WHERE rowid = 6")
    assert verify_chain(settings).first_broken == 6
    _named_by_the_command(data_dir, 6)


def test_an_event_whose_topic_was_changed_is_named(data_dir: Path) -> None:
    """Only the topic changes: the encrypted state is untouched, so only a link that hashes
    the topic can notice (an event relabelled as another kind)."""
    settings = populated(data_dir)
    _execute(
        settings.events_path,
        "UPDATE stored_events SET topic = topic || 'x' WHERE rowid = ?",
        5,
    )
    assert verify_chain(settings).first_broken == 5
    _named_by_the_command(data_dir, 5)


def test_an_event_whose_originator_version_was_changed_is_named(data_dir: Path) -> None:
    """Only the version changes (an event moved later in its record's history)."""
    settings = populated(data_dir)
    _execute(
        settings.events_path,
        "UPDATE stored_events SET originator_version = originator_version + 1000 WHERE rowid = ?",
        8,
    )
    assert verify_chain(settings).first_broken == 8
    _named_by_the_command(data_dir, 8)


def test_an_event_moved_to_another_record_is_named(data_dir: Path) -> None:
    settings = populated(data_dir)
    _execute(
        settings.events_path,
        "UPDATE stored_events SET originator_id = ? WHERE rowid = ?",
        "00000000-0000-4000-8000-000000000000",
        9,
    )
    assert verify_chain(settings).first_broken == 9
    _named_by_the_command(data_dir, 9)


def test_an_altered_newest_event_whose_head_was_deleted_is_named(data_dir: Path) -> None:
    settings = populated(data_dir)
    newest = _newest(settings)
    rewrite_state(settings, newest)
    _execute(settings.views_path, "DELETE FROM audit_chain WHERE notification_id = ?", newest)
    verification = verify_chain(settings)
    assert verification.first_broken == newest
    assert "no tiene cabeza registrada" in verification.reason
    _named_by_the_command(data_dir, newest)


def test_deleted_heads_with_the_tracking_rolled_back_are_named(data_dir: Path) -> None:
    """The attacker alters event N, deletes every head from N on and rolls the views'
    tracking back to N-1, so that the projector would simply recompute them."""
    settings = populated(data_dir)
    altered = _newest(settings) - 3
    rewrite_state(settings, altered)
    _execute(settings.views_path, "DELETE FROM audit_chain WHERE notification_id >= ?", altered)
    _execute(settings.views_path, "UPDATE tracking SET notification_id = ?", altered - 1)
    verification = verify_chain(settings)
    assert verification.first_broken == altered
    _named_by_the_command(data_dir, altered)


def test_deleted_heads_alone_are_named(data_dir: Path) -> None:
    """Even with every event intact, a head missing from the middle is a gap in the chain."""
    settings = populated(data_dir)
    _execute(settings.views_path, "DELETE FROM audit_chain WHERE notification_id = 3")
    assert verify_chain(settings).first_broken == 3
    _named_by_the_command(data_dir, 3)


def test_a_head_recorded_beyond_the_last_event_is_named(data_dir: Path) -> None:
    settings = populated(data_dir)
    beyond = _newest(settings) + 5
    _execute(settings.views_path, "INSERT INTO audit_chain VALUES (?, ?)", beyond, b"\0" * 32)
    verification = verify_chain(settings)
    assert (verification.first_broken, verification.reason) == (
        beyond,
        "falta un evento registrado",
    )
    _named_by_the_command(data_dir, beyond)


def test_rebuilding_after_heads_were_deleted_is_refused(data_dir: Path) -> None:
    settings = populated(data_dir)
    session = make_institute(settings).login("coordinacion", PASSWORD)
    _execute(settings.views_path, "DELETE FROM audit_chain WHERE notification_id = 2")
    with pytest.raises(BrokenChain, match="evento 2"):
        session.rebuild_views()
    session.close()


def test_a_witness_file_that_is_not_a_checkpoint_is_said_in_spanish(
    data_dir: Path, tmp_path: Path
) -> None:
    populated(data_dir)
    witness = tmp_path / "testigo.json"
    witness.write_text("{esto no es json", encoding="utf-8")
    result = runner.invoke(
        app, ["audit", "verify", "--data", str(data_dir), "--testigo", str(witness)]
    )
    assert result.exit_code == 1
    assert "no es un punto de control" in result.output
    assert "Traceback" not in result.output


def test_on_postgres_deleted_heads_with_the_tracking_rolled_back_are_named(
    postgres_target: PostgresTarget,
) -> None:
    settings = Settings(
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
    )
    with initialized(settings) as (_, coordinator):
        client_id = coordinator.register_client(a_client("Ana Prueba Sintética"))
        coordinator.open_case(client_id, an_intake())
        coordinator.refresh()
    schema = postgres_target.schema
    with psycopg.connect(postgres_target.conninfo, autocommit=True) as connection:
        row = connection.execute(
            f"SELECT MAX(notification_id) FROM {schema}.violeta_events"
        ).fetchone()
        assert row is not None
        altered = int(row[0]) - 2
        connection.execute(
            f"UPDATE {schema}.violeta_events SET topic = topic || 'x' WHERE notification_id = %s",
            (altered,),
        )
        connection.execute(
            f"DELETE FROM {schema}.audit_chain WHERE notification_id >= %s",
            (altered,),
        )
        connection.execute(
            f"UPDATE {schema}.violeta_view_tracking SET notification_id = %s",
            (altered - 1,),
        )
    assert verify_chain(settings).first_broken == altered
    environment = {
        "VIOLETA_BACKEND": "postgres",
        "VIOLETA_POSTGRES": postgres_target.conninfo,
        "VIOLETA_POSTGRES_SCHEMA": schema,
    }
    result = runner.invoke(app, ["audit", "verify"], env=environment)
    assert result.exit_code == 1, result.output
    assert f"evento {altered}:" in result.output


def test_verify_waits_for_a_terminal_that_is_chaining_its_last_read(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal's last read is recorded at once and chained with its next command or its
    refresh timer: the command verifies again a moment later instead of crying wolf."""
    settings = populated(data_dir)
    session = make_institute(settings).login("coordinacion", PASSWORD)
    try:
        session.search_clients("ana")  # records an access event, chained later
        pending = verify_chain(settings)
        assert pending.unheaded_tail and pending.first_broken == _newest(settings)
        waits: list[float] = []

        def refresh_meanwhile(seconds: float) -> None:
            waits.append(seconds)
            session.refresh()  # the terminal's refresh timer fires

        monkeypatch.setattr("time.sleep", refresh_meanwhile)
        result = runner.invoke(app, ["audit", "verify", "--data", str(data_dir)])
    finally:
        session.close()
    assert result.exit_code == 0, result.output
    assert "Cadena íntegra" in result.output
    assert len(waits) == 1


def test_a_session_that_closes_leaves_every_event_chained(data_dir: Path) -> None:
    settings = populated(data_dir)
    session = make_institute(settings).login("coordinacion", PASSWORD)
    session.search_clients("beatriz")
    session.close()
    assert verify_chain(settings).intact
