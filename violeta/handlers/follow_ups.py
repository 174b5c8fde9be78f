"""Handlers: follow-ups and protection orders."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from domain import identity
from domain.cases import (
    EXTENSION_MAX_DAYS,
    ORDER_MAX_DAYS,
    Channel,
    OrderKind,
    ProtectionMeasure,
    ProtectionOrder,
    parse_category,
)
from violeta.casework import (
    INSTITUTION_MAX,
    case_for_write,
    local_today,
    optional_date,
    save_change,
    seal_case,
)
from violeta.commands import (
    ExtendProtectionOrder,
    RecordProtectionOrder,
    ScheduleFollowUp,
    SettleFollowUp,
)
from violeta.session import SessionContext


def schedule_follow_up(ctx: SessionContext, command: ScheduleFollowUp) -> UUID:
    case = case_for_write(ctx, command.case_id)
    due = identity.parse_date("Fecha programada", command.due_on)
    chosen = parse_category(Channel, "Medio", command.channel)
    follow_up_id = uuid4()
    save_change(
        ctx,
        case,
        lambda current: current.schedule_follow_up(follow_up_id, due, chosen, ctx._account.id),
    )
    return follow_up_id


def settle_follow_up(ctx: SessionContext, command: SettleFollowUp) -> None:
    """Done needs its outcome (sealed); missed may carry a note of why."""
    case = case_for_write(ctx, command.case_id)
    text = identity.free_text(
        "Resultado", command.outcome, max_length=identity.NARRATIVE_MAX, required=command.done
    )
    on = ctx._past_or_today("Fecha", command.settled_on, local_today(ctx))
    sealed = (
        seal_case(ctx, case, f"follow_up_outcome:{command.follow_up_id}", text) if text else None
    )
    save_change(
        ctx,
        case,
        lambda current: current.settle_follow_up(
            command.follow_up_id, command.done, on, sealed, ctx._account.id
        ),
    )


def record_protection_order(ctx: SessionContext, command: RecordProtectionOrder) -> UUID:
    """Empty expiry means the full term: 60 days from the issue date."""
    case = case_for_write(ctx, command.case_id)
    chosen = parse_category(OrderKind, "Tipo de orden", command.kind)
    chosen_measures = tuple(
        parse_category(ProtectionMeasure, "Medidas", measure) for measure in command.measures
    )
    text = identity.free_text(
        "Detalle de las medidas", command.detail, max_length=identity.NARRATIVE_MAX
    )
    issuer = identity.free_text("Autoridad emisora", command.authority, max_length=INSTITUTION_MAX)
    issued = ctx._past_or_today("Fecha de emisión", command.issued_on, local_today(ctx))
    expiry = optional_date(ctx, "Vencimiento", command.expires_on) or issued + timedelta(
        days=ORDER_MAX_DAYS
    )
    order_id = uuid4()
    order = ProtectionOrder(
        order_id=order_id,
        kind=chosen,
        measures=chosen_measures,
        detail=seal_case(ctx, case, f"order_detail:{order_id}", text),
        authority=seal_case(ctx, case, f"order_authority:{order_id}", issuer),
        issued_on=issued,
        expires_on=expiry,
        extensions=[],
    )
    save_change(
        ctx,
        case,
        lambda current: current.record_protection_order(order, ctx._account.id),
    )
    return order_id


def extend_protection_order(ctx: SessionContext, command: ExtendProtectionOrder) -> None:
    """Empty new expiry means the full extension: 30 days after the current expiry."""
    case = case_for_write(ctx, command.case_id)
    typed = optional_date(ctx, "Nuevo vencimiento", command.expires_on)
    current_order = case.services.protection_orders.get(command.order_id)
    expiry = typed or (
        current_order.expires_on + timedelta(days=EXTENSION_MAX_DAYS)
        if current_order is not None
        else local_today(ctx)
    )
    save_change(
        ctx,
        case,
        lambda current: current.extend_protection_order(command.order_id, expiry, ctx._account.id),
    )
