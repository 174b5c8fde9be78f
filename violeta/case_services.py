"""Everything done on a case after the intake: life cycle, legal, psychology, social work,
follow-ups and protection orders.

Each command validates what staff typed (naming the field in Spanish), authorizes against the
permission matrix by section, seals every free text with the client's key under a label bound
to the case and the item, and appends one event; a rejected command stores nothing. Each read
catches the views up, authorizes, records the access and only then opens sealed values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from uuid import UUID, uuid4

from domain import identity
from domain.accounts import StaffAccount
from domain.cases import (
    AREA_ROLES,
    EXTENSION_MAX_DAYS,
    MAX_EXTENSIONS,
    ORDER_MAX_DAYS,
    Accompaniment,
    AccompanimentDecision,
    Area,
    Case,
    Channel,
    Gestion,
    GestionOutcome,
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
    VisitKind,
    parse_category,
)
from domain.errors import InvalidField, NotPermitted, UnknownRecord
from domain.permissions import Action
from domain.sealed import HandTyped, Sealed
from domain.vocabulary import CaseStatus, Role, Section
from keys import PLACEHOLDER, Duty
from projections.storage import Row
from violeta.agenda import listed_names
from violeta.dto import (
    AccompanimentDecisionView,
    AccompanimentView,
    CaseLifeView,
    DueFollowUp,
    ExpiringOrder,
    FollowUpView,
    GestionView,
    LegalAdviceView,
    LegalSectionView,
    MisconductReportView,
    OpenMisconductReport,
    PendingClosure,
    ProtectionOrderView,
    PsychologySectionView,
    PsychologySessionView,
    SocialVisitView,
    SocialWorkSectionView,
    StatusChangeView,
)
from violeta.session import SessionCore, case_label, load_aggregate

AREA_SECTIONS: dict[Area, Section] = {
    Area.SOCIAL_WORK: Section.SOCIAL_WORK,
    Area.LEGAL: Section.LEGAL,
    Area.PSYCHOLOGICAL: Section.PSYCHOLOGICAL,
}
INSTITUTION_MAX = 160


NO_LIMIT = 2**31 - 1  # LIMIT that both SQLite and PostgreSQL read as none


class CaseServices(SessionCore):
    # ------------------------------------------------------------------ helpers

    def _change_case(
        self, case_id: UUID, section: Section, purpose: str, change: Callable[[Case], None]
    ) -> None:
        """Authorize, then apply ``change`` to the latest version of the case."""
        case = self._latest_case(case_id)
        self._authorize_case(case, section, purpose)
        self._save_change(case, change)

    def _save_change(self, case: Case, change: Callable[[Case], None]) -> None:
        """Applies ``change`` to an authorized case and saves it.

        Every change here appends an event whose rules are re-checked on the fresh aggregate,
        so replaying it after a version conflict is safe and loses no other terminal's write.
        """
        self._change_and_save(case, lambda: self._get_case(case.id), change)

    def _case_for_write(self, case_id: UUID, section: Section, purpose: str) -> Case:
        case = self._get_case(case_id)
        self._authorize_case(case, section, purpose)
        case.check_open()
        return case

    def _authorize_case(self, case: Case, section: Section, purpose: str) -> None:
        self._authorize(section, Action.WRITE, [case.client_id], [case.id], purpose, "")

    def _seal_case(self, case: Case, field: str, text: str, duty: Duty = Duty.CASE) -> Sealed:
        return self._seal(str(case.client_id), case_label(case.id, field), text, duty)

    def _open_case(self, case: Case, field: str, sealed: Sealed | None) -> str:
        return self._open_optional(str(case.client_id), case_label(case.id, field), sealed)

    def _open_typed(self, case: Case, field: str, value: HandTyped) -> str:
        """An institution or authority typed by hand: sealed since issue 13, clear before."""
        return value if isinstance(value, str) else self._open_case(case, field, value)

    def _open_row_typed(self, row: Row, field: str, value: bytes | None) -> str:
        """The same, from a view row that keeps only the envelope (NULL for older records)."""
        if value is None:
            return ""
        label = case_label(UUID(row["case_id"]), field)
        return self._keyring.open(row["client_id"], label, bytes(value))

    def _today(self) -> date:
        return self._institute.today()

    def _optional_date(self, field: str, text: str) -> date | None:
        return identity.parse_date(field, text) if text.strip() else None

    def _check_assigned_or_coordination(self, case: Case, purpose: str) -> None:
        if self.role is Role.COORDINATION or self._account.id in case.services.areas.values():
            return
        self._record_denied(Section.INTAKE, [case.client_id], purpose, [case.id])
        raise NotPermitted(
            f"Solo el personal asignado al expediente o coordinación puede {purpose}."
        )

    def _list_granted(self, section: Section, purpose: str) -> None:
        # Work queues are never opened by break-the-glass: a list of many clients cannot be
        # justified by one typed reason.
        self._authorize(section, Action.READ, [], [], purpose, "")

    def _mine_params(self, params: tuple[object, ...], mine: bool) -> tuple[object, ...]:
        """Parameters for the work-queue filter: every case, or those where she attends."""
        return (*params, int(mine), str(self._account.id))

    def _record_listing(self, section: Section, purpose: str, rows: Sequence[Row]) -> None:
        self._record_access(
            action="listar",
            section=section,
            client_ids=sorted({UUID(row["client_id"]) for row in rows}),
            case_ids=sorted({UUID(row["case_id"]) for row in rows}),
            purpose=purpose,
        )

    # --------------------------------------------------------------- life cycle

    def assign_area(self, case_id: UUID, area: str, staff_id: UUID) -> None:
        """Coordinación assigns who attends each area; the person's role must fit the area."""
        case = self._get_case(case_id)
        chosen = parse_category(Area, "Área", area)
        try:
            account = load_aggregate(self._store, staff_id, StaffAccount, "")
        except UnknownRecord:
            raise InvalidField("Personal asignado", "no existe esa cuenta.") from None
        if not account.active:
            raise InvalidField("Personal asignado", "la cuenta está desactivada.")
        if account.role is not AREA_ROLES[chosen]:
            raise InvalidField(
                "Personal asignado",
                f"el área {chosen.label} requiere el rol {AREA_ROLES[chosen].label}.",
            )
        self._authorize_case(case, Section.INTAKE, "asignar área")
        self._save_change(
            case,
            lambda current: current.assign_area(chosen, staff_id, self._account.id),
        )

    def enter_follow_up(self, case_id: UUID) -> None:
        case = self._get_case(case_id)
        self._check_assigned_or_coordination(case, "pasar el expediente a seguimiento")
        today = self._today()
        self._authorize_case(case, Section.INTAKE, "pasar a seguimiento")
        self._save_change(
            case,
            lambda current: current.enter_follow_up(self._account.id, today),
        )

    def request_closure(self, case_id: UUID, reason: str) -> None:
        case = self._case_for_write(case_id, Section.INTAKE, "solicitar cierre")
        text = identity.free_text("Motivo del cierre", reason, max_length=identity.SHORT_TEXT_MAX)
        sealed = self._seal_case(case, "closure_reason", text)
        today = self._today()
        self._save_change(
            case,
            lambda current: current.request_closure(self._account.id, today, sealed),
        )

    def approve_closure(self, case_id: UUID) -> None:
        """The second person of the closure: coordinación, never the one who asked."""
        case = self._get_case(case_id)
        today = self._today()
        self._authorize_case(case, Section.INTAKE, "aprobar cierre")
        self._save_change(
            case,
            lambda current: current.approve_closure(self._account.id, today),
        )

    def decline_closure(self, case_id: UUID) -> None:
        case = self._get_case(case_id)
        today = self._today()
        self._authorize_case(case, Section.INTAKE, "rechazar cierre")
        self._save_change(
            case,
            lambda current: current.decline_closure(self._account.id, today),
        )

    def reopen_case(self, case_id: UUID, reason: str) -> None:
        case = self._get_case(case_id)
        self._check_assigned_or_coordination(case, "reabrir el expediente")
        text = identity.free_text(
            "Motivo de la reapertura", reason, max_length=identity.SHORT_TEXT_MAX
        )
        sealed = self._seal_case(case, "reopen_reason", text)
        today = self._today()
        self._authorize_case(case, Section.INTAKE, "reabrir expediente")
        self._save_change(
            case,
            lambda current: current.reopen(self._account.id, today, sealed),
        )

    # -------------------------------------------------------------------- legal

    def give_legal_advice(self, case_id: UUID, matter: str, notes: str, given_on: str = "") -> UUID:
        case = self._case_for_write(case_id, Section.LEGAL, "registrar asesoría jurídica")
        chosen = parse_category(LegalMatter, "Materia", matter)
        text = identity.free_text("Notas de la asesoría", notes, max_length=identity.NARRATIVE_MAX)
        on = self._past_or_today("Fecha de la asesoría", given_on, self._today())
        advice_id = uuid4()
        sealed = self._seal_case(case, f"legal_advice:{advice_id}", text)
        self._save_change(
            case,
            lambda current: current.give_legal_advice(
                advice_id, chosen, sealed, on, self._account.id
            ),
        )
        return advice_id

    def decide_accompaniment(
        self,
        case_id: UUID,
        *,
        severity: bool,
        lacks_resources: bool,
        deadline: str,
        unfamiliar_with_procedure: bool,
        accompany: bool,
        decided_on: str = "",
    ) -> None:
        """The four criteria of the institute; ``deadline`` empty means that one is not met."""
        case = self._case_for_write(case_id, Section.LEGAL, "decidir acompañamiento")
        due = self._optional_date("Vencimiento del término jurídico", deadline)
        on = self._past_or_today("Fecha de la decisión", decided_on, self._today())
        decision = AccompanimentDecision(
            severity=severity,
            lacks_resources=lacks_resources,
            deadline=due,
            unfamiliar_with_procedure=unfamiliar_with_procedure,
            accompany=accompany,
            decided_on=on,
            decided_by=self._account.id,
        )
        self._save_change(
            case,
            lambda current: current.decide_accompaniment(decision),
        )

    def record_accompaniment(
        self, case_id: UUID, area: str, authority: str, notes: str, performed_on: str = ""
    ) -> UUID:
        """Accompaniment before an authority, by jurídica (Fiscalía) or by trabajo social."""
        chosen = parse_category(Area, "Área", area)
        section = AREA_SECTIONS[chosen]
        case = self._case_for_write(case_id, section, "registrar acompañamiento")
        where = identity.free_text("Instancia", authority, max_length=INSTITUTION_MAX)
        text = identity.free_text(
            "Notas del acompañamiento", notes, max_length=identity.NARRATIVE_MAX
        )
        on = self._past_or_today("Fecha del acompañamiento", performed_on, self._today())
        accompaniment_id = uuid4()
        accompaniment = Accompaniment(
            accompaniment_id=accompaniment_id,
            area=chosen,
            authority=self._seal_case(case, f"accompaniment_authority:{accompaniment_id}", where),
            notes=self._seal_case(case, f"accompaniment:{accompaniment_id}", text),
            performed_on=on,
            performed_by=self._account.id,
        )
        self._save_change(
            case,
            lambda current: current.record_accompaniment(accompaniment),
        )
        return accompaniment_id

    def report_misconduct(
        self,
        case_id: UUID,
        *,
        institution: str,
        conduct: str,
        facts: str,
        reported_to: str,
        reported_on: str = "",
    ) -> UUID:
        """Reporte de actuación about a public servant's act against the client's rights."""
        case = self._case_for_write(case_id, Section.LEGAL, "registrar reporte de actuación")
        where = identity.free_text("Institución", institution, max_length=INSTITUTION_MAX)
        chosen = parse_category(MisconductConduct, "Conducta", conduct)
        facts_text = identity.free_text("Hechos", facts, max_length=identity.NARRATIVE_MAX)
        superior = identity.free_text(
            "Se hizo del conocimiento de", reported_to, max_length=identity.SHORT_TEXT_MAX
        )
        on = self._past_or_today("Fecha del reporte", reported_on, self._today())
        report_id = uuid4()
        report = MisconductReport(
            report_id=report_id,
            institution=self._seal_case(case, f"misconduct_institution:{report_id}", where),
            conduct=chosen,
            facts=self._seal_case(case, f"misconduct_facts:{report_id}", facts_text),
            reported_to=self._seal_case(case, f"misconduct_reported_to:{report_id}", superior),
            reported_on=on,
            reported_by=self._account.id,
        )
        self._save_change(
            case,
            lambda current: current.report_misconduct(report),
        )
        return report_id

    def update_misconduct_report(
        self, case_id: UUID, report_id: UUID, status: str, updated_on: str = ""
    ) -> None:
        chosen = parse_category(ReportStatus, "Estado del reporte", status)
        on = self._past_or_today("Fecha", updated_on, self._today())
        # A report follows its own course: it may be closed after the case itself was closed.
        self._change_case(
            case_id,
            Section.LEGAL,
            "actualizar reporte de actuación",
            lambda current: current.update_misconduct_report(
                report_id, chosen, on, self._account.id
            ),
        )

    def open_misconduct_reports(self) -> list[OpenMisconductReport]:
        """Reportes de actuación not yet closed, oldest first, for jurídica and coordinación."""
        self._list_granted(Section.LEGAL, "reportes de actuación abiertos")
        self.refresh()
        rows = self._views.query(
            "SELECT misconduct_reports_view.*, cases_view.folio, cases_view.client_id "
            "FROM misconduct_reports_view JOIN cases_view USING (case_id) "
            "WHERE misconduct_reports_view.status <> 'cerrado' ORDER BY reported_on, folio"
        )
        self._record_listing(Section.LEGAL, "reportes de actuación abiertos", rows)
        return [
            OpenMisconductReport(
                case_id=UUID(row["case_id"]),
                folio=row["folio"],
                report_id=UUID(row["report_id"]),
                institution=self._open_row_typed(
                    row, f"misconduct_institution:{row['report_id']}", row["institution"]
                ),
                conduct=MisconductConduct(row["conduct"]).label,
                reported_on=date.fromisoformat(row["reported_on"]),
                status=ReportStatus(row["status"]).label,
            )
            for row in rows
        ]

    def legal_section(self, case_id: UUID, justification: str = "") -> LegalSectionView:
        case, exceptional = self._read_case(
            case_id, Section.LEGAL, "consultar expediente: Jurídica", justification
        )
        return self._legal_view(case, exceptional)

    def _legal_view(self, case: Case, exceptional: bool) -> LegalSectionView:
        """Opens the legal section of a case whose read was authorized and recorded."""
        case_id = case.id
        names = self._staff_names()
        state = case.services
        return LegalSectionView(
            case_id=case_id,
            advice=tuple(
                LegalAdviceView(
                    advice_id=advice.advice_id,
                    matter=advice.matter.label,
                    notes=self._open_case(case, f"legal_advice:{advice.advice_id}", advice.notes),
                    given_on=advice.given_on,
                    given_by=names.get(str(advice.given_by), "—"),
                )
                for advice in state.legal_advice
            ),
            decisions=tuple(
                AccompanimentDecisionView(
                    severity=decision.severity,
                    lacks_resources=decision.lacks_resources,
                    deadline=decision.deadline,
                    unfamiliar_with_procedure=decision.unfamiliar_with_procedure,
                    accompany=decision.accompany,
                    decided_on=decision.decided_on,
                    decided_by=names.get(str(decision.decided_by), "—"),
                )
                for decision in state.accompaniment_decisions
            ),
            accompaniments=self._accompaniment_views(case, Area.LEGAL, names),
            misconduct_reports=tuple(
                MisconductReportView(
                    report_id=report.report_id,
                    institution=self._open_typed(
                        case, f"misconduct_institution:{report.report_id}", report.institution
                    ),
                    conduct=report.conduct.label,
                    facts=self._open_case(
                        case, f"misconduct_facts:{report.report_id}", report.facts
                    ),
                    reported_to=self._open_case(
                        case, f"misconduct_reported_to:{report.report_id}", report.reported_to
                    ),
                    reported_on=report.reported_on,
                    status=report.status.label,
                )
                for report in state.misconduct_reports.values()
            ),
            exceptional_access=exceptional,
        )

    def _accompaniment_views(
        self, case: Case, area: Area, names: dict[str, str]
    ) -> tuple[AccompanimentView, ...]:
        return tuple(
            AccompanimentView(
                accompaniment_id=item.accompaniment_id,
                area=item.area.label,
                authority=self._open_typed(
                    case, f"accompaniment_authority:{item.accompaniment_id}", item.authority
                ),
                notes=self._open_case(case, f"accompaniment:{item.accompaniment_id}", item.notes),
                performed_on=item.performed_on,
                performed_by=names.get(str(item.performed_by), "—"),
            )
            for item in case.services.accompaniments
            if item.area is area
        )

    # --------------------------------------------------------------- psychology

    def record_psychology_session(
        self, case_id: UUID, *, modality: str, notes: str, held_on: str = "", next_session: str = ""
    ) -> UUID:
        case = self._case_for_write(case_id, Section.PSYCHOLOGICAL, "registrar sesión")
        chosen = parse_category(SessionModality, "Modalidad", modality)
        text = identity.free_text("Notas de la sesión", notes, max_length=identity.NARRATIVE_MAX)
        on = self._past_or_today("Fecha de la sesión", held_on, self._today())
        following = self._optional_date("Próxima sesión", next_session)
        session_id = uuid4()
        session = PsychologySession(
            session_id=session_id,
            held_on=on,
            modality=chosen,
            notes=self._seal_case(case, f"psychology_notes:{session_id}", text, Duty.PSYCHOLOGY),
            next_session=following,
            held_by=self._account.id,
        )
        self._save_change(
            case,
            lambda current: current.hold_psychology_session(session),
        )
        return session_id

    def close_psychology_process(self, case_id: UUID, closed_on: str = "") -> None:
        on = self._past_or_today("Fecha de cierre", closed_on, self._today())
        self._change_case(
            case_id,
            Section.PSYCHOLOGICAL,
            "cerrar proceso psicológico",
            lambda current: current.close_psychology_process(on, self._account.id),
        )

    def psychology_section(self, case_id: UUID) -> PsychologySectionView:
        """Psychology's alone: the matrix denies it to every other role, with no exception."""
        case, _ = self._read_case(
            case_id, Section.PSYCHOLOGICAL, "consultar expediente: Psicológica", ""
        )
        return self._psychology_view(case)

    def _psychology_view(self, case: Case) -> PsychologySectionView:
        """Opens the psychology section of a case whose read was authorized and recorded."""
        names = self._staff_names()
        sessions = case.services.psychology_sessions
        return PsychologySectionView(
            case_id=case.id,
            sessions=tuple(
                PsychologySessionView(
                    session_id=session.session_id,
                    held_on=session.held_on,
                    modality=session.modality.label,
                    notes=self._open_case(
                        case, f"psychology_notes:{session.session_id}", session.notes
                    ),
                    next_session=session.next_session,
                    held_by=names.get(str(session.held_by), "—"),
                )
                for session in sessions
            ),
            next_session=sessions[-1].next_session
            if sessions and case.services.psychology_closed_on is None
            else None,
            closed_on=case.services.psychology_closed_on,
        )

    # -------------------------------------------------------------- social work

    def record_gestion(
        self, case_id: UUID, *, what: str, institution: str, outcome: str, done_on: str = ""
    ) -> UUID:
        """A gestión before a public or private institution on the client's behalf."""
        case = self._case_for_write(case_id, Section.SOCIAL_WORK, "registrar gestión")
        text = identity.free_text("Gestión", what, max_length=identity.SHORT_TEXT_MAX)
        where = identity.free_text("Institución", institution, max_length=INSTITUTION_MAX)
        result = parse_category(GestionOutcome, "Resultado", outcome)
        on = self._past_or_today("Fecha de la gestión", done_on, self._today())
        gestion_id = uuid4()
        gestion = Gestion(
            gestion_id=gestion_id,
            what=self._seal_case(case, f"gestion:{gestion_id}", text),
            institution=self._seal_case(case, f"gestion_institution:{gestion_id}", where),
            outcome=result,
            done_on=on,
            done_by=self._account.id,
        )
        self._save_change(
            case,
            lambda current: current.record_gestion(gestion),
        )
        return gestion_id

    def record_social_visit(
        self, case_id: UUID, *, kind: str, notes: str, visited_on: str = ""
    ) -> UUID:
        case = self._case_for_write(case_id, Section.SOCIAL_WORK, "registrar visita")
        chosen = parse_category(VisitKind, "Tipo de visita", kind)
        text = identity.free_text("Notas de la visita", notes, max_length=identity.NARRATIVE_MAX)
        on = self._past_or_today("Fecha de la visita", visited_on, self._today())
        visit_id = uuid4()
        visit = SocialVisit(
            visit_id=visit_id,
            kind=chosen,
            notes=self._seal_case(case, f"social_visit:{visit_id}", text),
            visited_on=on,
            visited_by=self._account.id,
        )
        self._save_change(
            case,
            lambda current: current.record_social_visit(visit),
        )
        return visit_id

    def social_work_section(self, case_id: UUID, justification: str = "") -> SocialWorkSectionView:
        case, exceptional = self._read_case(
            case_id, Section.SOCIAL_WORK, "consultar expediente: Trabajo social", justification
        )
        return self._social_work_view(case, exceptional)

    def _social_work_view(self, case: Case, exceptional: bool) -> SocialWorkSectionView:
        """Opens the social-work section of a case whose read was authorized and recorded."""
        names = self._staff_names()
        return SocialWorkSectionView(
            case_id=case.id,
            gestiones=tuple(
                GestionView(
                    gestion_id=item.gestion_id,
                    what=self._open_case(case, f"gestion:{item.gestion_id}", item.what),
                    institution=self._open_typed(
                        case, f"gestion_institution:{item.gestion_id}", item.institution
                    ),
                    outcome=item.outcome.label,
                    done_on=item.done_on,
                    done_by=names.get(str(item.done_by), "—"),
                )
                for item in case.services.gestiones
            ),
            visits=tuple(
                SocialVisitView(
                    visit_id=item.visit_id,
                    kind=item.kind.label,
                    notes=self._open_case(case, f"social_visit:{item.visit_id}", item.notes),
                    visited_on=item.visited_on,
                    visited_by=names.get(str(item.visited_by), "—"),
                )
                for item in case.services.social_visits
            ),
            accompaniments=self._accompaniment_views(case, Area.SOCIAL_WORK, names),
            exceptional_access=exceptional,
        )

    # --------------------------------------------------------------- follow-ups

    def schedule_follow_up(self, case_id: UUID, due_on: str, channel: str) -> UUID:
        case = self._case_for_write(case_id, Section.FOLLOW_UPS, "programar seguimiento")
        due = identity.parse_date("Fecha programada", due_on)
        chosen = parse_category(Channel, "Medio", channel)
        follow_up_id = uuid4()
        self._save_change(
            case,
            lambda current: current.schedule_follow_up(follow_up_id, due, chosen, self._account.id),
        )
        return follow_up_id

    def settle_follow_up(
        self, case_id: UUID, follow_up_id: UUID, *, done: bool, outcome: str, settled_on: str = ""
    ) -> None:
        """Done needs its outcome (sealed); missed may carry a note of why."""
        case = self._case_for_write(case_id, Section.FOLLOW_UPS, "registrar seguimiento")
        text = identity.free_text(
            "Resultado", outcome, max_length=identity.NARRATIVE_MAX, required=done
        )
        on = self._past_or_today("Fecha", settled_on, self._today())
        sealed = self._seal_case(case, f"follow_up_outcome:{follow_up_id}", text) if text else None
        self._save_change(
            case,
            lambda current: current.settle_follow_up(
                follow_up_id, done, on, sealed, self._account.id
            ),
        )

    def follow_up_section(self, case_id: UUID, justification: str = "") -> list[FollowUpView]:
        case, _ = self._read_case(
            case_id, Section.FOLLOW_UPS, "consultar expediente: Seguimientos", justification
        )
        return self._follow_up_views(case)

    def _follow_up_views(self, case: Case) -> list[FollowUpView]:
        """Opens the follow-ups of a case whose read was authorized and recorded."""
        return [
            FollowUpView(
                follow_up_id=item.follow_up_id,
                due_on=item.due_on,
                channel=item.channel.label,
                state=item.state.label,
                settled_on=item.settled_on,
                outcome=self._open_case(
                    case, f"follow_up_outcome:{item.follow_up_id}", item.outcome
                ),
            )
            for item in sorted(case.services.follow_ups.values(), key=lambda f: f.due_on)
        ]

    def follow_ups_due(
        self, within_days: int = 7, *, assigned_to_me: bool = False, limit: int | None = None
    ) -> list[DueFollowUp]:
        """Pending follow-ups due up to ``within_days`` from today, overdue ones first;
        ``assigned_to_me`` keeps the cases where this person attends an area; ``limit``
        keeps the most urgent (a work queue on one screen, and what its access records)."""
        self._list_granted(Section.FOLLOW_UPS, "seguimientos por vencer")
        self.refresh()
        today = self._today()
        rows = self._views.query(
            "SELECT * FROM follow_ups_view WHERE state = 'pendiente' AND due_on <= ? "
            # Probed per follow-up due: the list of every case she attends grows with the years.
            "AND (? = 0 OR EXISTS (SELECT 1 FROM case_areas WHERE case_areas.case_id = "
            "follow_ups_view.case_id AND case_areas.staff_id = ?)) "
            "ORDER BY due_on, folio LIMIT ?",
            (
                *self._mine_params(
                    ((today + timedelta(days=within_days)).isoformat(),), assigned_to_me
                ),
                NO_LIMIT if limit is None else limit,
            ),
        )
        self._record_listing(Section.FOLLOW_UPS, "mi día: seguimientos por vencer", rows)
        names = listed_names(self, rows)  # recorded above, in the same listing
        return [
            DueFollowUp(
                case_id=UUID(row["case_id"]),
                folio=row["folio"],
                follow_up_id=UUID(row["follow_up_id"]),
                due_on=date.fromisoformat(row["due_on"]),
                channel=Channel(row["channel"]).label,
                overdue=date.fromisoformat(row["due_on"]) < today,
                client_name=names.get(row["client_id"], PLACEHOLDER),
            )
            for row in rows
        ]

    # -------------------------------------------------------- protection orders

    def record_protection_order(
        self,
        case_id: UUID,
        *,
        kind: str,
        measures: Sequence[str],
        detail: str,
        authority: str,
        issued_on: str,
        expires_on: str = "",
    ) -> UUID:
        """Empty expiry means the full term: 60 days from the issue date."""
        case = self._case_for_write(case_id, Section.PROTECTION_ORDERS, "registrar orden")
        chosen = parse_category(OrderKind, "Tipo de orden", kind)
        chosen_measures = tuple(
            parse_category(ProtectionMeasure, "Medidas", measure) for measure in measures
        )
        text = identity.free_text(
            "Detalle de las medidas", detail, max_length=identity.NARRATIVE_MAX
        )
        issuer = identity.free_text("Autoridad emisora", authority, max_length=INSTITUTION_MAX)
        issued = self._past_or_today("Fecha de emisión", issued_on, self._today())
        expiry = self._optional_date("Vencimiento", expires_on) or issued + timedelta(
            days=ORDER_MAX_DAYS
        )
        order_id = uuid4()
        order = ProtectionOrder(
            order_id=order_id,
            kind=chosen,
            measures=chosen_measures,
            detail=self._seal_case(case, f"order_detail:{order_id}", text),
            authority=self._seal_case(case, f"order_authority:{order_id}", issuer),
            issued_on=issued,
            expires_on=expiry,
            extensions=[],
        )
        self._save_change(
            case,
            lambda current: current.record_protection_order(order, self._account.id),
        )
        return order_id

    def extend_protection_order(self, case_id: UUID, order_id: UUID, expires_on: str = "") -> None:
        """Empty new expiry means the full extension: 30 days after the current expiry."""
        case = self._case_for_write(case_id, Section.PROTECTION_ORDERS, "prorrogar orden")
        typed = self._optional_date("Nuevo vencimiento", expires_on)
        current_order = case.services.protection_orders.get(order_id)
        expiry = typed or (
            current_order.expires_on + timedelta(days=EXTENSION_MAX_DAYS)
            if current_order is not None
            else self._today()
        )
        self._save_change(
            case,
            lambda current: current.extend_protection_order(order_id, expiry, self._account.id),
        )

    def protection_order_section(
        self, case_id: UUID, justification: str = ""
    ) -> list[ProtectionOrderView]:
        case, _ = self._read_case(
            case_id,
            Section.PROTECTION_ORDERS,
            "consultar expediente: Órdenes de protección",
            justification,
        )
        return self._protection_order_views(case)

    def _protection_order_views(self, case: Case) -> list[ProtectionOrderView]:
        """Opens the protection orders of a case whose read was authorized and recorded."""
        return [
            ProtectionOrderView(
                order_id=order.order_id,
                kind=order.kind.label,
                measures=tuple(measure.label for measure in order.measures),
                detail=self._open_case(case, f"order_detail:{order.order_id}", order.detail),
                authority=self._open_typed(
                    case, f"order_authority:{order.order_id}", order.authority
                ),
                issued_on=order.issued_on,
                expires_on=order.expires_on,
                extended=bool(order.extensions),
            )
            for order in case.services.protection_orders.values()
        ]

    def orders_expiring(
        self, within_days: int = 10, *, assigned_to_me: bool = False
    ) -> list[ExpiringOrder]:
        """Orders still in force that expire within ``within_days``, soonest first."""
        self._list_granted(Section.PROTECTION_ORDERS, "órdenes por vencer")
        self.refresh()
        today = self._today()
        rows = self._views.query(
            "SELECT * FROM protection_orders_view WHERE expires_on >= ? AND expires_on <= ? "
            "AND (? = 0 OR EXISTS (SELECT 1 FROM case_areas WHERE case_areas.case_id = "
            "protection_orders_view.case_id AND case_areas.staff_id = ?)) "
            "ORDER BY expires_on, folio",
            self._mine_params(
                (today.isoformat(), (today + timedelta(days=within_days)).isoformat()),
                assigned_to_me,
            ),
        )
        self._record_listing(Section.PROTECTION_ORDERS, "mi día: órdenes por vencer", rows)
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

    # ---------------------------------------------------------- life-cycle reads

    def case_life(self, case_id: UUID, justification: str = "") -> CaseLifeView:
        """Status, areas and who attends them, pending closure and the status history."""
        case, _ = self._read_case(
            case_id, Section.INTAKE, "consultar expediente: estado y áreas", justification
        )
        names = self._staff_names()
        state = case.services
        request = state.closure_request
        return CaseLifeView(
            case_id=case_id,
            folio=case.folio,
            status=case.status.label,
            areas=tuple(
                (area.label, names.get(str(staff_id), "—"))
                for area, staff_id in sorted(state.areas.items())
            ),
            closure_requested_by=names.get(str(request[0]), "—") if request else "",
            closure_requested_on=request[1] if request else None,
            closure_reason=self._open_case(case, "closure_reason", request[2]) if request else "",
            history=tuple(
                StatusChangeView(
                    status=change.status.label,
                    on=change.on,
                    by=names.get(str(change.by), "—"),
                    reason=self._open_case(
                        case,
                        "reopen_reason"
                        if change.status is CaseStatus.REOPENED
                        else "closure_reason",
                        change.reason,
                    ),
                )
                for change in state.history
            ),
        )

    def pending_closures(self) -> list[PendingClosure]:
        """Coordinación's queue of closure requests: folios and dates, no client data."""
        self.refresh()
        rows = self._views.query(
            # The (short) queue drives the join: each request looks up its one case.
            "SELECT closure_requests.*, cases_view.folio, cases_view.client_id "
            "FROM closure_requests CROSS JOIN cases_view "
            "WHERE cases_view.case_id = closure_requests.case_id ORDER BY requested_on"
        )
        self._record_listing(Section.INTAKE, "cierres pendientes de aprobación", rows)
        names = self._staff_names()
        return [
            PendingClosure(
                case_id=UUID(row["case_id"]),
                folio=row["folio"],
                requested_by=names.get(row["requested_by"], "—"),
                requested_on=date.fromisoformat(row["requested_on"]),
            )
            for row in rows
        ]
