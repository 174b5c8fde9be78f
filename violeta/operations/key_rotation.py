"""``violeta keys rotate --recuperacion``: rotating every key with the recovery key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from violeta.operations.data_checks import UnusableData

if TYPE_CHECKING:
    from keys import KeyStore


def rotate_with_recovery_key(
    keystore: KeyStore, recovery_key: str, progress: Callable[[int, int], None] | None = None
) -> list[str]:
    """``violeta keys rotate --recuperacion``: the recovery key holds every duty key, so the
    master key and both duty keys (expediente and psicologia) are rotated. One transaction:
    a kill leaves the old keys whole, and running it again finishes it."""
    from keys import Keyring, KeyringError

    try:
        keyring = Keyring.unlock_with_recovery_key(keystore, recovery_key)
    except KeyringError as error:
        raise UnusableData(str(error)) from None
    try:
        return sorted(duty.value for duty in keyring.rotate_keys(progress))
    except KeyringError as error:
        raise UnusableData(str(error)) from None
    finally:
        keyring.lock()
