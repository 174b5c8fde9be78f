"""The zone catalogue: colonias and comunidades, the unit of the priority-zone ranking.

Editable and importable (INEGI localities by default, the institute's own colonias later),
so it is an aggregate rather than a constant. Zones are versioned records: recording a zone
again with other values makes a new version (a rename keeps the old name in its history), and a
merge keeps the merged zone, marked as merged, with its history, while its statistics follow
the zone it was merged into.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidField

CATALOGUE_ID = uuid5(NAMESPACE_URL, "https://violeta.invalid/zonas")
ZONE_KINDS = ("colonia", "localidad urbana", "comunidad", "localidad")
CODE_MAX, NAME_MAX = 20, 120


@dataclass(frozen=True)
class ZoneVersion:
    name: str
    kind: str
    women: int | None
    parent: str
    women_18_60: int | None
    latitude: float | None
    longitude: float | None
    merged_into: str = ""
    recorded_on: date | None = None


@dataclass(frozen=True)
class Zone:
    code: str
    name: str
    kind: str
    women: int | None
    parent: str = ""
    women_18_60: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    merged_into: str = ""
    history: tuple[ZoneVersion, ...] = field(default=(), compare=False)

    @property
    def active(self) -> bool:
        return not self.merged_into


def check_zone_values(
    code: str,
    name: str,
    kind: str,
    women: int | None,
    women_18_60: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> None:
    if not code.strip() or len(code.strip()) > CODE_MAX:
        raise InvalidField("Clave de zona", f"es obligatoria y de hasta {CODE_MAX} caracteres.")
    if not name.strip() or len(name.strip()) > NAME_MAX:
        raise InvalidField("Nombre de zona", f"es obligatorio y de hasta {NAME_MAX} caracteres.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in code + name):
        raise InvalidField("Nombre de zona", "contiene caracteres de control.")
    if kind not in ZONE_KINDS:
        raise InvalidField("Tipo de zona", f"debe ser uno de: {', '.join(ZONE_KINDS)}.")
    if women is not None and women < 0:
        raise InvalidField("Población femenina", "no puede ser negativa.")
    if women_18_60 is not None and women_18_60 < 0:
        raise InvalidField("Mujeres de 18 a 60", "no puede ser negativa.")
    if (latitude is None) != (longitude is None):
        raise InvalidField("Coordenadas", "escriba latitud y longitud, o ninguna.")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidField("Latitud", "debe estar entre -90 y 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidField("Longitud", "debe estar entre -180 y 180.")


class ZoneCatalogue(Aggregate):
    class Started(Aggregate.Created):
        municipality: str

    class ZoneRecorded(Aggregate.Event):
        class_version = 2

        code: str
        name: str
        kind: str
        women: int | None
        parent: str
        women_18_60: int | None
        latitude: float | None
        longitude: float | None
        recorded_on: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Zones recorded before colonias could be imported: INEGI localities only.
            state.update(
                parent="", women_18_60=None, latitude=None, longitude=None, recorded_on=None
            )

    class ZonesMerged(Aggregate.Event):
        code: str  # the zone that ceases to be used
        into: str  # the zone that takes its cases and statistics
        merged_on: date

    @staticmethod
    def create_id(municipality: str) -> UUID:
        return CATALOGUE_ID

    @event(Started)
    def __init__(self, municipality: str) -> None:
        self.municipality = municipality
        self.zones: dict[str, Zone] = {}

    def record_zone(
        self,
        code: str,
        name: str,
        kind: str,
        women: int | None,
        *,
        parent: str = "",
        women_18_60: int | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        recorded_on: date | None = None,
    ) -> bool:
        """Records a new zone or a new version of one; False when nothing changes."""
        check_zone_values(code, name, kind, women, women_18_60, latitude, longitude)
        code, name, parent = code.strip(), name.strip(), parent.strip()
        if parent and parent not in self.zones:
            raise InvalidField("Localidad", "no está en el catálogo de zonas.")
        if parent == code:
            raise InvalidField("Localidad", "una zona no puede pertenecer a sí misma.")
        current = self.zones.get(code)
        if current is not None and current.merged_into:
            raise DomainError(f"La zona {code} se fusionó con {current.merged_into}.")
        if current is not None and (
            current.name,
            current.kind,
            current.women,
            current.parent,
            current.women_18_60,
            current.latitude,
            current.longitude,
        ) == (name, kind, women, parent, women_18_60, latitude, longitude):
            return False
        self._record_zone(
            code, name, kind, women, parent, women_18_60, latitude, longitude, recorded_on
        )
        return True

    @event(ZoneRecorded)
    def _record_zone(
        self,
        code: str,
        name: str,
        kind: str,
        women: int | None,
        parent: str,
        women_18_60: int | None,
        latitude: float | None,
        longitude: float | None,
        recorded_on: date | None,
    ) -> None:
        previous = self.zones.get(code)
        version = ZoneVersion(
            name, kind, women, parent, women_18_60, latitude, longitude, "", recorded_on
        )
        self.zones[code] = Zone(
            code,
            name,
            kind,
            women,
            parent,
            women_18_60,
            latitude,
            longitude,
            "",
            (*(previous.history if previous else ()), version),
        )

    def merge(self, code: str, into: str, merged_on: date) -> None:
        """The colonia ``code`` is now part of ``into``: its cases and counts move there."""
        merged, survivor = self.check_zone(code), self.check_zone(into)
        if code == into:
            raise InvalidField("Zona destino", "debe ser distinta de la zona que se fusiona.")
        if merged.merged_into:
            raise DomainError(f"La zona {code} ya se fusionó con {merged.merged_into}.")
        if survivor.merged_into:
            raise InvalidField("Zona destino", f"se fusionó con {survivor.merged_into}.")
        self._merge(code, into, merged_on)

    @event(ZonesMerged)
    def _merge(self, code: str, into: str, merged_on: date) -> None:
        merged, survivor = self.zones[code], self.zones[into]

        def total(a: int | None, b: int | None) -> int | None:
            return None if a is None or b is None else a + b

        self.zones[code] = replace(
            merged,
            merged_into=into,
            history=(*merged.history, replace(merged.history[-1], merged_into=into)),
        )
        women = total(survivor.women, merged.women)
        women_18_60 = total(survivor.women_18_60, merged.women_18_60)
        self.zones[into] = replace(
            survivor,
            women=women,
            women_18_60=women_18_60,
            history=(
                *survivor.history,
                replace(
                    survivor.history[-1],
                    women=women,
                    women_18_60=women_18_60,
                    recorded_on=merged_on,
                ),
            ),
        )
        # Zones merged earlier into ``code`` now point at ``into`` too.
        for other, zone in list(self.zones.items()):
            if zone.merged_into == code:
                self.zones[other] = replace(zone, merged_into=into)

    def check_zone(self, code: str) -> Zone:
        try:
            return self.zones[code]
        except KeyError:
            raise InvalidField("Zona", "no está en el catálogo de zonas.") from None
