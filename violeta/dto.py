"""What the application service hands to the user interfaces: plain, opened, already audited.

Inputs are what staff typed (strings), validated by the service; outputs carry plaintext only
for records the reader was authorized to see and whose access was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain.vocabulary import Role


@dataclass(frozen=True)
class NewClient:
    name: str
    birth_date: str  # dd/mm/aaaa
    zone: str  # zone code from the catalogue
    curp: str = ""
    phone: str = ""
    registered_on: str = ""  # dd/mm/aaaa; empty means today


@dataclass(frozen=True)
class NewIntake:
    reason: str
    narrative: str
    violence_types: tuple[str, ...]
    modalities: tuple[str, ...]
    risk: str
    opened_on: str = ""  # dd/mm/aaaa; empty means today


@dataclass(frozen=True)
class StaffIdentity:
    staff_id: UUID
    username: str
    display_name: str
    role: Role
    must_change_password: bool


@dataclass(frozen=True)
class ZoneOption:
    code: str
    name: str


@dataclass(frozen=True)
class ClientSummary:
    client_id: UUID
    name: str
    zone_name: str
    age_band: str
    open_cases: int
    erased: bool


@dataclass(frozen=True)
class CaseSummary:
    case_id: UUID
    client_id: UUID
    folio: str
    client_name: str
    opened_on: date
    status: str
    zone_name: str
    risk: str


@dataclass(frozen=True)
class NoteView:
    section: str
    text: str
    author: str
    written_on: date


@dataclass(frozen=True)
class ClientDetail:
    client_id: UUID
    name: str
    curp: str
    birth_date: str
    phone: str
    zone_name: str
    age_band: str
    registered_on: date
    erased: bool
    erasure_pending: bool
    cases: tuple[CaseSummary, ...]


@dataclass(frozen=True)
class CaseDetail:
    case_id: UUID
    client_id: UUID
    folio: str
    client_name: str
    opened_on: date
    status: str
    zone_name: str
    risk: str
    violence_types: tuple[str, ...]
    modalities: tuple[str, ...]
    reason: str
    narrative: str
    notes: tuple[NoteView, ...]
    exceptional_access: bool


@dataclass(frozen=True)
class Dashboard:
    staff: StaffIdentity
    my_recent_cases: tuple[CaseSummary, ...]
    open_cases: int
    cases_this_month: int
    pending_erasures: int
    exceptional_accesses_today: int
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class AccessEntry:
    access_id: UUID
    at: datetime
    staff: str
    role: str
    action: str
    section: str
    outcome: str
    exceptional: bool
    purpose: str
    justification: str
    client_ids: tuple[UUID, ...]
