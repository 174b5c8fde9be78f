"""The directorio homologado: institutions the institute refers women to.

Public data about institutions (never about a person), so nothing here is sealed; every change
is an event, so the directory's history shows who changed what and when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import identity
from domain.errors import DomainError, InvalidField

INSTITUTION_KINDS: dict[str, str] = {
    "procuracion_justicia": "Procuración de justicia (Fiscalía, Ministerio Público)",
    "seguridad_publica": "Seguridad pública",
    "salud": "Salud",
    "dif": "DIF / Procuraduría de Protección de Niñas, Niños y Adolescentes",
    "refugio": "Refugio o casa de emergencia",
    "centro_justicia_mujeres": "Centro de Justicia para las Mujeres",
    "defensoria": "Defensoría pública o asesoría jurídica",
    "derechos_humanos": "Derechos humanos",
    "educacion": "Educación",
    "empleo": "Empleo y capacitación",
    "desarrollo_social": "Desarrollo social y programas de apoyo",
    "sociedad_civil": "Organización de la sociedad civil o fundación",
    "otra": "Otra",
}

SERVICES: dict[str, str] = {
    "asesoria_juridica": "Asesoría jurídica",
    "denuncia": "Recepción de denuncias",
    "ordenes_proteccion": "Órdenes de protección",
    "atencion_psicologica": "Atención psicológica",
    "atencion_medica": "Atención médica",
    "refugio": "Refugio temporal",
    "proteccion_infancia": "Protección de niñas, niños y adolescentes",
    "apoyo_economico": "Apoyos económicos o en especie",
    "empleo": "Bolsa de trabajo y capacitación",
    "educacion": "Educación",
    "medicamentos": "Medicamentos",
    "otro": "Otro",
}

_HOURS_PATTERN = re.compile(r"^[\w\s:.,;/()\-–áéíóúñÁÉÍÓÚÑ]+$")


@dataclass(frozen=True)
class InstitutionData:
    """One version of an institution's public data, already validated."""

    name: str
    kind: str
    services: tuple[str, ...]
    address: str
    phone: str
    hours: str
    contact: str

    @classmethod
    def parse(
        cls,
        *,
        name: str,
        kind: str,
        services: tuple[str, ...] | list[str],
        address: str,
        phone: str,
        hours: str,
        contact: str,
    ) -> InstitutionData:
        text_name = identity.free_text("Nombre de la institución", name, max_length=200)
        if kind not in INSTITUTION_KINDS:
            raise InvalidField("Tipo de institución", "elija un tipo de la lista.")
        if not services:
            raise InvalidField("Servicios", "seleccione al menos uno.")
        if not set(services) <= set(SERVICES):
            raise InvalidField("Servicios", "contiene un servicio que no está en la lista.")
        text_address = identity.free_text(
            "Domicilio", address, max_length=identity.SHORT_TEXT_MAX, required=False
        )
        try:
            text_phone = identity.phone(phone) or ""
        except InvalidField as error:
            raise InvalidField("Teléfono de la institución", error.problem) from None
        text_hours = identity.free_text("Horario", hours, max_length=120, required=False)
        if text_hours and not _HOURS_PATTERN.match(text_hours):
            raise InvalidField("Horario", "use letras, números, dos puntos y guiones.")
        text_contact = identity.free_text(
            "Contacto", contact, max_length=identity.NAME_MAX, required=False
        )
        return cls(
            name=text_name,
            kind=kind,
            services=tuple(sorted(set(services))),
            address=text_address,
            phone=text_phone,
            hours=text_hours,
            contact=text_contact,
        )


class Institution(Aggregate):
    """One institution of the directory; each change is a new version."""

    class Registered(Aggregate.Created):
        name: str
        kind: str
        services: list[str]
        address: str
        phone: str
        hours: str
        contact: str
        recorded_by: UUID
        recorded_on: date

    class Updated(Aggregate.Event):
        name: str
        kind: str
        services: list[str]
        address: str
        phone: str
        hours: str
        contact: str
        recorded_by: UUID
        recorded_on: date

    class Deactivated(Aggregate.Event):
        recorded_by: UUID
        recorded_on: date

    class Reactivated(Aggregate.Event):
        recorded_by: UUID
        recorded_on: date

    @classmethod
    def register(
        cls, institution_id: UUID, data: InstitutionData, recorded_by: UUID, recorded_on: date
    ) -> Institution:
        return cls(
            id=institution_id,
            name=data.name,
            kind=data.kind,
            services=list(data.services),
            address=data.address,
            phone=data.phone,
            hours=data.hours,
            contact=data.contact,
            recorded_by=recorded_by,
            recorded_on=recorded_on,
        )

    @event(Registered)
    def __init__(
        self,
        id: UUID,
        name: str,
        kind: str,
        services: list[str],
        address: str,
        phone: str,
        hours: str,
        contact: str,
        recorded_by: UUID,
        recorded_on: date,
    ) -> None:
        self.active = True
        self._set(name, kind, services, address, phone, hours, contact)

    def _set(
        self,
        name: str,
        kind: str,
        services: list[str],
        address: str,
        phone: str,
        hours: str,
        contact: str,
    ) -> None:
        self.data = InstitutionData(
            name=name,
            kind=kind,
            services=tuple(services),
            address=address,
            phone=phone,
            hours=hours,
            contact=contact,
        )

    def update(self, data: InstitutionData, recorded_by: UUID, recorded_on: date) -> None:
        if data == self.data:
            raise DomainError("No hay cambios que registrar en la institución.")
        self._update(
            data.name,
            data.kind,
            list(data.services),
            data.address,
            data.phone,
            data.hours,
            data.contact,
            recorded_by,
            recorded_on,
        )

    @event(Updated)
    def _update(
        self,
        name: str,
        kind: str,
        services: list[str],
        address: str,
        phone: str,
        hours: str,
        contact: str,
        recorded_by: UUID,
        recorded_on: date,
    ) -> None:
        self._set(name, kind, services, address, phone, hours, contact)

    def deactivate(self, recorded_by: UUID, recorded_on: date) -> None:
        """Kept (referrals point at it), no longer offered for new referrals."""
        if not self.active:
            raise DomainError("La institución ya está dada de baja del directorio.")
        self._deactivate(recorded_by, recorded_on)

    @event(Deactivated)
    def _deactivate(self, recorded_by: UUID, recorded_on: date) -> None:
        self.active = False

    def reactivate(self, recorded_by: UUID, recorded_on: date) -> None:
        if self.active:
            raise DomainError("La institución ya está activa en el directorio.")
        self._reactivate(recorded_by, recorded_on)

    @event(Reactivated)
    def _reactivate(self, recorded_by: UUID, recorded_on: date) -> None:
        self.active = True

    def check_accepts_referrals(self) -> None:
        if not self.active:
            raise DomainError("La institución está dada de baja del directorio; elija otra.")
