"""Access events: every read of personal data, granted or denied, is recorded before it happens."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.sealed import Sealed

_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ONE = re.compile(_ID)
_PACKED = re.compile(f"(?:{_ID}(?:,{_ID})*)?")


class Ids(Sequence[UUID]):
    """The women (or cases) one access names, kept as their canonical text.

    A screen's listing names dozens of women: as a list of UUIDs each id was a UUID object
    built, sorted, encoded as an object of its own by the event store's transcoder, decoded
    and built again by whoever projected it, then turned back into text for the views. Here
    the ids travel as one string (``packed``), and become UUIDs only where one is asked for.
    """

    __slots__ = ("_packed", "_texts")

    def __init__(self, ids: Iterable[UUID | str] = ()) -> None:
        texts = tuple(_canonical(one) for one in ids)
        self._texts: tuple[str, ...] | None = texts
        self._packed = ",".join(texts)

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> Ids:
        """Ids as the views give them (canonical text): checked at once, not one by one."""
        packed = ",".join(texts)
        if _PACKED.fullmatch(packed):
            ids = cls.unpacked(packed)
            ids._texts = tuple(texts)
            return ids
        return cls(texts)

    @classmethod
    def unpacked(cls, packed: str) -> Ids:
        """The ids as ``packed`` keeps them (the event store's encoding); anything that is
        not canonical ids joined by commas is refused."""
        if not _PACKED.fullmatch(packed):
            raise ValueError("not a list of identifiers")
        ids = cls.__new__(cls)
        ids._packed = packed
        ids._texts = None
        return ids

    @property
    def packed(self) -> str:
        return self._packed

    def texts(self) -> tuple[str, ...]:
        """Each id as text, as the views keep it (no UUID is built)."""
        if self._texts is None:
            self._texts = tuple(self._packed.split(",")) if self._packed else ()
        return self._texts

    def __len__(self) -> int:
        return len(self.texts())

    @overload
    def __getitem__(self, index: int) -> UUID: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[UUID]: ...

    def __getitem__(self, index: int | slice) -> UUID | Sequence[UUID]:
        if isinstance(index, slice):
            return [UUID(text) for text in self.texts()[index]]
        return UUID(self.texts()[index])

    def __iter__(self) -> Iterator[UUID]:
        return (UUID(text) for text in self.texts())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ids):
            return self._packed == other._packed
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._packed)

    def __repr__(self) -> str:
        return f"Ids({list(self.texts())!r})"


def _canonical(one: UUID | str) -> str:
    if isinstance(one, UUID):
        return str(one)
    return one if _ONE.fullmatch(one) else str(UUID(one))


class AccessRecord(Aggregate):
    """One access by one staff member. A new aggregate per access keeps terminals from
    contending for a shared journal; the event store's notification order is the audit order.
    """

    class Recorded(Aggregate.Created):
        """Version 2: the break-the-glass reason is sealed with the woman's key
        (``sealed_justification``), so her erasure takes it too; ``justification`` stays empty
        (version 1 kept it in clear under the institution key only). Version 3: the ids it
        names are ``Ids`` (one string in the store, not one object per id)."""

        class_version = 3
        staff_id: UUID
        role: str
        action: str
        section: str
        client_ids: Ids
        case_ids: Ids
        purpose: str
        outcome: str
        exceptional: bool
        justification: str
        sealed_justification: Sealed | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sealed_justification"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["client_ids"] = Ids(state["client_ids"])
            state["case_ids"] = Ids(state["case_ids"])

    @event(Recorded)
    def __init__(
        self,
        staff_id: UUID,
        role: str,
        action: str,
        section: str,
        client_ids: Ids,
        case_ids: Ids,
        purpose: str,
        outcome: str,
        exceptional: bool,
        justification: str,
        sealed_justification: Sealed | None = None,
    ) -> None:
        self.staff_id = staff_id
        self.role = role
        self.action = action
        self.section = section
        self.client_ids = client_ids
        self.case_ids = case_ids
        self.purpose = purpose
        self.outcome = outcome
        self.exceptional = exceptional
        self.justification = justification
        self.sealed_justification = sealed_justification
