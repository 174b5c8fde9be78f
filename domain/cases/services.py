"""Categories and records of the services given on a case, area by area.

Legal advice and accompaniment, psychology, social work, follow-up and protection orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from uuid import UUID

from domain.errors import InvalidField
from domain.sealed import HandTyped, Sealed
from domain.vocabulary import (
    CaseStatus,
    LabelledEnum,
    Role,
)

# ------------------------------------------------------------------ services on a case
# Categories of the services recorded on a case. Only these travel in clear (inside the
# institution-key outer cipher); what staff write about the client is always Sealed.


class ServiceEnum(LabelledEnum):
    @property
    def label(self) -> str:
        return SERVICE_LABELS[type(self)][self.value]


class Area(ServiceEnum):
    SOCIAL_WORK = "trabajo_social"
    LEGAL = "juridica"
    PSYCHOLOGICAL = "psicologica"


class LegalMatter(ServiceEnum):
    FAMILY = "familiar"
    CRIMINAL = "penal"
    CIVIL = "civil"
    LABOUR = "laboral"
    OTHER = "otra"


class SessionModality(ServiceEnum):
    IN_PERSON = "presencial"
    PHONE = "telefonica"
    ONLINE = "en_linea"


class Channel(ServiceEnum):
    IN_PERSON = "presencial"
    PHONE = "telefono"


class VisitKind(ServiceEnum):
    HOME = "domicilio"
    PHONE = "telefonica"


class GestionOutcome(ServiceEnum):
    PENDING = "en_tramite"
    FAVOURABLE = "favorable"
    UNFAVOURABLE = "no_favorable"


class FollowUpState(ServiceEnum):
    PENDING = "pendiente"
    DONE = "realizado"
    MISSED = "no_realizado"


class OrderKind(ServiceEnum):
    ADMINISTRATIVE = "administrativa"
    JURISDICTIONAL = "jurisdiccional"


class ProtectionMeasure(ServiceEnum):
    NO_APPROACH = "prohibicion_acercamiento"
    NO_CONTACT = "prohibicion_comunicacion"
    AGGRESSOR_REMOVED = "desocupacion_domicilio"
    RETURN_HOME = "reingreso_domicilio"
    POLICE_WATCH = "vigilancia_policial"
    BELONGINGS = "entrega_pertenencias"
    WEAPONS = "retencion_armas"
    CHILDREN = "resguardo_hijas_hijos"
    OTHER = "otra"


class MisconductConduct(ServiceEnum):
    DISCRIMINATION = "discriminacion"
    DELAY = "dilacion"
    OBSTRUCTION = "obstaculizacion"
    DENIAL = "negativa_de_servicio"
    REVICTIMIZATION = "revictimizacion"
    OTHER = "otra"


class ReportStatus(ServiceEnum):
    FILED = "presentado"
    IN_PROCESS = "en_tramite"
    CLOSED = "cerrado"


# Keyed by enum class: different categories share values ("otra", "telefonica") and
# StrEnum members with equal values are equal dictionary keys.
SERVICE_LABELS: dict[type[LabelledEnum], dict[str, str]] = {
    Area: {
        Area.SOCIAL_WORK.value: "Trabajo social",
        Area.LEGAL.value: "Jurídica",
        Area.PSYCHOLOGICAL.value: "Psicológica",
    },
    LegalMatter: {
        LegalMatter.FAMILY.value: "Familiar",
        LegalMatter.CRIMINAL.value: "Penal",
        LegalMatter.CIVIL.value: "Civil",
        LegalMatter.LABOUR.value: "Laboral",
        LegalMatter.OTHER.value: "Otra",
    },
    SessionModality: {
        SessionModality.IN_PERSON.value: "Presencial",
        SessionModality.PHONE.value: "Telefónica",
        SessionModality.ONLINE.value: "En línea",
    },
    Channel: {
        Channel.IN_PERSON.value: "Presencial",
        Channel.PHONE.value: "Teléfono",
    },
    VisitKind: {
        VisitKind.HOME.value: "Visita domiciliaria",
        VisitKind.PHONE.value: "Seguimiento telefónico",
    },
    GestionOutcome: {
        GestionOutcome.PENDING.value: "En trámite",
        GestionOutcome.FAVOURABLE.value: "Favorable",
        GestionOutcome.UNFAVOURABLE.value: "No favorable",
    },
    FollowUpState: {
        FollowUpState.PENDING.value: "Pendiente",
        FollowUpState.DONE.value: "Realizado",
        FollowUpState.MISSED.value: "No realizado",
    },
    OrderKind: {
        OrderKind.ADMINISTRATIVE.value: "Administrativa",
        OrderKind.JURISDICTIONAL.value: "Jurisdiccional",
    },
    ProtectionMeasure: {
        ProtectionMeasure.NO_APPROACH.value: "Prohibición de acercarse a la víctima",
        ProtectionMeasure.NO_CONTACT.value: "Prohibición de comunicarse con la víctima",
        ProtectionMeasure.AGGRESSOR_REMOVED.value: "Desocupación del domicilio por el agresor",
        ProtectionMeasure.RETURN_HOME.value: "Reingreso de la víctima a su domicilio",
        ProtectionMeasure.POLICE_WATCH.value: "Vigilancia o rondines policiales",
        ProtectionMeasure.BELONGINGS.value: "Entrega de pertenencias y documentos",
        ProtectionMeasure.WEAPONS.value: "Retención de armas",
        ProtectionMeasure.CHILDREN.value: "Resguardo de hijas e hijos",
        ProtectionMeasure.OTHER.value: "Otra medida",
    },
    MisconductConduct: {
        MisconductConduct.DISCRIMINATION.value: "Discriminación",
        MisconductConduct.DELAY.value: "Dilación",
        MisconductConduct.OBSTRUCTION.value: "Obstaculización",
        MisconductConduct.DENIAL.value: "Negativa de servicio",
        MisconductConduct.REVICTIMIZATION.value: "Revictimización",
        MisconductConduct.OTHER.value: "Otra conducta",
    },
    ReportStatus: {
        ReportStatus.FILED.value: "Presentado",
        ReportStatus.IN_PROCESS.value: "En trámite",
        ReportStatus.CLOSED.value: "Cerrado",
    },
}

# Which role may be assigned to each area of a case.
AREA_ROLES: dict[Area, Role] = {
    Area.SOCIAL_WORK: Role.SOCIAL_WORK,
    Area.LEGAL: Role.LEGAL,
    Area.PSYCHOLOGICAL: Role.PSYCHOLOGY,
}

E = TypeVar("E", bound=LabelledEnum)

ORDER_MAX_DAYS = 60
EXTENSION_MAX_DAYS = 30
MAX_EXTENSIONS = 1


def parse_category(kind: type[E], field: str, value: str) -> E:
    """A category typed or chosen by staff; the message lists what is valid, never the input."""
    text = value.strip().casefold()
    for member in kind:
        if text in (member.value, member.label.casefold()):
            return member
    options = ", ".join(member.label.lower() for member in kind)
    raise InvalidField(field, f"elija una de: {options}.")


@dataclass(frozen=True)
class LegalAdvice:
    advice_id: UUID
    matter: LegalMatter
    notes: Sealed
    given_on: date
    given_by: UUID


@dataclass(frozen=True)
class AccompanimentDecision:
    severity: bool
    lacks_resources: bool
    deadline: date | None  # the imminent legal deadline; None when that criterion is not met
    unfamiliar_with_procedure: bool
    accompany: bool
    decided_on: date
    decided_by: UUID

    @property
    def criteria_met(self) -> int:
        return sum(
            (
                self.severity,
                self.lacks_resources,
                self.deadline is not None,
                self.unfamiliar_with_procedure,
            )
        )


@dataclass(frozen=True)
class Accompaniment:
    accompaniment_id: UUID
    area: Area
    authority: HandTyped
    notes: Sealed
    performed_on: date
    performed_by: UUID


@dataclass
class MisconductReport:
    report_id: UUID
    institution: HandTyped
    conduct: MisconductConduct
    facts: Sealed
    reported_to: Sealed
    reported_on: date
    reported_by: UUID
    status: ReportStatus = ReportStatus.FILED


@dataclass(frozen=True)
class PsychologySession:
    session_id: UUID
    held_on: date
    modality: SessionModality
    notes: Sealed
    next_session: date | None
    held_by: UUID


@dataclass(frozen=True)
class Gestion:
    gestion_id: UUID
    what: Sealed
    institution: HandTyped
    outcome: GestionOutcome
    done_on: date
    done_by: UUID


@dataclass(frozen=True)
class SocialVisit:
    visit_id: UUID
    kind: VisitKind
    notes: Sealed
    visited_on: date
    visited_by: UUID


@dataclass
class FollowUp:
    follow_up_id: UUID
    due_on: date
    channel: Channel
    scheduled_by: UUID
    state: FollowUpState = FollowUpState.PENDING
    settled_on: date | None = None
    outcome: Sealed | None = None


@dataclass
class ProtectionOrder:
    order_id: UUID
    kind: OrderKind
    measures: tuple[ProtectionMeasure, ...]
    detail: Sealed
    authority: HandTyped
    issued_on: date
    expires_on: date
    extensions: list[date]


@dataclass(frozen=True)
class StatusChange:
    status: CaseStatus
    on: date
    by: UUID
    reason: Sealed | None


@dataclass
class CaseServicesState:
    """What the services recorded on a case have built up; held sealed, like the events."""

    areas: dict[Area, UUID] = field(default_factory=dict)
    closure_request: tuple[UUID, date, Sealed] | None = None
    history: list[StatusChange] = field(default_factory=list)
    legal_advice: list[LegalAdvice] = field(default_factory=list)
    accompaniment_decisions: list[AccompanimentDecision] = field(default_factory=list)
    accompaniments: list[Accompaniment] = field(default_factory=list)
    misconduct_reports: dict[UUID, MisconductReport] = field(default_factory=dict)
    psychology_sessions: list[PsychologySession] = field(default_factory=list)
    psychology_closed_on: date | None = None
    gestiones: list[Gestion] = field(default_factory=list)
    social_visits: list[SocialVisit] = field(default_factory=list)
    follow_ups: dict[UUID, FollowUp] = field(default_factory=dict)
    protection_orders: dict[UUID, ProtectionOrder] = field(default_factory=dict)
