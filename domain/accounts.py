"""Staff accounts. Credentials live in the keyring's slots; this is who and which role."""

from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField
from domain.identity import person_name
from domain.vocabulary import Role

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")


def username(value: str) -> str:
    text = value.strip().lower()
    if not USERNAME_PATTERN.match(text):
        raise InvalidField(
            "Usuario", "de 3 a 32 caracteres: minúsculas, dígitos, punto, guion o guion bajo."
        )
    return text


class StaffAccount(Aggregate):
    class Opened(Aggregate.Created):
        username: str
        display_name: str
        role: str
        opened_by: UUID | None

    class Deactivated(Aggregate.Event):
        deactivated_by: UUID

    class Reactivated(Aggregate.Event):
        reactivated_by: UUID

    class PasswordReset(Aggregate.Event):
        """Administración set a temporary password; she must change it at her next login."""

        reset_by: UUID

    @classmethod
    def open(
        cls,
        *,
        account_id: UUID,
        username_text: str,
        display_name: str,
        role: Role,
        opened_by: UUID | None,
    ) -> StaffAccount:
        return cls(
            id=account_id,
            username=username(username_text),
            display_name=person_name("Nombre del personal", display_name),
            role=role.value,
            opened_by=opened_by,
        )

    @event(Opened)
    def __init__(
        self,
        id: UUID,  # the keyring slot names it first
        username: str,
        display_name: str,
        role: str,
        opened_by: UUID | None,
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.role = Role(role)
        self.opened_by = opened_by
        self.active = True

    def deactivate(self, deactivated_by: UUID) -> None:
        if not self.active:
            raise DomainError("La cuenta ya está desactivada.")
        if deactivated_by == self.id:
            raise DomainError("Nadie puede desactivar su propia cuenta.")
        self._deactivate(deactivated_by)

    @event(Deactivated)
    def _deactivate(self, deactivated_by: UUID) -> None:
        self.active = False

    def reactivate(self, reactivated_by: UUID) -> None:
        if self.active:
            raise DomainError("La cuenta ya está activa.")
        self._reactivate(reactivated_by)

    @event(Reactivated)
    def _reactivate(self, reactivated_by: UUID) -> None:
        self.active = True

    def reset_password(self, reset_by: UUID) -> None:
        """Someone else's password only: one's own is changed knowing the old one."""
        if not self.active:
            raise DomainError("La cuenta está desactivada; reactívela con una contraseña nueva.")
        if reset_by == self.id:
            raise DomainError("Para su propia cuenta use «cambiar contraseña».")
        self._reset_password(reset_by)

    @event(PasswordReset)
    def _reset_password(self, reset_by: UUID) -> None:
        """Only the fact is recorded: the new key slot lives in the key store."""
