"""Errors of the application service that staff see; Spanish, never with personal data."""

from __future__ import annotations

from domain.errors import DomainError
from domain.permissions import JUSTIFICATION_MIN_LENGTH
from domain.vocabulary import Section


class LoginFailed(DomainError):
    """Wrong credentials or a locked account; the message never says which account exists."""


class JustificationRequired(DomainError):
    """Reading this section is outside the role's default: ask for a typed reason."""

    def __init__(self, section: Section) -> None:
        super().__init__(
            f"La sección «{section.label}» no corresponde a su rol. Para consultarla escriba "
            f"el motivo (al menos {JUSTIFICATION_MIN_LENGTH} caracteres); el acceso quedará "
            "registrado como excepcional y coordinación recibirá una alerta."
        )
        self.section = section


class ConcurrentEdit(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Otra terminal modificó este expediente al mismo tiempo y no fue posible "
            "conciliar los cambios; vuelva a abrirlo e intente de nuevo."
        )


class TamperedRecord(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Un registro del almacén de eventos no pudo descifrarse: fue alterado o la llave no "
            "corresponde. No se mostró ni se modificó nada; avise a coordinación."
        )
