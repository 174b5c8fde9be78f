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

Both sides commit durably (SQLite ``synchronous=FULL`` on Violeta's event store and the
library's default, also FULL, on the baselines'; the views, derived data, commit with NORMAL
and are checkpointed inside Violeta's own turn, see ``VioletaWorkload.settle``). Violeta's
six events per woman take five commits (her case and its folio number are one), the
*same number of events* baseline six: where a commit waits long for the disk that favours
Violeta, which is why *same writes* is printed too. Every rate is also given per second of
this process's CPU, and the CPU Violeta spends per woman is broken down by step: on a disk
whose commits cost nothing (``--folder /dev/shm``) the ratio falls to the CPU ratio.

    python bench/append.py [--clients N] [--notes N] [--backend auto|sqlite|postgres]
                           [--folder DIR]

On PostgreSQL (``VIOLETA_TEST_POSTGRES``) Violeta and both baselines each get a schema of
their own on the same server, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from base64 import b64encode
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Protocol
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import POSTGRES_ENV, backends, storage
from domain.vocabulary import Section
from keys import KdfParams
from projections.storage import SQLiteViewStore
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


STEPS = (
    "registro",
    "expediente y folio",
    "notas",
    "lectura (vistas, acceso)",
    "copia del registro de las vistas",
)


class VioletaWorkload:
    """Staff work through the application service, one client at a time."""

    def __init__(self, settings: Settings, notes: int) -> None:
        institute = Institute(settings, kdf=KdfParams.fast(), today=lambda: date(2026, 11, 20))
        self.session, _recovery = institute.initialize(
            "coordinacion", "Carmen Coordinación Banco", "contraseña-banco-1"
        )
        self.notes = notes
        self.clients = 0
        views = self.session._views
        self._views = views if isinstance(views, SQLiteViewStore) else None
        # CPU seconds of this process per step (the breakdown ``measure`` prints).
        self.steps: dict[str, float] = dict.fromkeys(STEPS, 0.0)

    @property
    def stored_events(self) -> int:
        return self.session._store.recorder.max_notification_id() or 0

    def settle(self) -> None:
        """Copies the views' write-ahead log into their file now, as the session's own
        checkpointer does 50 ms after a write: in its thread that copy (and its fsyncs)
        would land in the next workload's turn and be counted against the baseline."""
        if self._views is None:
            return
        with self._views.checkpointer.running:
            connection = sqlite3.connect(self._views.path, isolation_level=None)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                connection.close()

    def run(self, clients: int) -> None:
        step = self.steps
        clock = time.process_time
        for _ in range(clients):
            self.clients += 1
            started = clock()
            client_id = self.session.register_client(
                NewClient(
                    name=synthetic_name(self.clients),
                    birth_date=BIRTH_DATE,
                    zone=ZONE,
                    phone=synthetic_phone(self.clients),
                )
            )
            registered = clock()
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
            opened = clock()
            for _ in range(self.notes):
                self.session.add_note(case.case_id, Section.FOLLOW_UPS, NOTE)
            noted = clock()
            # Staff look at what they recorded: an audited read that catches the views up.
            self.session.client_detail(client_id)
            read = clock()
            step["registro"] += registered - started
            step["expediente y folio"] += opened - registered
            step["notas"] += noted - opened
            step["lectura (vistas, acceso)"] += read - noted
        started = clock()
        self.settle()
        step["copia del registro de las vistas"] += clock() - started


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

    def __init__(self, env: dict[str, str], notes: int) -> None:
        self.application = plain_application(env)
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

    def __init__(self, env: dict[str, str]) -> None:
        self.application = plain_application(env)

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


def plain_application(env: dict[str, str]) -> Application[UUID]:
    return Application(
        env={
            **env,
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": b64encode(os.urandom(32)).decode(),
        }
    )


@contextmanager
def plain_persistence(backend: str, directory: Path) -> Iterator[dict[str, str]]:
    """The library's own persistence settings: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / "plain.sqlite"),
        }
        return
    conninfo = os.environ[POSTGRES_ENV]
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    schema = f"bench_plain_{os.urandom(5).hex()}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": str(params["dbname"]),
            "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(params.get("port", "5432")),
            "POSTGRES_USER": str(params["user"]),
            "POSTGRES_PASSWORD": str(params.get("password", "")),
            "POSTGRES_SCHEMA": schema,
            "CREATE_TABLE": "y",
        }
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


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
        self.cpu_seconds = 0.0
        self.events = 0
        self.turn_rates: list[float] = []  # events per second of each turn

    def rate(self) -> float:
        return self.events / self.seconds

    def cpu_rate(self) -> float:
        return self.events / self.cpu_seconds


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
    parser.add_argument("--backend", default="auto", choices=("auto", "sqlite", "postgres"))
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="where the SQLite files go (default: the system's temporary folder); a tmpfs such "
        "as /dev/shm makes every fsync free, the quietest disk there is",
    )
    args = parser.parse_args()
    for backend in backends(args.backend):
        measure(backend, args.clients, args.notes, args.chunk, args.warmup, args.folder)


def measure(
    backend: str,
    clients: int,
    notes: int,
    chunk: int,
    warmup_clients: int,
    parent: Path | None = None,
) -> None:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=parent)))
        violeta = VioletaWorkload(stack.enter_context(violeta_settings(backend, folder)), notes)
        stack.callback(violeta.session.close)
        (folder / "count").mkdir()
        (folder / "writes").mkdir()
        same_count = SameCountWorkload(
            stack.enter_context(plain_persistence(backend, folder / "count"))
        )
        same_writes = SameWritesWorkload(
            stack.enter_context(plain_persistence(backend, folder / "writes")), notes
        )
        warmup = {name: Timed() for name in ("violeta", "count", "writes")}
        timed = {name: Timed() for name in ("violeta", "count", "writes")}
        # Short alternating turns: the workloads meet the same disk and the same load on the
        # machine, so the ratios hold even where the absolute rates wander.
        while violeta.clients < warmup_clients + clients:
            timed_now = timed if violeta.clients >= warmup_clients else warmup
            if timed_now is timed and not timed["violeta"].events:
                violeta.steps = dict.fromkeys(STEPS, 0.0)  # the breakdown of timed turns only
            turn = min(chunk, warmup_clients + clients - violeta.clients)
            turn_events = _timed(timed_now["violeta"], violeta, violeta.run, turn)
            _timed(timed_now["count"], same_count, same_count.run_events, turn_events)
            _timed(timed_now["writes"], same_writes, same_writes.run, turn)
    violeta_rate = timed["violeta"].rate()
    violeta_cpu = timed["violeta"].cpu_rate()
    print(
        f"append ({backend}): {clients} usuarias medidas tras {warmup_clients} de "
        f"calentamiento, turnos de {chunk}"
    )
    print(
        f"  violeta (servicio: sellado, accesos, vistas): {violeta_rate:8.1f} eventos/s "
        f"({violeta_cpu:.1f} por segundo de CPU del proceso)"
    )
    for name, label in (
        ("count", "mismo número de eventos (meta: ratio >= 0.6)"),
        ("writes", "mismas escrituras con los mismos datos"),
    ):
        rate = timed[name].rate()
        cpu = timed[name].cpu_rate()
        print(
            f"  eventsourcing + AESCipher, {label}: {rate:8.1f} eventos/s "
            f"({cpu:.1f} por segundo de CPU)"
        )
        # Turn by turn against the turn just before it: a burst of another process's disk
        # writes that hits one side's turn moves one ratio of many, not the median.
        turns = statistics.median(
            mine / theirs
            for mine, theirs in zip(
                timed["violeta"].turn_rates, timed[name].turn_rates, strict=True
            )
        )
        print(
            f"    ratio: {violeta_rate / rate:.2f} (en CPU: {violeta_cpu / cpu:.2f}; "
            f"mediana de los turnos: {turns:.2f})"
        )
    # Where Violeta's CPU goes, per woman, beside what the bare writes of her events cost.
    per_client = timed["violeta"].events / clients
    print(
        f"  CPU por usuaria ({per_client:.0f} eventos), en ms: "
        + ", ".join(
            f"{step} {seconds / clients * 1000:.2f}" for step, seconds in violeta.steps.items()
        )
        + f"; eventsourcing + AESCipher por los mismos eventos: "
        f"{per_client / timed['count'].cpu_rate() * 1000:.2f}"
    )


@contextmanager
def violeta_settings(backend: str, folder: Path) -> Iterator[Settings]:
    if backend == "sqlite":
        # Durable commits, as the library's SQLite baseline makes them.
        yield Settings(data=folder)
        return
    with storage(backend, folder) as settings:
        yield settings


def _timed(timed: Timed, workload: Workload, run: Callable[[int], None], amount: int) -> int:
    before = workload.stored_events
    started = time.perf_counter()
    cpu_started = time.process_time()
    run(amount)
    timed.cpu_seconds += time.process_time() - cpu_started
    seconds = time.perf_counter() - started
    timed.seconds += seconds
    stored = workload.stored_events - before
    timed.events += stored
    timed.turn_rates.append(stored / seconds)
    return stored


if __name__ == "__main__":
    main()
