"""Import of the spreadsheet an institute already keeps: ``violeta import ARCHIVO.csv``.

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
trail; a closing ``importar`` event gives the counts and names every client and case.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from domain import identity
from domain.access import AccessRecord
from domain.clients import (
    DISABILITIES,
    INDIGENOUS_LANGUAGES,
    AgeOutsideServedRange,
    Client,
    PossibleDuplicate,
)
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.permissions import Action, Decision
from domain.vocabulary import Modality, RiskLevel, Section, ViolenceType
from violeta.dto import NewClient
from violeta.recording import Recording, ValidIntake
from violeta.session import retry_on_conflict

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


class Importing(Recording):
    def import_csv(self, path: Path, progress: Progress | None = None) -> ImportReport:
        """Loads a spreadsheet; each row all-or-nothing; recorded as one import event."""
        self._authorize(Section.IDENTIFICATION, Action.WRITE, [], [], "importar usuarias", "")
        self._authorize(Section.INTAKE, Action.WRITE, [], [], "importar expedientes", "")
        encoding, header, columns, rows = read_table(path)
        ignored = tuple(h.strip() for h, c in zip(header, columns, strict=True) if c not in KNOWN)
        self._zone_names()  # load the catalogue once
        errors: list[RowError] = []
        clients: list[UUID] = []
        cases: list[UUID] = []
        for index, cells in enumerate(rows):
            if any(cell.strip() for cell in cells):
                values = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)}
                outcome = self._try_row(index + 2, values)
                if isinstance(outcome, RowError):
                    errors.append(outcome)
                else:
                    clients.append(outcome[0])
                    cases.extend(case_id for case_id in outcome[1:] if case_id is not None)
            if progress:
                progress(index + 1, len(rows))
        self._record_access(
            action="importar",
            section=Section.IDENTIFICATION,
            client_ids=clients,
            case_ids=cases,
            purpose=(
                f"importación de hoja de cálculo: {len(rows)} filas, {len(clients)} importadas, "
                f"{len(errors)} con error"
            ),
        )
        return ImportReport(
            rows=len(rows),
            clients=len(clients),
            cases=len(cases),
            encoding=encoding,
            errors=tuple(errors),
            ignored_columns=ignored,
        )

    def _try_row(self, number: int, values: dict[str, str]) -> tuple[UUID, UUID | None] | RowError:
        for column in sorted(KNOWN & values.keys()):
            if _FORBIDDEN_IN_CELLS.search(values[column]):
                return RowError(
                    number,
                    column,
                    "contiene caracteres de control, secuencias de escape o marcas de "
                    "dirección de texto (o el archivo no está en UTF-8 ni Latin-1); corrija la "
                    "celda.",
                )
        try:
            return self._import_row(values, number)
        except InvalidField as error:
            return RowError(number, error.field, _safe_problem(error))
        except PossibleDuplicate:
            return RowError(
                number,
                "nombre / curp / telefono",
                "posible duplicado de una usuaria ya registrada; revise y regístrela a mano.",
            )
        except NotPermitted:
            raise
        except DomainError as error:
            return RowError(number, "fila", error.message)

    def _import_row(self, values: dict[str, str], number: int) -> tuple[UUID, UUID | None]:
        get = values.get
        wants_case = bool((get("motivo") or "").strip() or (get("fecha_apertura") or "").strip())
        today = self._institute.today()
        opened_on = (
            self._past_or_today("fecha_apertura", get("fecha_apertura") or "", today)
            if wants_case
            else None
        )
        registered_text = (get("fecha_registro") or "").strip()
        if not registered_text and opened_on is not None:
            registered_text = identity.format_date(opened_on)
        zone = (get("zona") or "").strip()
        zones = self._zone_names()
        if zone not in zones:
            by_name = {_key(name): code for code, name in zones.items()}
            zone = by_name.get(_key(zone), zone)
        language = (get("lengua_indigena") or "").strip()
        form = NewClient(
            name=get("nombre") or "",
            birth_date=get("fecha_nacimiento") or "",
            zone=zone,
            curp=get("curp") or "",
            phone=get("telefono") or "",
            registered_on=registered_text,
            phone_safe_to_call=_yes_no("telefono_seguro", get("telefono_seguro") or "", False),
            safe_contact_name=get("contacto_seguro_nombre") or "",
            safe_contact_phone=get("contacto_seguro_telefono") or "",
            address=get("domicilio") or "",
            indigenous_language=_category("lengua_indigena", language, INDIGENOUS_LANGUAGES)
            if language
            else "",
            disabilities=tuple(
                _category("discapacidad", part, DISABILITIES)
                for part in _split(get("discapacidad") or "")
            ),
            privacy_notice_accepted=_yes_no(
                "aviso_privacidad", get("aviso_privacidad") or "", True
            ),
            consent_to_share=_yes_no(
                "consentimiento_compartir", get("consentimiento_compartir") or "", False
            ),
            consent_to_statistics=_yes_no(
                "consentimiento_estadistica", get("consentimiento_estadistica") or "", True
            ),
            age_exception_reason=get("motivo_excepcion_edad") or "",
        )
        # Validate the case before anything is sealed or saved: all or nothing.
        if wants_case:
            reason = identity.free_text(
                "motivo", get("motivo") or "", max_length=identity.SHORT_TEXT_MAX
            )
            narrative = identity.free_text(
                "relato", get("relato") or "", max_length=identity.NARRATIVE_MAX
            )
            types = _enum_values("tipos", get("tipos") or "", ViolenceType)
            modalities = _enum_values("modalidades", get("modalidades") or "", Modality)
            risk_text = _key(get("riesgo") or "")
            risk = next(
                (r.value for r in RiskLevel if risk_text in (_key(r.value), _key(r.label))), ""
            )
            if not risk:
                raise InvalidField("riesgo", "escriba bajo, medio o alto.")
            intake = ValidIntake(reason, narrative, types, modalities, risk)

        def attempt() -> tuple[UUID, UUID | None]:
            # Prepared afresh on each attempt: a failed save has consumed the pending events.
            client = self._prepare_client(form, confirm_not_duplicate=False)
            try:
                return save(client)
            except BaseException:
                # Nothing about her was saved: her prepared key goes back unused.
                self._keyring.return_subject(str(client.id))
                raise

        def save(client: Client) -> tuple[UUID, UUID | None]:
            """Her registration alone, or with her case and its folio, in one transaction
            with the access event that names her."""
            access = self._row_access(client.id, number)
            if not wants_case or opened_on is None:
                self._store.save(client, access)
                return client.id, None
            client.check_may_open_case()
            if opened_on < client.registered_on:
                raise InvalidField("fecha_apertura", "es anterior a la fecha de registro.")
            case = self._save_new_case(client, opened_on, intake, client, access)
            return client.id, case.id

        return retry_on_conflict(attempt)

    def _row_access(self, client_id: UUID, number: int) -> AccessRecord:
        return AccessRecord(
            staff_id=self._account.id,
            role=self.role.value,
            action="importar",
            section=Section.IDENTIFICATION.value,
            client_ids=[client_id],
            case_ids=[],
            purpose=f"importación de hoja de cálculo: fila {number}",
            outcome=Decision.GRANTED.value,
            exceptional=False,
            justification="",
        )


def _safe_problem(error: InvalidField) -> str:
    """The form's messages never echo a value; the age one names her age, so it is replaced."""
    if isinstance(error, AgeOutsideServedRange):
        return (
            "fuera del rango de edad atendido (18 a 60): escriba el motivo en la columna "
            "motivo_excepcion_edad; la usuaria quedará pendiente de autorización de "
            "coordinación y la fila no puede abrir expediente."
        )
    return error.problem


__all__ = ["ImportReport", "Importing", "RowError", "decode", "printable"]
