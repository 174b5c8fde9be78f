"""A separate process that logs in and opens cases for one woman (folio concurrency tests).

Usage: python -m tests.support.case_opener SETTINGS_JSON CLIENT_ID COUNT GO_FILE
Prints the folio of every case it opened, one a line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from uuid import UUID

from tests.support.factories import PASSWORD, an_intake, make_institute
from violeta.settings import Settings


def main() -> None:
    settings_json, client_id, count, go_file = sys.argv[1:5]
    session = make_institute(Settings.model_validate_json(settings_json)).login(
        "coordinacion", PASSWORD
    )
    while not Path(go_file).exists():
        time.sleep(0.01)
    folios = [session.open_case(UUID(client_id), an_intake()).folio for _ in range(int(count))]
    session.close()
    print("\n".join(folios))


if __name__ == "__main__":
    main()
