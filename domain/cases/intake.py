"""What is recorded when a case is opened: notes, the aggressor's relationship, risk factors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import InvalidField
from domain.sealed import Sealed
from domain.vocabulary import (
    LabelledEnum,
    Modality,
    RiskLevel,
    Section,
    ViolenceType,
)


@dataclass(frozen=True)
class Note:
    section: Section
    text: Sealed
    author: UUID
    written_on: date


class AggressorRelationship(LabelledEnum):
    """Who the aggressor is to her: a category only; who he is stays in the sealed details."""

    PARTNER = "pareja"
    FORMER_PARTNER = "expareja"
    SPOUSE = "conyuge"
    RELATIVE = "familiar"
    ACQUAINTANCE = "conocido"
    WORK_OR_SCHOOL = "trabajo_escuela"
    PUBLIC_SERVANT = "servidor_publico"
    STRANGER = "desconocido"
    OTHER = "otra"
    NOT_STATED = "no_referido"

    @property
    def label(self) -> str:
        return INTAKE_LABELS[self.value]


class RiskFactor(LabelledEnum):
    """Factors of the risk assessment at intake (in clear: categories, not facts about her)."""

    DEATH_THREATS = "amenazas_de_muerte"
    WEAPONS = "acceso_a_armas"
    ESCALATING = "violencia_en_aumento"
    STRANGULATION = "intento_de_estrangulamiento"
    PREGNANCY = "violencia_en_embarazo"
    CONTROL = "celos_y_control_extremos"
    SEPARATION = "separacion_reciente"
    SUBSTANCES = "consumo_de_alcohol_o_drogas"
    CHILDREN_HARMED = "agresion_a_hijas_hijos"
    ORDER_BREACHED = "incumplimiento_de_medidas"
    SUICIDE_THREATS = "amenazas_de_suicidio_del_agresor"

    @property
    def label(self) -> str:
        return INTAKE_LABELS[self.value]


INTAKE_LABELS: dict[str, str] = {
    "pareja": "Pareja o novio",
    "expareja": "Expareja",
    "conyuge": "Cónyuge o concubino",
    "familiar": "Familiar",
    "conocido": "Conocido o vecino",
    "trabajo_escuela": "Compañero o superior de trabajo o escuela",
    "servidor_publico": "Servidor público",
    "desconocido": "Desconocido",
    "otra": "Otra relación",
    "no_referido": "No lo refiere",
    "amenazas_de_muerte": "Amenazas de muerte",
    "acceso_a_armas": "Uso o acceso a armas",
    "violencia_en_aumento": "Violencia física en aumento",
    "intento_de_estrangulamiento": "Intento de estrangulamiento o asfixia",
    "violencia_en_embarazo": "Violencia durante el embarazo",
    "celos_y_control_extremos": "Celos y control extremos",
    "separacion_reciente": "Separación reciente o en curso",
    "consumo_de_alcohol_o_drogas": "Consumo de alcohol o drogas del agresor",
    "agresion_a_hijas_hijos": "Agresión a hijas o hijos",
    "incumplimiento_de_medidas": "Incumplimiento de órdenes o medidas de protección",
    "amenazas_de_suicidio_del_agresor": "Amenazas o intentos de suicidio del agresor",
}


# The categories' values, gathered once: walking an enum builds each member anew, and every
# case opened checks its categories.
_VIOLENCE_TYPES = frozenset(t.value for t in ViolenceType)
_MODALITIES = frozenset(m.value for m in Modality)
_RISK_LEVELS = frozenset(r.value for r in RiskLevel)


def check_categories(types: list[str], modalities: list[str], risk: str) -> None:
    if not types:
        raise InvalidField("Tipos de violencia", "seleccione al menos uno.")
    if not modalities:
        raise InvalidField("Modalidades", "seleccione al menos una.")
    if not set(types) <= _VIOLENCE_TYPES:
        raise InvalidField("Tipos de violencia", "contiene un tipo que no existe en la LGAMVLV.")
    if not set(modalities) <= _MODALITIES:
        raise InvalidField("Modalidades", "contiene una modalidad que no existe en la LGAMVLV.")
    if risk not in _RISK_LEVELS:
        raise InvalidField("Nivel de riesgo", "debe ser bajo, medio o alto.")
