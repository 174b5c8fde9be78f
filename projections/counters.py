"""Counters the case projection keeps, so that Mi día counts without walking the archive.

``open`` is the number of cases not closed and ``opened:AAAA-MM`` the cases opened in that
month. They are moved only by the events themselves (an opening adds one to both, an
approved closure takes one from ``open``, a reopening gives it back), as increments: the
order of a batch's statements does not change them, and each batch moves them with its
tracking record, exactly once. A rebuild drops and counts them again from zero.

Views built before the table existed are counted once from ``cases_view``, in the case
projector's first batch of a process (``counter_adoption_statements``); until then the
queries count as before (``view_counters`` has no ``open`` row, which every opening writes).
"""

from __future__ import annotations

from projections.storage import Statement

OPEN_COUNTER = "open"

COUNTERS_SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS view_counters ("
    "name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
)


def month_counter(month: str) -> str:
    """The counter of the cases opened in a month (``AAAA-MM``)."""
    return f"opened:{month}"


def counter_statement(name: str, delta: int) -> Statement:
    return Statement(
        "INSERT INTO view_counters VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET n = view_counters.n + excluded.n",
        (name, delta),
    )


def counter_adoption_statements() -> list[Statement]:
    """For views built before ``view_counters``: counts them once from ``cases_view``.

    On views that have the ``open`` counter this reads nothing: the condition is constant,
    and both engines check it before walking any table."""
    missing = "NOT EXISTS (SELECT 1 FROM view_counters WHERE name = ?)"
    return [
        Statement(
            "INSERT INTO view_counters SELECT 'opened:' || substr(opened_on, 1, 7), "  # noqa: S608 - fixed text
            f"COUNT(*) FROM cases_view WHERE {missing} GROUP BY substr(opened_on, 1, 7) "
            "ON CONFLICT (name) DO UPDATE SET n = excluded.n",
            (OPEN_COUNTER,),
        ),
        Statement(
            "INSERT INTO view_counters SELECT ?, "  # noqa: S608 - fixed text
            f"(SELECT COUNT(*) FROM cases_view WHERE status <> 'cerrado') WHERE {missing} "
            "ON CONFLICT (name) DO NOTHING",
            (OPEN_COUNTER, OPEN_COUNTER),
        ),
    ]
