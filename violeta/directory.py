"""The directorio homologado and the referrals (canalizaciones) made to its institutions.

The directory is public data about institutions: every staff role reads it and no access
event is recorded for it. A referral is part of a woman's case: it is authorized against the
«Canalizaciones» section, its reason is sealed with her key, and reading it is audited.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain import identity
from domain.cases import REFERRAL_OUTCOMES, Case
from domain.directory import INSTITUTION_KINDS, SERVICES, Institution, InstitutionData
from domain.errors import InvalidField, NotPermitted
from domain.permissions import Action
from domain.sealed import Sealed
from domain.vocabulary import Role, Section
from violeta.dto import (
    InstitutionForm,
    InstitutionVersion,
    InstitutionView,
    NewReferral,
    ReferralView,
)
from violeta.session import SessionCore, case_label, load_aggregate, retry_on_conflict

_CHANGES = {
    "Registered": "Alta en el directorio",
    "Updated": "Cambio de datos",
    "Deactivated": "Baja del directorio",
    "Reactivated": "Reactivación",
}


class DirectoryServices(SessionCore):
    # ------------------------------------------------------------------ directory

    def _get_institution(self, institution_id: UUID) -> Institution:
        return load_aggregate(
            self._store,
            institution_id,
            Institution,
            "No existe una institución del directorio con ese identificador.",
        )

    def add_institution(self, form: InstitutionForm) -> UUID:
        data = _parse(form)
        institution = Institution.register(uuid4(), data, self._account.id, self._institute.today())
        self._store.save(institution)
        return institution.id

    def update_institution(self, institution_id: UUID, form: InstitutionForm) -> None:
        data = _parse(form)

        def attempt() -> None:
            institution = self._get_institution(institution_id)
            institution.update(data, self._account.id, self._institute.today())
            self._store.save(institution)

        retry_on_conflict(attempt)

    def set_institution_active(self, institution_id: UUID, active: bool) -> None:
        """A retired institution stays (referrals point at it) but is not offered again."""

        def attempt() -> None:
            institution = self._get_institution(institution_id)
            if active:
                institution.reactivate(self._account.id, self._institute.today())
            else:
                institution.deactivate(self._account.id, self._institute.today())
            self._store.save(institution)

        retry_on_conflict(attempt)

    def directory(
        self, *, include_inactive: bool = False, kind: str = "", service: str = ""
    ) -> list[InstitutionView]:
        """Every role reads the directory: public data, so no access event."""
        self.refresh()
        rows = self._views.query("SELECT * FROM directory_view ORDER BY name")
        views = []
        for row in rows:
            services = tuple(code for code in row["services"].split(",") if code)
            if not include_inactive and not row["active"]:
                continue
            if kind and row["kind"] != kind:
                continue
            if service and service not in services:
                continue
            views.append(
                InstitutionView(
                    institution_id=UUID(row["institution_id"]),
                    name=row["name"],
                    kind=INSTITUTION_KINDS.get(row["kind"], row["kind"]),
                    services=tuple(SERVICES.get(code, code) for code in services),
                    address=row["address"],
                    phone=row["phone"],
                    hours=row["hours"],
                    contact=row["contact"],
                    active=bool(row["active"]),
                    version=int(row["version"]),
                    updated_on=date.fromisoformat(row["updated_on"]),
                )
            )
        return views

    def institution_history(self, institution_id: UUID) -> list[InstitutionVersion]:
        """Every version of one institution, oldest first (the directory is versioned)."""
        self._get_institution(institution_id)  # a clear message for an unknown id
        staff_names = self._staff_names()
        versions = []
        name = ""
        for stored in self._store.events.get(institution_id):
            name = getattr(stored, "name", name)
            recorded_by = str(getattr(stored, "recorded_by", ""))
            versions.append(
                InstitutionVersion(
                    version=stored.originator_version,
                    recorded_on=stored.recorded_on,  # type: ignore[attr-defined]
                    recorded_by=staff_names.get(recorded_by, "—"),
                    change=_CHANGES.get(type(stored).__name__, "Cambio"),
                    name=name,
                )
            )
        return versions

    # ------------------------------------------------------------------ referrals

    def refer_case(self, case_id: UUID, form: NewReferral) -> UUID:
        """Refers her to an institution of the directory.

        With personal data and without her consent to share, only coordinación may refer, and
        only with a recorded (sealed) reason; anyone may refer without personal data.
        """
        case = self._get_case(case_id)
        self._authorize(
            Section.REFERRALS, Action.WRITE, [case.client_id], [case_id], "canalizar", ""
        )
        reason = identity.free_text(
            "Motivo de la canalización", form.reason, max_length=identity.SHORT_TEXT_MAX
        )
        override_text = identity.free_text(
            "Motivo para canalizar sin consentimiento",
            form.consent_override_reason,
            max_length=identity.SHORT_TEXT_MAX,
            required=False,
        )
        made_on = self._past_or_today(
            "Fecha de canalización", form.made_on, self._institute.today()
        )
        institution = self._get_institution(form.institution_id)
        institution.check_accepts_referrals()
        client = self._get_client(case.client_id)
        client.check_not_erased()
        needs_override = form.with_personal_data and not client.consent_to_share
        if needs_override and override_text and self.role is not Role.COORDINATION:
            self._record_denied(
                Section.REFERRALS, [case.client_id], "canalizar sin consentimiento", [case_id]
            )
            raise NotPermitted(
                "Solo coordinación puede autorizar una canalización con datos personales sin el "
                "consentimiento de la usuaria."
            )
        referral_id = uuid4()
        subject = str(case.client_id)
        sealed_reason = self._seal(subject, case_label(case_id, "referral_reason"), reason)
        sealed_override: Sealed | None = (
            self._seal(subject, case_label(case_id, "referral_override"), override_text)
            if needs_override and override_text
            else None
        )
        loaded = [case]

        def attempt() -> None:
            current = loaded.pop() if loaded else self._get_case(case_id)
            current.refer(
                referral_id=referral_id,
                institution_id=form.institution_id,
                reason=sealed_reason,
                with_personal_data=form.with_personal_data,
                client_consents_to_share=client.consent_to_share,
                consent_override=sealed_override,
                made_by=self._account.id,
                made_on=made_on,
            )
            self._store.save(current)

        retry_on_conflict(attempt)
        return referral_id

    def record_referral_outcome(
        self, case_id: UUID, referral_id: UUID, outcome: str, note: str = "", recorded_on: str = ""
    ) -> None:
        case = self._get_case(case_id)
        self._authorize(
            Section.REFERRALS,
            Action.WRITE,
            [case.client_id],
            [case_id],
            "resultado de canalización",
            "",
        )
        if outcome not in REFERRAL_OUTCOMES:
            raise InvalidField("Resultado de la canalización", "elija un resultado de la lista.")
        text = identity.free_text(
            "Nota del resultado", note, max_length=identity.NARRATIVE_MAX, required=False
        )
        on = self._past_or_today("Fecha del resultado", recorded_on, self._institute.today())
        sealed = (
            self._seal(str(case.client_id), case_label(case_id, "referral_outcome"), text)
            if text
            else None
        )
        loaded = [case]

        def attempt() -> None:
            current = loaded.pop() if loaded else self._get_case(case_id)
            current.record_referral_outcome(referral_id, outcome, sealed, self._account.id, on)
            self._store.save(current)

        retry_on_conflict(attempt)

    def referrals(self, case_id: UUID, justification: str = "") -> list[ReferralView]:
        """The referrals of a case, opened for an authorized reader and audited first."""
        case, _ = self._read_case(
            case_id, Section.REFERRALS, "consultar expediente: Canalizaciones", justification
        )
        return self._referral_views(case)

    def _referral_views(self, case: Case) -> list[ReferralView]:
        """Opens the referrals of a case whose read was authorized and recorded."""
        case_id = case.id
        subject = str(case.client_id)
        staff_names = self._staff_names()
        names = {
            row["institution_id"]: row["name"]
            for row in self._views.query("SELECT institution_id, name FROM directory_view")
        }
        return [
            ReferralView(
                referral_id=referral.referral_id,
                institution_id=referral.institution_id,
                institution=names.get(str(referral.institution_id), "—"),
                reason=self._keyring.open(
                    subject, case_label(case_id, "referral_reason"), referral.reason.envelope
                ),
                with_personal_data=referral.with_personal_data,
                consent_override_reason=self._open_optional(
                    subject, case_label(case_id, "referral_override"), referral.consent_override
                ),
                made_by=staff_names.get(str(referral.made_by), "—"),
                made_on=referral.made_on,
                outcome=REFERRAL_OUTCOMES.get(referral.outcome, ""),
                outcome_note=self._open_optional(
                    subject, case_label(case_id, "referral_outcome"), referral.outcome_note
                ),
                outcome_on=referral.outcome_on,
            )
            for referral in case.referrals.values()
        ]


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
