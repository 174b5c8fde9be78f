"""The zone catalogue the institute keeps: importing its colonias or localities from a CSV file,
merging zones, and each zone's history. ``violeta zones import ARCHIVO.csv`` calls
``import_zones`` and prints its report.

The file (UTF-8, comma-separated, one header row) has the columns ``clave``, ``nombre``,
``tipo`` (colonia, localidad urbana, comunidad, localidad) and, optionally, ``localidad`` (the
key of the locality a colonia belongs to), ``mujeres_18_60``, ``mujeres`` (all ages),
``latitud`` and ``longitud``. Every row is checked first; if any is wrong nothing is imported
and the report says which rows and why. A zone already in the catalogue with other values gets
a new version (a rename keeps its old name in the history).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.errors import DomainError, InvalidField, NotPermitted, UnknownRecord
from domain.vocabulary import Role
from domain.zones import CATALOGUE_ID, ZoneCatalogue, check_zone_values
from violeta.session import SessionCore, load_aggregate, retry_on_conflict

REQUIRED_COLUMNS = ("clave", "nombre", "tipo")
OPTIONAL_COLUMNS = ("localidad", "mujeres_18_60", "mujeres", "latitud", "longitud")
MAX_ROWS = 10_000
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class ZoneRow:
    line: int
    code: str
    name: str
    kind: str
    parent: str
    women_18_60: int | None
    women: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class ZoneImportReport:
    created: int
    updated: int
    renamed: int
    unchanged: int
    errors: tuple[str, ...]

    @property
    def imported(self) -> bool:
        return not self.errors

    @property
    def text(self) -> str:
        if self.errors:
            return "\n".join(
                [
                    f"No se importó ninguna zona: {len(self.errors)} error(es).",
                    *self.errors,
                ]
            )
        return (
            f"Zonas importadas: {self.created} nuevas, {self.updated} actualizadas "
            f"({self.renamed} con nombre nuevo), {self.unchanged} sin cambios."
        )


@dataclass(frozen=True)
class ZoneVersionView:
    version: int
    name: str
    kind: str
    women: int | None
    parent: str
    women_18_60: int | None
    latitude: float | None
    longitude: float | None
    merged_into: str
    recorded_on: date | None


def _integer(field: str, text: str) -> int | None:
    value = text.strip().replace(",", "").replace(" ", "")
    if not value:
        return None
    if not value.isdigit():
        raise InvalidField(field, "debe ser un número entero sin signo.")
    return int(value)


def _decimal(field: str, text: str) -> float | None:
    value = text.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidField(field, "debe ser un número con punto decimal, p. ej. 20.4835.") from None


def parse_zone_file(content: bytes) -> tuple[list[ZoneRow], list[str]]:
    """Rows and the Spanish errors found in them (by line of the file)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["El archivo no está en UTF-8: guárdelo como «CSV UTF-8»."]
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [n for n in header if n not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"faltan las columnas: {', '.join(missing)}")
        if unknown:
            problems.append(f"columnas desconocidas: {', '.join(unknown)}")
        return [], [f"Encabezado: {'; '.join(problems)}."]
    reader.fieldnames = header
    rows: list[ZoneRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = index + 2
        if index >= MAX_ROWS:
            errors.append(f"El archivo tiene más de {MAX_ROWS} filas.")
            break
        if None in raw:
            errors.append(f"Fila {line}: tiene más valores que columnas el encabezado.")
            continue
        cell = {key: (value or "") for key, value in raw.items()}
        try:
            row = ZoneRow(
                line=line,
                code=cell["clave"].strip(),
                name=" ".join(cell["nombre"].split()),
                kind=cell["tipo"].strip().lower(),
                parent=cell.get("localidad", "").strip(),
                women_18_60=_integer("Mujeres de 18 a 60", cell.get("mujeres_18_60", "")),
                women=_integer("Población femenina", cell.get("mujeres", "")),
                latitude=_decimal("Latitud", cell.get("latitud", "")),
                longitude=_decimal("Longitud", cell.get("longitud", "")),
            )
            check_zone_values(
                row.code,
                row.name,
                row.kind,
                row.women,
                row.women_18_60,
                row.latitude,
                row.longitude,
            )
        except InvalidField as error:
            errors.append(f"Fila {line}: {error}")
            continue
        if row.code in seen:
            errors.append(
                f"Fila {line}: la clave {row.code} ya aparece en la fila {seen[row.code]}."
            )
            continue
        seen[row.code] = line
        rows.append(row)
    if not rows and not errors:
        errors.append("El archivo no tiene filas de zonas.")
    return rows, errors


class ZoneServices(SessionCore):
    def import_zones(self, path: Path) -> ZoneImportReport:
        """Loads colonias or localities from a CSV file (coordinación): all rows or none."""
        self._check_zone_keeper("importar el catálogo de zonas")
        source = path.expanduser()
        if not source.is_file():
            raise InvalidField("Archivo", "no existe o no es un archivo.")
        if source.stat().st_size > MAX_BYTES:
            raise InvalidField("Archivo", f"pesa más de {MAX_BYTES // 1_000_000} MB.")
        rows, errors = parse_zone_file(source.read_bytes())
        if errors:
            return ZoneImportReport(0, 0, 0, 0, tuple(errors))
        today = self._institute.today()
        counts: dict[str, int] = {}

        def attempt() -> None:
            counts.clear()
            catalogue = self._catalogue()
            known = set(catalogue.zones)
            problems = _parent_problems(rows, known)
            if problems:
                raise _RowErrors(problems)
            pending = list(rows)
            while pending:  # a colonia after the locality it belongs to, wherever it is listed
                ready = [r for r in pending if not r.parent or r.parent in catalogue.zones]
                if not ready:
                    raise _RowErrors(
                        [
                            f"Fila {r.line}: Localidad: las zonas se contienen unas a otras."
                            for r in pending
                        ]
                    )
                for row in ready:
                    before = catalogue.zones.get(row.code)
                    try:
                        changed = catalogue.record_zone(
                            row.code,
                            row.name,
                            row.kind,
                            row.women,
                            parent=row.parent,
                            women_18_60=row.women_18_60,
                            latitude=row.latitude,
                            longitude=row.longitude,
                            recorded_on=today,
                        )
                    except (InvalidField, DomainError) as error:
                        raise _RowErrors([f"Fila {row.line}: {error}"]) from None
                    kind = (
                        "unchanged" if not changed else "created" if before is None else "updated"
                    )
                    counts[kind] = counts.get(kind, 0) + 1
                    if before is not None and changed and before.name != row.name:
                        counts["renamed"] = counts.get("renamed", 0) + 1
                pending = [r for r in pending if r not in ready]
            self._store.save(catalogue)

        try:
            retry_on_conflict(attempt)
        except _RowErrors as error:
            return ZoneImportReport(0, 0, 0, 0, tuple(error.problems))
        self.refresh()
        self._zone_name_cache = {}
        return ZoneImportReport(
            counts.get("created", 0),
            counts.get("updated", 0),
            counts.get("renamed", 0),
            counts.get("unchanged", 0),
            (),
        )

    def merge_zones(self, code: str, into: str) -> None:
        """A colonia absorbed by another (coordinación): its cases and counts follow."""
        self._check_zone_keeper("fusionar zonas")
        today = self._institute.today()

        def attempt() -> None:
            catalogue = self._catalogue()
            catalogue.merge(code.strip(), into.strip(), today)
            self._store.save(catalogue)

        retry_on_conflict(attempt)
        self.refresh()
        self._zone_name_cache = {}

    def zone_history(self, code: str) -> list[ZoneVersionView]:
        """Every version a zone has had, oldest first (public data about a place)."""
        self.refresh()
        rows = self._views.query(
            "SELECT * FROM zone_versions WHERE code = ? ORDER BY version", (code.strip(),)
        )
        if not rows:
            raise InvalidField("Zona", "no está en el catálogo de zonas.")
        return [
            ZoneVersionView(
                version=int(row["version"]),
                name=row["name"],
                kind=row["kind"],
                women=row["women"],
                parent=row["parent"],
                women_18_60=row["women_18_60"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                merged_into=row["merged_into"],
                recorded_on=date.fromisoformat(row["recorded_on"]) if row["recorded_on"] else None,
            )
            for row in rows
        ]

    def _catalogue(self) -> ZoneCatalogue:
        try:
            return load_aggregate(self._store, CATALOGUE_ID, ZoneCatalogue, "")
        except UnknownRecord:
            return ZoneCatalogue(municipality=self._institute.settings.municipality)

    def _check_zone_keeper(self, purpose: str) -> None:
        if self.role is not Role.COORDINATION:
            raise NotPermitted(f"Solo coordinación puede {purpose}.")


class _RowErrors(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _parent_problems(rows: list[ZoneRow], known: set[str]) -> list[str]:
    codes = known | {row.code for row in rows}
    return [
        f"Fila {row.line}: Localidad: la clave {row.parent} no está en el catálogo "
        "ni en el archivo."
        for row in rows
        if row.parent and row.parent not in codes
    ] + [
        f"Fila {row.line}: Localidad: una zona no puede pertenecer a sí misma."
        for row in rows
        if row.parent == row.code
    ]
