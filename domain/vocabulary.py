"""Categories of the LGAMVLV and of the institute, with the Spanish labels staff read."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    @property
    def label(self) -> str:
        return LABELS[self]

    @classmethod
    def parse(cls, value: str) -> LabelledEnum:
        for member in cls:
            if value in (member.value, member.label):
                return member
        raise ValueError(value)


class ViolenceType(LabelledEnum):
    PSYCHOLOGICAL = "psicologica"
    PHYSICAL = "fisica"
    PATRIMONIAL = "patrimonial"
    ECONOMIC = "economica"
    SEXUAL = "sexual"
    VICARIOUS = "vicaria"
    OTHER = "otras"


class Modality(LabelledEnum):
    FAMILY = "familiar"
    WORK_AND_SCHOOL = "laboral_docente"
    COMMUNITY = "comunidad"
    INSTITUTIONAL = "institucional"
    POLITICAL = "politica"
    DIGITAL_AND_MEDIA = "digital_mediatica"
    FEMICIDAL = "feminicida"


class RiskLevel(LabelledEnum):
    LOW = "bajo"
    MEDIUM = "medio"
    HIGH = "alto"


class CaseStatus(LabelledEnum):
    OPEN = "abierto"
    FOLLOW_UP = "en_seguimiento"
    CLOSED = "cerrado"
    REOPENED = "reabierto"


class Role(LabelledEnum):
    RECEPTION = "recepcion"
    SOCIAL_WORK = "trabajo_social"
    LEGAL = "juridica"
    PSYCHOLOGY = "psicologia"
    COORDINATION = "coordinacion"
    ADMINISTRATION = "administracion"


class Section(LabelledEnum):
    IDENTIFICATION = "identificacion"
    INTAKE = "entrevista"
    LEGAL = "juridica"
    PSYCHOLOGICAL = "psicologica"
    SOCIAL_WORK = "trabajo_social"
    REFERRALS = "canalizaciones"
    FOLLOW_UPS = "seguimientos"
    PROTECTION_ORDERS = "ordenes"


LABELS: dict[LabelledEnum, str] = {
    ViolenceType.PSYCHOLOGICAL: "Psicológica",
    ViolenceType.PHYSICAL: "Física",
    ViolenceType.PATRIMONIAL: "Patrimonial",
    ViolenceType.ECONOMIC: "Económica",
    ViolenceType.SEXUAL: "Sexual",
    ViolenceType.VICARIOUS: "A través de interpósita persona (vicaria)",
    ViolenceType.OTHER: "Otras",
    Modality.FAMILY: "Familiar",
    Modality.WORK_AND_SCHOOL: "Laboral y docente",
    Modality.COMMUNITY: "En la comunidad",
    Modality.INSTITUTIONAL: "Institucional",
    Modality.POLITICAL: "Política",
    Modality.DIGITAL_AND_MEDIA: "Digital y mediática",
    Modality.FEMICIDAL: "Feminicida",
    RiskLevel.LOW: "Bajo",
    RiskLevel.MEDIUM: "Medio",
    RiskLevel.HIGH: "Alto",
    CaseStatus.OPEN: "Abierto",
    CaseStatus.FOLLOW_UP: "En seguimiento",
    CaseStatus.CLOSED: "Cerrado",
    CaseStatus.REOPENED: "Reabierto",
    Role.RECEPTION: "Recepción",
    Role.SOCIAL_WORK: "Trabajo social",
    Role.LEGAL: "Jurídica",
    Role.PSYCHOLOGY: "Psicología",
    Role.COORDINATION: "Coordinación",
    Role.ADMINISTRATION: "Administración",
    Section.IDENTIFICATION: "Identificación",
    Section.INTAKE: "Entrevista inicial",
    Section.LEGAL: "Jurídica",
    Section.PSYCHOLOGICAL: "Psicológica",
    Section.SOCIAL_WORK: "Trabajo social",
    Section.REFERRALS: "Canalizaciones",
    Section.FOLLOW_UPS: "Seguimientos",
    Section.PROTECTION_ORDERS: "Órdenes de protección",
}

SERVED_AGE_MIN = 18
SERVED_AGE_MAX = 60

AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 17, "0-17"),
    (18, 29, "18-29"),
    (30, 39, "30-39"),
    (40, 49, "40-49"),
    (50, 60, "50-60"),
    (61, 200, "61+"),
)


def age_band(age: int) -> str:
    for low, high, band in AGE_BANDS:
        if low <= age <= high:
            return band
    raise ValueError(age)
