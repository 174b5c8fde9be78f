"""Interactive work at two sizes of institute: nothing may grow with the archive.

Builds (or copies, with ``--small``/``--large``) two demo institutes, of 1,000 and 30,000
cases by default, and times on each, turn by turn so both meet the same load on the machine:
opening a case with two terminals alternating, Mi día for every role, a search by a common
name, opening a case section, the statistics query and approving an erasure. Each figure is
the large institute's p50 and p95; the baseline is the small one's, from the same run.

    python bench/queries.py [--small-cases 1000] [--large-cases 30000]
                            [--small DEMO_FOLDER] [--large DEMO_FOLDER] [--rounds 30]
                            [--backend auto|sqlite|postgres]
                            [--postgres-small-cases 200] [--postgres-large-cases 2000]
                            [--postgres-keep FOLDER]

With ``VIOLETA_TEST_POSTGRES`` set (``--backend auto``) the same runs on PostgreSQL too,
beside SQLite: both institutes are built on the server, each in its own schema, dropped
afterwards (smaller by default: building there costs about seven times as much per case).
The CPU rows there leave out the server's work. ``--postgres-keep FOLDER`` keeps both
(their key stores in ``FOLDER/small`` and ``FOLDER/large``, the schemas named in each) and
reuses them on the next run with the same folder: each run adds its own cases and erases
``rounds + 2`` women of each, so the 200-case one (about 150 women) lasts five or six runs
of 20 rounds; then delete the folder (and its schemas) and build again.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, backends, print_rows, storage
from bench.scale import TODAY
from domain.vocabulary import Role, Section
from violeta.demo import COORDINATOR, DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo
from violeta.dto import NewIntake
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

COMMON_NAME = "María"
INTAKE = NewIntake(
    reason="Motivo sintético de la prueba de carga",
    narrative="Relato sintético de la prueba de carga.",
    violence_types=("psicologica",),
    modalities=("familiar",),
    risk="bajo",
)
ERASURE = "aprobar una cancelación"
TARGETS = {"buscar por un nombre común": 20.0}


class Bench:
    """One institute and its staff logged in, as on a working day."""

    def __init__(self, folder: Path, cases: int, settings: Settings | None = None) -> None:
        self.folder = folder
        if settings is None:
            settings = Settings(data=folder, sqlite_synchronous="NORMAL")
        self.backend = settings.backend
        # The day the story ends (bench/scale.py's too): a copied institute must be one
        # built by the benchmarks, so that both sizes are looked at on the same day.
        self.institute = Institute(settings, today=lambda: TODAY)
        if not self.institute.is_initialized():
            build_demo(self.institute, cases=cases, seed=2026, today=TODAY)
        self.staff: dict[Role, StaffSession] = {
            role: self.institute.login(username, DEMO_PASSWORD)
            for username, _, role in DEMO_ACCOUNTS
        }
        self.coordinator = self.institute.login(COORDINATOR[0], DEMO_PASSWORD)
        self.other_terminal = self.institute.login(COORDINATOR[0], DEMO_PASSWORD)
        self.staff[Role.COORDINATION] = self.coordinator
        # Not those whose erasure the demo's story left pending: an erasure is asked for here.
        rows = self.coordinator._views.query(
            "SELECT client_id FROM clients_view WHERE erased = 0 "
            "AND erasure_requested_by IS NULL ORDER BY client_id"
        )
        self.clients = [UUID(row["client_id"]) for row in rows]
        rows = self.coordinator._views.query("SELECT case_id FROM cases_view ORDER BY case_id")
        self.cases = [UUID(row["case_id"]) for row in rows]
        self.rng = random.Random(7)
        self.turn = 0

    def operations(self) -> dict[str, Callable[[], object]]:
        ops: dict[str, Callable[[], object]] = {
            "abrir expediente, dos terminales alternando": self.open_case,
            "buscar por un nombre común": lambda: self.coordinator.search_clients(COMMON_NAME),
            "abrir una sección del expediente": lambda: self.staff[Role.LEGAL].case_detail(
                self.rng.choice(self.cases), Section.INTAKE
            ),
            "consulta estadística": self.coordinator.case_counts,
        }
        for role, session in self.staff.items():
            ops[f"mi día: {role.label}"] = lambda s=session: screen_load(s)
        return ops

    def open_case(self) -> object:
        self.turn += 1
        session = self.coordinator if self.turn % 2 else self.other_terminal
        return session.open_case(self.rng.choice(self.clients), INTAKE)

    def prepare_erasure(self) -> UUID:
        client_id = self.clients.pop(self.rng.randrange(len(self.clients)))
        self.staff[Role.SOCIAL_WORK].request_erasure(client_id)
        return client_id

    def close(self) -> None:
        for session in {*self.staff.values(), self.other_terminal}:
            session.close()
        self.institute.close()


def screen_load(session: StaffSession) -> object:
    """What the terminal app's Mi día asks when it opens (tui/dashboard.py): ``my_day``, or,
    on a tree from before it existed (this file copied there to compare), the calls the
    screen made then, one per list."""
    if hasattr(StaffSession, "my_day"):
        return session.my_day()
    lists: list[object] = [session.dashboard()]
    for name in (
        "orders_expiring",
        "pending_age_authorizations",
        "open_misconduct_reports",
        "alerts",
        "my_drafts",
        "psychology_sessions_due",
    ):
        allowed = session.may(name) and (
            name != "pending_age_authorizations" or session.may("authorize_age_exception")
        )
        if allowed:
            lists.append(getattr(session, name)())
    return lists


def _timed(operation: Callable[[], object]) -> tuple[float, float]:
    """Wall milliseconds, and the CPU milliseconds of this thread (where every statement of
    SQLite runs): on a machine shared with others the wall time wanders with their load,
    the CPU time much less, so both are printed."""
    started, cpu = time.perf_counter(), time.thread_time()
    operation()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000


# What an approval writes durably, done bare (``disk_floor``): for the key store and for the
# views, the log's new header flushed, her deletion's frame, the log flushed before it is
# copied, the page written into the file and the file flushed, the log truncated. The event
# store commits without a flush here (``sqlite_synchronous="NORMAL"``, as in the benchmark's
# settings); in full mode it adds its own.
FLOOR_STORES = ("llaves", "vistas")
PAGE = 4096


def disk_floor(folder: Path) -> float:
    """Milliseconds of the disk flushes an approval cannot do without, on scratch files in
    the institute's own folder (the same disk): six flushes and two truncations."""
    started = time.perf_counter()
    for name in FLOOR_STORES:
        log, data = folder / f"piso-{name}.wal", folder / f"piso-{name}.db"
        log_fd = os.open(log, os.O_RDWR | os.O_CREAT, 0o600)
        data_fd = os.open(data, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.pwrite(log_fd, b"\0" * 32, 0)
            os.fdatasync(log_fd)
            os.pwrite(log_fd, b"\1" * PAGE, 32)
            os.fdatasync(log_fd)
            os.pwrite(data_fd, b"\2" * PAGE, 0)
            os.fdatasync(data_fd)
            os.ftruncate(log_fd, 0)
        finally:
            os.close(log_fd)
            os.close(data_fd)
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(
    small: Bench, large: Bench, rounds: int, size: tuple[int, int]
) -> tuple[list[Row], list[Row]]:
    timings: dict[str, dict[str, list[float]]] = {"small": {}, "large": {}}
    cpu: dict[str, dict[str, list[float]]] = {"small": {}, "large": {}}
    floor: list[float] = []
    names = [*small.operations(), ERASURE]
    for round_number in range(rounds + 2):  # the first two rounds warm up and are not kept
        for name in names:
            for label, bench in (("small", small), ("large", large)):
                if name == ERASURE:  # its request, by another person, is not timed
                    client_id = bench.prepare_erasure()
                    bench.coordinator.refresh()
                    spent = _timed(lambda b=bench, c=client_id: b.coordinator.approve_erasure(c))
                    if label == "large" and round_number >= 2 and bench.backend == "sqlite":
                        floor.append(disk_floor(bench.folder))
                else:
                    spent = _timed(bench.operations()[name])
                if round_number >= 2:
                    timings[label].setdefault(name, []).append(spent[0])
                    cpu[label].setdefault(name, []).append(spent[1])
    rows, cpu_rows = [], []
    for name in names:
        big, base = timings["large"][name], timings["small"][name]
        p95_target = TARGETS.get(name, 15.0)
        what = f"{name} (p50; p95 {_percentile(big, 0.95):.1f} ms)"
        rows.append(
            Row(
                f"queries {size[1]}/{size[0]}",
                large.backend,
                what,
                statistics.median(big),
                "ms",
                statistics.median(base),
                f"(p50 con {size[0]}; p95 {_percentile(base, 0.95):.1f})",
                f"ratio ≤ 1.5; p95 < {p95_target:.0f} ms",
            )
        )
        cpu_rows.append(
            Row(
                f"queries {size[1]}/{size[0]}",
                large.backend,
                f"{name}, CPU del hilo (p50)",
                statistics.median(cpu["large"][name]),
                "ms",
                statistics.median(cpu["small"][name]),
                f"(p50 con {size[0]})",
                "ratio ≤ 1.5",
            )
        )
    if not floor:  # PostgreSQL: the server flushes its own log, out of this process's sight
        return rows, cpu_rows
    rows.append(
        Row(
            f"queries {size[1]}",
            "sqlite",
            f"{ERASURE} frente a sus escrituras al disco desnudas "
            f"(p50; las desnudas: p95 {_percentile(floor, 0.95):.1f} ms)",
            statistics.median(timings["large"][ERASURE]),
            "ms",
            statistics.median(floor),
            "(6 fdatasync + 2 ftruncate, mismo disco)",
            "informativo: el piso del hardware",
        )
    )
    return rows, cpu_rows


def screens(small: Bench, large: Bench, size: tuple[int, int]) -> list[str]:
    """What each role's Mi día lists at each size: its work is bounded by these (a screen),
    and a larger institute fills them where a small one leaves them half empty."""
    lines = []
    for role in small.staff:
        shown = []
        for bench in (small, large):
            board = bench.staff[role].dashboard()
            shown.append(f"{len(board.follow_ups_due)} + {len(board.my_recent_cases)}")
        lines.append(
            f"mi día: {role.label}: seguimientos + expedientes recientes en pantalla: "
            f"{shown[1]} con {size[1]}, {shown[0]} con {size[0]}"
        )
    return lines


def _copy(source: Path | None, into: Path) -> Path:
    target = into / "demo"
    if source is not None:
        shutil.copytree(source, target)
    return target


def _sqlite_run(args: argparse.Namespace) -> tuple[list[Row], list[Row], list[str]]:
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as large_dir:
        small = Bench(_copy(args.small, Path(small_dir)), args.small_cases)
        large = Bench(_copy(args.large, Path(large_dir)), args.large_cases)
        return _run(small, large, args.rounds)


def _postgres_run(args: argparse.Namespace) -> tuple[list[Row], list[Row], list[str]]:
    """Both institutes built on the server, each in a schema of its own that is dropped
    afterwards (bench/common.py ``storage``) unless ``--postgres-keep`` names where to keep
    them: a demo folder cannot be copied there."""
    with ExitStack() as stack:
        folders, schemas = [], []
        for size in ("small", "large"):
            if args.postgres_keep is None:
                folders.append(Path(stack.enter_context(tempfile.TemporaryDirectory())))
                schemas.append("")
            else:
                folders.append(args.postgres_keep / size)
                schemas.append(_kept_schema(folders[-1]))
        small_settings, large_settings = (
            stack.enter_context(storage("postgres", folder, keep_schema=schema))
            for folder, schema in zip(folders, schemas, strict=True)
        )
        small = Bench(folders[0], args.postgres_small_cases, small_settings)
        large = Bench(folders[1], args.postgres_large_cases, large_settings)
        return _run(small, large, args.rounds)


def _kept_schema(folder: Path) -> str:
    """The schema kept beside ``folder`` (its key store), named on its first run."""
    named = folder / "esquema"
    if not named.exists():
        folder.mkdir(parents=True, exist_ok=True)
        named.write_text(f"bench_keep_{uuid.uuid4().hex[:10]}")
    return named.read_text().strip()


def _run(small: Bench, large: Bench, rounds: int) -> tuple[list[Row], list[Row], list[str]]:
    try:
        sizes = (len(small.cases), len(large.cases))
        rows, cpu_rows = measure(small, large, rounds, sizes)
        return rows, cpu_rows, screens(small, large, sizes)
    finally:
        small.close()
        large.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-cases", type=int, default=1000)
    parser.add_argument("--large-cases", type=int, default=30000)
    parser.add_argument("--small", type=Path, help="a demo folder to copy instead of building")
    parser.add_argument("--large", type=Path, help="a demo folder to copy instead of building")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--backend", default="auto", choices=("auto", "sqlite", "postgres"))
    # Built on the server each run (~7 times a SQLite case's cost here): smaller by default.
    parser.add_argument("--postgres-small-cases", type=int, default=200)
    parser.add_argument("--postgres-large-cases", type=int, default=2000)
    parser.add_argument("--postgres-keep", type=Path, help="keep the PostgreSQL institutes here")
    args = parser.parse_args()
    rows: list[Row] = []
    cpu_rows: list[Row] = []
    shown: list[str] = []
    for backend in backends(args.backend):
        run = _sqlite_run if backend == "sqlite" else _postgres_run
        wall, cpu, screen = run(args)
        rows += wall
        cpu_rows += cpu
        shown += [f"{backend}: {line}" for line in screen]
    print_rows(rows)
    print()
    print_rows(cpu_rows)
    print()
    print("\n".join(shown))


if __name__ == "__main__":
    main()
