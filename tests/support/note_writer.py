"""A separate process that logs in and appends notes to one case (concurrency tests).

Usage: python -m tests.support.note_writer SETTINGS_JSON CASE_ID COUNT GO_FILE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from uuid import UUID

from domain.vocabulary import Section
from tests.support.factories import PASSWORD, make_institute
from violeta.settings import Settings


def main() -> None:
    settings_json, case_id, count, go_file = sys.argv[1:5]
    session = make_institute(Settings.model_validate_json(settings_json)).login(
        "coordinacion", PASSWORD
    )
    while not Path(go_file).exists():
        time.sleep(0.01)
    for index in range(int(count)):
        session.add_note(UUID(case_id), Section.FOLLOW_UPS, f"Nota sintética {index}")
    session.close()


if __name__ == "__main__":
    main()
