"""The client (usuaria): the woman served, the data subject."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.sealed import Sealed


class ClientErasedError(DomainError):
    def __init__(self) -> None:
        super().__init__("Los datos de esta usuaria fueron cancelados (ARCO); no admite cambios.")


class Client(Aggregate):
    """Identification of one woman. Every personal attribute is sealed with her own key."""

    class Registered(Aggregate.Created):
        name: Sealed
        curp: Sealed | None
        birth_date: Sealed
        phone: Sealed | None
        zone: str
        age_band: str
        registered_on: date
        registered_by: UUID

    class ErasureRequested(Aggregate.Event):
        requested_by: UUID

    class Erased(Aggregate.Event):
        """ARCO cancellation executed: her key was shredded. Carries no personal data."""

        approved_by: UUID

    @event(Registered)
    def __init__(
        self,
        id: UUID,  # chosen by the service before sealing
        name: Sealed,
        curp: Sealed | None,
        birth_date: Sealed,
        phone: Sealed | None,
        zone: str,
        age_band: str,
        registered_on: date,
        registered_by: UUID,
    ) -> None:
        self.name = name
        self.curp = curp
        self.birth_date = birth_date
        self.phone = phone
        self.zone = zone
        self.age_band = age_band
        self.registered_on = registered_on
        self.registered_by = registered_by
        self.erasure_requested_by: UUID | None = None
        self.erased = False

    def check_not_erased(self) -> None:
        if self.erased:
            raise ClientErasedError

    def request_erasure(self, requested_by: UUID) -> None:
        self.check_not_erased()
        if self.erasure_requested_by is not None:
            raise DomainError("Ya hay una solicitud de cancelación pendiente para esta usuaria.")
        self._request_erasure(requested_by)

    @event(ErasureRequested)
    def _request_erasure(self, requested_by: UUID) -> None:
        self.erasure_requested_by = requested_by

    def erase(self, approved_by: UUID) -> None:
        self.check_not_erased()
        if self.erasure_requested_by is None:
            raise DomainError("No hay solicitud de cancelación que aprobar.")
        if approved_by == self.erasure_requested_by:
            raise DomainError(
                "La cancelación debe aprobarla una persona distinta de quien la solicitó."
            )
        self._erase(approved_by)

    @event(Erased)
    def _erase(self, approved_by: UUID) -> None:
        self.erased = True
