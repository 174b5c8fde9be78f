"""Activities of the work plan (plan de trabajo 2024-2027) and their yearly targets.

Workshops, talks, conferences, dialogue tables, health fairs, wig and prosthesis management,
hair-donation campaigns, medicine support and advice in communities. No personal data at all:
a date, a kind, a topic, a zone, attendance counted by age band and a partner institution.
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField
from domain.vocabulary import AGE_BANDS, LabelledEnum


class ActivityKind(LabelledEnum):
    WORKSHOP = "taller"
    TALK = "platica"
    CONFERENCE = "conferencia"
    DIALOGUE_TABLE = "mesa_dialogo"
    HEALTH_FAIR = "feria_salud"
    WIGS_AND_PROSTHESES = "pelucas_protesis"
    HAIR_DONATION = "donacion_cabello"
    MEDICINE_SUPPORT = "apoyo_medicamento"
    COMMUNITY_ADVICE = "asesoria_comunidad"

    @property
    def label(self) -> str:
        return ACTIVITY_LABELS[self.value]


ACTIVITY_LABELS: dict[str, str] = {
    "taller": "Taller",
    "platica": "Plática",
    "conferencia": "Conferencia",
    "mesa_dialogo": "Mesa de diálogo",
    "feria_salud": "Feria de la salud",
    "pelucas_protesis": "Gestión de pelucas oncológicas o prótesis de seno",
    "donacion_cabello": "Campaña de donación de cabello",
    "apoyo_medicamento": "Apoyo de medicamento",
    "asesoria_comunidad": "Asesoría jurídica o psicológica en comunidad",
}

BANDS: tuple[str, ...] = tuple(band for _, _, band in AGE_BANDS)
MAX_ATTENDEES = 100_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
TARGETS_NAMESPACE = uuid5(NAMESPACE_URL, "https://violeta.invalid/work-plan")


def check_attendance(attendance: dict[str, int]) -> None:
    unknown = set(attendance) - set(BANDS)
    if unknown:
        raise InvalidField("Asistencia", "contiene un grupo de edad que no existe.")
    for band, count in attendance.items():
        if not 0 <= count <= MAX_ATTENDEES:
            raise InvalidField(f"Asistentes de {band}", f"entre 0 y {MAX_ATTENDEES}.")
    if sum(attendance.values()) == 0:
        raise InvalidField("Asistencia", "registre al menos una persona atendida o asistente.")


class Activity(Aggregate):
    class Recorded(Aggregate.Created):
        held_on: date
        kind: str
        topic: str
        zone: str
        attendance: dict[str, int]
        partner: str
        recorded_by: UUID

    class Cancelled(Aggregate.Event):
        """Recorded by mistake: it stops counting; the record stays."""

        cancelled_by: UUID

    @classmethod
    def record(
        cls,
        *,
        activity_id: UUID,
        held_on: date,
        kind: ActivityKind,
        topic: str,
        zone: str,
        attendance: dict[str, int],
        partner: str,
        recorded_by: UUID,
    ) -> Activity:
        check_attendance(attendance)
        return cls(
            id=activity_id,
            held_on=held_on,
            kind=kind.value,
            topic=topic,
            zone=zone,
            attendance={band: attendance[band] for band in BANDS if attendance.get(band)},
            partner=partner,
            recorded_by=recorded_by,
        )

    @event(Recorded)
    def __init__(
        self,
        id: UUID,  # chosen by the service
        held_on: date,
        kind: str,
        topic: str,
        zone: str,
        attendance: dict[str, int],
        partner: str,
        recorded_by: UUID,
    ) -> None:
        self.held_on = held_on
        self.kind = ActivityKind(kind)
        self.topic = topic
        self.zone = zone
        self.attendance = dict(attendance)
        self.partner = partner
        self.recorded_by = recorded_by
        self.cancelled = False

    @property
    def attendees(self) -> int:
        return sum(self.attendance.values())

    def cancel(self, cancelled_by: UUID) -> None:
        if self.cancelled:
            raise DomainError("La actividad ya fue cancelada.")
        self._cancel(cancelled_by)

    @event(Cancelled)
    def _cancel(self, cancelled_by: UUID) -> None:
        self.cancelled = True


class WorkPlanYear(Aggregate):
    """The yearly targets of the work plan, one number of activities per kind."""

    class Started(Aggregate.Created):
        year: int

    class TargetSet(Aggregate.Event):
        year: int  # repeated so the views need not know the id scheme
        kind: str
        target: int
        set_by: UUID

    @staticmethod
    def create_id(year: int) -> UUID:
        return uuid5(TARGETS_NAMESPACE, str(year))

    @classmethod
    def start(cls, year: int) -> WorkPlanYear:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidField("Año", f"entre {FIRST_YEAR} y {LAST_YEAR}.")
        return cls(year=year)

    @event(Started)
    def __init__(self, year: int) -> None:
        self.year = year
        self.targets: dict[ActivityKind, int] = {}

    def set_target(self, kind: ActivityKind, target: int, set_by: UUID) -> None:
        if not 0 <= target <= MAX_ATTENDEES:
            raise InvalidField("Meta", f"entre 0 y {MAX_ATTENDEES} actividades.")
        if self.targets.get(kind) == target:
            raise DomainError("La meta ya tiene ese valor.")
        self._set_target(self.year, kind.value, target, set_by)

    @event(TargetSet)
    def _set_target(self, year: int, kind: str, target: int, set_by: UUID) -> None:
        self.targets[ActivityKind(kind)] = target
