"""What a release is: the frozen ``Release``, the months it covers, its cells' keys and the
names of its internal record beside the sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from projections.statistics import Month

TIME_ZONE = ZoneInfo("America/Mexico_City")
DEFAULT_LAG_DAYS = 15


Key = tuple[str, ...]


CellId = tuple[str, Key]  # (source code, key over that source's dimensions)


PRIORITY_SOURCE = "expedientes"
# Keys of ``Release.real`` beside the sources: the true zone x month counts of the release
# period ("zona|AAAA-MM") and whether its zone marks said something (1) or nothing (0).
ZONE_MONTHS = "zonas_por_mes"
ZONE_MARKS = "zonas_marcas"


class ReleaseRefused(Exception):
    """The release failed its audit (or could not be protected) and was not published."""


def last_closed_month(today: date, lag_days: int = DEFAULT_LAG_DAYS) -> Month:
    """The latest month whose end plus the lag is not after ``today``."""
    if lag_days < 0:
        raise ValueError(f"El desfase de publicación no puede ser negativo ({lag_days} días)")
    moment = today - timedelta(days=lag_days)
    # The month before the one ``moment`` falls in has closed at least lag days ago.
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return Month(year, month)


def month_range(first: Month, last: Month) -> list[Month]:
    months, current = [], first
    while current <= last:
        months.append(current)
        year, month = current.year, current.month + 1
        current = Month(year + month // 13, month if month <= 12 else 1)
    return months


@dataclass(frozen=True)
class Release:
    number: int
    published_at: str
    period_from: str
    period_to: str
    k: int
    body: dict[str, Any]
    # True values of the protected cells, stored apart from the body the API reads: only the
    # next release's joint audit uses them.
    real: dict[str, dict[str, int]]


def previous_marks(previous: Release | None, source_code: str) -> dict[Key, Any]:
    """Each cell of the previous release: its published value (or None) and its true value."""
    if previous is None:
        return {}
    real = previous.real.get(source_code, {})
    marks: dict[Key, Any] = {}
    for table in previous.body["tablas"].values():
        if table["fuente"] != source_code:
            continue
        for cell in table["celdas"]:
            key = tuple(cell["clave"])
            joined = "|".join(key)
            if joined in real:
                marks[key] = {
                    "valor": cell["valor"],
                    "marca": cell["marca"],
                    "valor_real": real[joined],
                }
    return marks
