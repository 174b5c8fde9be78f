"""The API process holds no key material: it never imports the keyring, domain or wiring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from pathlib import Path
from fastapi.testclient import TestClient
import api.main
from api.settings import ApiSettings

app = api.main.create_app(ApiSettings(data=Path(sys.argv[1]), backend="sqlite"))
with TestClient(app) as client:
    assert client.get("/v1/expedientes").status_code == 404
    assert client.get("/v1/metadatos").status_code == 200
    assert client.get("/v1/salud").json()["estado"] == "ok"
forbidden = [name for name in ("keys", "domain", "violeta", "tui") if name in sys.modules]
forbidden += [name for name in sys.modules if name.startswith(("keys.", "domain.", "violeta."))]
forbidden += [name for name in ("cryptography", "eventsourcing") if name in sys.modules]
print("IMPORTED:" + ",".join(sorted(forbidden)))
"""


def test_api_serves_from_an_empty_data_dir_without_importing_keys_or_domain(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "sin_llaves"
    empty.mkdir()

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "IMPORTED:\n" in result.stdout
    # Serving read nothing into existence: no key store, no views file.
    assert list(empty.iterdir()) == []
