"""Append throughput: Violeta's application service against plain eventsourcing + AESCipher.

Violeta's workload registers clients, opens their cases, records notes and reads each client
back through the application service, so every command validates, seals personal fields with
the client's own key and saves, and every read records an access event and brings the views
up to date. Two baselines run in the same process, each a plain ``eventsourcing``
Application with the library's AESCipher on the same kind of SQLite file:

- *same number of events*: records of one creation and three notes, one save per event
  (the comparison issue 2 sets its 0.5 target against);
- *same writes*: the same plaintext values in the same transactions as Violeta's workload
  (a registration, the case with its folio number, the notes, an access record), so the
  ratio is what sealing, authorization, the duplicate check, the audit trail and the views
  cost on top of the bare writes.

    python bench/append.py [--clients N] [--notes N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from base64 import b64encode
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.vocabulary import Section
from keys import KdfParams
from violeta.dto import NewClient, NewIntake
from violeta.service import Institute
from violeta.settings import Settings

BIRTH_DATE = "15/03/1990"
ZONE = "110110001"
REASON = "Motivo sintético de atención"
NARRATIVE = "Relato sintético de la entrevista inicial. " * 4
VIOLENCE_TYPES = ("psicologica", "fisica")
MODALITIES = ("familiar",)
RISK = "medio"
NOTE = "Nota sintética de seguimiento."


def synthetic_name(number: int) -> str:
    return f"Usuaria Sintética {_letters(number + 702)}"


def synthetic_phone(number: int) -> str:
    return f"461{number:07d}"


class VioletaWorkload:
    """Staff work through the application service, one client at a time."""

    def __init__(self, directory: Path, notes: int) -> None:
        institute = Institute(
            Settings(data=directory), kdf=KdfParams.fast(), today=lambda: date(2026, 11, 20)
        )
        self.session, _recovery = institute.initialize(
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
                    name=synthetic_name(self.clients),
                    birth_date=BIRTH_DATE,
                    zone=ZONE,
                    phone=synthetic_phone(self.clients),
                )
            )
            case = self.session.open_case(
                client_id,
                NewIntake(
                    reason=REASON,
                    narrative=NARRATIVE,
                    violence_types=VIOLENCE_TYPES,
                    modalities=MODALITIES,
                    risk=RISK,
                ),
            )
            for _ in range(self.notes):
                self.session.add_note(case.case_id, Section.FOLLOW_UPS, NOTE)
            # Staff look at what they recorded: an audited read that catches the views up.
            self.session.client_detail(client_id)


class PlainClient(Aggregate):
    @event("Registered")
    def __init__(self, name: str, birth_date: str, phone: str, zone: str) -> None:
        self.name = name
        self.birth_date = birth_date
        self.phone = phone
        self.zone = zone


class PlainFolio(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.last_number = 0

    def issue(self) -> str:
        self._issue(self.last_number + 1)
        return f"CTZ-2026-{self.last_number:05d}"

    @event("Issued")
    def _issue(self, number: int) -> None:
        self.last_number = number


class PlainCase(Aggregate):
    @event("Opened")
    def __init__(
        self,
        client_id: UUID,
        folio: str,
        reason: str,
        narrative: str,
        violence_types: list[str],
        modalities: list[str],
        risk: str,
    ) -> None:
        self.client_id = client_id
        self.folio = folio
        self.reason = reason
        self.narrative = narrative
        self.violence_types = violence_types
        self.modalities = modalities
        self.risk = risk
        self.notes: list[str] = []

    @event("NoteAdded")
    def add_note(self, section: str, text: str) -> None:
        self.notes.append(text)


class PlainAccess(Aggregate):
    @event("Recorded")
    def __init__(self, action: str, section: str, client_ids: list[UUID], purpose: str) -> None:
        self.action = action
        self.section = section
        self.client_ids = client_ids
        self.purpose = purpose


class SameWritesWorkload:
    """Violeta's writes, with the same plaintext, through plain eventsourcing."""

    def __init__(self, directory: Path, notes: int) -> None:
        self.application = plain_application(directory)
        self.notes = notes
        self.clients = 0
        self.folio = PlainFolio()
        self.application.save(self.folio)

    @property
    def stored_events(self) -> int:
        return self.application.recorder.max_notification_id() or 0

    def run(self, clients: int) -> None:
        for _ in range(clients):
            self.clients += 1
            client = PlainClient(
                synthetic_name(self.clients), BIRTH_DATE, synthetic_phone(self.clients), ZONE
            )
            self.application.save(client)
            case = PlainCase(
                client.id,
                self.folio.issue(),
                REASON,
                NARRATIVE,
                list(VIOLENCE_TYPES),
                list(MODALITIES),
                RISK,
            )
            self.application.save(self.folio, case)
            for _ in range(self.notes):
                case.add_note(Section.FOLLOW_UPS.value, NOTE)
                self.application.save(case)
            self.application.save(
                PlainAccess("ver", "identificacion", [client.id], "ver identificación")
            )


