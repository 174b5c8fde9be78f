"""A staff terminal that records without end, for the kill test: ``python -m
tests.reliability.writer DATA LOG SEED``. After each command returns it appends one line to LOG
(``cliente <id>`` or ``expediente <client id> <case id> <folio>``), flushed and synced, so the
test knows exactly which commands had returned when the process was killed."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from tests.support.factories import PASSWORD, a_client, an_intake, make_institute
from violeta.settings import Settings

SYLLABLES = ("la", "ma", "ri", "so", "te", "na", "lu", "ve", "ca", "ro", "ni", "da")


def synthetic_name(rng: random.Random) -> str:
    def word() -> str:
        text = "".join(rng.choice(SYLLABLES) for _ in range(3))
        return text.capitalize()

    return f"{word()} {word()} {word()}"


def main(data: Path, log: Path, seed: int) -> None:
    rng = random.Random(seed)
    session = make_institute(Settings(data=data)).login("coordinacion", PASSWORD)
    with log.open("a", encoding="utf-8") as out:

        def returned(line: str) -> None:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

        returned("listo")
        while True:
            client_id = session.register_client(
                a_client(synthetic_name(rng)), confirm_not_duplicate=True
            )
            returned(f"cliente {client_id}")
            case = session.open_case(client_id, an_intake())
            returned(f"expediente {client_id} {case.case_id} {case.folio}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
