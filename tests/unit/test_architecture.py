"""The import directions of DESIGN §2 hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_the_contracts_forbid_what_the_design_forbids() -> None:
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'source_modules = ["api"]\nforbidden_modules = ["keys"' in config
    assert 'forbidden_modules = ["textual", "fastapi"' in config
