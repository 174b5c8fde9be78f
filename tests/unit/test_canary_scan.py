"""The after-suite canary scan (tests/support/canary_scan.py) finds what it must."""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.canary_scan import leaks, stores_under


@pytest.fixture
def outside() -> Iterator[Path]:
    """A folder outside the suite's temporary root, so that the planted names are not
    themselves reported by the after-suite scan."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def test_a_name_in_any_file_of_a_data_directory_or_backup_is_found(outside: Path) -> None:
    tmp_path = outside
    data = tmp_path / "prueba" / "datos"
    backup = tmp_path / "respaldo"
    elsewhere = tmp_path / "importar"
    for folder in (data, backup, elsewhere):
        folder.mkdir(parents=True)
    (data / "vistas.sqlite").write_bytes(b"\x00sealed\x00")
    (data / "eventos.sqlite-wal").write_bytes(
        b"\x01" + unicodedata.normalize("NFD", "Ana Prueba Sintética").encode() + b"\x02"
    )
    (backup / "respaldo.json").write_text("{}", encoding="utf-8")
    (backup / "vistas.sqlite").write_bytes("Berta Otra Sintética".encode("utf-16-le"))
    # A CSV to import is plaintext on purpose, beside the data directory: not scanned.
    (elsewhere / "hoja.csv").write_text("nombre\nAna Prueba Sintética\n", encoding="utf-8")

    assert stores_under(tmp_path) == [data, backup]
    found = leaks(stores_under(tmp_path))
    assert len(found) == 2
    assert any("eventos.sqlite-wal" in line for line in found)
    assert any("respaldo/vistas.sqlite" in line for line in found)


def test_sealed_data_is_not_a_leak(outside: Path) -> None:
    tmp_path = outside
    (tmp_path / "eventos.sqlite").write_bytes(
        b"Carmen Coordinaci\xc3\xb3n Prueba, Tema sint\xc3\xa9tico"
    )
    assert leaks(stores_under(tmp_path)) == []
