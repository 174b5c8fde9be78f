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
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from domain import identity
from domain.clients import (
    DISABILITIES,
    INDIGENOUS_LANGUAGES,
    AgeOutsideServedRange,
    Client,
    PossibleDuplicate,
)
from domain.errors import DomainError, InvalidField, NotPermitted
from domain.permissions import Action
from domain.vocabulary import Modality, RiskLevel, Section, ViolenceType
from violeta.dto import NewClient
from violeta.recording import Recording, ValidIntake
from violeta.session import retry_on_conflict

MAX_ROWS = 20_000
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
        """The report staff read, in Spanish."""
        lines = [
            f"Filas leídas: {self.rows}. Usuarias importadas: {self.clients}. "
            f"Expedientes abiertos: {self.cases}. Filas con error: {len(self.errors)}. "
            f"Codificación detectada: {self.encoding}."
        ]
        if self.ignored_columns:
            lines.append("Columnas no reconocidas (ignoradas): " + ", ".join(self.ignored_columns))
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


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not) when it decodes; otherwise Windows-1252, else Latin-1."""
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
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
        raw = path.read_bytes()
    except OSError:
        raise InvalidField("Archivo", "no se pudo leer.") from None
    text, encoding = decode(raw)
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidField("Archivo", "está vacío.") from None
    columns = [_column_key(name) for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InvalidField("Archivo", "faltan las columnas: " + ", ".join(missing) + ".")
    rows = list(reader)
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
        try:
            return self._import_row(values)
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

    def _import_row(self, values: dict[str, str]) -> tuple[UUID, UUID | None]:
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
            """Her registration alone, or with her case and its folio in one transaction."""
            if not wants_case or opened_on is None:
                self._store.save(client)
                return client.id, None
            client.check_may_open_case()
            if opened_on < client.registered_on:
                raise InvalidField("fecha_apertura", "es anterior a la fecha de registro.")
            case = self._save_new_case(client, opened_on, intake, client)
            return client.id, case.id

        return retry_on_conflict(attempt)


def _safe_problem(error: InvalidField) -> str:
    """The form's messages never echo a value; the age one names her age, so it is replaced."""
    if isinstance(error, AgeOutsideServedRange):
        return (
            "fuera del rango de edad atendido (18 a 60): escriba el motivo en la columna "
            "motivo_excepcion_edad; la usuaria quedará pendiente de autorización de "
            "coordinación y la fila no puede abrir expediente."
        )
    return error.problem


__all__ = ["ImportReport", "Importing", "RowError", "decode"]
