"""Access events: every read of personal data, granted or denied, is recorded before it happens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.sealed import Sealed


class AccessRecord(Aggregate):
    """One access by one staff member. A new aggregate per access keeps terminals from
    contending for a shared journal; the event store's notification order is the audit order.
    """

    class Recorded(Aggregate.Created):
        """Version 2: the break-the-glass reason is sealed with the woman's key
        (``sealed_justification``), so her erasure takes it too; ``justification`` stays empty
        (version 1 kept it in clear under the institution key only)."""

        class_version = 2
        staff_id: UUID
        role: str
        action: str
        section: str
        client_ids: list[UUID]
        case_ids: list[UUID]
        purpose: str
        outcome: str
        exceptional: bool
        justification: str
        sealed_justification: Sealed | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sealed_justification"] = None

    @event(Recorded)
    def __init__(
        self,
        staff_id: UUID,
        role: str,
        action: str,
        section: str,
        client_ids: list[UUID],
        case_ids: list[UUID],
        purpose: str,
        outcome: str,
        exceptional: bool,
        justification: str,
        sealed_justification: Sealed | None = None,
    ) -> None:
        self.staff_id = staff_id
        self.role = role
        self.action = action
        self.section = section
        self.client_ids = list(client_ids)
        self.case_ids = list(case_ids)
        self.purpose = purpose
        self.outcome = outcome
        self.exceptional = exceptional
        self.justification = justification
        self.sealed_justification = sealed_justification
