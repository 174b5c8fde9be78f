"""Errors of the application service that staff see; Spanish, never with personal data."""

from __future__ import annotations

from uuid import UUID

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
    """A stored event of one record does not open: that record is blocked, nothing else.
    ``record_id`` is the aggregate's id; ``folios`` the case folios it names, where known."""

    def __init__(self, record_id: UUID | None = None, folios: tuple[str, ...] = ()) -> None:
        what = (
            f"El expediente con folio {', '.join(folios)}"
            if folios
            else "Un registro del almacén de eventos"
        )
        super().__init__(
            f"{what} no pudo descifrarse: fue alterado o la llave no corresponde. No se mostró "
            "ni se modificó nada de ese registro; los demás siguen disponibles. Avise a "
            "coordinación para restaurarlo desde un respaldo."
        )
        self.record_id = record_id
        self.folios = folios
