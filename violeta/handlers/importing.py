"""Handler: importing a spreadsheet of registrations and cases."""

from __future__ import annotations

from uuid import UUID

from domain import identity
from domain.access import AccessRecord, Ids
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
from violeta.commands import ImportCsv
from violeta.dto import NewClient
from violeta.importing import (
    _FORBIDDEN_IN_CELLS,
    KNOWN,
    ImportReport,
    RowError,
    _category,
    _enum_values,
    _key,
    _split,
    _yes_no,
    read_table,
)
from violeta.registration import ValidIntake, prepare_client, save_new_case
from violeta.session import SessionContext, retry_on_conflict


def _safe_problem(error: InvalidField) -> str:
    """The form's messages never echo a value; the age one names her age, so it is replaced."""
    if isinstance(error, AgeOutsideServedRange):
        return (
            "fuera del rango de edad atendido (18 a 60): escriba el motivo en la columna "
            "motivo_excepcion_edad; la usuaria quedará pendiente de autorización de "
            "coordinación y la fila no puede abrir expediente."
        )
    return error.problem


def import_csv(ctx: SessionContext, command: ImportCsv) -> ImportReport:
    """Loads a spreadsheet; each row all-or-nothing; recorded as one import event."""
    ctx._authorize(Section.IDENTIFICATION, Action.WRITE, [], [], "importar usuarias", "")
    ctx._authorize(Section.INTAKE, Action.WRITE, [], [], "importar expedientes", "")
    encoding, header, columns, rows = read_table(command.path)
    ignored = tuple(h.strip() for h, c in zip(header, columns, strict=True) if c not in KNOWN)
    ctx._zone_names()  # load the catalogue once
    errors: list[RowError] = []
    clients: list[UUID] = []
    cases: list[UUID] = []
    for index, cells in enumerate(rows):
        if any(cell.strip() for cell in cells):
            values = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)}
            outcome = _try_row(ctx, index + 2, values)
            if isinstance(outcome, RowError):
                errors.append(outcome)
            else:
                clients.append(outcome[0])
                cases.extend(case_id for case_id in outcome[1:] if case_id is not None)
        if command.progress:
            command.progress(index + 1, len(rows))
    ctx._record_access(
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


def _try_row(
    ctx: SessionContext, number: int, values: dict[str, str]
) -> tuple[UUID, UUID | None] | RowError:
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
        return _import_row(ctx, values, number)
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


def _import_row(
    ctx: SessionContext, values: dict[str, str], number: int
) -> tuple[UUID, UUID | None]:
    get = values.get
    wants_case = bool((get("motivo") or "").strip() or (get("fecha_apertura") or "").strip())
    today = ctx._institute.today()
    opened_on = (
        ctx._past_or_today("fecha_apertura", get("fecha_apertura") or "", today)
        if wants_case
        else None
    )
    registered_text = (get("fecha_registro") or "").strip()
    if not registered_text and opened_on is not None:
        registered_text = identity.format_date(opened_on)
    zone = (get("zona") or "").strip()
    zones = ctx._zone_names()
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
        privacy_notice_accepted=_yes_no("aviso_privacidad", get("aviso_privacidad") or "", True),
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
        risk = next((r.value for r in RiskLevel if risk_text in (_key(r.value), _key(r.label))), "")
        if not risk:
            raise InvalidField("riesgo", "escriba bajo, medio o alto.")
        intake = ValidIntake(reason, narrative, types, modalities, risk)

    def attempt() -> tuple[UUID, UUID | None]:
        # Prepared afresh on each attempt: a failed save has consumed the pending events.
        client = prepare_client(ctx, form, confirm_not_duplicate=False)
        try:
            return save(client)
        except BaseException:
            # Nothing about her was saved: her prepared key goes back unused.
            ctx._keyring.return_subject(str(client.id))
            raise

    def save(client: Client) -> tuple[UUID, UUID | None]:
        """Her registration alone, or with her case and its folio, in one transaction
        with the access event that names her."""
        access = _row_access(ctx, client.id, number)
        if not wants_case or opened_on is None:
            ctx._store.save(client, access)
            return client.id, None
        client.check_may_open_case()
        if opened_on < client.registered_on:
            raise InvalidField("fecha_apertura", "es anterior a la fecha de registro.")
        case = save_new_case(ctx, client, opened_on, intake, client, access)
        return client.id, case.id

    return retry_on_conflict(attempt)


def _row_access(ctx: SessionContext, client_id: UUID, number: int) -> AccessRecord:
    return AccessRecord(
        staff_id=ctx._account.id,
        role=ctx.role.value,
        action="importar",
        section=Section.IDENTIFICATION.value,
        client_ids=Ids([client_id]),
        case_ids=Ids(),
        purpose=f"importación de hoja de cálculo: fila {number}",
        outcome=Decision.GRANTED.value,
        exceptional=False,
        justification="",
    )
