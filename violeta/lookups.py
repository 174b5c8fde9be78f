"""Read helpers over the views: client rows, list summaries, search candidates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from uuid import UUID

from domain import identity
from domain.errors import DomainError
from domain.vocabulary import (
    CaseStatus,
    RiskLevel,
    Role,
    Section,
)
from keys import (
    PLACEHOLDER,
    SearchUnavailable,
)
from projections.storage import Row
from violeta import name_search
from violeta.dto import AccessEntry, CaseSummary, ClientSummary
from violeta.session import MEXICO, RARITY_CAP, SEARCH_LIMIT, SessionContext

SEARCH_CANDIDATES = SEARCH_LIMIT * 4  # confirmed by opening, first by id


def access_entry(
    ctx: SessionContext, row: Row, client_ids: Sequence[str], staff_names: dict[str, str]
) -> AccessEntry:
    """One line of the access trail, its reason opened (the caller recorded this read)."""
    return AccessEntry(
        access_id=UUID(row["access_id"]),
        at=datetime.fromisoformat(row["at"]).astimezone(MEXICO),
        staff=staff_names.get(row["staff_id"], "—"),
        role=Role(row["role"]).label,
        action=row["action"],
        section=Section(row["section"]).label,
        outcome=row["outcome"],
        exceptional=bool(row["exceptional"]),
        purpose=row["purpose"],
        justification=ctx._open_justification(row["justification"], client_ids),
        client_ids=tuple(UUID(c) for c in client_ids),
    )


def search_candidates(
    ctx: SessionContext, query: str
) -> tuple[set[str], Callable[[str, str], bool]]:
    compact = query.replace(" ", "").replace("-", "")
    # A CURP holds her birth date in digits; names never hold digits.
    looks_like_curp = (
        len(compact) == 18 and compact.isalnum() and any(ch.isdigit() for ch in compact)
    )
    curp = identity.curp(compact) if looks_like_curp else None
    if curp is not None:
        return clients_matching(
            ctx, "curp", [curp]
        ), lambda cid, _name: open_field(ctx, cid, "client.curp") == curp
    phone = identity.phone(query) if compact.lstrip("+").isdigit() else None
    if phone is not None:
        return clients_matching(
            ctx, "telefono", [phone]
        ), lambda cid, _name: open_field(ctx, cid, "client.phone") == phone
    number = name_search.folio(query)
    if number is not None:
        rows = ctx._views.query("SELECT client_id FROM cases_view WHERE folio = ?", (number,))
        return {row["client_id"] for row in rows}, lambda _cid, _name: True
    words = name_search.query_terms(query)
    return clients_matching(ctx, "nombre", words), lambda _cid, name: name_search.name_matches(
        words, name
    )


def clients_matching(ctx: SessionContext, kind: str, tokens: Sequence[str]) -> set[str]:
    # A search considers the first candidates by id (queries/clients.py search_clients): only
    # those are read, so a common name costs the same in any archive.
    return clients_matching_each(ctx, {kind: tokens}, limit=SEARCH_CANDIDATES)[kind]


def clients_matching_each(
    ctx: SessionContext, wanted: dict[str, Sequence[str]], limit: int | None = None
) -> dict[str, set[str]]:
    """Per kind, the blind-index candidates holding every token, in one query.

    Common names (María, Hernández) each index a large share of all clients, so the
    database walks only the rarest token's rows (counted up to a cap) and probes the
    others for each of them: the work follows the answer, not the size of the register.
    """
    tables: list[str] = []
    parts: list[str] = []
    table_params: list[object] = []
    part_params: list[object] = []
    for number, (kind, tokens) in enumerate(wanted.items()):
        try:
            indexes = sorted({ctx._keyring.blind_index(kind, token) for token in tokens})
        except SearchUnavailable as error:
            raise DomainError(str(error)) from None
        table = f"wanted_{number}"
        tables.append(f"{table}(token) AS (VALUES {', '.join('(?)' for _ in indexes)})")
        table_params += indexes
        parts.append(
            "SELECT * FROM ("  # noqa: S608 - names and placeholders only
            f"SELECT ? AS kind, s0.client_id FROM search_index s0 WHERE s0.token = ("
            f"SELECT token FROM {table} ORDER BY (SELECT COUNT(*) FROM ("
            f"SELECT 1 FROM search_index s WHERE s.token = {table}.token LIMIT {RARITY_CAP}"
            ") AS capped) LIMIT 1) "
            f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE NOT EXISTS ("
            f"SELECT 1 FROM search_index s WHERE s.token = {table}.token "
            "AND s.client_id = s0.client_id))"
            + ("" if limit is None else f" ORDER BY s0.client_id LIMIT {int(limit)}")
            + ") AS found"
        )
        part_params.append(kind)
    found: dict[str, set[str]] = {kind: set() for kind in wanted}
    sql = f"WITH {', '.join(tables)} {' UNION ALL '.join(parts)}"
    for row in ctx._views.query(sql, [*table_params, *part_params]):
        found[row["kind"]].add(row["client_id"])
    return found


def open_field(ctx: SessionContext, client_id: str, label: str) -> str:
    client = ctx._get_client(UUID(client_id))
    sealed = client.curp if label == "client.curp" else client.phone
    return ctx._open_optional(client_id, label, sealed)


def client_row(ctx: SessionContext, client_id: UUID) -> Row | None:
    return client_rows(ctx, [str(client_id)]).get(str(client_id))


def client_rows(ctx: SessionContext, client_ids: Sequence[str]) -> dict[str, Row]:
    """The view rows of several clients in one query (lists and searches)."""
    if not client_ids:
        return {}
    placeholders = ", ".join("?" for _ in client_ids)
    rows = ctx._views.query(
        f"SELECT * FROM clients_view WHERE client_id IN ({placeholders})",  # noqa: S608 - placeholders only
        tuple(client_ids),
    )
    return {row["client_id"]: row for row in rows}


def open_case_counts(ctx: SessionContext, client_ids: Sequence[str]) -> dict[str, int]:
    if not client_ids:
        return {}
    placeholders = ", ".join("?" for _ in client_ids)
    rows = ctx._views.query(
        "SELECT client_id, COUNT(*) AS n FROM cases_view "  # noqa: S608 - placeholders only
        f"WHERE status <> 'cerrado' AND client_id IN ({placeholders}) GROUP BY client_id",
        tuple(client_ids),
    )
    return {row["client_id"]: int(row["n"]) for row in rows}


def client_summary(ctx: SessionContext, row: Row, name: str, open_cases: int) -> ClientSummary:
    return ClientSummary(
        client_id=UUID(row["client_id"]),
        name=name,
        zone_name=ctx._zone_names().get(row["zone"], row["zone"]),
        age_band=row["age_band"],
        open_cases=open_cases,
        erased=bool(row["erased"]),
        registered_on=date.fromisoformat(row["registered_on"]),
    )


def case_summaries(ctx: SessionContext, rows: list[Row], purpose: str) -> list[CaseSummary]:
    """Opens the client names of a list; records which clients appeared in it first."""
    ctx._record_access(
        action="listar",
        section=Section.IDENTIFICATION,
        client_ids=[row["client_id"] for row in rows],
        case_ids=[row["case_id"] for row in rows],
        purpose=purpose,
    )
    zone_names = ctx._zone_names()
    names = ctx._listed_names(row["client_id"] for row in rows)
    return [
        summary_from_row(ctx, row, names.get(row["client_id"], PLACEHOLDER), zone_names)
        for row in rows
    ]


def summary_from_row(
    ctx: SessionContext, row: Row, name: str, zone_names: dict[str, str]
) -> CaseSummary:
    return CaseSummary(
        case_id=UUID(row["case_id"]),
        client_id=UUID(row["client_id"]),
        folio=row["folio"],
        client_name=name,
        opened_on=date.fromisoformat(row["opened_on"]),
        status=CaseStatus(row["status"]).label,
        zone_name=zone_names.get(row["zone"], row["zone"]),
        risk=RiskLevel(row["risk"]).label,
    )
