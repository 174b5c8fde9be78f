"""The case (expediente) and what is recorded on it, one module per area.

- intake: the notes, aggressor relationship and risk factors recorded at opening;
- services: the categories and records of every area's services on a case;
- referrals: referrals (canalización) to other institutions;
- case: the Case aggregate itself;
- folios: the gap-free human case numbers.

Every public name is re-exported here, so `from domain.cases import Case` keeps working, and the
stored topics of the aggregates and their events stay `domain.cases:…` (see
`domain.cases.topics`), so archives written before the split read and write the same names.
"""

from __future__ import annotations

from domain.cases.case import (
    Case,
)
from domain.cases.folios import (
    FOLIO_NAMESPACE,
    FolioSequence,
)
from domain.cases.intake import (
    INTAKE_LABELS,
    AggressorRelationship,
    Note,
    RiskFactor,
)
from domain.cases.referrals import (
    REFERRAL_OUTCOMES,
    Referral,
    ReferralNeedsConsent,
)
from domain.cases.services import (
    AREA_ROLES,
    EXTENSION_MAX_DAYS,
    MAX_EXTENSIONS,
    ORDER_MAX_DAYS,
    SERVICE_LABELS,
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
    ServiceEnum,
    SessionModality,
    SocialVisit,
    StatusChange,
    VisitKind,
    parse_category,
)

__all__ = [
    "AREA_ROLES",
    "EXTENSION_MAX_DAYS",
    "FOLIO_NAMESPACE",
    "INTAKE_LABELS",
    "MAX_EXTENSIONS",
    "ORDER_MAX_DAYS",
    "REFERRAL_OUTCOMES",
    "SERVICE_LABELS",
    "Accompaniment",
    "AccompanimentDecision",
    "AggressorRelationship",
    "Area",
    "Case",
    "CaseServicesState",
    "Channel",
    "FolioSequence",
    "FollowUp",
    "FollowUpState",
    "Gestion",
    "GestionOutcome",
    "LegalAdvice",
    "LegalMatter",
    "MisconductConduct",
    "MisconductReport",
    "Note",
    "OrderKind",
    "ProtectionMeasure",
    "ProtectionOrder",
    "PsychologySession",
    "Referral",
    "ReferralNeedsConsent",
    "ReportStatus",
    "RiskFactor",
    "ServiceEnum",
    "SessionModality",
    "SocialVisit",
    "StatusChange",
    "VisitKind",
    "parse_category",
]
