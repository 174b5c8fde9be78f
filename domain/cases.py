"""The case (expediente): one attention process of a client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed
from domain.vocabulary import (
    CaseStatus,
    LabelledEnum,
    Modality,
    RiskLevel,
    Role,
    Section,
    ViolenceType,
)


@dataclass(frozen=True)
class Note:
    section: Section
    text: Sealed
    author: UUID
    written_on: date


class AggressorRelationship(LabelledEnum):
    """Who the aggressor is to her: a category only; who he is stays in the sealed details."""

    PARTNER = "pareja"
    FORMER_PARTNER = "expareja"
    SPOUSE = "conyuge"
    RELATIVE = "familiar"
    ACQUAINTANCE = "conocido"
    WORK_OR_SCHOOL = "trabajo_escuela"
    PUBLIC_SERVANT = "servidor_publico"
    STRANGER = "desconocido"
    OTHER = "otra"
    NOT_STATED = "no_referido"

    @property
    def label(self) -> str:
        return INTAKE_LABELS[self.value]


class RiskFactor(LabelledEnum):
    """Factors of the risk assessment at intake (in clear: categories, not facts about her)."""

    DEATH_THREATS = "amenazas_de_muerte"
    WEAPONS = "acceso_a_armas"
    ESCALATING = "violencia_en_aumento"
    STRANGULATION = "intento_de_estrangulamiento"
    PREGNANCY = "violencia_en_embarazo"
    CONTROL = "celos_y_control_extremos"
    SEPARATION = "separacion_reciente"
    SUBSTANCES = "consumo_de_alcohol_o_drogas"
    CHILDREN_HARMED = "agresion_a_hijas_hijos"
    ORDER_BREACHED = "incumplimiento_de_medidas"
    SUICIDE_THREATS = "amenazas_de_suicidio_del_agresor"

    @property
    def label(self) -> str:
        return INTAKE_LABELS[self.value]


INTAKE_LABELS: dict[str, str] = {
    "pareja": "Pareja o novio",
    "expareja": "Expareja",
    "conyuge": "Cónyuge o concubino",
    "familiar": "Familiar",
    "conocido": "Conocido o vecino",
    "trabajo_escuela": "Compañero o superior de trabajo o escuela",
    "servidor_publico": "Servidor público",
    "desconocido": "Desconocido",
    "otra": "Otra relación",
    "no_referido": "No lo refiere",
    "amenazas_de_muerte": "Amenazas de muerte",
    "acceso_a_armas": "Uso o acceso a armas",
    "violencia_en_aumento": "Violencia física en aumento",
    "intento_de_estrangulamiento": "Intento de estrangulamiento o asfixia",
    "violencia_en_embarazo": "Violencia durante el embarazo",
    "celos_y_control_extremos": "Celos y control extremos",
    "separacion_reciente": "Separación reciente o en curso",
    "consumo_de_alcohol_o_drogas": "Consumo de alcohol o drogas del agresor",
    "agresion_a_hijas_hijos": "Agresión a hijas o hijos",
    "incumplimiento_de_medidas": "Incumplimiento de órdenes o medidas de protección",
    "amenazas_de_suicidio_del_agresor": "Amenazas o intentos de suicidio del agresor",
}


def _check_categories(types: list[str], modalities: list[str], risk: str) -> None:
    if not types:
        raise InvalidField("Tipos de violencia", "seleccione al menos uno.")
    if not modalities:
        raise InvalidField("Modalidades", "seleccione al menos una.")
    if not set(types) <= {t.value for t in ViolenceType}:
        raise InvalidField("Tipos de violencia", "contiene un tipo que no existe en la LGAMVLV.")
    if not set(modalities) <= {m.value for m in Modality}:
        raise InvalidField("Modalidades", "contiene una modalidad que no existe en la LGAMVLV.")
    if risk not in {r.value for r in RiskLevel}:
        raise InvalidField("Nivel de riesgo", "debe ser bajo, medio o alto.")


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
    authority: str
    notes: Sealed
    performed_on: date
    performed_by: UUID


@dataclass
class MisconductReport:
    report_id: UUID
    institution: str
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
    institution: str
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
    authority: str
    issued_on: date
    expires_on: date
    extensions: list[date]


@dataclass(frozen=True)
class StatusChange:
    status: CaseStatus
    on: date
    by: UUID
    reason: Sealed | None


class Case(Aggregate):
    """Opened with the entrevista inicial; every later act on the case is an event here."""

    class Opened(Aggregate.Created):
        class_version = 2

        client_id: UUID
        folio: str
        opened_on: date
        zone: str
        age_band: str
        reason: Sealed
        narrative: Sealed
        violence_types: list[str]
        modalities: list[str]
        risk: str
        opened_by: UUID
        aggressor_relationship: str
        aggressor_details: Sealed | None
        risk_factors: list[str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Intakes recorded before the aggressor and risk factors were asked for.
            state.update(
                aggressor_relationship=AggressorRelationship.NOT_STATED.value,
                aggressor_details=None,
                risk_factors=[],
            )

    class NoteAdded(Aggregate.Event):
        section: str
        text: Sealed
        author: UUID
        written_on: date

    @classmethod
    def open(
        cls,
        *,
        case_id: UUID,
        client_id: UUID,
        folio: str,
        opened_on: date,
        zone: str,
        age_band: str,
        reason: Sealed,
        narrative: Sealed,
        violence_types: list[str],
        modalities: list[str],
        risk: str,
        opened_by: UUID,
        aggressor_relationship: str = AggressorRelationship.NOT_STATED.value,
        aggressor_details: Sealed | None = None,
        risk_factors: list[str] | None = None,
    ) -> Case:
        _check_categories(violence_types, modalities, risk)
        if aggressor_relationship not in {a.value for a in AggressorRelationship}:
            raise InvalidField("Relación con la persona agresora", "no es una categoría válida.")
        factors = sorted(set(risk_factors or []))
        if not set(factors) <= {f.value for f in RiskFactor}:
            raise InvalidField("Factores de riesgo", "contiene un factor que no existe.")
        return cls(
            id=case_id,
            client_id=client_id,
            folio=folio,
            opened_on=opened_on,
            zone=zone,
            age_band=age_band,
            reason=reason,
            narrative=narrative,
            violence_types=sorted(set(violence_types)),
            modalities=sorted(set(modalities)),
            risk=risk,
            opened_by=opened_by,
            aggressor_relationship=aggressor_relationship,
            aggressor_details=aggressor_details,
            risk_factors=factors,
        )

    @event(Opened)
    def __init__(
        self,
        id: UUID,  # chosen by the service before sealing
        client_id: UUID,
        folio: str,
        opened_on: date,
        zone: str,
        age_band: str,
        reason: Sealed,
        narrative: Sealed,
        violence_types: list[str],
        modalities: list[str],
        risk: str,
        opened_by: UUID,
        aggressor_relationship: str,
        aggressor_details: Sealed | None,
        risk_factors: list[str],
    ) -> None:
        self.client_id = client_id
        self.folio = folio
        self.opened_on = opened_on
        self.zone = zone
        self.age_band = age_band
        self.reason = reason
        self.narrative = narrative
        self.violence_types = list(violence_types)
        self.modalities = list(modalities)
        self.risk = risk
        self.opened_by = opened_by
        self.aggressor_relationship = AggressorRelationship(aggressor_relationship)
        self.aggressor_details = aggressor_details
        self.risk_factors = list(risk_factors)
        self.status = CaseStatus.OPEN
        self.notes: list[Note] = []
        self.services = _CaseServicesState()

    def add_note(self, section: Section, text: Sealed, author: UUID, written_on: date) -> None:
        if self.status is CaseStatus.CLOSED:
            raise DomainError("El expediente está cerrado; reábralo para registrar notas.")
        self._add_note(section.value, text, author, written_on)

    @event(NoteAdded)
    def _add_note(self, section: str, text: Sealed, author: UUID, written_on: date) -> None:
        self.notes.append(Note(Section(section), text, author, written_on))

    # ------------------------------------------------- life cycle and services on the case
    # Every method below checks the rules and then emits one event; the @event methods only
    # apply it, so replaying stored events never re-checks rules that may have changed.

    class AreaAssigned(Aggregate.Event):
        area: str
        staff_id: UUID
        assigned_by: UUID

    class FollowUpStageEntered(Aggregate.Event):
        entered_by: UUID
        entered_on: date

    class ClosureRequested(Aggregate.Event):
        requested_by: UUID
        requested_on: date
        reason: Sealed

    class ClosureApproved(Aggregate.Event):
        approved_by: UUID
        closed_on: date

    class ClosureDeclined(Aggregate.Event):
        declined_by: UUID
        declined_on: date

    class Reopened(Aggregate.Event):
        reopened_by: UUID
        reopened_on: date
        reason: Sealed

    class LegalAdviceGiven(Aggregate.Event):
        advice_id: UUID
        matter: str
        notes: Sealed
        given_on: date
        given_by: UUID

    class AccompanimentDecided(Aggregate.Event):
        severity: bool
        lacks_resources: bool
        deadline: date | None
        unfamiliar_with_procedure: bool
        accompany: bool
        decided_on: date
        decided_by: UUID

    class Accompanied(Aggregate.Event):
        accompaniment_id: UUID
        area: str
        authority: str
        notes: Sealed
        performed_on: date
        performed_by: UUID

    class MisconductReported(Aggregate.Event):
        report_id: UUID
        institution: str
        conduct: str
        facts: Sealed
        reported_to: Sealed
        reported_on: date
        reported_by: UUID

    class MisconductReportUpdated(Aggregate.Event):
        report_id: UUID
        status: str
        updated_on: date
        updated_by: UUID

    class PsychologySessionHeld(Aggregate.Event):
        session_id: UUID
        held_on: date
        modality: str
        notes: Sealed
        next_session: date | None
        held_by: UUID

    class PsychologyProcessClosed(Aggregate.Event):
        closed_on: date
        closed_by: UUID

    class GestionRecorded(Aggregate.Event):
        gestion_id: UUID
        what: Sealed
        institution: str
        outcome: str
        done_on: date
        done_by: UUID

    class SocialVisitRecorded(Aggregate.Event):
        visit_id: UUID
        kind: str
        notes: Sealed
        visited_on: date
        visited_by: UUID

    class FollowUpScheduled(Aggregate.Event):
        follow_up_id: UUID
        due_on: date
        channel: str
        scheduled_by: UUID

    class FollowUpSettled(Aggregate.Event):
        follow_up_id: UUID
        state: str
        settled_on: date
        outcome: Sealed | None
        settled_by: UUID

    class ProtectionOrderRecorded(Aggregate.Event):
        order_id: UUID
        kind: str
        measures: list[str]
        detail: Sealed
        authority: str
        issued_on: date
        expires_on: date
        recorded_by: UUID

    class ProtectionOrderExtended(Aggregate.Event):
        order_id: UUID
        expires_on: date
        extended_by: UUID

    def check_open(self) -> None:
        if self.status is CaseStatus.CLOSED:
            raise DomainError("El expediente está cerrado; reábralo para registrar cambios.")

    def _check_on_or_after_opening(self, field: str, on: date) -> None:
        if on < self.opened_on:
            raise InvalidField(field, "no puede ser anterior a la apertura del expediente.")

    # life cycle

    def assign_area(self, area: Area, staff_id: UUID, assigned_by: UUID) -> None:
        self.check_open()
        if self.services.areas.get(area) == staff_id:
            raise DomainError("Esa persona ya tiene asignada esta área del expediente.")
        self._assign_area(area.value, staff_id, assigned_by)

    @event(AreaAssigned)
    def _assign_area(self, area: str, staff_id: UUID, assigned_by: UUID) -> None:
        self.services.areas[Area(area)] = staff_id

    def enter_follow_up(self, entered_by: UUID, entered_on: date) -> None:
        if self.status not in (CaseStatus.OPEN, CaseStatus.REOPENED):
            raise DomainError("Solo un expediente abierto o reabierto pasa a seguimiento.")
        self._check_on_or_after_opening("Fecha", entered_on)
        self._enter_follow_up(entered_by, entered_on)

    @event(FollowUpStageEntered)
    def _enter_follow_up(self, entered_by: UUID, entered_on: date) -> None:
        self.status = CaseStatus.FOLLOW_UP
        self.services.history.append(
            StatusChange(CaseStatus.FOLLOW_UP, entered_on, entered_by, None)
        )

    def request_closure(self, requested_by: UUID, requested_on: date, reason: Sealed) -> None:
        self.check_open()
        if requested_by not in self.services.areas.values():
            raise DomainError(
                "Solo el personal asignado a un área del expediente puede solicitar su cierre."
            )
        if self.services.closure_request is not None:
            raise DomainError("Ya hay una solicitud de cierre pendiente de aprobación.")
        self._check_on_or_after_opening("Fecha de solicitud", requested_on)
        self._request_closure(requested_by, requested_on, reason)

    @event(ClosureRequested)
    def _request_closure(self, requested_by: UUID, requested_on: date, reason: Sealed) -> None:
        self.services.closure_request = (requested_by, requested_on, reason)

    def approve_closure(self, approved_by: UUID, closed_on: date) -> None:
        """Called only for coordinación (the service checks the role)."""
        request = self.services.closure_request
        if request is None:
            raise DomainError("No hay solicitud de cierre que aprobar.")
        if request[0] == approved_by:
            raise DomainError("El cierre debe aprobarlo una persona distinta de quien lo solicitó.")
        if closed_on < request[1]:
            raise InvalidField("Fecha de cierre", "no puede ser anterior a la solicitud.")
        self._approve_closure(approved_by, closed_on)

    @event(ClosureApproved)
    def _approve_closure(self, approved_by: UUID, closed_on: date) -> None:
        state = self.services
        request = state.closure_request
        state.closure_request = None
        self.status = CaseStatus.CLOSED
        state.history.append(
            StatusChange(CaseStatus.CLOSED, closed_on, approved_by, request[2] if request else None)
        )

    def decline_closure(self, declined_by: UUID, declined_on: date) -> None:
        if self.services.closure_request is None:
            raise DomainError("No hay solicitud de cierre que rechazar.")
        self._decline_closure(declined_by, declined_on)

    @event(ClosureDeclined)
    def _decline_closure(self, declined_by: UUID, declined_on: date) -> None:
        self.services.closure_request = None

    def reopen(self, reopened_by: UUID, reopened_on: date, reason: Sealed) -> None:
        if self.status is not CaseStatus.CLOSED:
            raise DomainError("Solo se reabre un expediente cerrado.")
        closed_on = self.services.history[-1].on if self.services.history else self.opened_on
        if reopened_on < closed_on:
            raise InvalidField("Fecha de reapertura", "no puede ser anterior al cierre.")
        self._reopen(reopened_by, reopened_on, reason)

    @event(Reopened)
    def _reopen(self, reopened_by: UUID, reopened_on: date, reason: Sealed) -> None:
        self.status = CaseStatus.REOPENED
        self.services.history.append(
            StatusChange(CaseStatus.REOPENED, reopened_on, reopened_by, reason)
        )

    # legal

    def give_legal_advice(
        self, advice_id: UUID, matter: LegalMatter, notes: Sealed, given_on: date, given_by: UUID
    ) -> None:
        self.check_open()
        self._check_on_or_after_opening("Fecha de la asesoría", given_on)
        self._give_legal_advice(advice_id, matter.value, notes, given_on, given_by)

    @event(LegalAdviceGiven)
    def _give_legal_advice(
        self, advice_id: UUID, matter: str, notes: Sealed, given_on: date, given_by: UUID
    ) -> None:
        self.services.legal_advice.append(
            LegalAdvice(advice_id, LegalMatter(matter), notes, given_on, given_by)
        )

    def decide_accompaniment(self, decision: AccompanimentDecision) -> None:
        """The four criteria of the institute for accompanying before the Fiscalía."""
        self.check_open()
        self._check_on_or_after_opening("Fecha de la decisión", decision.decided_on)
        if decision.deadline is not None and decision.deadline < decision.decided_on:
            raise InvalidField(
                "Vencimiento del término jurídico", "ya pasó a la fecha de decisión."
            )
        if decision.accompany and decision.criteria_met == 0:
            raise DomainError(
                "Para acompañar ante la Fiscalía debe cumplirse al menos uno de los cuatro "
                "criterios."
            )
        self._decide_accompaniment(
            decision.severity,
            decision.lacks_resources,
            decision.deadline,
            decision.unfamiliar_with_procedure,
            decision.accompany,
            decision.decided_on,
            decision.decided_by,
        )

    @event(AccompanimentDecided)
    def _decide_accompaniment(
        self,
        severity: bool,
        lacks_resources: bool,
        deadline: date | None,
        unfamiliar_with_procedure: bool,
        accompany: bool,
        decided_on: date,
        decided_by: UUID,
    ) -> None:
        self.services.accompaniment_decisions.append(
            AccompanimentDecision(
                severity,
                lacks_resources,
                deadline,
                unfamiliar_with_procedure,
                accompany,
                decided_on,
                decided_by,
            )
        )

    def record_accompaniment(self, accompaniment: Accompaniment) -> None:
        self.check_open()
        self._check_on_or_after_opening("Fecha del acompañamiento", accompaniment.performed_on)
        if accompaniment.area is Area.PSYCHOLOGICAL:
            raise InvalidField("Área", "los acompañamientos son de jurídica o de trabajo social.")
        if accompaniment.area is Area.LEGAL:
            decisions = self.services.accompaniment_decisions
            if not decisions or not decisions[-1].accompany:
                raise DomainError(
                    "Registre primero la decisión de acompañamiento (con sus criterios) a favor."
                )
        self._accompany(
            accompaniment.accompaniment_id,
            accompaniment.area.value,
            accompaniment.authority,
            accompaniment.notes,
            accompaniment.performed_on,
            accompaniment.performed_by,
        )

    @event(Accompanied)
    def _accompany(
        self,
        accompaniment_id: UUID,
        area: str,
        authority: str,
        notes: Sealed,
        performed_on: date,
        performed_by: UUID,
    ) -> None:
        self.services.accompaniments.append(
            Accompaniment(
                accompaniment_id, Area(area), authority, notes, performed_on, performed_by
            )
        )

    def report_misconduct(self, report: MisconductReport) -> None:
        self.check_open()
        self._check_on_or_after_opening("Fecha del reporte", report.reported_on)
        self._report_misconduct(
            report.report_id,
            report.institution,
            report.conduct.value,
            report.facts,
            report.reported_to,
            report.reported_on,
            report.reported_by,
        )

    @event(MisconductReported)
    def _report_misconduct(
        self,
        report_id: UUID,
        institution: str,
        conduct: str,
        facts: Sealed,
        reported_to: Sealed,
        reported_on: date,
        reported_by: UUID,
    ) -> None:
        self.services.misconduct_reports[report_id] = MisconductReport(
            report_id,
            institution,
            MisconductConduct(conduct),
            facts,
            reported_to,
            reported_on,
            reported_by,
        )

    def update_misconduct_report(
        self, report_id: UUID, status: ReportStatus, updated_on: date, updated_by: UUID
    ) -> None:
        """A report stays open, whatever happens to the case, until it is closed itself."""
        report = self.services.misconduct_reports.get(report_id)
        if report is None:
            raise DomainError("El reporte de actuación no existe en este expediente.")
        if report.status is ReportStatus.CLOSED:
            raise DomainError("El reporte de actuación ya está cerrado.")
        if status is report.status or status is ReportStatus.FILED:
            raise InvalidField("Estado del reporte", "elija en trámite o cerrado.")
        if updated_on < report.reported_on:
            raise InvalidField("Fecha", "no puede ser anterior al reporte.")
        self._update_misconduct_report(report_id, status.value, updated_on, updated_by)

    @event(MisconductReportUpdated)
    def _update_misconduct_report(
        self, report_id: UUID, status: str, updated_on: date, updated_by: UUID
    ) -> None:
        self.services.misconduct_reports[report_id].status = ReportStatus(status)

    # psychology

    def hold_psychology_session(self, session: PsychologySession) -> None:
        self.check_open()
        if self.services.psychology_closed_on is not None:
            raise DomainError("El proceso psicológico de este expediente ya fue cerrado.")
        self._check_on_or_after_opening("Fecha de la sesión", session.held_on)
        if session.next_session is not None and session.next_session <= session.held_on:
            raise InvalidField("Próxima sesión", "debe ser posterior a la sesión.")
        self._hold_psychology_session(
            session.session_id,
            session.held_on,
            session.modality.value,
            session.notes,
            session.next_session,
            session.held_by,
        )

    @event(PsychologySessionHeld)
    def _hold_psychology_session(
        self,
        session_id: UUID,
        held_on: date,
        modality: str,
        notes: Sealed,
        next_session: date | None,
        held_by: UUID,
    ) -> None:
        self.services.psychology_sessions.append(
            PsychologySession(
                session_id, held_on, SessionModality(modality), notes, next_session, held_by
            )
        )

    def close_psychology_process(self, closed_on: date, closed_by: UUID) -> None:
        self.check_open()
        if self.services.psychology_closed_on is not None:
            raise DomainError("El proceso psicológico ya fue cerrado.")
        sessions = self.services.psychology_sessions
        if not sessions:
            raise DomainError("No hay sesiones psicológicas registradas que cerrar.")
        if closed_on < sessions[-1].held_on:
            raise InvalidField("Fecha de cierre", "no puede ser anterior a la última sesión.")
        self._close_psychology_process(closed_on, closed_by)

    @event(PsychologyProcessClosed)
    def _close_psychology_process(self, closed_on: date, closed_by: UUID) -> None:
        self.services.psychology_closed_on = closed_on

    # social work

    def record_gestion(self, gestion: Gestion) -> None:
        self.check_open()
        self._check_on_or_after_opening("Fecha de la gestión", gestion.done_on)
        self._record_gestion(
            gestion.gestion_id,
            gestion.what,
            gestion.institution,
            gestion.outcome.value,
            gestion.done_on,
            gestion.done_by,
        )

    @event(GestionRecorded)
    def _record_gestion(
        self,
        gestion_id: UUID,
        what: Sealed,
        institution: str,
        outcome: str,
        done_on: date,
        done_by: UUID,
    ) -> None:
        self.services.gestiones.append(
            Gestion(gestion_id, what, institution, GestionOutcome(outcome), done_on, done_by)
        )

    def record_social_visit(self, visit: SocialVisit) -> None:
        self.check_open()
        self._check_on_or_after_opening("Fecha de la visita", visit.visited_on)
        self._record_social_visit(
            visit.visit_id, visit.kind.value, visit.notes, visit.visited_on, visit.visited_by
        )

    @event(SocialVisitRecorded)
    def _record_social_visit(
        self, visit_id: UUID, kind: str, notes: Sealed, visited_on: date, visited_by: UUID
    ) -> None:
        self.services.social_visits.append(
            SocialVisit(visit_id, VisitKind(kind), notes, visited_on, visited_by)
        )

    # follow-ups

    def schedule_follow_up(
        self, follow_up_id: UUID, due_on: date, channel: Channel, scheduled_by: UUID
    ) -> None:
        self.check_open()
        self._check_on_or_after_opening("Fecha programada", due_on)
        self._schedule_follow_up(follow_up_id, due_on, channel.value, scheduled_by)

    @event(FollowUpScheduled)
    def _schedule_follow_up(
        self, follow_up_id: UUID, due_on: date, channel: str, scheduled_by: UUID
    ) -> None:
        self.services.follow_ups[follow_up_id] = FollowUp(
            follow_up_id, due_on, Channel(channel), scheduled_by
        )

    def settle_follow_up(
        self,
        follow_up_id: UUID,
        done: bool,
        settled_on: date,
        outcome: Sealed | None,
        settled_by: UUID,
    ) -> None:
        """Done (with its outcome) or missed (the client could not be reached or did not come)."""
        self.check_open()
        follow_up = self.services.follow_ups.get(follow_up_id)
        if follow_up is None:
            raise DomainError("El seguimiento no existe en este expediente.")
        if follow_up.state is not FollowUpState.PENDING:
            raise DomainError("Ese seguimiento ya fue registrado como realizado o no realizado.")
        if done and outcome is None:
            raise InvalidField("Resultado", "es obligatorio para un seguimiento realizado.")
        if not done and settled_on < follow_up.due_on:
            raise InvalidField("Fecha", "un seguimiento no se da por perdido antes de su fecha.")
        self._check_on_or_after_opening("Fecha", settled_on)
        state = FollowUpState.DONE if done else FollowUpState.MISSED
        self._settle_follow_up(follow_up_id, state.value, settled_on, outcome, settled_by)

    @event(FollowUpSettled)
    def _settle_follow_up(
        self,
        follow_up_id: UUID,
        state: str,
        settled_on: date,
        outcome: Sealed | None,
        settled_by: UUID,
    ) -> None:
        follow_up = self.services.follow_ups[follow_up_id]
        follow_up.state = FollowUpState(state)
        follow_up.settled_on = settled_on
        follow_up.outcome = outcome

    # protection orders

    def record_protection_order(self, order: ProtectionOrder, recorded_by: UUID) -> None:
        self.check_open()
        if not order.measures:
            raise InvalidField("Medidas", "seleccione al menos una.")
        if order.expires_on <= order.issued_on:
            raise InvalidField("Vencimiento", "debe ser posterior a la fecha de emisión.")
        if order.expires_on > order.issued_on + timedelta(days=ORDER_MAX_DAYS):
            raise InvalidField(
                "Vencimiento", f"una orden dura como máximo {ORDER_MAX_DAYS} días desde su emisión."
            )
        if order.order_id in self.services.protection_orders:
            raise DomainError("La orden de protección ya está registrada.")
        self._record_protection_order(
            order.order_id,
            order.kind.value,
            sorted({measure.value for measure in order.measures}),
            order.detail,
            order.authority,
            order.issued_on,
            order.expires_on,
            recorded_by,
        )

    @event(ProtectionOrderRecorded)
    def _record_protection_order(
        self,
        order_id: UUID,
        kind: str,
        measures: list[str],
        detail: Sealed,
        authority: str,
        issued_on: date,
        expires_on: date,
        recorded_by: UUID,
    ) -> None:
        self.services.protection_orders[order_id] = ProtectionOrder(
            order_id,
            OrderKind(kind),
            tuple(ProtectionMeasure(measure) for measure in measures),
            detail,
            authority,
            issued_on,
            expires_on,
            [],
        )

    def extend_protection_order(self, order_id: UUID, expires_on: date, extended_by: UUID) -> None:
        self.check_open()
        order = self.services.protection_orders.get(order_id)
        if order is None:
            raise DomainError("La orden de protección no existe en este expediente.")
        if len(order.extensions) >= MAX_EXTENSIONS:
            raise DomainError("La orden ya fue prorrogada; solo admite una prórroga.")
        if expires_on <= order.expires_on:
            raise InvalidField("Nuevo vencimiento", "debe ser posterior al vencimiento actual.")
        if expires_on > order.expires_on + timedelta(days=EXTENSION_MAX_DAYS):
            raise InvalidField(
                "Nuevo vencimiento", f"la prórroga es de hasta {EXTENSION_MAX_DAYS} días."
            )
        self._extend_protection_order(order_id, expires_on, extended_by)

    @event(ProtectionOrderExtended)
    def _extend_protection_order(self, order_id: UUID, expires_on: date, extended_by: UUID) -> None:
        order = self.services.protection_orders[order_id]
        order.extensions.append(order.expires_on)
        order.expires_on = expires_on

    # ---------------------------------------------- end of life cycle and services on the case

    # ----------------------------------------------------------------- referrals (canalización)
    # Kept apart from the services above (another part of issue 3). The state lives in
    # ``_referrals`` created on first use, so this block needs nothing from ``__init__``.

    class ReferralMade(Aggregate.Event):
        referral_id: UUID
        institution_id: UUID
        reason: Sealed
        with_personal_data: bool
        # Set only when coordinación referred with personal data without her consent.
        consent_override: Sealed | None
        made_by: UUID
        made_on: date

    class ReferralOutcomeRecorded(Aggregate.Event):
        referral_id: UUID
        outcome: str
        note: Sealed | None
        recorded_by: UUID
        recorded_on: date

    @property
    def referrals(self) -> dict[UUID, Referral]:
        state: dict[UUID, Referral] = self.__dict__.setdefault("_referrals", {})
        return state

    def refer(
        self,
        *,
        referral_id: UUID,
        institution_id: UUID,
        reason: Sealed,
        with_personal_data: bool,
        client_consents_to_share: bool,
        consent_override: Sealed | None,
        made_by: UUID,
        made_on: date,
    ) -> None:
        """No personal data leaves without her consent, unless coordinación records why."""
        self.check_open()
        self._check_on_or_after_opening("Fecha de canalización", made_on)
        if with_personal_data and not client_consents_to_share and consent_override is None:
            raise ReferralNeedsConsent
        self._refer(
            referral_id,
            institution_id,
            reason,
            with_personal_data,
            consent_override if with_personal_data and not client_consents_to_share else None,
            made_by,
            made_on,
        )

    @event(ReferralMade)
    def _refer(
        self,
        referral_id: UUID,
        institution_id: UUID,
        reason: Sealed,
        with_personal_data: bool,
        consent_override: Sealed | None,
        made_by: UUID,
        made_on: date,
    ) -> None:
        self.referrals[referral_id] = Referral(
            referral_id=referral_id,
            institution_id=institution_id,
            reason=reason,
            with_personal_data=with_personal_data,
            consent_override=consent_override,
            made_by=made_by,
            made_on=made_on,
        )

    def record_referral_outcome(
        self,
        referral_id: UUID,
        outcome: str,
        note: Sealed | None,
        recorded_by: UUID,
        recorded_on: date,
    ) -> None:
        referral = self.referrals.get(referral_id)
        if referral is None:
            raise DomainError("La canalización no existe en este expediente.")
        if outcome not in REFERRAL_OUTCOMES:
            raise InvalidField("Resultado de la canalización", "elija un resultado de la lista.")
        if recorded_on < referral.made_on:
            raise InvalidField("Fecha del resultado", "no puede ser anterior a la canalización.")
        self._record_referral_outcome(referral_id, outcome, note, recorded_by, recorded_on)

    @event(ReferralOutcomeRecorded)
    def _record_referral_outcome(
        self,
        referral_id: UUID,
        outcome: str,
        note: Sealed | None,
        recorded_by: UUID,
        recorded_on: date,
    ) -> None:
        referral = self.referrals[referral_id]
        referral.outcome = outcome
        referral.outcome_note = note
        referral.outcome_on = recorded_on

    # ------------------------------------------------------------ end of referrals (canalización)


@dataclass
class _CaseServicesState:
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


# ----------------------------------------------------------------- referrals (canalización)

REFERRAL_OUTCOMES: dict[str, str] = {
    "atendida": "Atendida por la institución",
    "en_proceso": "En proceso",
    "no_atendida": "La institución no la atendió",
    "no_acudio": "La usuaria no acudió",
    "otro": "Otro",
}


class ReferralNeedsConsent(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "La usuaria no ha dado su consentimiento para compartir sus datos con otras "
            "instituciones: canalice sin datos personales, o coordinación puede autorizarla "
            "registrando el motivo."
        )


@dataclass
class Referral:
    referral_id: UUID
    institution_id: UUID
    reason: Sealed
    with_personal_data: bool
    consent_override: Sealed | None
    made_by: UUID
    made_on: date
    outcome: str = ""
    outcome_note: Sealed | None = None
    outcome_on: date | None = None


FOLIO_NAMESPACE = uuid5(NAMESPACE_URL, "https://violeta.invalid/folios")


class FolioSequence(Aggregate):
    """Hands out human case numbers (CTZ-2026-00123) without gaps or repeats.

    One sequence per institute prefix and year; its id is derived from those two words only,
    never from anything about a person. Two terminals racing for a number conflict on the
    version of this aggregate and one retries.
    """

    class Started(Aggregate.Created):
        prefix: str
        year: int

    class Issued(Aggregate.Event):
        number: int

    @staticmethod
    def create_id(prefix: str, year: int) -> UUID:
        return uuid5(FOLIO_NAMESPACE, f"{prefix}-{year}")

    @event(Started)
    def __init__(self, prefix: str, year: int) -> None:
        self.prefix = prefix
        self.year = year
        self.last_number = 0

    def issue(self) -> str:
        self._issue(self.last_number + 1)
        return f"{self.prefix}-{self.year}-{self.last_number:05d}"

    @event(Issued)
    def _issue(self, number: int) -> None:
        self.last_number = number
