"""The client (usuaria): the woman served, the data subject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed
from domain.vocabulary import SERVED_AGE_MAX, SERVED_AGE_MIN


class ClientErasedError(DomainError):
    def __init__(self) -> None:
        super().__init__("Los datos de esta usuaria fueron cancelados (ARCO); no admite cambios.")


class PossibleDuplicate(DomainError):
    """Registration found clients with the same CURP, phone or every name token.

    Carries only ids: the staff member opens them (an audited read) to compare, and registers
    anyway with ``confirm_not_duplicate=True`` if they are different women.
    """

    def __init__(self, candidates: list[UUID]) -> None:
        super().__init__(
            f"Posible registro duplicado: {len(candidates)} usuaria(s) registrada(s) coinciden "
            "en CURP, teléfono o nombre. Revise los registros antes de continuar; si se trata de "
            "otra persona, confirme que no es un duplicado."
        )
        self.candidates = list(candidates)


class AgeOutsideServedRange(InvalidField):
    """The institute serves 18–60: outside that range a reason is needed, never a silent no."""

    def __init__(self, age: int) -> None:
        minor = age < SERVED_AGE_MIN
        referral = (
            " Por ser menor de edad se propondrá canalizarla al DIF / Procuraduría de "
            "Protección de Niñas, Niños y Adolescentes."
            if minor
            else ""
        )
        super().__init__(
            "Fecha de nacimiento",
            f"la usuaria tendría {age} años; el instituto atiende de {SERVED_AGE_MIN} a "
            f"{SERVED_AGE_MAX}. Para registrarla escriba el motivo de la excepción; el registro "
            f"quedará pendiente de autorización de coordinación.{referral}",
        )
        self.age = age
        self.minor = minor


class AgeAuthorization:
    NOT_REQUIRED = "no_requerida"
    PENDING = "pendiente"
    AUTHORIZED = "autorizada"


AGE_AUTHORIZATION_LABELS = {
    AgeAuthorization.NOT_REQUIRED: "No requerida",
    AgeAuthorization.PENDING: "Pendiente de autorización de coordinación",
    AgeAuthorization.AUTHORIZED: "Autorizada por coordinación",
}

# The proposal recorded for a girl under 18: the child-protection authority is competent.
CHILD_PROTECTION_REFERRAL = "proteccion_infancia"
PROPOSED_REFERRAL_LABELS = {
    CHILD_PROTECTION_REFERRAL: (
        "DIF municipal / Procuraduría de Protección de Niñas, Niños y Adolescentes"
    ),
}

# Indigenous languages spoken in Guanajuato (INEGI 2020), plus "otra"; "" means none declared.
INDIGENOUS_LANGUAGES: dict[str, str] = {
    "otomi": "Otomí (hñähñu)",
    "chichimeca_jonaz": "Chichimeca jonaz (úza')",
    "nahuatl": "Náhuatl",
    "mazahua": "Mazahua",
    "purepecha": "Purépecha",
    "mixteco": "Mixteco",
    "zapoteco": "Zapoteco",
    "otra": "Otra lengua indígena",
}

# INEGI's disability domains (Censo 2020).
DISABILITIES: dict[str, str] = {
    "motriz": "Para caminar, subir o bajar",
    "visual": "Para ver",
    "auditiva": "Para oír",
    "habla": "Para hablar o comunicarse",
    "autocuidado": "Para bañarse, vestirse o comer",
    "intelectual": "Intelectual",
    "psicosocial": "Psicosocial (mental)",
    "otra": "Otra",
}

# Personal fields a rectification may supersede, with the Spanish label staff read.
CORRECTABLE_FIELDS: dict[str, str] = {
    "name": "Nombre",
    "curp": "CURP",
    "birth_date": "Fecha de nacimiento",
    "phone": "Teléfono",
    "address": "Domicilio",
    "safe_contact_name": "Nombre del contacto seguro",
    "safe_contact_phone": "Teléfono del contacto seguro",
}


def check_categories(indigenous_language: str, disabilities: list[str]) -> None:
    if indigenous_language and indigenous_language not in INDIGENOUS_LANGUAGES:
        raise InvalidField("Lengua indígena", "no está en la lista de lenguas.")
    if not set(disabilities) <= set(DISABILITIES):
        raise InvalidField("Discapacidad", "contiene una categoría que no existe.")


@dataclass(frozen=True)
class Correction:
    """One rectification: the sealed new value replaces the current one; the old stays."""

    field: str
    value: Sealed | None
    corrected_by: UUID
    corrected_on: date


class Client(Aggregate):
    """Identification of one woman. Every personal attribute is sealed with her own key."""

    class Registered(Aggregate.Created):
        # Version 2 adds contact, address, categories, consents and the age policy; events
        # stored before it are read with the defaults of a registration that predates them.
        class_version = 2

        name: Sealed
        curp: Sealed | None
        birth_date: Sealed
        phone: Sealed | None
        zone: str
        age_band: str
        registered_on: date
        registered_by: UUID
        phone_safe_to_call: bool
        safe_contact_name: Sealed | None
        safe_contact_phone: Sealed | None
        address: Sealed | None
        indigenous_language: str
        disabilities: list[str]
        privacy_notice_accepted: bool
        consent_to_share: bool
        consent_to_statistics: bool
        age_exception_reason: Sealed | None
        age_authorization: str
        proposed_referral: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(
                phone_safe_to_call=False,
                safe_contact_name=None,
                safe_contact_phone=None,
                address=None,
                indigenous_language="",
                disabilities=[],
                privacy_notice_accepted=True,  # registration then required it on paper
                consent_to_share=False,
                consent_to_statistics=True,
                age_exception_reason=None,
                age_authorization=AgeAuthorization.NOT_REQUIRED,
                proposed_referral="",
            )

    class ErasureRequested(Aggregate.Event):
        requested_by: UUID

    class Erased(Aggregate.Event):
        """ARCO cancellation executed: her key was shredded. Carries no personal data."""

        approved_by: UUID

    class AgeExceptionAuthorized(Aggregate.Event):
        authorized_by: UUID

    class StatisticsConsentChanged(Aggregate.Event):
        """ARCO opposition (or its withdrawal): whether her cases are counted."""

        granted: bool
        changed_by: UUID

    class SharingConsentChanged(Aggregate.Event):
        granted: bool
        changed_by: UUID

    class Corrected(Aggregate.Event):
        """ARCO rectification: supersedes one field; earlier events keep the history."""

        field: str
        value: Sealed | None
        corrected_by: UUID
        corrected_on: date

    @classmethod
    def register(
        cls,
        *,
        client_id: UUID,
        name: Sealed,
        curp: Sealed | None,
        birth_date: Sealed,
        age: int,
        phone: Sealed | None,
        zone: str,
        age_band: str,
        registered_on: date,
        registered_by: UUID,
        phone_safe_to_call: bool = False,
        safe_contact_name: Sealed | None = None,
        safe_contact_phone: Sealed | None = None,
        address: Sealed | None = None,
        indigenous_language: str = "",
        disabilities: list[str] | None = None,
        privacy_notice_accepted: bool = True,
        consent_to_share: bool = False,
        consent_to_statistics: bool = True,
        age_exception_reason: Sealed | None = None,
    ) -> Client:
        """Applies the registration rules (the age policy of the work plan among them)."""
        if not privacy_notice_accepted:
            raise InvalidField(
                "Aviso de privacidad", "la usuaria debe conocer y aceptar el aviso de privacidad."
            )
        categories = sorted(set(disabilities or []))
        check_categories(indigenous_language, categories)
        if phone_safe_to_call and phone is None:
            raise InvalidField("Teléfono seguro", "indique primero el teléfono.")
        if (safe_contact_name is None) != (safe_contact_phone is None):
            raise InvalidField("Contacto seguro", "escriba el nombre y el teléfono del contacto.")
        within = SERVED_AGE_MIN <= age <= SERVED_AGE_MAX
        if not within and age_exception_reason is None:
            raise AgeOutsideServedRange(age)
        return cls(
            id=client_id,
            name=name,
            curp=curp,
            birth_date=birth_date,
            phone=phone,
            zone=zone,
            age_band=age_band,
            registered_on=registered_on,
            registered_by=registered_by,
            phone_safe_to_call=phone_safe_to_call,
            safe_contact_name=safe_contact_name,
            safe_contact_phone=safe_contact_phone,
            address=address,
            indigenous_language=indigenous_language,
            disabilities=categories,
            privacy_notice_accepted=True,
            consent_to_share=consent_to_share,
            consent_to_statistics=consent_to_statistics,
            age_exception_reason=None if within else age_exception_reason,
            age_authorization=AgeAuthorization.NOT_REQUIRED if within else AgeAuthorization.PENDING,
            proposed_referral=CHILD_PROTECTION_REFERRAL if age < SERVED_AGE_MIN else "",
        )

    @event(Registered)
    def __init__(
        self,
        id: UUID,  # chosen by the service before sealing
        name: Sealed,
        curp: Sealed | None,
        birth_date: Sealed,
        phone: Sealed | None,
        zone: str,
        age_band: str,
        registered_on: date,
        registered_by: UUID,
        phone_safe_to_call: bool = False,
        safe_contact_name: Sealed | None = None,
        safe_contact_phone: Sealed | None = None,
        address: Sealed | None = None,
        indigenous_language: str = "",
        disabilities: list[str] | None = None,
        privacy_notice_accepted: bool = True,
        consent_to_share: bool = False,
        consent_to_statistics: bool = True,
        age_exception_reason: Sealed | None = None,
        age_authorization: str = AgeAuthorization.NOT_REQUIRED,
        proposed_referral: str = "",
    ) -> None:
        self.name = name
        self.curp = curp
        self.birth_date = birth_date
        self.phone = phone
        self.zone = zone
        self.age_band = age_band
        self.registered_on = registered_on
        self.registered_by = registered_by
        self.phone_safe_to_call = phone_safe_to_call
        self.safe_contact_name = safe_contact_name
        self.safe_contact_phone = safe_contact_phone
        self.address = address
        self.indigenous_language = indigenous_language
        self.disabilities = list(disabilities or [])
        self.privacy_notice_accepted = privacy_notice_accepted
        self.consent_to_share = consent_to_share
        self.consent_to_statistics = consent_to_statistics
        self.age_exception_reason = age_exception_reason
        self.age_authorization = age_authorization
        self.proposed_referral = proposed_referral
        self.corrections: list[Correction] = []
        self.erasure_requested_by: UUID | None = None
        self.erased = False

    def check_not_erased(self) -> None:
        if self.erased:
            raise ClientErasedError

    def check_may_open_case(self) -> None:
        """A registration outside 18–60 waits for coordinación before any case exists."""
        self.check_not_erased()
        if self.age_authorization == AgeAuthorization.PENDING:
            raise DomainError(
                "El registro de esta usuaria está fuera del rango de edad atendido y espera la "
                "autorización de coordinación; no es posible abrir expediente todavía."
            )

    def authorize_age_exception(self, authorized_by: UUID) -> None:
        self.check_not_erased()
        if self.age_authorization != AgeAuthorization.PENDING:
            raise DomainError("Este registro no tiene una excepción de edad pendiente.")
        self._authorize_age_exception(authorized_by)

    @event(AgeExceptionAuthorized)
    def _authorize_age_exception(self, authorized_by: UUID) -> None:
        self.age_authorization = AgeAuthorization.AUTHORIZED

    def set_statistics_consent(self, granted: bool, changed_by: UUID) -> None:
        self.check_not_erased()
        if granted == self.consent_to_statistics:
            raise DomainError("El consentimiento para estadísticas ya tiene ese valor.")
        self._set_statistics_consent(granted, changed_by)

    @event(StatisticsConsentChanged)
    def _set_statistics_consent(self, granted: bool, changed_by: UUID) -> None:
        self.consent_to_statistics = granted

    def set_sharing_consent(self, granted: bool, changed_by: UUID) -> None:
        self.check_not_erased()
        if granted == self.consent_to_share:
            raise DomainError("El consentimiento para compartir datos ya tiene ese valor.")
        self._set_sharing_consent(granted, changed_by)

    @event(SharingConsentChanged)
    def _set_sharing_consent(self, granted: bool, changed_by: UUID) -> None:
        self.consent_to_share = granted

    def correct(
        self, field: str, value: Sealed | None, corrected_by: UUID, corrected_on: date
    ) -> None:
        self.check_not_erased()
        if field not in CORRECTABLE_FIELDS:
            raise InvalidField("Campo", "no admite rectificación.")
        if value is None and field in ("name", "birth_date"):
            raise InvalidField(CORRECTABLE_FIELDS[field], "es obligatorio.")
        if field == "safe_contact_phone" and value is not None and self.safe_contact_name is None:
            raise InvalidField("Contacto seguro", "registre primero el nombre del contacto.")
        self._correct(field, value, corrected_by, corrected_on)

    @event(Corrected)
    def _correct(
        self, field: str, value: Sealed | None, corrected_by: UUID, corrected_on: date
    ) -> None:
        self.corrections.append(Correction(field, value, corrected_by, corrected_on))
        setattr(self, field, value)
        if field == "phone" and value is None:
            self.phone_safe_to_call = False

    def request_erasure(self, requested_by: UUID) -> None:
        self.check_not_erased()
        if self.erasure_requested_by is not None:
            raise DomainError("Ya hay una solicitud de cancelación pendiente para esta usuaria.")
        self._request_erasure(requested_by)

    @event(ErasureRequested)
    def _request_erasure(self, requested_by: UUID) -> None:
        self.erasure_requested_by = requested_by

    def erase(self, approved_by: UUID) -> None:
        self.check_not_erased()
        if self.erasure_requested_by is None:
            raise DomainError("No hay solicitud de cancelación que aprobar.")
        if approved_by == self.erasure_requested_by:
            raise DomainError(
                "La cancelación debe aprobarla una persona distinta de quien la solicitó."
            )
        self._erase(approved_by)

    @event(Erased)
    def _erase(self, approved_by: UUID) -> None:
        self.erased = True
