"""Queries: searching and reading the register of women."""

from __future__ import annotations

from uuid import UUID

from domain import identity
from domain.clients import (
    AGE_AUTHORIZATION_LABELS,
    CORRECTABLE_FIELDS,
    DISABILITIES,
    INDIGENOUS_LANGUAGES,
    PROPOSED_REFERRAL_LABELS,
)
from domain.permissions import Action
from domain.vocabulary import (
    Section,
)
from projections.storage import Row
from violeta import name_search
from violeta.dto import AccessEntry, ClientDetail, ClientSummary, PendingErasure
from violeta.lookups import (
    access_entry,
    client_rows,
    client_summary,
    open_case_counts,
    search_candidates,
    summary_from_row,
)
from violeta.session import SEARCH_LIMIT, SessionContext


def pending_age_authorizations(ctx: SessionContext) -> list[ClientSummary]:
    """Women registered outside 18-60 waiting for coordinación (work queue); audited list."""
    ctx.refresh()
    return age_authorizations_pending(ctx)


def age_authorizations_pending(ctx: SessionContext) -> list[ClientSummary]:
    """``pending_age_authorizations`` on views the caller has just caught up."""
    rows, names = _queue_of_women(
        ctx,
        "SELECT clients_view.* FROM clients_view JOIN client_flags USING (client_id) "
        "WHERE client_flags.age_authorization = 'pendiente' AND clients_view.erased = 0 "
        "ORDER BY clients_view.registered_on",
        "autorizaciones de edad pendientes",
    )
    open_cases = open_case_counts(ctx, [row["client_id"] for row in rows])
    return [
        client_summary(ctx, row, names[row["client_id"]], open_cases.get(row["client_id"], 0))
        for row in rows
    ]


def pending_erasures(ctx: SessionContext) -> list[PendingErasure]:
    """ARCO cancellations waiting for coordinación's approval (work queue); audited list."""
    ctx.refresh()
    return erasures_pending(ctx)


def erasures_pending(ctx: SessionContext) -> list[PendingErasure]:
    """``pending_erasures`` on views the caller has just caught up."""
    # «> ''» rather than «IS NOT NULL»: beside «erased = 0» SQLite left the index on the
    # requester for a scan of every woman (14 ms at 30,000; test_query_plans).
    rows, names = _queue_of_women(
        ctx,
        "SELECT * FROM clients_view WHERE erasure_requested_by > '' AND erased = 0 "
        "ORDER BY registered_on",
        "cancelaciones pendientes de aprobación",
    )
    staff_names = ctx._staff_names()
    zone_names = ctx._zone_names()
    return [
        PendingErasure(
            client_id=UUID(row["client_id"]),
            name=names[row["client_id"]],
            zone_name=zone_names.get(row["zone"], row["zone"]),
            age_band=row["age_band"],
            requested_by=staff_names.get(row["erasure_requested_by"], "—"),
            requested_by_id=UUID(row["erasure_requested_by"]),
        )
        for row in rows
    ]


def _queue_of_women(
    ctx: SessionContext, sql: str, purpose: str
) -> tuple[list[Row], dict[str, str]]:
    """Coordinación's queues of women (ages to authorize, erasures to approve): the rows,
    recorded as one listing of their ids as the views give them (text, no UUID per row),
    and each woman's name opened once per screen (``_listed_names``: Mi día lists both)."""
    rows = ctx._views.query(sql)
    ctx._record_access(
        action="listar",
        section=Section.IDENTIFICATION,
        client_ids=[row["client_id"] for row in rows],
        case_ids=[],
        purpose=purpose,
    )
    return rows, ctx._listed_names(row["client_id"] for row in rows)


def search_clients(ctx: SessionContext, text: str) -> list[ClientSummary]:
    """Blind-index search by name, CURP or phone; candidates are confirmed by opening."""
    query = identity.free_text("Búsqueda", text, max_length=identity.NAME_MAX)
    ctx.refresh()
    candidates, confirm = search_candidates(ctx, query)
    considered = sorted(candidates)[: SEARCH_LIMIT * 4]
    confirmed: list[tuple[Row, str]] = []
    # Read a page of candidates at a time: a common name confirms its first page, so the
    # rest of the candidates (up to four pages in a large archive) are never read.
    for start in range(0, len(considered), SEARCH_LIMIT):
        page = considered[start : start + SEARCH_LIMIT]
        rows = client_rows(ctx, page)
        for client_id in page:
            row = rows.get(client_id)
            if row is None or row["name"] is None:
                continue
            name = ctx._keyring.open(client_id, "client.name", bytes(row["name"]))
            if confirm(client_id, name):
                confirmed.append((row, name))
            if len(confirmed) >= SEARCH_LIMIT:
                break
        if len(confirmed) >= SEARCH_LIMIT:
            break
    open_cases = open_case_counts(ctx, [row["client_id"] for row, _ in confirmed])
    summaries = [
        client_summary(ctx, row, name, open_cases.get(row["client_id"], 0))
        for row, name in confirmed
    ]
    # Her full name as typed first, then whole words, then beginnings; by name within each
    # (a folio, CURP or phone finds only her).
    words = identity.search_tokens(query)
    summaries.sort(
        key=lambda summary: (
            name_search.match_rank(words, summary.name),
            identity.normalize_for_search(summary.name),
        )
    )
    ctx._record_access(
        action="buscar",
        section=Section.IDENTIFICATION,
        client_ids=[summary.client_id for summary in summaries],
        case_ids=[],
        purpose="búsqueda de usuarias",
    )
    return summaries


