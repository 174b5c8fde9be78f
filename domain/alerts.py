"""Alerts for coordinación: an anomaly in the access trail, raised once and kept for good.

An alert is its own aggregate, with an id derived from its rule and what triggered it, so two
terminals sweeping the trail at once cannot raise it twice. It never disappears: it can only be
acknowledged, with a note, by a coordinator other than the person it is about. The sweep's
position is an aggregate too (``AnomalyWatch``), saved in the same transaction as the alerts it
raised, so no access is swept twice or skipped.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField

WATCH_ID = uuid5(NAMESPACE_URL, "https://violeta.invalid/alertas/vigilancia")
NOTE_MIN_LENGTH = 10
NOTE_MAX_LENGTH = 1000


class AlertRule(StrEnum):
    MANY_WOMEN = "muchas_usuarias"
    NOT_ASSIGNED = "sin_asignacion"
    OUT_OF_HOURS = "fuera_de_horario"
    BREAK_GLASS = "acceso_excepcional"
    REPEATED_DENIALS = "negaciones_repetidas"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS: dict[AlertRule, str] = {
    AlertRule.MANY_WOMEN: "Muchas usuarias en poco tiempo",
    AlertRule.NOT_ASSIGNED: "Lectura de un expediente no asignado",
    AlertRule.OUT_OF_HOURS: "Accesos fuera del horario de oficina",
    AlertRule.BREAK_GLASS: "Acceso excepcional (romper el cristal)",
    AlertRule.REPEATED_DENIALS: "Accesos denegados repetidos",
}


def alert_id(rule: AlertRule, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"https://violeta.invalid/alertas/{rule.value}/{key}")


class Alert(Aggregate):
    class Raised(Aggregate.Created):
        rule: str
        key: str
        staff_id: UUID
        first_at: str  # ISO instant of the first access it concerns
        last_at: str
        accesses: int
        women: int
        access_ids: list[UUID]

    class Acknowledged(Aggregate.Event):
        acknowledged_by: UUID
        note: str
        acknowledged_on: date

    @classmethod
    def raise_for(
        cls,
        rule: AlertRule,
        key: str,
        staff_id: UUID,
        first_at: str,
        last_at: str,
        accesses: int,
        women: int,
        access_ids: list[UUID],
    ) -> Alert:
        return cls(
            id=alert_id(rule, key),
            rule=rule.value,
            key=key,
            staff_id=staff_id,
            first_at=first_at,
            last_at=last_at,
            accesses=accesses,
            women=women,
            access_ids=list(access_ids),
        )

    @event(Raised)
    def __init__(
        self,
        id: UUID,  # derived from rule and key
        rule: str,
        key: str,
        staff_id: UUID,
        first_at: str,
        last_at: str,
        accesses: int,
        women: int,
        access_ids: list[UUID],
    ) -> None:
        self.rule = AlertRule(rule)
        self.key = key
        self.staff_id = staff_id
        self.first_at = first_at
        self.last_at = last_at
        self.accesses = accesses
        self.women = women
        self.access_ids = list(access_ids)
        self.acknowledged_by: UUID | None = None
        self.note = ""
        self.acknowledged_on: date | None = None

    def acknowledge(self, by: UUID, note: str, on: date) -> None:
        if self.acknowledged_by is not None:
            raise DomainError("La alerta ya fue atendida.")
        if by == self.staff_id:
            raise DomainError(
                "Una alerta sobre sus propios accesos la atiende otra persona de coordinación."
            )
        text = " ".join(note.split())
        if len(text) < NOTE_MIN_LENGTH:
            raise InvalidField("Nota", f"escriba al menos {NOTE_MIN_LENGTH} caracteres.")
        if len(text) > NOTE_MAX_LENGTH:
            raise InvalidField("Nota", f"admite hasta {NOTE_MAX_LENGTH} caracteres.")
        self._acknowledge(by, text, on)

    @event(Acknowledged)
    def _acknowledge(self, acknowledged_by: UUID, note: str, acknowledged_on: date) -> None:
        self.acknowledged_by = acknowledged_by
        self.note = note
        self.acknowledged_on = acknowledged_on


class AnomalyWatch(Aggregate):
    """How far the access trail has been swept for anomalies (a projection position)."""

    class Started(Aggregate.Created):
        pass

    class Swept(Aggregate.Event):
        through: int  # the last access-trail position examined

    @event(Started)
    def __init__(self) -> None:
        self.through = 0

    @staticmethod
    def create_id() -> UUID:
        return WATCH_ID

    def sweep(self, through: int) -> None:
        if through <= self.through:
            raise DomainError("La vigilancia ya revisó esos accesos.")
        self._sweep(through)

    @event(Swept)
    def _sweep(self, through: int) -> None:
        self.through = through
