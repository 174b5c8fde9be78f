"""Human case numbers (CTZ-2026-00123), one gap-free sequence per institute prefix and year."""

from __future__ import annotations

from functools import cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.cases.topics import keep_stored_topics

FOLIO_NAMESPACE = uuid5(NAMESPACE_URL, "https://violeta.invalid/folios")


class FolioSequence(Aggregate):
    """Hands out human case numbers (CTZ-2026-00123) without gaps or repeats.

    One sequence per institute prefix and year; its id is derived from those two words only,
    never from anything about a person. Two terminals racing for a number conflict on the
    version of this aggregate and one retries.
    """

    class Started(Aggregate.Created):
        prefix: str
        year: int

    class Issued(Aggregate.Event):
        number: int

    @staticmethod
    @cache  # a SHA-1 per case opened otherwise; an institute has a prefix and a few years
    def create_id(prefix: str, year: int) -> UUID:
        return uuid5(FOLIO_NAMESPACE, f"{prefix}-{year}")

    @event(Started)
    def __init__(self, prefix: str, year: int) -> None:
        self.prefix = prefix
        self.year = year
        self.last_number = 0

    def issue(self) -> str:
        self._issue(self.last_number + 1)
        return f"{self.prefix}-{self.year}-{self.last_number:05d}"

    @event(Issued)
    def _issue(self, number: int) -> None:
        self.last_number = number


keep_stored_topics(FolioSequence)
