"""The zone catalogue the institute keeps: importing its colonias or localities from a CSV file,
merging zones, and each zone's history. ``violeta zones import ARCHIVO.csv`` calls
``import_zones`` (violeta/handlers/supervision.py) and prints its report.

The file (UTF-8, comma-separated, one header row) has the columns ``clave``, ``nombre``,
``tipo`` (colonia, localidad urbana, comunidad, localidad) and, optionally, ``localidad`` (the
key of the locality a colonia belongs to), ``mujeres_18_60``, ``mujeres`` (all ages),
``latitud`` and ``longitud``. Every row is checked first; if any is wrong nothing is imported
and the report says which rows and why. A zone already in the catalogue with other values gets
a new version (a rename keeps its old name in the history)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidField
from domain.zones import check_zone_values

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
