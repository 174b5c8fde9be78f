"""The terminal app: cold start to the login screen, and a case opened from search (Pilot).

Builds the demo institute (``--cases``, 30,000 for the issue's figure), then measures with
Textual's Pilot, as a person would drive it:

- cold start: a new Python process imports the app, opens the institute and shows the login
  screen composed; baseline: a new process showing an empty Textual app (same run);
- open a case from search: logged in as coordinación, the folio typed and Enter until her
  record is listed, Enter on her, Enter on the case until the case screen has loaded (the
  median of ``--repeat`` women); baseline: the same service calls without the app.

  Each Enter reaches the app as a terminal sends it (a key event posted to the app) and the
  clock stops when the widgets hold what was asked, polled every millisecond. That is
  before the screen has drawn it: the drawing of one step fell into the next step's window,
  and that of the last step into none. So the same way is measured again (on other women of
  the same run) with each step ending once the screen has drawn it too (Textual's
  ``wait_for_refresh``: the next layout and repaint done). Both look every millisecond with
  ``pilot.pause``, which on the app's own thread makes every widget of the screen answer a
  message and draws the screen at once: work of the bench inside the measured window, and
  drawing sooner than the app's frame timer would. So the drawn way is measured a third
  time with looks that only sleep (the app drawing when its timer says, as in a terminal).
  Pilot's own ``press`` then waits for the process to go idle: it sleeps in 20 ms slices until one
  passes with less than 1 ms of CPU, twice per key, so it adds at least 40 ms per key that
  are not the app's. The same way measured with ``pilot.press`` (as this bench did until
  wave 4) is printed too, on other women of the same run.

    python bench/tui.py [--cases 1500] [--repeat 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, peak_rss_mb, print_rows
from violeta.settings import TIME_ZONE

SIZE = (130, 40)

COLD_APP = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from tui.app import VioletaApp
from tui.login import LoginScreen
from violeta.service import Institute
from violeta.settings import Settings
import asyncio

async def main():
    app = VioletaApp(Institute(Settings(data=Path(sys.argv[1]))))
    async with app.run_test(size=(130, 40)) as pilot:
        while not (isinstance(app.screen, LoginScreen) and app.screen.query("#usuario")):
            await pilot.pause(0.001)
        print(time.perf_counter() - started)

asyncio.run(main())
"""

COLD_EMPTY = """
import time
started = time.perf_counter()
import asyncio
from textual.app import App
from textual.widgets import Input

class Empty(App[None]):
    def compose(self):
        yield Input(id="usuario")

async def main():
    app = Empty()
    async with app.run_test(size=(130, 40)) as pilot:
        while not app.screen.query("#usuario"):
            await pilot.pause(0.001)
        print(time.perf_counter() - started)

asyncio.run(main())
"""


def cold(script: str, data: Path) -> float:
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(  # noqa: S603 - this interpreter and our own script
        [sys.executable, "-c", script, str(data)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1]) * 1000


async def wait(pilot: object, condition: Callable[[], bool], quiet: bool = False) -> None:
    """Until ``condition`` holds, looked at every millisecond. ``pilot.pause`` (the way this
    bench looked until wave 5) also makes every widget of the screen answer a message and
    draws the screen at once, on the app's own thread, at each look; ``quiet`` only sleeps,
    and the app draws when its own frame timer says (as in a terminal)."""
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("la pantalla no llegó a tiempo")
        if quiet:
            await asyncio.sleep(0.001)
        else:
            await pilot.pause(0.001)  # type: ignore[attr-defined]


def idle(app: object) -> bool:
    from textual.worker import WorkerState

    return not any(
        worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for worker in app.workers  # type: ignore[attr-defined]
    )


def loaded(screen: object) -> bool:
    """The case screen shows her case (its header is no longer the loading line)."""
    from textual.widgets import Static

    headers = screen.query("#case-header").results(Static)  # type: ignore[attr-defined]
    # A screen is current before it is composed: no header yet is not loaded either.
    return any("Cargando" not in str(header.render()) for header in headers)


async def enter(pilot: Any, direct: bool) -> None:
    """Enter as a terminal sends it (``direct``), or through ``pilot.press``."""
    from textual import events

    if direct:
        key = events.Key("enter", "\r")
        key.set_sender(pilot.app)
        pilot.app.post_message(key)
    else:
        await pilot.press("enter")


