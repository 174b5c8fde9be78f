"""A staff terminal that records without end, for the kill test: ``python -m
tests.reliability.writer DATA LOG SEED``. After each command returns it appends one line to LOG
(``cliente <id>`` or ``expediente <client id> <case id> <folio>``), flushed and synced, so the
test knows exactly which commands had returned when the process was killed.

``python -m tests.reliability.writer --serve DATA LOG`` imports everything once and then, for
each seed read from stdin, forks a fresh terminal process (printing its pid) and prints
``fin`` when it has died: a kill then costs the terminal's work, not Python's start-up. The
server opens nothing itself, so each child starts with no connection and no key of its own."""

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

        # On a line of its own: a kill can cut the previous process's last line short.
        out.write("\n")
        returned("listo")
        while True:
            client_id = session.register_client(
                a_client(synthetic_name(rng)), confirm_not_duplicate=True
            )
            returned(f"cliente {client_id}")
            case = session.open_case(client_id, an_intake())
            returned(f"expediente {client_id} {case.case_id} {case.folio}")


def serve(data: Path, log: Path) -> None:
    for line in sys.stdin:
        seed = int(line)
        pid = os.fork()
        if pid == 0:
            try:
                main(data, log, seed)
            finally:
                os._exit(1)
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("fin", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
