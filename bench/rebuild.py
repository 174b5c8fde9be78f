"""Rebuilding the views from the event store, against reading and decoding that same store.

Baselines, from the same store in the same run: a raw ``select_notifications`` of every
event, and select + decrypt + decode (the library's mapper), which every rebuild must do at
least once. The rebuild also verifies the audit chain, hashes every event into it and writes
every view; the target is a rebuild at half the rate of select + decrypt + decode or better.

On a machine shared with other work the wall-clock rates wander with the load (both sides, but
not always alike); the same comparison in this process's CPU time is printed beside them. On
PostgreSQL that leaves out the server's own work, so there it flatters the rebuild.

    python bench/rebuild.py [--cases 1000] [--data FOLDER] [--backend auto|sqlite|postgres]
    python bench/rebuild.py --backend postgres --schema NAME --data FOLDER  # kept demo
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, backends, print_rows, storage
from violeta.demo import COORDINATOR, DEMO_PASSWORD, build_demo
from violeta.service import Institute, StaffSession

TODAY = date(2026, 11, 20)
READ_BATCH = 1000


def _read(session: StaffSession, *, decode: bool) -> tuple[int, float, float]:
    recorder = session._store.recorder
    mapper = session._store.mapper
    started, cpu = time.perf_counter(), time.process_time()
    start, count = 1, 0
    while True:
        batch = recorder.select_notifications(start=start, limit=READ_BATCH)
        if decode:
            for notification in batch:
                mapper.to_domain_event(notification)
        count += len(batch)
        if len(batch) < READ_BATCH:
            return count, time.perf_counter() - started, time.process_time() - cpu
        start = batch[-1].id + 1


def measure(cases: int, backend: str, data: Path | None, schema: str = "") -> list[Row]:
    with (
        tempfile.TemporaryDirectory() as folder,
        storage(backend, data or Path(folder) / "demo", keep_schema=schema) as settings,
    ):
        institute = Institute(settings)
        if not institute.is_initialized():
            build_demo(institute, cases=cases, seed=2026, today=TODAY)
        session = institute.login(COORDINATOR[0], DEMO_PASSWORD)
        try:
            raw_events, raw, _ = _read(session, decode=False)
            decoded_events, first, first_cpu = _read(session, decode=True)
            started, cpu = time.perf_counter(), time.process_time()
            rebuilt = session.rebuild_views()
            rebuild, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
            _, second, second_cpu = _read(session, decode=True)
        finally:
            session.close()
            institute.close()
    decode_rate = decoded_events / ((first + second) / 2)
    decode_cpu_rate = decoded_events / ((first_cpu + second_cpu) / 2)
    name = f"rebuild {raw_events} eventos"
    return [
        Row(
            name,
            backend,
            "reconstrucción",
            rebuilt / rebuild,
            "ev/s",
            decode_rate,
            "(select+descifrar+decodificar)",
            "ratio ≥ 0.5",
        ),
        Row(
            name,
            backend,
            "reconstrucción, en CPU de este proceso",
            rebuilt / rebuild_cpu,
            "ev/s",
            decode_cpu_rate,
            "(select+descifrar+decodificar, CPU)",
            "",
        ),
        Row(
            name,
            backend,
            "reconstrucción frente a select",
            rebuilt / rebuild,
            "ev/s",
            raw_events / raw,
            "(select_notifications)",
            "",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument(
        "--data", type=Path, help="an existing demo folder (SQLite; with --schema, its keys)"
    )
    parser.add_argument(
        "--schema",
        default="",
        help="PostgreSQL: this schema is kept (built on the first run, rebuilt on the next)",
    )
    parser.add_argument("--backend", default="auto", choices=("auto", "sqlite", "postgres"))
    args = parser.parse_args()
    rows: list[Row] = []
    for backend in backends(args.backend):
        if backend == "postgres" and args.schema:
            rows += measure(args.cases, backend, args.data, args.schema)
        else:
            rows += measure(args.cases, backend, args.data if backend == "sqlite" else None)
    print_rows(rows)


if __name__ == "__main__":
    main()
