"""Staff accounts. Credentials live in the keyring's slots; this is who and which role."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
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
        """Administración set a temporary password; she must change it at her next login,
        and someone else must enable her slot again (it lost its duty keys)."""

        class_version = 2
        reset_by: UUID
        reset_at: datetime | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reset_at"] = None  # version 1 did not say when

    class Enabled(Aggregate.Event):
        """A second person (``enabled_by``; None: with the recovery key) sealed the duty keys
        her role needs to her slot."""

        enabled_by: UUID | None
        duties: list[str]

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
        # The first account (made at init, by nobody) holds its keys from the start.
        self.enabled = opened_by is None
        # Whoever made her current slot: it may not be the one who enables it.
        self.slot_author: UUID | None = opened_by
        # Everyone who created, reset, reactivated or enabled her account: none of them may
        # have their requests approved by her (two people means two people).
        self.responsible: set[UUID] = set() if opened_by is None else {opened_by}
        self.last_reset: tuple[UUID, datetime | None] | None = None

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
        self._new_slot_by(reactivated_by)

    def _new_slot_by(self, author: UUID) -> None:
        self.enabled = False
        self.slot_author = author
        self.responsible.add(author)

    def check_may_enable(self, enabled_by: UUID | None) -> None:
        if not self.active:
            raise DomainError("La cuenta está desactivada.")
        if self.enabled:
            raise DomainError("La cuenta ya está habilitada.")
        if enabled_by == self.id:
            raise DomainError("Nadie puede habilitar su propia cuenta.")
        if enabled_by is not None and enabled_by == self.slot_author:
            raise DomainError(
                "Quien creó, reactivó o restableció este acceso no puede habilitarlo: "
                "lo hace otra persona."
            )

    def enable(self, enabled_by: UUID | None, duties: list[str]) -> None:
        self.check_may_enable(enabled_by)
        self._enable(enabled_by, duties)

    @event(Enabled)
    def _enable(self, enabled_by: UUID | None, duties: list[str]) -> None:
        self.enabled = True
        if enabled_by is not None:
            self.responsible.add(enabled_by)

    def reset_password(self, reset_by: UUID, reset_at: datetime | None = None) -> None:
        """Someone else's password only: one's own is changed knowing the old one."""
        if not self.active:
            raise DomainError("La cuenta está desactivada; reactívela con una contraseña nueva.")
        if reset_by == self.id:
            raise DomainError("Para su propia cuenta use «cambiar contraseña».")
        self._reset_password(reset_by, reset_at)

    @event(PasswordReset)
    def _reset_password(self, reset_by: UUID, reset_at: datetime | None) -> None:
        """Only the fact is recorded: the new key slot lives in the key store."""
        self._new_slot_by(reset_by)
        self.last_reset = (reset_by, reset_at)
