"""The directorio homologado and the referrals (canalizaciones) made to its institutions.

The directory is public data about institutions: every staff role reads it and no access
event is recorded for it. A referral is part of a woman's case: it is authorized against the
«Canalizaciones» section, its reason is sealed with her key, and reading it is audited.
The commands are in violeta/handlers/directory.py, the reads in violeta/queries/directory.py
and violeta/queries/sections.py (a case's referrals)."""

from __future__ import annotations

from uuid import UUID

from domain.directory import Institution, InstitutionData
from violeta.dto import InstitutionForm
from violeta.session import SessionContext
from violeta.store import load_aggregate

_CHANGES = {
    "Registered": "Alta en el directorio",
    "Updated": "Cambio de datos",
    "Deactivated": "Baja del directorio",
    "Reactivated": "Reactivación",
}


def _parse(form: InstitutionForm) -> InstitutionData:
    return InstitutionData.parse(
        name=form.name,
        kind=form.kind,
        services=form.services,
        address=form.address,
        phone=form.phone,
        hours=form.hours,
        contact=form.contact,
    )


def get_institution(ctx: SessionContext, institution_id: UUID) -> Institution:
    return load_aggregate(
        ctx._store,
        institution_id,
        Institution,
        "No existe una institución del directorio con ese identificador.",
    )
