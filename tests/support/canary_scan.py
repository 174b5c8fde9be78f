"""After the suite: every data directory and backup the tests created, scanned byte by byte
for the synthetic women's names the tests type (issue 13, reliability suite).

A woman's name must never be at rest in clear: in the events it is under the institution key
and her own, in the views sealed or blind-indexed, in a backup the same plus an encrypted key
store. So finding one of these byte strings in any file of a data directory (or of a backup)
is a leak, whichever test wrote it. Files a test writes on purpose in clear (an import's CSV,
an ARCO export for the woman herself) live beside the data directory, never inside it, and are
not scanned.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

from violeta.operations.backup_format import BACKUP_KEYS, BACKUP_MANIFEST
from violeta.settings import EVENTS_FILENAME, KEYS_FILENAME, VIEWS_FILENAME

# Word pairs that only the synthetic women's names use (staff, zones and institutions are
# named otherwise), so that a hit is a name and not some other synthetic text.
CANARY_NAMES = (
    "Prueba Sintética",
    "Otra Sintética",
    "Distinta Sintética",
    "Canaria Sintética",
    "Anacanaria",
    "Prueba Ficticia",
    "Ejemplo Ficticia",
    "Mayor Ficticia",
    "Común Ficticia",
    "Muestra Inventada",
    "Canario Improbable",
)
MARKERS = (EVENTS_FILENAME, VIEWS_FILENAME, KEYS_FILENAME, BACKUP_MANIFEST, BACKUP_KEYS)


def canary_patterns() -> list[bytes]:
    """Each name as UTF-8 in both Unicode forms, and as UTF-16 (what SQLite may store)."""
    patterns: set[bytes] = set()
    for name in CANARY_NAMES:
        for form in ("NFC", "NFD"):
            text = unicodedata.normalize(form, name)
            patterns |= {text.encode("utf-8"), text.encode("utf-16-le")}
    return sorted(patterns)


def stores_under(root: Path) -> list[Path]:
    """Every data directory or backup below ``root``: a folder holding one of their files."""
    return sorted(
        {marker.parent for name in MARKERS for marker in root.rglob(name) if marker.is_file()}
    )


def leaks(folders: Iterable[Path]) -> list[str]:
    """``file: name`` for every canary found in a file of these folders (and below)."""
    patterns = canary_patterns()
    found: list[str] = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            found += [
                f"{path}: {pattern.decode('utf-8', 'replace')!r}"
                for pattern in patterns
                if pattern in data
            ]
    return found
