"""What every write to a case section shares: authorize, load, seal, save with retry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from uuid import UUID

from domain import identity
from domain.cases import (
    Area,
    Case,
)
from domain.errors import NotPermitted
from domain.sealed import HandTyped, Sealed
from domain.vocabulary import Role, Section
from keys import Duty
from projections.storage import Row
from violeta.session import SessionContext, case_label

AREA_SECTIONS: dict[Area, Section] = {
    Area.SOCIAL_WORK: Section.SOCIAL_WORK,
    Area.LEGAL: Section.LEGAL,
    Area.PSYCHOLOGICAL: Section.PSYCHOLOGICAL,
}
INSTITUTION_MAX = 160
NO_LIMIT = 2**31 - 1  # LIMIT that both SQLite and PostgreSQL read as none


def change_case(ctx: SessionContext, case_id: UUID, change: Callable[[Case], None]) -> None:
    """Applies ``change`` to the latest version of the case (admitted by the pipeline)."""
    case = ctx._latest_case(case_id)
    save_change(ctx, case, change)


def save_change(ctx: SessionContext, case: Case, change: Callable[[Case], None]) -> None:
    """Applies ``change`` to an admitted case and saves it.

    Every change here appends an event whose rules are re-checked on the fresh aggregate,
    so replaying it after a version conflict is safe and loses no other terminal's write.
    """
    ctx._change_and_save(case, lambda: ctx._get_case(case.id), change)


def case_for_write(ctx: SessionContext, case_id: UUID) -> Case:
    """The case a section write changes; the pipeline admitted the role for its section."""
    case = ctx._get_case(case_id)
    case.check_open()
    return case


def seal_case(
    ctx: SessionContext, case: Case, field: str, text: str, duty: Duty = Duty.CASE
) -> Sealed:
    return ctx._seal(str(case.client_id), case_label(case.id, field), text, duty)


def open_sealed(ctx: SessionContext, case: Case, field: str, sealed: Sealed | None) -> str:
    return ctx._open_optional(str(case.client_id), case_label(case.id, field), sealed)


def open_typed(ctx: SessionContext, case: Case, field: str, value: HandTyped) -> str:
    """An institution or authority typed by hand: sealed since issue 13, clear before."""
    return value if isinstance(value, str) else open_sealed(ctx, case, field, value)


def open_row_typed(ctx: SessionContext, row: Row, field: str, value: bytes | None) -> str:
    """The same, from a view row that keeps only the envelope (NULL for older records)."""
    if value is None:
        return ""
    label = case_label(UUID(row["case_id"]), field)
    return ctx._keyring.open(row["client_id"], label, bytes(value))


def local_today(ctx: SessionContext) -> date:
    return ctx._institute.today()


def optional_date(ctx: SessionContext, field: str, text: str) -> date | None:
    return identity.parse_date(field, text) if text.strip() else None


def check_assigned_or_coordination(ctx: SessionContext, case: Case, purpose: str) -> None:
    if ctx.role is Role.COORDINATION or ctx._account.id in case.services.areas.values():
        return
    ctx._record_denied(Section.INTAKE, [case.client_id], purpose, [case.id])
    raise NotPermitted(f"Solo el personal asignado al expediente o coordinación puede {purpose}.")


def mine_params(ctx: SessionContext, params: tuple[object, ...], mine: bool) -> tuple[object, ...]:
    """Parameters for the work-queue filter: every case, or those where she attends."""
    return (*params, int(mine), str(ctx._account.id))


def record_listing(
    ctx: SessionContext, section: Section, purpose: str, rows: Sequence[Row]
) -> None:
    ctx._record_access(
        action="listar",
        section=section,
        # As the views give them: text, no UUID per row (domain ``Ids``).
        client_ids=sorted({row["client_id"] for row in rows}),
        case_ids=sorted({row["case_id"] for row in rows}),
        purpose=purpose,
    )
