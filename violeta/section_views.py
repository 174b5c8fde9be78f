"""Each case section as staff read it, opened from the case (read side)."""

from __future__ import annotations

from domain.cases import (
    REFERRAL_OUTCOMES,
    Area,
    Case,
)
from violeta.casework import open_sealed, open_typed
from violeta.dto import (
    AccompanimentDecisionView,
    AccompanimentView,
    FollowUpView,
    GestionView,
    LegalAdviceView,
    LegalSectionView,
    MisconductReportView,
    ProtectionOrderView,
    PsychologySectionView,
    PsychologySessionView,
    ReferralView,
    SocialVisitView,
    SocialWorkSectionView,
)
from violeta.session import SessionContext, case_label


def legal_view(ctx: SessionContext, case: Case, exceptional: bool) -> LegalSectionView:
    """Opens the legal section of a case whose read was authorized and recorded."""
    case_id = case.id
    names = ctx._staff_names()
    state = case.services
    return LegalSectionView(
        case_id=case_id,
        advice=tuple(
            LegalAdviceView(
                advice_id=advice.advice_id,
                matter=advice.matter.label,
                notes=open_sealed(ctx, case, f"legal_advice:{advice.advice_id}", advice.notes),
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
        accompaniments=accompaniment_views(ctx, case, Area.LEGAL, names),
        misconduct_reports=tuple(
            MisconductReportView(
                report_id=report.report_id,
                institution=open_typed(
                    ctx, case, f"misconduct_institution:{report.report_id}", report.institution
                ),
                conduct=report.conduct.label,
                facts=open_sealed(ctx, case, f"misconduct_facts:{report.report_id}", report.facts),
                reported_to=open_sealed(
                    ctx, case, f"misconduct_reported_to:{report.report_id}", report.reported_to
                ),
                reported_on=report.reported_on,
                status=report.status.label,
            )
            for report in state.misconduct_reports.values()
        ),
        exceptional_access=exceptional,
    )


def accompaniment_views(
    ctx: SessionContext, case: Case, area: Area, names: dict[str, str]
) -> tuple[AccompanimentView, ...]:
    return tuple(
        AccompanimentView(
            accompaniment_id=item.accompaniment_id,
            area=item.area.label,
            authority=open_typed(
                ctx, case, f"accompaniment_authority:{item.accompaniment_id}", item.authority
            ),
            notes=open_sealed(ctx, case, f"accompaniment:{item.accompaniment_id}", item.notes),
            performed_on=item.performed_on,
            performed_by=names.get(str(item.performed_by), "—"),
        )
        for item in case.services.accompaniments
        if item.area is area
    )


def psychology_view(ctx: SessionContext, case: Case) -> PsychologySectionView:
    """Opens the psychology section of a case whose read was authorized and recorded."""
    names = ctx._staff_names()
    sessions = case.services.psychology_sessions
    return PsychologySectionView(
        case_id=case.id,
        sessions=tuple(
            PsychologySessionView(
                session_id=session.session_id,
                held_on=session.held_on,
                modality=session.modality.label,
                notes=open_sealed(
                    ctx, case, f"psychology_notes:{session.session_id}", session.notes
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


def social_work_view(ctx: SessionContext, case: Case, exceptional: bool) -> SocialWorkSectionView:
    """Opens the social-work section of a case whose read was authorized and recorded."""
    names = ctx._staff_names()
    return SocialWorkSectionView(
        case_id=case.id,
        gestiones=tuple(
            GestionView(
                gestion_id=item.gestion_id,
                what=open_sealed(ctx, case, f"gestion:{item.gestion_id}", item.what),
                institution=open_typed(
                    ctx, case, f"gestion_institution:{item.gestion_id}", item.institution
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
                notes=open_sealed(ctx, case, f"social_visit:{item.visit_id}", item.notes),
                visited_on=item.visited_on,
                visited_by=names.get(str(item.visited_by), "—"),
            )
            for item in case.services.social_visits
        ),
        accompaniments=accompaniment_views(ctx, case, Area.SOCIAL_WORK, names),
        exceptional_access=exceptional,
    )


def follow_up_views(ctx: SessionContext, case: Case) -> list[FollowUpView]:
    """Opens the follow-ups of a case whose read was authorized and recorded."""
    return [
        FollowUpView(
            follow_up_id=item.follow_up_id,
            due_on=item.due_on,
            channel=item.channel.label,
            state=item.state.label,
            settled_on=item.settled_on,
            outcome=open_sealed(ctx, case, f"follow_up_outcome:{item.follow_up_id}", item.outcome),
        )
        for item in sorted(case.services.follow_ups.values(), key=lambda f: f.due_on)
    ]


def protection_order_views(ctx: SessionContext, case: Case) -> list[ProtectionOrderView]:
    """Opens the protection orders of a case whose read was authorized and recorded."""
    return [
        ProtectionOrderView(
            order_id=order.order_id,
            kind=order.kind.label,
            measures=tuple(measure.label for measure in order.measures),
            detail=open_sealed(ctx, case, f"order_detail:{order.order_id}", order.detail),
            authority=open_typed(ctx, case, f"order_authority:{order.order_id}", order.authority),
            issued_on=order.issued_on,
            expires_on=order.expires_on,
            extended=bool(order.extensions),
        )
        for order in case.services.protection_orders.values()
    ]


def referral_views(ctx: SessionContext, case: Case) -> list[ReferralView]:
    """Opens the referrals of a case whose read was authorized and recorded."""
    case_id = case.id
    subject = str(case.client_id)
    staff_names = ctx._staff_names()
    names = {
        row["institution_id"]: row["name"]
        for row in ctx._views.query("SELECT institution_id, name FROM directory_view")
    }
    return [
        ReferralView(
            referral_id=referral.referral_id,
            institution_id=referral.institution_id,
            institution=names.get(str(referral.institution_id), "—"),
            reason=ctx._keyring.open(
                subject, case_label(case_id, "referral_reason"), referral.reason.envelope
            ),
            with_personal_data=referral.with_personal_data,
            consent_override_reason=ctx._open_optional(
                subject, case_label(case_id, "referral_override"), referral.consent_override
            ),
            made_by=staff_names.get(str(referral.made_by), "—"),
            made_on=referral.made_on,
            outcome=REFERRAL_OUTCOMES.get(referral.outcome, ""),
            outcome_note=ctx._open_optional(
                subject, case_label(case_id, "referral_outcome"), referral.outcome_note
            ),
            outcome_on=referral.outcome_on,
        )
        for referral in case.referrals.values()
    ]
