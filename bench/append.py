"""Append throughput: Violeta's application service against plain eventsourcing + AESCipher.

Violeta's workload registers clients, opens their cases and records notes through the
application service, so every command validates, seals personal fields with the client's own
key, saves and keeps the views caught up. The baseline stores the same number of events, with
payloads of similar size, through a plain ``eventsourcing`` Application with the library's
AESCipher on the same kind of SQLite file. Both run in this process, one after the other.

    python bench/append.py [--clients N] [--notes N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from base64 import b64encode
from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.vocabulary import Section
from keys import KdfParams
from violeta.dto import NewClient, NewIntake
from violeta.service import Institute
from violeta.settings import Settings


class PlainRecord(Aggregate):
    @event("Created")
    def __init__(self, name: str, narrative: str) -> None:
        self.name = name
        self.narrative = narrative
        self.notes: list[str] = []

    @event("NoteAdded")
    def add_note(self, text: str) -> None:
        self.notes.append(text)


class VioletaWorkload:
    """Staff work through the application service, one client at a time."""

    def __init__(self, directory: Path, notes: int) -> None:
        institute = Institute(
            Settings(data=directory), kdf=KdfParams.fast(), today=lambda: date(2026, 11, 20)
        )
        self.session = institute.initialize(
            "coordinacion", "Carmen Coordinación Banco", "contraseña-banco-1"
        )
        self.notes = notes
        self.clients = 0

    @property
    def stored_events(self) -> int:
        return self.session._store.recorder.max_notification_id() or 0

    def run(self, clients: int) -> None:
        for _ in range(clients):
            self.clients += 1
            client_id = self.session.register_client(
                NewClient(
                    name=f"Usuaria Sintética {_letters(self.clients + 702)}",
                    birth_date="15/03/1990",
                    zone="110110001",
                    phone=f"461{self.clients:07d}",
                )
            )
            case = self.session.open_case(
                client_id,
                NewIntake(
                    reason="Motivo sintético de atención",
                    narrative="Relato sintético de la entrevista inicial. " * 4,
                    violence_types=("psicologica", "fisica"),
                    modalities=("familiar",),
                    risk="medio",
                ),
            )
            for _ in range(self.notes):
                self.session.add_note(
                    case.case_id, Section.FOLLOW_UPS, "Nota sintética de seguimiento."
                )
            # Staff look at what they recorded: an audited read that catches the views up.
            self.session.client_detail(client_id)


class PlainWorkload:
    """The same number of events through plain eventsourcing with the library's AESCipher."""

    def __init__(self, directory: Path) -> None:
        self.application: Application[UUID] = Application(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(directory / "plain.sqlite"),
                "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                "CIPHER_KEY": b64encode(os.urandom(32)).decode(),
            }
        )

    def run(self, events: int) -> None:
        written = 0
        while written < events:
            record = PlainRecord(name="Usuaria Sintética", narrative="Relato sintético. " * 10)
            self.application.save(record)
            written += 1
            for _ in range(3):
                if written >= events:
                    break
                record.add_note("Nota sintética de seguimiento.")
                self.application.save(record)
                written += 1


def _letters(number: int) -> str:
    word = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        word = chr(ord("a") + remainder) + word
    return word.capitalize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--notes", type=int, default=2)
    parser.add_argument(
        "--chunk", type=int, default=10, help="clients per turn; the two workloads alternate"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as violeta_dir,
        tempfile.TemporaryDirectory() as plain_dir,
    ):
        violeta = VioletaWorkload(Path(violeta_dir), args.notes)
        plain = PlainWorkload(Path(plain_dir))
        violeta_seconds = plain_seconds = 0.0
        events = 0
        # Short alternating turns: both workloads meet the same disk and the same load on
        # the machine, so the ratio holds even where the absolute rates wander.
        while violeta.clients < args.clients:
            before = violeta.stored_events
            started = time.perf_counter()
            violeta.run(min(args.chunk, args.clients - violeta.clients))
            violeta_seconds += time.perf_counter() - started
            turn_events = violeta.stored_events - before
            started = time.perf_counter()
            plain.run(turn_events)
            plain_seconds += time.perf_counter() - started
            events += turn_events
        violeta.session.close()
    violeta_rate = events / violeta_seconds
    plain_rate = events / plain_seconds
    print(f"append: {events} eventos, {violeta.clients} usuarias, turnos de {args.chunk}")
    print(f"  violeta (servicio: sellado, accesos, vistas): {violeta_rate:9.1f} eventos/s")
    print(f"  eventsourcing + AESCipher:                    {plain_rate:9.1f} eventos/s")
    print(f"  ratio: {violeta_rate / plain_rate:.2f}")


if __name__ == "__main__":
    main()
