"""The zone catalogue: colonias and comunidades, the unit of the priority-zone ranking.

Editable and importable (INEGI localities by default, the institute's own colonias later),
so it is an aggregate rather than a constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidField

CATALOGUE_ID = uuid5(NAMESPACE_URL, "https://violeta.invalid/zonas")


@dataclass(frozen=True)
class Zone:
    code: str
    name: str
    kind: str
    women: int | None


class ZoneCatalogue(Aggregate):
    class Started(Aggregate.Created):
        municipality: str

    class ZoneRecorded(Aggregate.Event):
        code: str
        name: str
        kind: str
        women: int | None

    @staticmethod
    def create_id(municipality: str) -> UUID:
        return CATALOGUE_ID

    @event(Started)
    def __init__(self, municipality: str) -> None:
        self.municipality = municipality
        self.zones: dict[str, Zone] = {}

    def record_zone(self, code: str, name: str, kind: str, women: int | None) -> None:
        if not code.strip() or len(code) > 20:
            raise InvalidField("Clave de zona", "es obligatoria y de hasta 20 caracteres.")
        if not name.strip() or len(name) > 120:
            raise InvalidField("Nombre de zona", "es obligatorio y de hasta 120 caracteres.")
        if women is not None and women < 0:
            raise InvalidField("Población femenina", "no puede ser negativa.")
        self._record_zone(code.strip(), name.strip(), kind, women)

    @event(ZoneRecorded)
    def _record_zone(self, code: str, name: str, kind: str, women: int | None) -> None:
        self.zones[code] = Zone(code, name, kind, women)

    def check_zone(self, code: str) -> Zone:
        try:
            return self.zones[code]
        except KeyError:
            raise InvalidField("Zona", "no está en el catálogo de zonas.") from None
