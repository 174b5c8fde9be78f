"""The statistics store: count tables only, kept incrementally from the case events.

Why one table per published tabulation rather than one cube of month × zone × type ×
modality × area × age band × status × risk: that cube would hold almost only cells of 0 and 1
(a few thousand cases spread over tens of thousands of combinations), every one of them would
have to be suppressed before publishing, and a cube cannot hold the "one case, several types"
rule without double-counting the totals. So each table crosses month × zone with one
dimension of the case, the way the work plan reports them, and says in ``double_counts``
whether one case can add to several of its cells:

========================= =================================== ===========================
table                     cells                               one case adds to
========================= =================================== ===========================
stats_cases               month × zone                        one cell
stats_cases_violence      month × zone × violence type        one cell per type
stats_cases_modality      month × zone × modality             one cell per modality
stats_cases_area          month × zone × area attending       one cell per area assigned
stats_cases_age           month × zone × age band             one cell
stats_cases_risk          month × zone × risk level           one cell
stats_cases_status        month × zone × current status       one cell (moves on change)
stats_attentions          month × area × kind of attention    one per service act
stats_referrals           month × institution kind × outcome  one per referral
stats_protection_orders   month × order kind × movement       emitida / prorrogada / vence
stats_misconduct          month × conduct × status            one per report
========================= =================================== ===========================

The month of a case table is the month the case was opened; of an attention, referral or
report, the day it happened; ``vence`` counts an order in the month of its current expiry.
Quarters and years are sums of months (``violeta.reporting`` rolls them up).

No row of a count table names a case or a woman. To honour her statistics consent (ARCO
opposition) the projection keeps, beside the tables, which fact added to which cell
(``stats_contrib``): withdrawing consent subtracts exactly what her facts added, in every
table, and consenting again adds it back. Erasure changes nothing here: the counts are
anonymous and the institute must still report them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from domain.cases import Area, Case
from domain.clients import Client
from domain.directory import Institution
from domain.zones import ZoneCatalogue
from projections.activities import ACTIVITY_HANDLERS, ACTIVITY_SCHEMA
from projections.storage import Statement

MEXICO = ZoneInfo("America/Mexico_City")


@dataclass(frozen=True)
class CountTable:
    name: str
    dimensions: tuple[str, ...]  # after the month; one or two
    count: str
    double_counts: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return ("month", *self.dimensions)


CASES = CountTable("stats_cases", ("zone",), "cases")
CASES_VIOLENCE = CountTable("stats_cases_violence", ("zone", "violence_type"), "cases", True)
CASES_MODALITY = CountTable("stats_cases_modality", ("zone", "modality"), "cases", True)
CASES_AREA = CountTable("stats_cases_area", ("zone", "area"), "cases", True)
CASES_AGE = CountTable("stats_cases_age", ("zone", "age_band"), "cases")
CASES_RISK = CountTable("stats_cases_risk", ("zone", "risk"), "cases")
CASES_STATUS = CountTable("stats_cases_status", ("zone", "status"), "cases")
ATTENTIONS = CountTable("stats_attentions", ("area", "kind"), "attentions")
REFERRALS = CountTable("stats_referrals", ("institution_kind", "outcome"), "referrals")
ORDERS = CountTable("stats_protection_orders", ("kind", "movement"), "orders")
MISCONDUCT = CountTable("stats_misconduct", ("conduct", "status"), "reports")

COUNT_TABLES: tuple[CountTable, ...] = (
    CASES,
    CASES_VIOLENCE,
    CASES_MODALITY,
    CASES_AREA,
    CASES_AGE,
    CASES_RISK,
    CASES_STATUS,
    ATTENTIONS,
    REFERRALS,
    ORDERS,
    MISCONDUCT,
)
TABLES_BY_NAME = {table.name: table for table in COUNT_TABLES}

PENDING_OUTCOME = "pendiente"
UNKNOWN_KIND = "sin_tipo"
ISSUED, EXTENDED, EXPIRES = "emitida", "prorrogada", "vence"
FILED = "presentado"


def _table_ddl(table: CountTable) -> str:
    dims = "".join(f"{name} TEXT NOT NULL, " for name in table.dimensions)
    return (
        f"CREATE TABLE IF NOT EXISTS {table.name} (month TEXT NOT NULL, {dims}"
        f"{table.count} INTEGER NOT NULL, PRIMARY KEY ({', '.join(table.columns)})) "
        "WITHOUT ROWID"
    )


STATS_SCHEMA: tuple[str, ...] = (
    *(_table_ddl(table) for table in COUNT_TABLES),
    # The cases that may add to the statistics: which client, which opening month and zone,
    # and whether they are counted now (her consent).
    "CREATE TABLE IF NOT EXISTS stats_membership ("
    "case_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, month TEXT NOT NULL, "
    "zone TEXT NOT NULL, counted INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS stats_membership_client ON stats_membership (client_id)",
    # Which fact adds 1 to which cell of which table: k1, k2 are the cell's dimensions in
    # the table's order ('' when the table has one).
    "CREATE TABLE IF NOT EXISTS stats_contrib ("
    "tab TEXT NOT NULL, fact_id TEXT NOT NULL, client_id TEXT NOT NULL, "
    "month TEXT NOT NULL, k1 TEXT NOT NULL, k2 TEXT NOT NULL, counted INTEGER NOT NULL, "
    "PRIMARY KEY (tab, fact_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS stats_contrib_client ON stats_contrib (client_id)",
    # What the facts above need from other records, kept here so that this projection stands
    # on its own (it runs with the institution key only): her consent, institution kinds,
    # and which zone's cases now count under which (read when a case is opened, so a case
    # filed under a zone merged meanwhile lands in the zone it was merged into).
    # Women attended (distinct, not a sum of months) per zone in each 12-month window, by the
    # window's last month. Every window a case falls in has a row, 0 included, so consent can
    # be withdrawn and given back by updating rows that exist.
    "CREATE TABLE IF NOT EXISTS stats_women_12m ("
    "last_month TEXT NOT NULL, zone TEXT NOT NULL, first_month TEXT NOT NULL, "
    "women INTEGER NOT NULL, PRIMARY KEY (last_month, zone)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS stats_consent ("
    "client_id TEXT PRIMARY KEY, counted INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS stats_institution_kinds ("
    "institution_id TEXT PRIMARY KEY, kind TEXT NOT NULL) WITHOUT ROWID",
    # Its own copy of the merges (the case views keep ``zone_merges`` for the terminals):
    # this projection runs behind them, and must see each merge where the events put it.
    "CREATE TABLE IF NOT EXISTS stats_zone_merges ("
    "code TEXT PRIMARY KEY, merged_into TEXT NOT NULL) WITHOUT ROWID",
)


# ------------------------------------------------------------------ statement builders


def _match(table: CountTable, alias: str) -> str:
    keys = ["k1", "k2"][: len(table.dimensions)]
    parts = [f"{alias}.month = {table.name}.month"] + [
        f"{alias}.{key} = {table.name}.{dim}"
        for key, dim in zip(keys, table.dimensions, strict=True)
    ]
    return " AND ".join(parts)


def _selected_keys(table: CountTable) -> str:
    return ", ".join(["month", *["k1", "k2"][: len(table.dimensions)]])


@cache
def _increment_sql(table: CountTable) -> str:
    columns = ", ".join(table.columns)
    return (
        f"INSERT INTO {table.name} ({columns}, {table.count}) "  # noqa: S608 - fixed names
        f"SELECT {_selected_keys(table)}, 1 FROM stats_contrib "
        "WHERE tab = ? AND fact_id = ? AND counted = 1 "
        f"ON CONFLICT ({columns}) DO UPDATE SET {table.count} = {table.name}.{table.count} + 1"
    )


def _increment(table: CountTable, fact_id: str) -> Statement:
    return Statement(_increment_sql(table), (table.name, fact_id))


@cache
def _decrement_sql(table: CountTable) -> tuple[str, str]:
    # By the cell's key (its primary key), not a correlated EXISTS over every cell:
    # that scanned the whole table once per moved fact.
    return (
        f"UPDATE {table.name} SET {table.count} = {table.count} - 1 "  # noqa: S608 - fixed names
        f"WHERE ({', '.join(table.columns)}) IN (SELECT {_selected_keys(table)} "
        "FROM stats_contrib WHERE tab = ? AND fact_id = ? AND counted = 1)",
        f"DELETE FROM {table.name} WHERE {table.count} <= 0 AND month IN "  # noqa: S608 - fixed names
        "(SELECT month FROM stats_contrib WHERE tab = ? AND fact_id = ?)",
    )


def _decrement(table: CountTable, fact_id: str) -> list[Statement]:
    update, delete = _decrement_sql(table)
    return [Statement(update, (table.name, fact_id)), Statement(delete, (table.name, fact_id))]


@dataclass(frozen=True)
class Expr:
    """A value of a new fact: SQL over the case's ``stats_membership`` row, with params."""

    sql: str
    params: tuple[Any, ...] = ()


