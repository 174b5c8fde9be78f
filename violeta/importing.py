"""Import of the spreadsheet an institute already keeps: ``violeta import ARCHIVO.csv``.

This module reads and checks the file; the command's handler is violeta/handlers/importing.py.

Each row is one woman and, optionally, one case (expediente). A row is imported whole or not at
all: her registration and her case are saved in one atomic write, after every field of both
was validated. Rejected rows are reported by row number, column and problem, never with the
value (it is personal data and the report goes to a terminal and maybe a log). Everything is
sealed exactly as when staff type it, and the import is recorded as one access event that
names how many rows were imported and which clients and cases were created.

File
----
CSV, first row with the column names; separator comma or semicolon (detected); encoding UTF-8
(with or without BOM) or Latin-1 / Windows-1252, as Excel saves it in Spanish (detected).
Row numbers in the report count the header as row 1, as the spreadsheet shows them.

Columns (names are case- and accent-insensitive, spaces count as ``_`` and the connectors
«de», «del», «la», «el», «en» are ignored: «Fecha de nacimiento» is ``fecha_nacimiento``;
unknown columns are ignored and listed in the report)
-----------------------------------------------------------------------------------------
Woman (usuaria):

- ``nombre`` (required): full name.
- ``fecha_nacimiento`` (required): dd/mm/aaaa.
- ``zona`` (required): zone code (clave INEGI) or zone name from the catalogue.
- ``curp``, ``telefono``: optional; validated like the registration form.
- ``telefono_seguro``: ``si``/``no`` — whether the institute may call that number.
- ``contacto_seguro_nombre``, ``contacto_seguro_telefono``: both or neither.
- ``domicilio``: street and number.
- ``lengua_indigena``: key or label of the list (otomi, nahuatl, ...).
- ``discapacidad``: keys or labels separated by ``;`` or ``|``.
- ``aviso_privacidad``: ``si``/``no``; empty means ``si`` (it was signed on paper); ``no``
  rejects the row.
- ``consentimiento_compartir``: ``si``/``no``, empty means ``no``.
- ``consentimiento_estadistica``: ``si``/``no``, empty means ``si``.
- ``motivo_excepcion_edad``: required when she is outside 18–60 (she is then registered
  pending coordinación's authorization, and the row may not carry a case).
- ``fecha_registro``: dd/mm/aaaa; empty means the case's opening date, or today.

Case (expediente), optional — a row opens one when ``motivo`` or ``fecha_apertura`` is filled:

- ``fecha_apertura``: dd/mm/aaaa; empty means today.
- ``motivo`` (required for a case), ``relato`` (required for a case).
- ``tipos``: LGAMVLV types separated by ``;`` or ``|`` (psicologica, fisica, ...).
- ``modalidades``: LGAMVLV modalities separated by ``;`` or ``|`` (familiar, ...).
- ``riesgo``: bajo, medio or alto.

A row that matches a registered woman (same CURP, same phone or every name token) is rejected
as a possible duplicate: register her cases by hand after checking the record.

Hostile or broken files
-----------------------
Refused whole, before anything is saved, with a Spanish message: a file over
``MAX_FILE_BYTES``; a cell over 131,072 bytes (the CSV reader's limit: past it the rest of the
file cannot be read reliably); a column named twice; a file that mixes UTF-8 with another
encoding. Refused per row: a cell with control characters, terminal escape sequences or
bidirectional-override marks (also what a wrong encoding turns into). Nothing a file contains
is printed as it is: the report shows unknown column names with every control character made
visible (``\x1b``) and shortened.

Audit
-----
Each imported row is saved together with an ``importar`` access event naming her, in the same
transaction, so even an import killed halfway leaves every woman it saved named in the audit
trail; a closing ``importar`` event gives the counts and names every client and case."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from domain.errors import InvalidField
from domain.vocabulary import Modality, ViolenceType

MAX_ROWS = 20_000
MAX_FILE_BYTES = 64 * 1024 * 1024
PRINTED_NAME_MAX = 40
REQUIRED = ("nombre", "fecha_nacimiento", "zona")
KNOWN = frozenset(
    {
        *REQUIRED,
        "curp",
        "telefono",
        "telefono_seguro",
        "contacto_seguro_nombre",
        "contacto_seguro_telefono",
        "domicilio",
        "lengua_indigena",
        "discapacidad",
        "aviso_privacidad",
        "consentimiento_compartir",
        "consentimiento_estadistica",
        "motivo_excepcion_edad",
        "fecha_registro",
        "fecha_apertura",
        "motivo",
        "relato",
        "tipos",
        "modalidades",
        "riesgo",
    }
)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    field: str  # the column (or the form's Spanish field label)
    problem: str  # Spanish, never the value


@dataclass(frozen=True)
class ImportReport:
    rows: int
    clients: int
    cases: int
    encoding: str
    errors: tuple[RowError, ...]
    ignored_columns: tuple[str, ...] = field(default=())

    def lines(self) -> list[str]:
        """The report staff read, in Spanish; nothing from the file is printed raw."""
        return [printable(line) for line in self._lines()]

    def _lines(self) -> list[str]:
        lines = [
            f"Filas leídas: {self.rows}. Usuarias importadas: {self.clients}. "
            f"Expedientes abiertos: {self.cases}. Filas con error: {len(self.errors)}. "
            f"Codificación detectada: {self.encoding}."
        ]
        if self.ignored_columns:
            lines.append(
                "Columnas no reconocidas (ignoradas): "
                + ", ".join(
                    f"«{printable(name, PRINTED_NAME_MAX)}»" for name in self.ignored_columns
                )
            )
        lines += [f"Fila {e.row}, {e.field}: {e.problem}" for e in self.errors]
        return lines


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join(plain.replace("-", " ").split())


_CONNECTORS = frozenset({"de", "del", "la", "el", "los", "las", "a", "en"})


def _column_key(text: str) -> str:
    """«Fecha de nacimiento», «FECHA_NACIMIENTO» and «fecha nacimiento» name one column."""
    return "_".join(part for part in _key(text).split("_") if part not in _CONNECTORS)


# C0 and C1 controls (the escape character among them), except tab and line breaks; and the
# bidirectional embedding, override and isolate marks (text that displays reordered).
_FORBIDDEN_IN_CELLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# Two to four bytes that form one UTF-8 character: a file holding them was meant as UTF-8.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def printable(text: str, limit: int | None = None) -> str:
    """What a terminal may show of a text from a file: every control or format character
    (escape sequences, bidi marks, NUL) made visible as ``\\xNN`` / ``\\uNNNN``, and at most
    ``limit`` characters."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not) when it decodes; otherwise Windows-1252, else Latin-1. A file that
    is UTF-8 in places and something else in others is refused: no choice reads it right."""
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(raw):
            line = raw.count(b"\n", 0, error.start) + 1
            raise InvalidField(
                "Archivo",
                f"mezcla codificaciones: la línea {line} no es UTF-8 pero otras sí. Ábralo en "
                "la hoja de cálculo y guárdelo de nuevo como «CSV UTF-8»; no se importó nada.",
            ) from None
    try:
        return raw.decode("cp1252"), "Latin-1 (Windows-1252)"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _yes_no(column: str, value: str, default: bool) -> bool:
    text = _key(value)
    if not text:
        return default
    if text in ("si", "s", "1", "x", "verdadero"):
        return True
    if text in ("no", "n", "0", "falso"):
        return False
    raise InvalidField(column, "escriba «sí» o «no».")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("|", ";").split(";") if part.strip()]


def _category(column: str, value: str, options: dict[str, str]) -> str:
    wanted = _key(value)
    for key, label in options.items():
        if wanted in (_key(key), _key(label)):
            return key
    raise InvalidField(column, "no está en la lista de opciones.")


def _enum_values(column: str, value: str, enum: type[ViolenceType] | type[Modality]) -> list[str]:
    found = []
    for part in _split(value):
        wanted = _key(part)
        match = [m.value for m in enum if wanted in (_key(m.value), _key(m.label))]
        if not match:
            raise InvalidField(column, "contiene un valor que no está en la LGAMVLV.")
        found.append(match[0])
    return found


def read_table(path: Path) -> tuple[str, list[str], list[str], list[list[str]]]:
    """Encoding, header as written, normalized column names, data rows."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidField(
                "Archivo",
                f"pasa de {MAX_FILE_BYTES // (1024 * 1024)} MB; divídalo en varios archivos.",
            )
        raw = path.read_bytes()
    except OSError:
        raise InvalidField("Archivo", "no se pudo leer.") from None
    text, encoding = decode(raw)
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        header = next(reader)
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                break
    except StopIteration:
        raise InvalidField("Archivo", "está vacío.") from None
    except csv.Error:
        # Past a broken cell the reader cannot tell where the next row starts: refuse it all.
        raise InvalidField(
            "Archivo",
            f"la fila {len(rows) + 2} (línea {reader.line_num} del archivo) tiene una celda "
            f"de más de {csv.field_size_limit():,} bytes o mal cerrada; no se importó nada.",
        ) from None
    columns = [_column_key(name) for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InvalidField("Archivo", "faltan las columnas: " + ", ".join(missing) + ".")
    for name in sorted(KNOWN):
        positions = [str(i + 1) for i, column in enumerate(columns) if column == name]
        if len(positions) > 1:
            raise InvalidField(
                "Archivo",
                f"la columna {name} aparece {len(positions)} veces (columnas "
                f"{', '.join(positions)}); deje una sola. No se importó nada.",
            )
    if len(rows) > MAX_ROWS:
        raise InvalidField("Archivo", f"admite como máximo {MAX_ROWS} filas por importación.")
    return encoding, header, columns, rows


__all__ = ["ImportReport", "RowError", "decode", "printable"]
