"""Referrals (canalización) of a case to another institution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import DomainError
from domain.sealed import Sealed

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
