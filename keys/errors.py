"""Errors of the keyring. ``str(error)`` is shown to staff, so it is Spanish and never carries
a secret, a key or personal data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Staff read lockout times on the institute's wall clock, not in UTC. Central Mexico keeps
# UTC-6 all year since 2022, so a fixed offset avoids depending on a time-zone database.
_LOCAL_TIME = timezone(timedelta(hours=-6))


class KeyringError(Exception):
    default_message = "Error del llavero."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class WrongPassword(KeyringError):
    # The same message for an unknown user, so that a login never reveals whether an account
    # exists.
    default_message = "Usuario o contraseña incorrectos."


class AccountLocked(KeyringError):
    def __init__(self, until: datetime) -> None:
        self.until = until
        local = until.astimezone(_LOCAL_TIME)
        super().__init__(
            "Cuenta bloqueada por intentos fallidos; intente de nuevo después de las "
            f"{local:%H:%M}."
        )


class TamperedCiphertext(KeyringError):
    default_message = "El dato cifrado fue alterado o no corresponde a este campo."


class UnknownKey(KeyringError):
    default_message = "No existe una llave para los datos de esta usuaria."


class MissingDuty(KeyringError):
    """The slot does not hold the duty key (case or psychology) that the data need."""

    default_message = (
        "Su cuenta no tiene acceso a estos datos: todavía no fue habilitada o su rol no lo permite."
    )


class SearchUnavailable(KeyringError):
    """The index key does not open: search is off until it is restored from a backup."""

    default_message = (
        "La búsqueda no está disponible: la llave del índice fue alterada. El resto del "
        "sistema funciona; avise a coordinación para restaurarla desde un respaldo."
    )


class DamagedSlot(KeyringError):
    """The slot's envelopes do not open with its own key: altered outside the service."""

    default_message = "El acceso de esta cuenta está dañado; avise a coordinación."


class KeyringNotInitialized(KeyringError):
    default_message = "El llavero no ha sido inicializado."


class PasswordPolicyError(KeyringError):
    default_message = "La contraseña no cumple la política."


class SubjectShredded(KeyringError):
    default_message = (
        "Los datos de esta usuaria fueron cancelados; no se pueden registrar datos nuevos."
    )


class StaleMasterKey(KeyringError):
    """Another process rotated the master key after this one was unlocked."""

    default_message = "La llave maestra cambió; vuelva a iniciar sesión."


LOCKED_MESSAGE = "El llavero está bloqueado."
