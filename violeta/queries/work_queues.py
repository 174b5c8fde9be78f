"""Queries: the work queues (follow-ups due, orders expiring, closures)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.cases import (
    MAX_EXTENSIONS,
    Channel,
    MisconductConduct,
    OrderKind,
    ReportStatus,
)
from domain.vocabulary import Section
from keys import PLACEHOLDER
from violeta.agenda import listed_names
from violeta.casework import (
    NO_LIMIT,
    local_today,
    mine_params,
    open_row_typed,
    record_listing,
)
from violeta.dto import DueFollowUp, ExpiringOrder, OpenMisconductReport, PendingClosure
from violeta.session import SessionContext


def open_misconduct_reports(ctx: SessionContext) -> list[OpenMisconductReport]:
    """Reportes de actuación not yet closed, oldest first, for jurídica and coordinación."""
    ctx.refresh()
    return misconduct_reports_open(ctx)


def misconduct_reports_open(ctx: SessionContext) -> list[OpenMisconductReport]:
    """``open_misconduct_reports`` on views the caller has just caught up."""
    rows = ctx._views.query(
        "SELECT misconduct_reports_view.*, cases_view.folio, cases_view.client_id "
        "FROM misconduct_reports_view JOIN cases_view USING (case_id) "
        "WHERE misconduct_reports_view.status <> 'cerrado' ORDER BY reported_on, folio"
    )
    record_listing(ctx, Section.LEGAL, "reportes de actuación abiertos", rows)
    return [
        OpenMisconductReport(
            case_id=UUID(row["case_id"]),
            folio=row["folio"],
            report_id=UUID(row["report_id"]),
            institution=open_row_typed(
                ctx, row, f"misconduct_institution:{row['report_id']}", row["institution"]
            ),
            conduct=MisconductConduct(row["conduct"]).label,
            reported_on=date.fromisoformat(row["reported_on"]),
            status=ReportStatus(row["status"]).label,
        )
        for row in rows
    ]


def follow_ups_due(
    ctx: SessionContext,
    within_days: int = 7,
    *,
    assigned_to_me: bool = False,
    limit: int | None = None,
) -> list[DueFollowUp]:
    """Pending follow-ups due up to ``within_days`` from today, overdue ones first;
    ``assigned_to_me`` keeps the cases where this person attends an area; ``limit``
    keeps the most urgent (a work queue on one screen, and what its access records)."""
    ctx.refresh()
    return due_follow_ups(ctx, within_days, assigned_to_me=assigned_to_me, limit=limit)


def due_follow_ups(
    ctx: SessionContext, within_days: int, *, assigned_to_me: bool, limit: int | None
) -> list[DueFollowUp]:
    """``follow_ups_due`` on views the caller has just caught up (Mi día: once for all
    its lists)."""
    return due_follow_ups_page(ctx, within_days, assigned_to_me=assigned_to_me, limit=limit)[0]


def due_follow_ups_page(
    ctx: SessionContext, within_days: int, *, assigned_to_me: bool, limit: int | None
) -> tuple[list[DueFollowUp], bool]:
    """``due_follow_ups`` and whether more than ``limit`` are due: one row past the page is
    read to know it, and neither recorded nor opened."""
    today = local_today(ctx)
    rows = ctx._views.query(
        "SELECT * FROM follow_ups_view WHERE state = 'pendiente' AND due_on <= ? "
        # Probed per follow-up due: the list of every case she attends grows with the years.
        "AND (? = 0 OR EXISTS (SELECT 1 FROM case_areas WHERE case_areas.case_id = "
        "follow_ups_view.case_id AND case_areas.staff_id = ?)) "
        "ORDER BY due_on, folio LIMIT ?",
        (
            *mine_params(ctx, ((today + timedelta(days=within_days)).isoformat(),), assigned_to_me),
            NO_LIMIT if limit is None else limit + 1,
        ),
    )
    more = limit is not None and len(rows) > limit
    rows = rows[:limit]
    record_listing(ctx, Section.FOLLOW_UPS, "mi día: seguimientos por vencer", rows)
    names = listed_names(ctx, rows)  # recorded above, in the same listing
    shown = []
    for row in rows:
        due_on = date.fromisoformat(row["due_on"])
        shown.append(
            DueFollowUp(
                case_id=UUID(row["case_id"]),
                folio=row["folio"],
                follow_up_id=UUID(row["follow_up_id"]),
                due_on=due_on,
                channel=Channel(row["channel"]).label,
                overdue=due_on < today,
                client_name=names.get(row["client_id"], PLACEHOLDER),
            )
        )
    return shown, more


def orders_expiring(
    ctx: SessionContext, within_days: int = 10, *, assigned_to_me: bool = False
) -> list[ExpiringOrder]:
    """Orders still in force that expire within ``within_days``, soonest first."""
    ctx.refresh()
    return expiring_orders(ctx, within_days, assigned_to_me=assigned_to_me)


def expiring_orders(
    ctx: SessionContext, within_days: int, *, assigned_to_me: bool
) -> list[ExpiringOrder]:
    """``orders_expiring`` on views the caller has just caught up."""
    today = local_today(ctx)
    rows = ctx._views.query(
        "SELECT * FROM protection_orders_view WHERE expires_on >= ? AND expires_on <= ? "
        "AND (? = 0 OR EXISTS (SELECT 1 FROM case_areas WHERE case_areas.case_id = "
        "protection_orders_view.case_id AND case_areas.staff_id = ?)) "
        "ORDER BY expires_on, folio",
        mine_params(
            ctx,
            (today.isoformat(), (today + timedelta(days=within_days)).isoformat()),
            assigned_to_me,
        ),
    )
    record_listing(ctx, Section.PROTECTION_ORDERS, "mi día: órdenes por vencer", rows)
    return [
        ExpiringOrder(
            case_id=UUID(row["case_id"]),
            folio=row["folio"],
            order_id=UUID(row["order_id"]),
            kind=OrderKind(row["kind"]).label,
            expires_on=date.fromisoformat(row["expires_on"]),
            days_left=(date.fromisoformat(row["expires_on"]) - today).days,
            extendable=int(row["extensions"]) < MAX_EXTENSIONS,
        )
        for row in rows
    ]


def pending_closures(ctx: SessionContext) -> list[PendingClosure]:
    """Coordinación's queue of closure requests: folios and dates, no client data."""
    ctx.refresh()
    return closures_pending(ctx)


def closures_pending(ctx: SessionContext) -> list[PendingClosure]:
    """``pending_closures`` on views the caller has just caught up."""
    rows = ctx._views.query(
        # The (short) queue drives the join: each request looks up its one case.
        "SELECT closure_requests.*, cases_view.folio, cases_view.client_id "
        "FROM closure_requests CROSS JOIN cases_view "
        "WHERE cases_view.case_id = closure_requests.case_id ORDER BY requested_on"
    )
    record_listing(ctx, Section.INTAKE, "cierres pendientes de aprobación", rows)
    names = ctx._staff_names()
    return [
        PendingClosure(
            case_id=UUID(row["case_id"]),
            folio=row["folio"],
            requested_by=names.get(row["requested_by"], "—"),
            requested_on=date.fromisoformat(row["requested_on"]),
        )
        for row in rows
    ]
