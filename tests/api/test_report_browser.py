"""The report page in a real headless Chromium (Debian's package), over a real uvicorn.

Needs ``apt-get install chromium``. Playwright drives the system browser (no browser download).
The screenshot is kept beside pytest's temporary files, never committed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import publish, write_views

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI necesita Chromium de Debian (apt-get install chromium)", pytrace=False)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium no instalado (apt-get install chromium)"),
]

SERVER = """
import sys
from pathlib import Path
from api.main import serve
from api.settings import ApiSettings
serve(ApiSettings(data=Path(sys.argv[1]), api_limite="10000/minute"), "127.0.0.1", int(sys.argv[2]))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("navegador")
    write_views(data / "vistas.sqlite")
    publish(data / "vistas.sqlite")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(data), str(port)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/v1/salud", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "la API no arrancó"
                assert server.poll() is None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


def test_the_page_renders_with_its_charts_and_working_csv_links(
    base_url: str, browser: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = browser.new_page(locale="es-MX")  # type: ignore[attr-defined]
    response = page.goto(base_url + "/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "es-MX"
    assert "Estadísticas públicas" in page.locator("h1").inner_text()
    images = page.locator("figure img")
    assert images.count() == 5  # four charts and the map of priority zones
    for index in range(images.count()):
        loaded = images.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, images.nth(index).get_attribute("src")
    assert page.locator("table").count() == 5
    assert page.locator("#prioritarias img[src*='zonas_prioritarias_mapa']").count() == 1
    assert "Prioridad" in page.locator("#prioritarias table").inner_text()
    links = page.locator("a[href*='formato=csv']")
    assert links.count() >= 4
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        got = page.request.get(base_url + href)
        assert got.status == 200, href
        assert got.body().startswith("\ufeff".encode())
    shot = tmp_path_factory.getbasetemp() / "informe.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_axe_finds_no_serious_accessibility_violation(base_url: str, browser: object) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(locale="es-MX")  # type: ignore[attr-defined]
    page.goto(base_url + "/")
    results = Axe().run(page)
    serious = [
        violation["id"]
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()
    page.close()