async def shown(pilot: Any, painted: bool) -> float:
    """Now, or (``painted``) once the screen has drawn what it holds: Textual's
    ``wait_for_refresh`` returns after the screen's next layout and repaint are done."""
    if painted:
        await pilot.app.screen.wait_for_refresh()
    return time.perf_counter()


async def open_one(
    pilot: Any, folio: str, direct: bool, painted: bool = False, quiet: bool = False
) -> list[float]:
    """One woman from Mi día: the whole way and its steps, in ms; back to Mi día after.

    Without ``painted`` each step ends when the widgets hold what was asked (as this bench
    measured until wave 5); with it, when the screen has also drawn it. ``quiet``: see
    ``wait``."""
    from textual.widgets import DataTable

    from tui.case import CaseScreen
    from tui.client import ClientScreen
    from tui.dashboard import DashboardScreen
    from tui.search import SearchScreen

    app = pilot.app
    await pilot.press("ctrl+f")
    await wait(pilot, lambda: isinstance(app.screen, SearchScreen))
    screen = app.screen
    # Typed already (typing speed is hers, not the app's): the clock starts at Enter.
    screen.query_one("#consulta").value = folio
    screen.query_one("#consulta").focus()
    await pilot.pause()
    started = time.perf_counter()
    await enter(pilot, direct)
    # Listed, and the list has the cursor: the next Enter opens her.
    table = screen.query_one("#usuarias", DataTable)
    await wait(pilot, lambda: table.row_count == 1 and table.has_focus, quiet)
    found = await shown(pilot, painted)
    await enter(pilot, direct)
    # A screen is current before it is composed.
    await wait(
        pilot,
        lambda: isinstance(app.screen, ClientScreen) and bool(app.screen.query("#expedientes")),
        quiet,
    )
    cases = app.screen.query_one("#expedientes", DataTable)
    await wait(pilot, lambda: cases.row_count >= 1 and cases.has_focus, quiet)
    record = await shown(pilot, painted)
    await enter(pilot, direct)
    await wait(pilot, lambda: isinstance(app.screen, CaseScreen) and loaded(app.screen), quiet)
    done = await shown(pilot, painted)
    app.pop_screen()  # back to her record
    app.pop_screen()  # back to search
    app.pop_screen()  # back to Mi día
    await wait(pilot, lambda: isinstance(app.screen, DashboardScreen) and idle(app))
    steps = (done - started, found - started, record - found, done - record)
    return [step * 1000 for step in steps]


MODES = ("posted", "painted", "quiet", "pilot")


async def open_from_search(
    data: Path, folios: dict[str, list[str]]
) -> dict[str, list[list[float]]]:
    """Per woman: the whole way, then its steps (results listed, her record, the case), per
    mode, the modes taking turns in the same app: ``posted`` keys posted as a terminal sends
    them, the clock stopped when the widgets hold what was asked; ``painted`` the same, stopped
    once the screen has drawn it too; ``pilot`` keys through ``pilot.press``."""
    from tui.app import VioletaApp
    from tui.dashboard import DashboardScreen
    from violeta.demo import COORDINATOR, DEMO_PASSWORD
    from violeta.service import Institute
    from violeta.settings import Settings

    institute = Institute(Settings(data=data))
    app = VioletaApp(institute)
    timings: dict[str, list[list[float]]] = {mode: [] for mode in MODES}
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.focused is not None)
        await pilot.press(*COORDINATOR[0], "enter", *DEMO_PASSWORD, "enter")
        await wait(pilot, lambda: isinstance(app.screen, DashboardScreen) and idle(app))
        for turn in zip(*(folios[mode] for mode in MODES), strict=True):
            for mode, folio in zip(MODES, turn, strict=True):
                timings[mode].append(
                    await open_one(
                        pilot,
                        folio,
                        direct=mode != "pilot",
                        painted=mode in ("painted", "quiet"),
                        quiet=mode == "quiet",
                    )
                )
        if app.gateway is not None:
            app.gateway.close()
    institute.close()
    return timings


def child(data: Path, folios: list[str]) -> None:
    """The app alone in this process: its timings and its own peak memory, as JSON. The
    folios are shared out among the modes in equal parts, in the order of ``MODES``."""
    part = len(folios) // len(MODES)
    shares = {mode: folios[n * part : (n + 1) * part] for n, mode in enumerate(MODES)}
    timings = asyncio.run(open_from_search(data, shares))
    print(json.dumps({"timings": timings, "rss": peak_rss_mb()}))


