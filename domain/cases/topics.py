"""The stored topics of the case aggregates stay those of the single module they came from.

A topic (`module:Class.Event`) is written into every stored event and resolved when it is read.
The aggregates moved from `domain/cases.py` into this package; pinning their module name keeps
the events they write named as before, so one archive never holds two names for one event.
"""

from __future__ import annotations

STORED_MODULE = "domain.cases"


def keep_stored_topics(aggregate: type) -> None:
    """Names the aggregate, and every event class defined on it, after `domain.cases`."""
    defined_in = aggregate.__module__
    for value in (aggregate, *vars(aggregate).values()):
        if isinstance(value, type) and value.__module__ == defined_in:
            value.__module__ = STORED_MODULE
