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
import statistics
import tempfile
import time
from base64 import b64encode
from datetime import date
from pathlib import Path

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


def run_violeta(directory: Path, clients: int, notes: int) -> tuple[int, float]:
    institute = Institute(
        Settings(data=directory), kdf=KdfParams.fast(), today=lambda: date(2026, 11, 20)
    )
    session = institute.initialize(
        "coordinacion", "Carmen Coordinación Banco", "contraseña-banco-1"
    )
    before = session._store.recorder.max_notification_id() or 0
    started = time.perf_counter()

    for index in range(clients):
        client_id = session.register_client(
            NewClient(
                name=f"Usuaria Sintética {_letters(index)}",
                birth_date="15/03/1990",
                zone="110110001",
                phone=f"461{index:07d}",
            )
        )
        case = session.open_case(
            client_id,
            NewIntake(
                reason="Motivo sintético de atención",
                narrative="Relato sintético de la entrevista inicial. " * 4,
                violence_types=("psicologica", "fisica"),
                modalities=("familiar",),
                risk="medio",
            ),
        )
        for _ in range(notes):
            session.add_note(case.case_id, Section.FOLLOW_UPS, "Nota sintética de seguimiento.")
        # Staff look at what they recorded: an audited read, which also catches the views up.
        session.client_detail(client_id)

    elapsed = time.perf_counter() - started
    events = (session._store.recorder.max_notification_id() or 0) - before
    session.close()
    return events, elapsed


def run_plain(directory: Path, events: int) -> float:
    application = Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / "plain.sqlite"),
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": b64encode(os.urandom(32)).decode(),
        }
    )
    started = time.perf_counter()
    written = 0
    while written < events:
        record = PlainRecord(name="Usuaria Sintética", narrative="Relato sintético. " * 10)
        application.save(record)
        written += 1
        for _ in range(3):
            if written >= events:
                break
            record.add_note("Nota sintética de seguimiento.")
            application.save(record)
            written += 1
    return time.perf_counter() - started


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
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs; medians reported")
    args = parser.parse_args()
    violeta_rates: list[float] = []
    plain_rates: list[float] = []
    events = 0
    for _ in range(args.rounds):
        with (
            tempfile.TemporaryDirectory() as violeta_dir,
            tempfile.TemporaryDirectory() as plain_dir,
        ):
            events, violeta_seconds = run_violeta(Path(violeta_dir), args.clients, args.notes)
            violeta_rates.append(events / violeta_seconds)
            plain_rates.append(events / run_plain(Path(plain_dir), events))
    violeta_rate = statistics.median(violeta_rates)
    plain_rate = statistics.median(plain_rates)
    print(f"append: {events} eventos por ronda, {args.rounds} rondas (medianas)")
    print(f"  violeta (servicio: sellado, accesos, vistas): {violeta_rate:9.1f} eventos/s")
    print(f"  eventsourcing + AESCipher:                    {plain_rate:9.1f} eventos/s")
    print(f"  ratio: {violeta_rate / plain_rate:.2f}")


if __name__ == "__main__":
    main()