def client_detail(ctx: SessionContext, client_id: UUID, justification: str = "") -> ClientDetail:
    exceptional = ctx._authorize(
        Section.IDENTIFICATION,
        Action.READ,
        [client_id],
        [],
        "ver identificación",
        justification,
    )
    ctx.refresh()
    client = ctx._latest_client(client_id)
    case_rows = ctx._views.query(
        "SELECT * FROM cases_view WHERE client_id = ? ORDER BY opened_on DESC",
        (str(client_id),),
    )
    ctx._record_access(
        action="ver",
        section=Section.IDENTIFICATION,
        client_ids=[client_id],
        case_ids=[UUID(row["case_id"]) for row in case_rows],
        purpose="ver identificación de la usuaria",
        exceptional=exceptional,
        justification=justification,
    )
    subject = str(client_id)
    name = ctx._keyring.open(subject, "client.name", client.name.envelope)
    zone_names = ctx._zone_names()
    return ClientDetail(
        client_id=client_id,
        name=name,
        curp=ctx._open_optional(subject, "client.curp", client.curp),
        birth_date=ctx._keyring.open(subject, "client.birth_date", client.birth_date.envelope),
        phone=ctx._open_optional(subject, "client.phone", client.phone),
        zone_name=zone_names.get(client.zone, client.zone),
        age_band=client.age_band,
        registered_on=client.registered_on,
        erased=client.erased,
        erasure_pending=client.erasure_requested_by is not None and not client.erased,
        cases=tuple(summary_from_row(ctx, row, name, zone_names) for row in case_rows),
        phone_safe_to_call=client.phone_safe_to_call,
        safe_contact_name=ctx._open_optional(
            subject, "client.safe_contact_name", client.safe_contact_name
        ),
        safe_contact_phone=ctx._open_optional(
            subject, "client.safe_contact_phone", client.safe_contact_phone
        ),
        address=ctx._open_optional(subject, "client.address", client.address),
        indigenous_language=INDIGENOUS_LANGUAGES.get(client.indigenous_language, ""),
        disabilities=tuple(DISABILITIES[key] for key in client.disabilities),
        privacy_notice_accepted=client.privacy_notice_accepted,
        consent_to_share=client.consent_to_share,
        consent_to_statistics=client.consent_to_statistics,
        age_authorization=AGE_AUTHORIZATION_LABELS[client.age_authorization],
        age_exception_reason=ctx._open_optional(
            subject, "client.age_exception_reason", client.age_exception_reason
        ),
        proposed_referral=PROPOSED_REFERRAL_LABELS.get(client.proposed_referral, ""),
        corrected_fields=tuple(
            dict.fromkeys(CORRECTABLE_FIELDS[c.field] for c in client.corrections)
        ),
    )


def audit_entries(
    ctx: SessionContext, client_id: UUID | None = None, limit: int = 200
) -> list[AccessEntry]:
    """The access trail, newest first (coordinación only): who saw whom, and why."""
    ctx.refresh()
    if client_id is None:
        rows = ctx._views.query("SELECT * FROM access_log ORDER BY at DESC LIMIT ?", (limit,))
    else:
        rows = ctx._views.query(
            "SELECT access_log.* FROM access_log JOIN access_subjects USING (access_id) "
            "WHERE access_subjects.client_id = ? ORDER BY at DESC LIMIT ?",
            (str(client_id), limit),
        )
    # Reading the trail is a read too: it names who saw which women. Recorded after the
    # query, so the list shows what was there before this look, and before it is returned.
    ctx._record_access(
        action="ver",
        section=Section.IDENTIFICATION,
        client_ids=[] if client_id is None else [client_id],
        case_ids=[],
        purpose="consultar bitácora",
    )
    staff_names = ctx._staff_names()
    entries = []
    for row in rows:
        subjects = ctx._views.query(
            "SELECT client_id FROM access_subjects WHERE access_id = ? ORDER BY client_id",
            (row["access_id"],),
        )
        entries.append(
            access_entry(ctx, row, [subject["client_id"] for subject in subjects], staff_names)
        )
    return entries


def case_counts(ctx: SessionContext) -> dict[tuple[str, str], int]:
    """Cases by (month, zone code) as the statistics view holds them; no personal data."""
    ctx._refresh_read_side()
    rows = ctx._views.query("SELECT month, zone, cases FROM stats_cases")
    return {(row["month"], row["zone"]): int(row["cases"]) for row in rows}
