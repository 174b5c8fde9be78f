"""The hash chain names the first altered or missing event, with no key (DESIGN §5)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projections.audit_chain import GENESIS, Checkpoint, link
from projections.runner import BrokenChain
from tests.support.factories import PASSWORD, a_client, an_intake, initialized, make_institute
from violeta.auditing import verify_chain
from violeta.cli import app
from violeta.settings import Settings
from violeta.store import open_sealed_recorder

runner = CliRunner()


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
