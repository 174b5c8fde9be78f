"""Four terminals (processes) × 200 commands on the same three cases: no update is lost,
every conflict is retried or reported, and the audit chain stays intact (both backends)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from domain.vocabulary import Role
from tests.support.factories import a_case, staff
from violeta.auditing import verify_chain
from violeta.service import Institute, StaffSession

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 4
COMMANDS = 200


def test_four_terminals_writing_the_same_cases_lose_nothing(
    institute: Institute, coordinator: StaffSession
) -> None:
    cases = [
        a_case(coordinator, name)[1] for name in ("Ana Prueba", "Bety Ejemplo", "Carla Sintética")
    ]
    writers = [f"escritora{n}" for n in range(WRITERS)]
    for username in writers:
        staff(institute, coordinator, username, Role.SOCIAL_WORK).close()
    before = {case_id: len(coordinator.case_detail(case_id).notes) for case_id in cases}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIOLETA_")}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.note_writer_process",
                institute.settings.model_dump_json(),
                username,
                str(COMMANDS),
                *(str(case_id) for case_id in cases),
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username in writers
    ]
    outcomes: Counter[tuple[str, str]] = Counter()
    for process in processes:
        output, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors[-2000:]
        outcomes.update(tuple(line.split()) for line in output.splitlines())  # type: ignore[misc]
    assert sum(outcomes.values()) == WRITERS * COMMANDS  # every command answered
    for case_id in cases:
        written = len(coordinator.case_detail(case_id).notes) - before[case_id]
        assert written == outcomes["ok", str(case_id)]  # each returned note is there, once
    coordinator.refresh()  # chains the reads just made
    verification = verify_chain(institute.settings)
    assert verification.intact, verification.reason
