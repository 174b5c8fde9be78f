"""The case (expediente): one attention process of a client."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cases.intake import (
    AggressorRelationship,
    Note,
    RiskFactor,
    check_categories,
)
from domain.cases.referrals import (
    REFERRAL_OUTCOMES,
    Referral,
    ReferralNeedsConsent,
)
from domain.cases.services import (
    EXTENSION_MAX_DAYS,
    MAX_EXTENSIONS,
    ORDER_MAX_DAYS,
    Accompaniment,
    AccompanimentDecision,
    Area,
    CaseServicesState,
    Channel,
    FollowUp,
    FollowUpState,
    Gestion,
    GestionOutcome,
    LegalAdvice,
    LegalMatter,
    MisconductConduct,
    MisconductReport,
    OrderKind,
    ProtectionMeasure,
    ProtectionOrder,
    PsychologySession,
    ReportStatus,
    SessionModality,
    SocialVisit,
    StatusChange,
    VisitKind,
)
from domain.cases.topics import keep_stored_topics
from domain.errors import DomainError, InvalidField
from domain.sealed import HandTyped, Sealed
from domain.vocabulary import (
    CaseStatus,
    Section,
)

# Gathered once (walking an enum builds each member anew; every case opened checks these).
_AGGRESSOR_RELATIONSHIPS = frozenset(a.value for a in AggressorRelationship)
_RISK_FACTORS = frozenset(f.value for f in RiskFactor)


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
        check_categories(violence_types, modalities, risk)
        if aggressor_relationship not in _AGGRESSOR_RELATIONSHIPS:
            raise InvalidField("Relación con la persona agresora", "no es una categoría válida.")
        factors = sorted(set(risk_factors or []))
        if not set(factors) <= _RISK_FACTORS:
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
        self.services = CaseServicesState()

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
        authority: HandTyped
        notes: Sealed
        performed_on: date
        performed_by: UUID

    class MisconductReported(Aggregate.Event):
        report_id: UUID
        institution: HandTyped
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
        institution: HandTyped
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
        authority: HandTyped
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
        authority: HandTyped,
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
        institution: HandTyped,
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
        institution: HandTyped,
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
        authority: HandTyped,
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


keep_stored_topics(Case)