def value(item: object) -> Expr:
    return Expr("?", (item,))


CASE_MONTH = Expr("m.month")
CASE_ZONE = Expr("m.zone")


def add_fact(
    table: CountTable, fact_id: str, case_id: str, month: Expr, k1: Expr, k2: Expr | None = None
) -> list[Statement]:
    """A new fact about a case: it counts when her cases count now."""
    second = k2 or value("")
    params = (
        table.name,
        fact_id,
        *month.params,
        *k1.params,
        *second.params,
        case_id,
    )
    return [
        Statement(
            "INSERT INTO stats_contrib (tab, fact_id, client_id, month, k1, k2, counted) "  # noqa: S608 - fixed text
            f"SELECT ?, ?, m.client_id, {month.sql}, {k1.sql}, {second.sql}, m.counted "
            "FROM stats_membership m WHERE m.case_id = ? "
            "ON CONFLICT (tab, fact_id) DO NOTHING",
            params,
        ),
        _increment(table, fact_id),
    ]


def set_fact(
    table: CountTable, fact_id: str, case_id: str, month: Expr, k1: Expr, k2: Expr | None = None
) -> list[Statement]:
    """Like ``add_fact``, replacing the fact if it was recorded before (no double count)."""
    return [
        *_decrement(table, fact_id),
        Statement("DELETE FROM stats_contrib WHERE tab = ? AND fact_id = ?", (table.name, fact_id)),
        *add_fact(table, fact_id, case_id, month, k1, k2),
    ]


