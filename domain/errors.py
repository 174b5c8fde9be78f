"""Domain errors. Their text is shown to staff, so it is Spanish and never carries personal data."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the institute was not met; nothing was recorded."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidField(DomainError):
    """One input field is invalid. ``field`` is the Spanish label of the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class NotPermitted(DomainError):
    """The role may not do this (the attempt is still recorded as an access event)."""


class UnknownRecord(DomainError):
    """An id that names no client, case or account."""
