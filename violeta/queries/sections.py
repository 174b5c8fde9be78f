"""Queries: a case's sections, each read recorded before it is opened."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.cases import (
    Case,
    RiskFactor,
)
from domain.vocabulary import CaseStatus, Modality, RiskLevel, Section, ViolenceType
from violeta.casework import open_sealed
from violeta.dto import (
    CaseDetail,
    CaseLifeView,
    FollowUpView,
    LegalSectionView,
    NoteView,
    ProtectionOrderView,
    PsychologySectionView,
    RecordEntry,
    ReferralView,
    SocialWorkSectionView,
    StatusChangeView,
)
from violeta.section_views import (
    follow_up_views,
    legal_view,
    protection_order_views,
    psychology_view,
    referral_views,
    social_work_view,
)
from violeta.sections import (
    follow_up_entries,
    legal_entries,
    protection_order_entries,
    psychology_entries,
    referral_entries,
    social_work_entries,
)
from violeta.session import SessionContext, case_label


def legal_section(ctx: SessionContext, case_id: UUID, justification: str = "") -> LegalSectionView:
    case, exceptional = ctx._read_case(
        case_id, Section.LEGAL, "consultar expediente: Jurídica", justification
    )
    return legal_view(ctx, case, exceptional)


def psychology_section(ctx: SessionContext, case_id: UUID) -> PsychologySectionView:
    """Psychology's alone: the matrix denies it to every other role, with no exception."""
    case, _ = ctx._read_case(
        case_id, Section.PSYCHOLOGICAL, "consultar expediente: Psicológica", ""
    )
    return psychology_view(ctx, case)


def social_work_section(
    ctx: SessionContext, case_id: UUID, justification: str = ""
) -> SocialWorkSectionView:
    case, exceptional = ctx._read_case(
        case_id, Section.SOCIAL_WORK, "consultar expediente: Trabajo social", justification
    )
    return social_work_view(ctx, case, exceptional)


def follow_up_section(
    ctx: SessionContext, case_id: UUID, justification: str = ""
) -> list[FollowUpView]:
    case, _ = ctx._read_case(
        case_id, Section.FOLLOW_UPS, "consultar expediente: Seguimientos", justification
    )
    return follow_up_views(ctx, case)


def protection_order_section(
    ctx: SessionContext, case_id: UUID, justification: str = ""
) -> list[ProtectionOrderView]:
    case, _ = ctx._read_case(
        case_id,
        Section.PROTECTION_ORDERS,
        "consultar expediente: Órdenes de protección",
        justification,
    )
    return protection_order_views(ctx, case)


def case_life(ctx: SessionContext, case_id: UUID, justification: str = "") -> CaseLifeView:
    """Status, areas and who attends them, pending closure and the status history."""
    case, _ = ctx._read_case(
        case_id, Section.INTAKE, "consultar expediente: estado y áreas", justification
    )
    names = ctx._staff_names()
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
        closure_reason=open_sealed(ctx, case, "closure_reason", request[2]) if request else "",
        history=tuple(
            StatusChangeView(
                status=change.status.label,
                on=change.on,
                by=names.get(str(change.by), "—"),
                reason=open_sealed(
                    ctx,
                    case,
                    "reopen_reason" if change.status is CaseStatus.REOPENED else "closure_reason",
                    change.reason,
                ),
            )
            for change in state.history
        ),
    )


def referrals(ctx: SessionContext, case_id: UUID, justification: str = "") -> list[ReferralView]:
    """The referrals of a case, opened for an authorized reader and audited first."""
    case, _ = ctx._read_case(
        case_id, Section.REFERRALS, "consultar expediente: Canalizaciones", justification
    )
    return referral_views(ctx, case)


def case_detail(
    ctx: SessionContext, case_id: UUID, section: Section = Section.INTAKE, justification: str = ""
) -> CaseDetail:
    case, exceptional = ctx._read_case(
        case_id, section, f"consultar expediente: {section.label}", justification
    )
    client = ctx._latest_client(case.client_id)
    subject = str(case.client_id)
    show_intake = section is Section.INTAKE
    staff_names = ctx._staff_names()
    return CaseDetail(
        case_id=case_id,
        client_id=case.client_id,
        folio=case.folio,
        client_name=ctx._keyring.open(subject, "client.name", client.name.envelope),
        opened_on=case.opened_on,
        status=case.status.label,
        zone_name=ctx._zone_names().get(case.zone, case.zone),
        risk=RiskLevel(case.risk).label,
        violence_types=tuple(ViolenceType(t).label for t in case.violence_types),
        modalities=tuple(Modality(m).label for m in case.modalities),
        reason=ctx._keyring.open(subject, case_label(case_id, "reason"), case.reason.envelope)
        if show_intake
        else "",
        narrative=ctx._keyring.open(
            subject, case_label(case_id, "narrative"), case.narrative.envelope
        )
        if show_intake
        else "",
        notes=tuple(
            NoteView(
                section=note.section.label,
                text=ctx._keyring.open(subject, case_label(case_id, "note"), note.text.envelope),
                author=staff_names.get(str(note.author), "—"),
                written_on=note.written_on,
            )
            for note in case.notes
            if note.section is section
        ),
        exceptional_access=exceptional,
        attended_by_reader=ctx._account.id in case.services.areas.values(),
        closure_pending=case.services.closure_request is not None,
        opened_by_reader_today=ctx._opened_it_today(case),
        aggressor_relationship=case.aggressor_relationship.label if show_intake else "",
        aggressor_details=ctx._open_optional(
            subject, case_label(case_id, "aggressor_details"), case.aggressor_details
        )
        if show_intake
        else "",
        risk_factors=tuple(RiskFactor(f).label for f in case.risk_factors) if show_intake else (),
        records=_section_records(ctx, case, section, exceptional),
    )


def _section_records(
    ctx: SessionContext, case: Case, section: Section, exceptional: bool
) -> tuple[RecordEntry, ...]:
    """The structured records of a section whose read was authorized and recorded."""
    readers: dict[Section, Callable[[], tuple[RecordEntry, ...]]] = {
        Section.LEGAL: lambda: legal_entries(legal_view(ctx, case, exceptional)),
        Section.PSYCHOLOGICAL: lambda: psychology_entries(psychology_view(ctx, case)),
        Section.SOCIAL_WORK: lambda: social_work_entries(social_work_view(ctx, case, exceptional)),
        Section.FOLLOW_UPS: lambda: follow_up_entries(follow_up_views(ctx, case)),
        Section.PROTECTION_ORDERS: lambda: protection_order_entries(
            protection_order_views(ctx, case)
        ),
        Section.REFERRALS: lambda: referral_entries(referral_views(ctx, case)),
    }
    reader = readers.get(section)
    return reader() if reader is not None else ()
