"""The case (expediente): one attention process of a client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed
from domain.vocabulary import CaseStatus, Modality, RiskLevel, Section, ViolenceType


@dataclass(frozen=True)
class Note:
    section: Section
    text: Sealed
    author: UUID
    written_on: date


def _check_categories(types: list[str], modalities: list[str], risk: str) -> None:
    if not types:
        raise InvalidField("Tipos de violencia", "seleccione al menos uno.")
    if not modalities:
        raise InvalidField("Modalidades", "seleccione al menos una.")
    if not set(types) <= {t.value for t in ViolenceType}:
        raise InvalidField("Tipos de violencia", "contiene un tipo que no existe en la LGAMVLV.")
    if not set(modalities) <= {m.value for m in Modality}:
        raise InvalidField("Modalidades", "contiene una modalidad que no existe en la LGAMVLV.")
    if risk not in {r.value for r in RiskLevel}:
        raise InvalidField("Nivel de riesgo", "debe ser bajo, medio o alto.")


class Case(Aggregate):
    """Opened with the entrevista inicial; every later act on the case is an event here."""

    class Opened(Aggregate.Created):
        client_id: UUID
        folio: str
        opened_on: date
        zone: str
        age_band: str
        reason: Sealed
        narrative: Sealed
        violence_types: list[str]
        modalities: list[str]
        risk: str
        opened_by: UUID

    class NoteAdded(Aggregate.Event):
        section: str
        text: Sealed
        author: UUID
        written_on: date

    @classmethod
    def open(
        cls,
        *,
        case_id: UUID,
        client_id: UUID,
        folio: str,
        opened_on: date,
        zone: str,
        age_band: str,
        reason: Sealed,
        narrative: Sealed,
        violence_types: list[str],
        modalities: list[str],
        risk: str,
        opened_by: UUID,
    ) -> Case:
        _check_categories(violence_types, modalities, risk)
        return cls(
            id=case_id,
            client_id=client_id,
            folio=folio,
            opened_on=opened_on,
            zone=zone,
            age_band=age_band,
            reason=reason,
            narrative=narrative,
            violence_types=sorted(set(violence_types)),
            modalities=sorted(set(modalities)),
            risk=risk,
            opened_by=opened_by,
        )

    @event(Opened)
    def __init__(
        self,
        id: UUID,  # chosen by the service before sealing
        client_id: UUID,
        folio: str,
        opened_on: date,
        zone: str,
        age_band: str,
        reason: Sealed,
        narrative: Sealed,
        violence_types: list[str],
        modalities: list[str],
        risk: str,
        opened_by: UUID,
    ) -> None:
        self.client_id = client_id
        self.folio = folio
        self.opened_on = opened_on
        self.zone = zone
        self.age_band = age_band
        self.reason = reason
        self.narrative = narrative
        self.violence_types = list(violence_types)
        self.modalities = list(modalities)
        self.risk = risk
        self.opened_by = opened_by
        self.status = CaseStatus.OPEN
        self.notes: list[Note] = []

    def add_note(self, section: Section, text: Sealed, author: UUID, written_on: date) -> None:
        if self.status is CaseStatus.CLOSED:
            raise DomainError("El expediente está cerrado; reábralo para registrar notas.")
        self._add_note(section.value, text, author, written_on)

    @event(NoteAdded)
    def _add_note(self, section: str, text: Sealed, author: UUID, written_on: date) -> None:
        self.notes.append(Note(Section(section), text, author, written_on))


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
