"""Two processes writing the same case: no lost update (DESIGN §3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from domain.vocabulary import Section
from tests.support.factories import a_client, an_intake
from violeta.service import StaffSession
from violeta.settings import Settings

NOTES_PER_PROCESS = 12


def test_two_processes_appending_to_one_case_lose_no_note(
    coordinator: StaffSession, settings: Settings, tmp_path: Path
) -> None:
    case = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.note_writer",
                settings.model_dump_json(),
                str(case.case_id),
                str(NOTES_PER_PROCESS),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    go.touch()
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr.decode()

    notes = coordinator.case_detail(case.case_id, Section.FOLLOW_UPS).notes
    assert len(notes) == 2 * NOTES_PER_PROCESS
    assert sorted(n.text for n in notes) == sorted(
        f"Nota sintética {i}" for i in range(NOTES_PER_PROCESS) for _ in range(2)
    )


def test_a_note_another_process_adds_right_after_this_session_saved_shows_on_its_next_read(
    coordinator: StaffSession, settings: Settings, tmp_path: Path
) -> None:
    case = coordinator.open_case(coordinator.register_client(a_client()), an_intake())
    coordinator.add_note(case.case_id, Section.FOLLOW_UPS, "Nota sintética propia")
    go = tmp_path / "go"
    go.touch()

    writer = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.note_writer",
            settings.model_dump_json(),
            str(case.case_id),
            "1",
            str(go),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert writer.returncode == 0, writer.stderr.decode()
    notes = coordinator.case_detail(case.case_id, Section.FOLLOW_UPS).notes
    assert sorted(note.text for note in notes) == ["Nota sintética 0", "Nota sintética propia"]
