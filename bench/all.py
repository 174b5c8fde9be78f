"""Every benchmark, one table: ``make bench`` (BENCH_CASES sets the large institute's size).

Builds the small (1,000 cases) and the large (30,000) demo institutes once, timing the large
build (bench/scale.py), then rebuilds the views of a copy of each (bench/rebuild.py), times
the interactive work on copies of both (bench/queries.py) and runs bench/append.py. On
PostgreSQL too when ``VIOLETA_TEST_POSTGRES`` is set (scale and rebuild).

    python bench/all.py [--small-cases 1000] [--large-cases 30000] [--rounds 30]
                        [--small DIR] [--large DIR]

``--small``/``--large`` copy institutes kept by ``bench/scale.py --keep`` instead of building
them; the scale rows of a reused size are then the ones its own build printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import queries, rebuild, scale
from bench.common import Row, backends, print_rows

HERE = Path(__file__).resolve().parent


def _append(backend: str) -> list[Row]:
    output = subprocess.run(  # noqa: S603 - our own script, with this interpreter
        [sys.executable, str(HERE / "append.py"), "--backend", backend],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    violeta = float(re.search(r"violeta .*?:\s*([\d.]+) eventos/s", output).group(1))  # type: ignore[union-attr]
    plain = float(re.search(r"mismo número de eventos.*?:\s*([\d.]+) eventos/s", output).group(1))  # type: ignore[union-attr]
    return [
        Row(
            "append",
            backend,
            "servicio",
            violeta,
            "ev/s",
            plain,
            "(eventsourcing + AESCipher, mismos eventos)",
            "ratio ≥ 0.6",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-cases", type=int, default=1000)
    parser.add_argument("--large-cases", type=int, default=30000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--small", type=Path, help="a kept institute to copy instead of building")
    parser.add_argument("--large", type=Path, help="a kept institute to copy instead of building")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        small, large = work / "small", work / "large"
        if args.small:
            shutil.copytree(args.small, small)
        else:
            scale.measure(args.small_cases, 3, "sqlite", small)
        if args.large:
            shutil.copytree(args.large, large)
        else:
            rows += scale.measure(args.large_cases, 3, "sqlite", large)
        for name, source in (("small-rebuild", small), ("large-rebuild", large)):
            shutil.copytree(source, work / name)
            rows += rebuild.measure(0, "sqlite", work / name)
        for backend in backends("auto"):
            if backend == "postgres":
                rows += scale.measure(args.small_cases, 3, backend)
                rows += rebuild.measure(args.small_cases, backend, None)
        small_bench = queries.Bench(queries._copy(small, work / "q-small"), args.small_cases)
        large_bench = queries.Bench(queries._copy(large, work / "q-large"), args.large_cases)
        try:
            sizes = (len(small_bench.cases), len(large_bench.cases))
            wall, cpu = queries.measure(small_bench, large_bench, args.rounds, sizes)
            rows += wall + cpu
        finally:
            small_bench.close()
            large_bench.close()
    for backend in backends("auto"):
        rows += _append(backend)
    print_rows(rows)


if __name__ == "__main__":
    main()
