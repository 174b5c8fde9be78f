"""Building the demo institute at scale: cost per case flat, total time, peak memory.

Builds ``violeta demo``'s synthetic institute in this process, as the command does (through
the application service, with the reads its story implies), and times every case. The cost
per case of the last thousand is compared with that of the first thousand (baseline, same
run): a cost that grows with the archive shows as a ratio above 1.

    python bench/scale.py [--cases 30000] [--years 3] [--backend auto|sqlite|postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, backends, peak_rss_mb, print_rows, storage
from violeta.demo import build_demo
from violeta.service import Institute

TODAY = date(2026, 11, 20)
WINDOW = 1000


def measure(cases: int, years: int, backend: str, keep: Path | None = None) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        data = keep or Path(folder) / "demo"
        with storage(backend, data) as settings:
            institute = Institute(settings)
            stamps: list[float] = []
            started = time.perf_counter()

            def progress(done: int, total: int) -> None:
                stamps.append(time.perf_counter())
                if done % 1000 == 0 or done == total:
                    rate = (stamps[-1] - started) / done * 1000
                    print(f"  {backend}: {done}/{total} expedientes, {rate:.1f} ms c/u", flush=True)

            build_demo(
                institute, cases=cases, seed=2026, today=TODAY, years=years, progress=progress
            )
            total = time.perf_counter() - started
            institute.close()
    window = min(WINDOW, cases // 2)
    first = (stamps[window] - stamps[0]) / window * 1000
    last = (stamps[-1] - stamps[-1 - window]) / window * 1000
    name = f"scale {cases}"
    return [
        Row(
            name,
            backend,
            f"ms por expediente, últimos {window}",
            last,
            "ms",
            first,
            f"(primeros {window})",
            "ratio ≤ 1.2",
        ),
        Row(name, backend, "tiempo total", total, "s", 600, "(meta 10 min)", "< 600 s"),
        Row(name, backend, "memoria máxima (RSS)", peak_rss_mb(), "MB", 300, "(meta)", "< 300 MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=30000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--backend", default="auto", choices=("auto", "sqlite", "postgres"))
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it (SQLite)")
    args = parser.parse_args()
    rows: list[Row] = []
    for backend in backends(args.backend):
        rows += measure(args.cases, args.years, backend, args.keep)
    print_rows(rows)


if __name__ == "__main__":
    main()