def change_fact(table: CountTable, fact_id: str, column: str, new: Expr) -> list[Statement]:
    """Moves a recorded fact to another cell (a status, an outcome, an expiry month)."""
    if column not in ("month", "k1", "k2"):
        raise ValueError(column)
    return [
        *_decrement(table, fact_id),
        Statement(
            f"UPDATE stats_contrib SET {column} = {new.sql} "  # noqa: S608 - fixed names
            "WHERE tab = ? AND fact_id = ?",
            (*new.params, table.name, fact_id),
        ),
        _increment(table, fact_id),
    ]


WINDOW_MONTHS = 12


def add_months(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@lru_cache(maxsize=1024)
def _windows(month: str) -> tuple[tuple[str, str], ...]:
    """(last, first) month of each of the 12 windows a case of ``month`` falls in."""
    lasts = [add_months(month, offset) for offset in range(WINDOW_MONTHS)]
    return tuple((last, add_months(last, 1 - WINDOW_MONTHS)) for last in lasts)


# The 12 windows of a new case in one statement (they read stats_membership only, not each
# other's rows, so one statement gives what 12 in a row gave): a twelfth of the round trips.
_WINDOW_ROWS = ", ".join(["(CAST(? AS TEXT), CAST(? AS TEXT))"] * WINDOW_MONTHS)
_WOMAN_WINDOWS = (
    f"WITH w (last_month, first_month) AS (VALUES {_WINDOW_ROWS}) "  # noqa: S608 - fixed text
    "INSERT INTO stats_women_12m (last_month, zone, first_month, women) "
    "SELECT w.last_month, m.zone, w.first_month, CASE WHEN m.counted = 1 AND NOT EXISTS ("
    "SELECT 1 FROM stats_membership o WHERE o.client_id = m.client_id "
    "AND o.zone = m.zone AND o.counted = 1 AND o.case_id <> m.case_id "
    "AND o.month >= w.first_month AND o.month <= w.last_month) THEN 1 ELSE 0 END "
    "FROM stats_membership m, w WHERE m.case_id = ? "
    "ON CONFLICT (last_month, zone) DO UPDATE "
    "SET women = stats_women_12m.women + excluded.women"
)


def _woman_windows(case_id: str, month: str) -> list[Statement]:
    """The 12 windows her new case falls in: +1 where she was not attended in that zone yet."""
    windows = [month for window in _windows(month) for month in window]
    return [Statement(_WOMAN_WINDOWS, (*windows, case_id))]


def _women_consent(client_id: str, granted: bool) -> Statement:
    """Each window holding one of her cases moves by one: she is one woman however many."""
    return Statement(
        f"UPDATE stats_women_12m SET women = women {'+' if granted else '-'} 1 "  # noqa: S608 - fixed text
        "WHERE EXISTS (SELECT 1 FROM stats_membership m WHERE m.client_id = ? "
        "AND m.counted = ? AND m.zone = stats_women_12m.zone "
        "AND m.month >= stats_women_12m.first_month AND m.month <= stats_women_12m.last_month)",
        (client_id, 0 if granted else 1),
    )


def _women_merged(old: str, new: str) -> list[Statement]:
    """After a merge a woman attended in both zones is one woman of the survivor: recount."""
    return [
        Statement(
            "INSERT INTO stats_women_12m (last_month, zone, first_month, women) "
            "SELECT last_month, ?, first_month, 0 FROM stats_women_12m WHERE zone = ? "
            "ON CONFLICT (last_month, zone) DO NOTHING",
            (new, old),
        ),
        Statement("DELETE FROM stats_women_12m WHERE zone = ?", (old,)),
        Statement(
            "UPDATE stats_women_12m SET women = (SELECT COUNT(DISTINCT m.client_id) "
            "FROM stats_membership m WHERE m.zone = stats_women_12m.zone AND m.counted = 1 "
            "AND m.month >= stats_women_12m.first_month "
            "AND m.month <= stats_women_12m.last_month) WHERE zone = ?",
            (new,),
        ),
    ]


def consent_changed(client_id: str, granted: bool) -> list[Statement]:
    """ARCO opposition and its withdrawal: every table at once, from her facts."""
    statements: list[Statement] = []
    for table in COUNT_TABLES:
        if granted:
            columns = ", ".join(table.columns)
            keys = _selected_keys(table)
            statements.append(
                Statement(
                    f"INSERT INTO {table.name} ({columns}, {table.count}) "  # noqa: S608 - fixed names
                    f"SELECT {keys}, COUNT(*) FROM stats_contrib "
                    f"WHERE client_id = ? AND tab = ? AND counted = 0 GROUP BY {keys} "
                    f"ON CONFLICT ({columns}) DO UPDATE "
                    f"SET {table.count} = {table.name}.{table.count} + excluded.{table.count}",
                    (client_id, table.name),
                )
            )
        else:
            mine = (
                "FROM stats_contrib f WHERE f.client_id = ? AND f.tab = ? AND f.counted = 1 "
                f"AND {_match(table, 'f')}"
            )
            statements += [
                Statement(
                    f"UPDATE {table.name} SET {table.count} = {table.count} - "  # noqa: S608 - fixed names
                    f"(SELECT COUNT(*) {mine}) WHERE EXISTS (SELECT 1 {mine})",
                    (client_id, table.name, client_id, table.name),
                ),
                Statement(f"DELETE FROM {table.name} WHERE {table.count} <= 0"),  # noqa: S608 - fixed names
            ]
    flag = int(granted)
    return [
        *statements,
        _women_consent(client_id, granted),  # reads the flags below as they were
        Statement("UPDATE stats_contrib SET counted = ? WHERE client_id = ?", (flag, client_id)),
        Statement("UPDATE stats_membership SET counted = ? WHERE client_id = ?", (flag, client_id)),
    ]


def zones_merged(old: str, new: str) -> list[Statement]:
    """A zone merged into another: its cells and its cases follow, so nothing is lost."""
    statements: list[Statement] = []
    for table in COUNT_TABLES:
        if table.dimensions[0] != "zone":
            continue
        columns = ", ".join(table.columns)
        selected = ", ".join(["month", "?", *table.dimensions[1:]])
        statements += [
            Statement(
                f"INSERT INTO {table.name} ({columns}, {table.count}) "  # noqa: S608 - fixed names
                f"SELECT {selected}, {table.count} FROM {table.name} WHERE zone = ? "
                f"ON CONFLICT ({columns}) DO UPDATE "
                f"SET {table.count} = {table.name}.{table.count} + excluded.{table.count}",
                (new, old),
            ),
            Statement(f"DELETE FROM {table.name} WHERE zone = ?", (old,)),  # noqa: S608 - fixed names
            Statement(
                "UPDATE stats_contrib SET k1 = ? WHERE tab = ? AND k1 = ?", (new, table.name, old)
            ),
        ]
    return [
        *statements,
        Statement("UPDATE stats_membership SET zone = ? WHERE zone = ?", (new, old)),
        *_women_merged(old, new),
    ]


# ----------------------------------------------------------------------- event handlers


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def _case(event: Case.Event) -> str:
    return str(event.originator_id)


def _opened(event: Case.Opened) -> list[Statement]:
    case_id = _case(event)
    statements = [
        Statement(
            # A case filed under a zone merged meanwhile counts in the zone it became.
            "INSERT INTO stats_membership (case_id, client_id, month, zone, counted) "
            "SELECT ?, ?, ?, "
            "COALESCE((SELECT merged_into FROM stats_zone_merges WHERE code = ?), ?), "
            "COALESCE((SELECT counted FROM stats_consent WHERE client_id = ?), 1) WHERE 1 = 1 "
            "ON CONFLICT (case_id) DO NOTHING",
            (
                case_id,
                str(event.client_id),
                month_of(event.opened_on),
                event.zone,
                event.zone,
                str(event.client_id),
            ),
        ),
        *_woman_windows(case_id, month_of(event.opened_on)),
    ]
    facts = [
        (CASES, case_id, value("")),
        (CASES_AGE, case_id, value(event.age_band)),
        (CASES_RISK, case_id, value(event.risk)),
        (CASES_STATUS, case_id, value("abierto")),
        *(
            (CASES_VIOLENCE, f"{case_id}:{kind}", value(kind))
            for kind in sorted(set(event.violence_types))
        ),
        *(
            (CASES_MODALITY, f"{case_id}:{modality}", value(modality))
            for modality in sorted(set(event.modalities))
        ),
    ]
    added = [add_fact(table, fact, case_id, CASE_MONTH, CASE_ZONE, k2) for table, fact, k2 in facts]
    # Every fact first, then every increment: runs of the same statement go to the driver at
    # once (the runner batches consecutive equal SQL), which halves the round trips.
    return [*statements, *(pair[0] for pair in added), *(pair[1] for pair in added)]


def _status(status: str) -> Callable[[Case.Event], list[Statement]]:
    def handler(event: Case.Event) -> list[Statement]:
        return change_fact(CASES_STATUS, _case(event), "k2", value(status))

    return handler


def _area_assigned(event: Case.AreaAssigned) -> list[Statement]:
    case_id = _case(event)
    return set_fact(
        CASES_AREA, f"{case_id}:{event.area}", case_id, CASE_MONTH, CASE_ZONE, value(event.area)
    )


def _attention(fact: str, on: date, area: str, kind: str, event: Case.Event) -> list[Statement]:
    return add_fact(ATTENTIONS, fact, _case(event), value(month_of(on)), value(area), value(kind))


def _legal_advice(event: Case.LegalAdviceGiven) -> list[Statement]:
    return _attention(str(event.advice_id), event.given_on, Area.LEGAL.value, "asesoria", event)


def _accompanied(event: Case.Accompanied) -> list[Statement]:
    return _attention(
        str(event.accompaniment_id), event.performed_on, event.area, "acompanamiento", event
    )


def _psychology_session(event: Case.PsychologySessionHeld) -> list[Statement]:
    return _attention(
        str(event.session_id), event.held_on, Area.PSYCHOLOGICAL.value, "sesion", event
    )


def _gestion(event: Case.GestionRecorded) -> list[Statement]:
    return _attention(
        str(event.gestion_id), event.done_on, Area.SOCIAL_WORK.value, "gestion", event
    )


def _social_visit(event: Case.SocialVisitRecorded) -> list[Statement]:
    return _attention(
        str(event.visit_id), event.visited_on, Area.SOCIAL_WORK.value, "visita", event
    )


def _referral_made(event: Case.ReferralMade) -> list[Statement]:
    kind = Expr(
        "COALESCE((SELECT kind FROM stats_institution_kinds WHERE institution_id = ?), ?)",
        (str(event.institution_id), UNKNOWN_KIND),
    )
    return add_fact(
        REFERRALS,
        str(event.referral_id),
        _case(event),
        value(month_of(event.made_on)),
        kind,
        value(PENDING_OUTCOME),
    )


def _referral_outcome(event: Case.ReferralOutcomeRecorded) -> list[Statement]:
    return change_fact(REFERRALS, str(event.referral_id), "k2", value(event.outcome))


def _order_recorded(event: Case.ProtectionOrderRecorded) -> list[Statement]:
    order, case_id = str(event.order_id), _case(event)
    return [
        *add_fact(
            ORDERS,
            f"{order}:{ISSUED}",
            case_id,
            value(month_of(event.issued_on)),
            value(event.kind),
            value(ISSUED),
        ),
        *add_fact(
            ORDERS,
            f"{order}:{EXPIRES}",
            case_id,
            value(month_of(event.expires_on)),
            value(event.kind),
            value(EXPIRES),
        ),
    ]


def extension_month(event: Case.ProtectionOrderExtended) -> str:
    """The event carries no date of its own: the day it was recorded, in Mexico."""
    return month_of(event.timestamp.astimezone(MEXICO).date())


def _order_extended(event: Case.ProtectionOrderExtended) -> list[Statement]:
    order = str(event.order_id)
    kind = Expr(
        "(SELECT k1 FROM stats_contrib WHERE tab = ? AND fact_id = ?)",
        (ORDERS.name, f"{order}:{ISSUED}"),
    )
    return [
        *add_fact(
            ORDERS,
            f"{order}:{EXTENDED}:{event.originator_version}",
            _case(event),
            value(extension_month(event)),
            kind,
            value(EXTENDED),
        ),
        *change_fact(ORDERS, f"{order}:{EXPIRES}", "month", value(month_of(event.expires_on))),
    ]


def _misconduct_reported(event: Case.MisconductReported) -> list[Statement]:
    return add_fact(
        MISCONDUCT,
        str(event.report_id),
        _case(event),
        value(month_of(event.reported_on)),
        value(event.conduct),
        value(FILED),
    )


def _misconduct_updated(event: Case.MisconductReportUpdated) -> list[Statement]:
    return change_fact(MISCONDUCT, str(event.report_id), "k2", value(event.status))


def _statistics_consent(event: Client.StatisticsConsentChanged) -> list[Statement]:
    client_id = str(event.originator_id)
    return [
        *consent_changed(client_id, event.granted),
        Statement(
            "UPDATE stats_consent SET counted = ? WHERE client_id = ?",
            (int(event.granted), client_id),
        ),
    ]


def _registered(event: Client.Registered) -> list[Statement]:
    return [
        Statement(
            "INSERT INTO stats_consent VALUES (?, ?) ON CONFLICT (client_id) DO NOTHING",
            (str(event.originator_id), int(event.consent_to_statistics)),
        )
    ]


def _institution(event: Institution.Registered | Institution.Updated) -> list[Statement]:
    return [
        Statement(
            "INSERT INTO stats_institution_kinds VALUES (?, ?) ON CONFLICT (institution_id) "
            "DO UPDATE SET kind = excluded.kind",
            (str(event.originator_id), event.kind),
        )
    ]


def _zones_merged(event: ZoneCatalogue.ZonesMerged) -> list[Statement]:
    old, new = event.code, event.into
    return [
        *zones_merged(old, new),
        *merge_statements("stats_zone_merges", old, new),
    ]


def merge_statements(table: str, old: str, new: str) -> list[Statement]:
    """Records that ``old`` now counts under ``new`` (and what was merged into ``old``)."""
    return [
        Statement(
            f"INSERT INTO {table} VALUES (?, ?) ON CONFLICT (code) DO UPDATE "  # noqa: S608 - fixed names
            "SET merged_into = excluded.merged_into",
            (old, new),
        ),
        Statement(f"UPDATE {table} SET merged_into = ? WHERE merged_into = ?", (new, old)),  # noqa: S608 - fixed names
    ]


STATS_HANDLERS: dict[type, Callable[[Any], list[Statement]]] = {
    Case.Opened: _opened,
    Case.FollowUpStageEntered: _status("en_seguimiento"),
    Case.ClosureApproved: _status("cerrado"),
    Case.Reopened: _status("reabierto"),
    Case.AreaAssigned: _area_assigned,
    Case.LegalAdviceGiven: _legal_advice,
    Case.Accompanied: _accompanied,
    Case.PsychologySessionHeld: _psychology_session,
    Case.GestionRecorded: _gestion,
    Case.SocialVisitRecorded: _social_visit,
    Case.ReferralMade: _referral_made,
    Case.ReferralOutcomeRecorded: _referral_outcome,
    Case.ProtectionOrderRecorded: _order_recorded,
    Case.ProtectionOrderExtended: _order_extended,
    Case.MisconductReported: _misconduct_reported,
    Case.MisconductReportUpdated: _misconduct_updated,
    Client.StatisticsConsentChanged: _statistics_consent,
    Client.Registered: _registered,
    Institution.Registered: _institution,
    Institution.Updated: _institution,
    ZoneCatalogue.ZonesMerged: _zones_merged,
}


class StatisticsProjection:
    """Needs no key at all: it reads only categories, dates and ids, which travel in clear
    inside the institution-key outer cipher."""

    def process(self, event: object) -> list[Statement]:
        handler = STATS_HANDLERS.get(type(event))
        return handler(event) if handler else []


def table_rows(rows: Sequence[Any], table: CountTable) -> dict[tuple[str, ...], int]:
    return {tuple(str(row[c]) for c in table.columns): int(row[table.count]) for row in rows}


class StandaloneStatisticsProjection:
    """The statistics store alone (count tables and work-plan activities), for a process that
    holds the institution key and nothing else: no blind index, no sealed value, no key."""

    def __init__(self) -> None:
        self._statistics = StatisticsProjection()

    def process(self, event: object) -> list[Statement]:
        activity = ACTIVITY_HANDLERS.get(type(event))
        statements = activity(self, event) if activity else []
        return [*statements, *self._statistics.process(event)]


STANDALONE_SCHEMA: tuple[str, ...] = (*STATS_SCHEMA, *ACTIVITY_SCHEMA)