class PlainRecord(Aggregate):
    @event("Created")
    def __init__(self, name: str, narrative: str) -> None:
        self.name = name
        self.narrative = narrative
        self.notes: list[str] = []

    @event("NoteAdded")
    def add_note(self, text: str) -> None:
        self.notes.append(text)


class SameCountWorkload:
    """As many events as Violeta stored, one save each: a record and three notes, repeated."""

    def __init__(self, directory: Path) -> None:
        self.application = plain_application(directory)

    @property
    def stored_events(self) -> int:
        return self.application.recorder.max_notification_id() or 0

    def run_events(self, events: int) -> None:
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


def plain_application(directory: Path) -> Application[UUID]:
    return Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / "plain.sqlite"),
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": b64encode(os.urandom(32)).decode(),
        }
    )


def _letters(number: int) -> str:
    word = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        word = chr(ord("a") + remainder) + word
    return word.capitalize()


class Workload(Protocol):
    @property
    def stored_events(self) -> int: ...


class Timed:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.events = 0

    def rate(self) -> float:
        return self.events / self.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--notes", type=int, default=2)
    parser.add_argument(
        "--chunk", type=int, default=10, help="clients per turn; the workloads alternate"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=200,
        help="clients written by every workload before timing starts (new SQLite write-ahead "
        "logs grow their files at first, which costs the plain workloads more)",
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as violeta_dir,
        tempfile.TemporaryDirectory() as count_dir,
        tempfile.TemporaryDirectory() as writes_dir,
    ):
        violeta = VioletaWorkload(Path(violeta_dir), args.notes)
        same_count = SameCountWorkload(Path(count_dir))
        same_writes = SameWritesWorkload(Path(writes_dir), args.notes)
        warmup = {name: Timed() for name in ("violeta", "count", "writes")}
        timed = {name: Timed() for name in ("violeta", "count", "writes")}
        # Short alternating turns: the workloads meet the same disk and the same load on the
        # machine, so the ratios hold even where the absolute rates wander.
        while violeta.clients < args.warmup + args.clients:
            timed_now = timed if violeta.clients >= args.warmup else warmup
            turn = min(args.chunk, args.warmup + args.clients - violeta.clients)
            turn_events = _timed(timed_now["violeta"], violeta, violeta.run, turn)
            _timed(timed_now["count"], same_count, same_count.run_events, turn_events)
            _timed(timed_now["writes"], same_writes, same_writes.run, turn)
        violeta.session.close()
    violeta_rate = timed["violeta"].rate()
    print(
        f"append: {args.clients} usuarias medidas tras {args.warmup} de calentamiento, "
        f"turnos de {args.chunk}"
    )
    print(f"  violeta (servicio: sellado, accesos, vistas): {violeta_rate:8.1f} eventos/s")
    for name, label in (
        ("count", "mismo número de eventos (meta: ratio >= 0.5)"),
        ("writes", "mismas escrituras con los mismos datos"),
    ):
        rate = timed[name].rate()
        print(f"  eventsourcing + AESCipher, {label}: {rate:8.1f} eventos/s")
        print(f"    ratio: {violeta_rate / rate:.2f}")


def _timed(timed: Timed, workload: Workload, run: Callable[[int], None], amount: int) -> int:
    before = workload.stored_events
    started = time.perf_counter()
    run(amount)
    timed.seconds += time.perf_counter() - started
    stored = workload.stored_events - before
    timed.events += stored
    return stored


if __name__ == "__main__":
    main()
