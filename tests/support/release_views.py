"""A view store for release tests: zones and monthly case counts only (synthetic), the months
from one to another, and the cases a published zone rate stands for."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from projections.views import SCHEMA

WOMEN = 1000  # of every zone; 57 % of them are 18 to 60


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (AAAA-MM), both included."""
    out, (year, month) = [], (int(first[:4]), int(first[5:]))
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def write_case_counts(
    path: Path, cases: Mapping[tuple[str, str], int], zones: Sequence[tuple[str, str]]
) -> None:
    """The views at ``path`` with these zones (code, name) and cases by (month, zone), in place
    of the counts they held."""
    connection = sqlite3.connect(path)
    for statement in SCHEMA:
        connection.execute(statement)
    connection.executemany(
        "INSERT OR REPLACE INTO zones_view VALUES (?, ?, 'U', ?)",
        [(code, name, WOMEN) for code, name in zones],
    )
    connection.execute("DELETE FROM stats_cases")
    connection.executemany(
        "INSERT INTO stats_cases VALUES (?, ?, ?)",
        [(month, zone, n) for (month, zone), n in cases.items() if n > 0],
    )
    connection.commit()
    connection.close()


def rate_cases(zone: Mapping[str, Any]) -> int:
    """The 12-month cases a zone's published rate (per 1,000 women 18 to 60) stands for."""
    rate: float = zone["tasa"]
    return round(rate * WOMEN * 0.57 / 1000)
