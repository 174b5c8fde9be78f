"""The read side that no terminal reads back at once: the statistics store and the audit
trail's facts and alerts, as a projection of their own with its own tracked position.

A terminal catches up, after every command, only the views it reads (case views, search,
work queues, the access log): that is its read-your-writes path, and it must stay as cheap as
the writes. The count tables, their bookkeeping (``stats_contrib``, ``stats_women_12m``…) and
the trail's facts (``access_facts``, ``access_unassigned``, ``alerts_view``) are caught up
elsewhere: by whoever reads them, just before reading (reports, the trail, the alert sweep),
by a terminal left idle, at logout, and by ``projections.follow`` in a process of its own.
Publishing reads the views file after those.

Both projections live in the same view store, each with its position in the tracking table,
and each batch moves its tables and its position in one transaction, so nothing is applied
twice nor lost. This one never runs ahead of the case views (``ceiling``): the alert sweep
joins its facts with the case views' ``access_subjects``. It reads no table of the case views
either (it keeps its own copy of what it needs: consent, institution kinds, zone merges, who
opened or attends each case), so where it stands on its own decides its rows, and a rebuild
gives the same tables whether the two ran in step or apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from projections.audit_rebuild import AuditMemory
from projections.audit_trail import AUDIT_TRAIL_SCHEMA, AuditProjection
from projections.stats_rebuild import StatisticsMemory
from projections.stats_tables import STATS_SCHEMA, StatisticsProjection
from projections.storage import Statement, ViewStore

READ_SIDE_SUFFIX = ".read_side"

READ_SIDE_SCHEMA: tuple[str, ...] = (*STATS_SCHEMA, *AUDIT_TRAIL_SCHEMA)

# Tables only this projection writes: views built before it had a position of their own
# (when these were kept by the case projection) are recognised by any of them holding rows.
_OWN_TABLES = ("stats_consent", "stats_membership", "access_facts", "alerts_view")


def read_side_name(application_name: str) -> str:
    """Its name in the tracking table, beside the case views' (the application's name)."""
    return f"{application_name}{READ_SIDE_SUFFIX}"


class ReadSideProjection:
    """Statistics and audit trail; needs no key (categories, dates and ids only)."""

    def __init__(self) -> None:
        self._statistics = StatisticsProjection()
        self._audit = AuditProjection()

    def process(self, event: object) -> list[Statement]:
        return [*self._statistics.process(event), *self._audit.process(event)]

    def for_rebuild(self) -> ReadSideRebuild:
        return ReadSideRebuild()


class ReadSideRebuild:
    """The read side during a rebuild (``Projector.rebuild``): the same tables, but the
    statistics are kept in memory by the rules of ``stats_tables`` and each batch writes the
    rows it changed, once each (projections/stats_rebuild.py); the audit trail's statements,
    those of ``AuditProjection``, are gathered likewise (projections/audit_rebuild.py)."""

    def __init__(self) -> None:
        self._memory = StatisticsMemory()
        self._trail = AuditMemory()

    def begin_batch(self, views: ViewStore, after: int, events: Sequence[object]) -> None:
        """Before the events after read-side position ``after``: the tables as they stand
        there, read from the store unless this process's memory is there already (a resumed
        rebuild, or a batch another process applied meanwhile)."""
        if self._memory.at != after:
            self._memory.load(views, after)
        self._memory.views = views
        self._trail.begin_batch(views, after, events)

    def process(self, event: object) -> list[Statement]:
        self._memory.apply(event)
        return self._trail.process(event)

    def batch_statements(self) -> list[Statement]:
        return [*self._memory.batch_statements(), *self._trail.flush()]

    def batch_applied(self, last: int) -> None:
        self._memory.at = last
        self._memory.settle()
        self._trail.batch_applied(last)

    def batch_refused(self) -> None:
        self._memory.at = None  # read again before the next batch
        self._trail.batch_refused()


def adoption_statements(
    application_name: str, position: int, tracking_table: str = "tracking"
) -> list[Statement]:
    """For views built when the case projection also kept these tables: the read side is
    then exactly where the case views are (``position``), and starts from there instead of
    applying everything again. Runs in the case views' first batch of a process, before that
    batch moves them; on views that already have a read-side position, or have never had
    rows in its tables, it changes nothing."""
    name = read_side_name(application_name)
    filled = " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in _OWN_TABLES)  # noqa: S608 - fixed names
    old_views = (
        f"NOT EXISTS (SELECT 1 FROM {tracking_table} WHERE application_name = ?) "  # noqa: S608 - fixed names
        f"AND ({filled})"
    )
    return [
        # What its own copies hold came from the case views' tables then.
        Statement(
            "INSERT INTO stats_zone_merges SELECT code, merged_into FROM zone_merges "  # noqa: S608 - fixed names
            f"WHERE {old_views} ON CONFLICT (code) DO NOTHING",
            (name,),
        ),
        Statement(
            "INSERT INTO audit_case_staff SELECT case_id, '', opened_by FROM cases_view "  # noqa: S608 - fixed names
            f"WHERE {old_views} ON CONFLICT DO NOTHING",
            (name,),
        ),
        Statement(
            "INSERT INTO audit_case_staff SELECT case_id, area, staff_id FROM case_areas "  # noqa: S608 - fixed names
            f"WHERE {old_views} ON CONFLICT DO NOTHING",
            (name,),
        ),
        Statement(
            f"INSERT INTO {tracking_table} SELECT ?, ? WHERE {old_views}",
            (name, position, name),
        ),
    ]


def adoption(application_name: str, tracking_table: str) -> Callable[[int], list[Statement]]:
    """The case views' projector's ``prologue``: ``adoption_statements`` at its position."""

    def statements(position: int) -> list[Statement]:
        return adoption_statements(application_name, position, tracking_table)

    return statements
