"""The only form in which personal data exists inside the domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sealed:
    """An encrypted personal value (an envelope produced by the keyring).

    The domain never sees plaintext personal data: the application service seals it before an
    event is created and opens it only for an authorized, audited read.
    """

    envelope: bytes

    def __repr__(self) -> str:
        # Keeps ciphertext out of logs and tracebacks too; it is useless there and long.
        return f"Sealed(<{len(self.envelope)} bytes>)"


HandTyped = Sealed | str
"""A name staff type by hand about a woman's matter (an institution, an authority): sealed with
her key since the free-text sealing (issue 13); a plain ``str`` only in events stored before."""