def in_child(data: Path, folios: list[str]) -> tuple[dict[str, list[list[float]]], float]:
    result = subprocess.run(  # noqa: S603 - this interpreter and our own script
        [sys.executable, __file__, "--child", str(data), *folios],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["timings"], answer["rss"]


def service_only(data: Path, folios: list[str]) -> list[float]:
    from domain.vocabulary import Section
    from violeta.demo import COORDINATOR, DEMO_PASSWORD
    from violeta.service import Institute
    from violeta.settings import Settings

    institute = Institute(Settings(data=data))
    session = institute.login(COORDINATOR[0], DEMO_PASSWORD)
    timings = []
    for folio in folios:
        started = time.perf_counter()
        [client] = session.search_clients(folio)
        detail = session.client_detail(client.client_id)
        session.case_detail(detail.cases[0].case_id, Section.INTAKE)
        timings.append((time.perf_counter() - started) * 1000)
    session.close()
    institute.close()
    return timings


def measure(cases: int, repeat: int, keep: Path | None) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        data = keep or Path(folder) / "demo"
        if not (data / "eventos.sqlite").exists():
            # Built by the demo command in its own process: its memory is not the app's.
            subprocess.run(  # noqa: S603 - this interpreter and our own command
                [
                    sys.executable,
                    "-m",
                    "violeta",
                    "demo",
                    "--no-tui",
                    "--cases",
                    str(cases),
                    "--data",
                    str(data),
                ],
                cwd=Path(__file__).resolve().parent.parent,
                capture_output=True,
                timeout=7200,
                check=True,
            )
        year = datetime.now(ZoneInfo(TIME_ZONE)).year  # the demo's story ends today
        per_year = max(1, cases // 4)
        # As many women for each way of measuring (``MODES``).
        folios = [
            f"CTZ-{year - n % 3}-{1 + (n * 37) % per_year:05d}" for n in range(len(MODES) * repeat)
        ]
        cold_app = statistics.median(cold(COLD_APP, data) for _ in range(3))
        cold_empty = statistics.median(cold(COLD_EMPTY, data) for _ in range(3))
        baseline = statistics.median(service_only(data, folios))
        timings, app_rss = in_child(data, folios)
        opened, *steps = (
            statistics.median(column) for column in zip(*timings["posted"], strict=True)
        )
        painted, *painted_steps = (
            statistics.median(column) for column in zip(*timings["painted"], strict=True)
        )
        with_pilot = statistics.median(row[0] for row in timings["pilot"])
        quiet = statistics.median(row[0] for row in timings["quiet"])
    name = f"tui {cases}"
    return [
        Row(
            name,
            "sqlite",
            "arranque en frío hasta el acceso",
            cold_app,
            "ms",
            cold_empty,
            "(app Textual vacía)",
            "—",
        ),
        Row(
            name,
            "sqlite",
            "abrir expediente desde búsqueda (mediana)",
            opened,
            "ms",
            baseline,
            "(solo servicio)",
            "≤ 150 ms",
        ),
        *(
            Row(name, "sqlite", f"  paso: {what} (mediana)", figure, "ms")
            for what, figure in zip(
                ("resultados listados", "su ficha", "el expediente"), steps, strict=True
            )
        ),
        Row(
            name,
            "sqlite",
            "  el mismo camino hasta que la pantalla lo dibuja (mediana)",
            painted,
            "ms",
            opened,
            "(datos en los widgets)",
            "≤ 150 ms",
        ),
        *(
            Row(name, "sqlite", f"    paso dibujado: {what} (mediana)", figure, "ms")
            for what, figure in zip(
                ("resultados listados", "su ficha", "el expediente"), painted_steps, strict=True
            )
        ),
        Row(
            name,
            "sqlite",
            "  dibujado, sin que el banco haga trabajar a la app al mirar (mediana)",
            quiet,
            "ms",
            painted,
            "(dibujado, mirando con pilot.pause)",
            "—",
        ),
        Row(
            name,
            "sqlite",
            "  el mismo camino con pilot.press (mediana)",
            with_pilot,
            "ms",
            opened,
            "(teclas enviadas)",
            "—",
        ),
        Row(
            name,
            "sqlite",
            "memoria máxima de la app (RSS)",
            app_rss,
            "MB",
            200,
            "(meta)",
            "< 200 MB",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1:])
        return
    print_rows(measure(args.cases, args.repeat, args.keep))


if __name__ == "__main__":
    main()
