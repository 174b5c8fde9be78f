"""One of several terminals writing notes on the same cases at once, for the concurrency test:
``python -m tests.reliability.note_writer_process SETTINGS_JSON USERNAME COUNT CASE_ID...``.
Prints one line per command: ``ok CASE`` when it returned, ``conflicto CASE`` when the service
reported a concurrent edit it could not retry (never swallowed)."""

from __future__ import annotations

import json
import sys
from uuid import UUID

from domain.vocabulary import Section
from keys import KdfParams
from violeta.errors import ConcurrentEdit
from violeta.service import Institute
from violeta.settings import Settings

PASSWORD = "contraseña-de-prueba-1-nueva"


def main(settings_json: str, username: str, count: int, cases: list[UUID]) -> None:
    institute = Institute(Settings.model_validate(json.loads(settings_json)), kdf=KdfParams.fast())
    session = institute.login(username, PASSWORD)
    for number in range(count):
        case_id = cases[number % len(cases)]
        try:
            session.add_note(case_id, Section.INTAKE, f"Nota sintética {username} {number}.")
        except ConcurrentEdit:
            print(f"conflicto {case_id}", flush=True)
        else:
            print(f"ok {case_id}", flush=True)
    session.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), [UUID(c) for c in sys.argv[4:]])
