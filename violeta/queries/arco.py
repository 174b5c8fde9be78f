"""Queries: ARCO access (export of her data) and the correction history."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from uuid import UUID

from domain import identity
from domain.cases import RiskFactor
from domain.clients import (
    AGE_AUTHORIZATION_LABELS,
    CORRECTABLE_FIELDS,
    DISABILITIES,
    INDIGENOUS_LANGUAGES,
    Client,
)
from domain.errors import InvalidField, UnknownRecord
from domain.sealed import Sealed
from domain.vocabulary import CaseStatus, Modality, Role, Section, ViolenceType
from violeta.queries.sections import (
    follow_up_section,
    legal_section,
    protection_order_section,
    social_work_section,
)
from violeta.session import MEXICO, SessionContext, case_label


@dataclass(frozen=True)
class CorrectionEntry:
    """One value a field has had: the registered one first, then each rectification."""

    field: str  # Spanish label
    value: str
    recorded_on: date
    recorded_by: str  # staff display name
    current: bool


ACCESS_OUTCOMES = {"concedido": "Concedido", "denegado": "Denegado", "excepcional": "Excepcional"}


def _plain(value: object) -> object:
    """A section view as JSON-ready data: dates as dd/mm/aaaa, ids as text."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: _plain(item) for key, item in vars(value).items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, date):
        return identity.format_date(value)
    if isinstance(value, (UUID, Enum)):
        return str(value)
    return value


def correction_history(ctx: SessionContext, client_id: UUID) -> list[CorrectionEntry]:
    """Every value of every rectified field (coordinación only), audited before returning."""
    client = ctx._get_client(client_id)
    ctx._record_access(
        action="ver",
        section=Section.IDENTIFICATION,
        client_ids=[client_id],
        case_ids=[],
        purpose="historial de rectificaciones (ARCO)",
    )
    registered = next(iter(ctx._store.events.get(client_id)))
    if not isinstance(registered, Client.Registered):  # ids are never reused
        raise UnknownRecord("No existe una usuaria con ese identificador.")
    staff_names = ctx._staff_names()
    subject = str(client_id)
    entries: list[CorrectionEntry] = []
    for field in dict.fromkeys(c.field for c in client.corrections):
        label = CORRECTABLE_FIELDS[field]
        values: list[tuple[Sealed | None, date, UUID]] = [
            (getattr(registered, field), registered.registered_on, registered.registered_by)
        ]
        values += [
            (c.value, c.corrected_on, c.corrected_by)
            for c in client.corrections
            if c.field == field
        ]
        for index, (sealed, on, by) in enumerate(values):
            entries.append(
                CorrectionEntry(
                    field=label,
                    value=ctx._open_optional(subject, f"client.{field}", sealed),
                    recorded_on=on,
                    recorded_by=staff_names.get(str(by), "—"),
                    current=index == len(values) - 1,
                )
            )
    return entries


def export_client_data(ctx: SessionContext, client_id: UUID, destination: Path) -> Path:
    """ARCO access: her own data in a JSON file for her, written where coordinación says.

    The only file allowed to hold her data in clear (DESIGN §4), so it may not be written
    inside the data directory, and it is created readable by its owner only. The export is
    recorded as an access before the file exists. Psychology notes are not included: only
    psychology reads them, and that area delivers them to her directly.
    """
    client = ctx._get_client(client_id)
    client.check_not_erased()
    target = destination.expanduser().resolve()
    data_dir = ctx._institute.settings.data.expanduser().resolve()
    if target == data_dir or data_dir in target.parents:
        raise InvalidField("Destino", "no puede estar dentro del directorio de datos.")
    if target.exists():
        raise InvalidField("Destino", "ya existe un archivo con ese nombre.")
    if not target.parent.is_dir():
        raise InvalidField("Destino", "la carpeta no existe.")
    ctx.refresh()
    case_ids = [
        UUID(row["case_id"])
        for row in ctx._views.query(
            "SELECT case_id FROM cases_view WHERE client_id = ? ORDER BY opened_on",
            (str(client_id),),
        )
    ]
    ctx._record_access(
        action="exportar",
        section=Section.IDENTIFICATION,
        client_ids=[client_id],
        case_ids=case_ids,
        purpose="derecho de acceso (ARCO): exportación para la titular",
    )
    document = {
        "documento": "Exportación de datos personales (derecho de acceso, ARCO)",
        "generado": ctx._institute.today().isoformat(),
        "nota": (
            "Incluye identificación, consentimientos, expedientes con su entrevista, notas, "
            "canalizaciones y lo registrado por jurídica, trabajo social, seguimientos y "
            "órdenes de protección. "
            "Las notas psicológicas las entrega directamente el área de psicología. "
            "También lista quién accedió a su expediente: cuándo, persona, rol, sección, "
            "propósito y resultado."
        ),
        "identificacion": _export_identification(ctx, client),
        "expedientes": [_export_case(ctx, case_id) for case_id in case_ids],
        # Last, so it lists every read made to build this export, and the export itself.
        "accesos_a_su_expediente": _export_access_log(ctx, client_id),
    }
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(payload)
    return target


def _export_access_log(ctx: SessionContext, client_id: UUID) -> list[dict[str, object]]:
    """Her right to know who saw her file: every access that named her, oldest first."""
    ctx.refresh()
    rows = ctx._views.query(
        "SELECT access_log.* FROM access_log JOIN access_subjects USING (access_id) "
        "WHERE access_subjects.client_id = ? ORDER BY at",
        (str(client_id),),
    )
    names = ctx._staff_names()
    return [
        {
            "fecha": datetime.fromisoformat(row["at"])
            .astimezone(MEXICO)
            .strftime("%d/%m/%Y %H:%M"),
            "persona": names.get(row["staff_id"], "—"),
            "rol": Role(row["role"]).label,
            "accion": row["action"],
            "seccion": Section(row["section"]).label,
            "proposito": row["purpose"],
            "resultado": ACCESS_OUTCOMES.get(row["outcome"], row["outcome"]),
            "motivo": ctx._open_justification(row["justification"], [str(client_id)]),
        }
        for row in rows
    ]


def _export_identification(ctx: SessionContext, client: Client) -> dict[str, object]:
    subject = str(client.id)

    def opened(field: str) -> str:
        return ctx._open_optional(subject, f"client.{field}", getattr(client, field))

    return {
        "nombre": opened("name"),
        "curp": opened("curp"),
        "fecha_nacimiento": opened("birth_date"),
        "telefono": opened("phone"),
        "telefono_seguro_para_llamar": client.phone_safe_to_call,
        "contacto_seguro": {
            "nombre": opened("safe_contact_name"),
            "telefono": opened("safe_contact_phone"),
        },
        "domicilio": opened("address"),
        "zona": ctx._zone_names().get(client.zone, client.zone),
        "lengua_indigena": INDIGENOUS_LANGUAGES.get(client.indigenous_language, ""),
        "discapacidad": [DISABILITIES[key] for key in client.disabilities],
        "fecha_registro": client.registered_on.isoformat(),
        "consentimientos": {
            "aviso_de_privacidad": client.privacy_notice_accepted,
            "compartir_con_instituciones": client.consent_to_share,
            "ser_contada_en_estadisticas": client.consent_to_statistics,
        },
        "autorizacion_por_edad": AGE_AUTHORIZATION_LABELS[client.age_authorization],
        "rectificaciones": [
            {"campo": CORRECTABLE_FIELDS[c.field], "fecha": c.corrected_on.isoformat()}
            for c in client.corrections
        ],
    }


def _export_case(ctx: SessionContext, case_id: UUID) -> dict[str, object]:
    case = ctx._get_case(case_id)
    subject = str(case.client_id)
    names = {
        row["institution_id"]: row["name"]
        for row in ctx._views.query("SELECT institution_id, name FROM directory_view")
    }

    def opened(field: str, sealed: Sealed | None) -> str:
        return ctx._open_optional(subject, case_label(case_id, field), sealed)

    return {
        "folio": case.folio,
        "apertura": case.opened_on.isoformat(),
        "estado": CaseStatus(case.status).label,
        "tipos_de_violencia": [ViolenceType(t).label for t in case.violence_types],
        "modalidades": [Modality(m).label for m in case.modalities],
        "motivo": opened("reason", case.reason),
        "relato": opened("narrative", case.narrative),
        "notas": [
            {
                "seccion": note.section.label,
                "fecha": note.written_on.isoformat(),
                "texto": opened("note", note.text),
            }
            for note in case.notes
            if note.section is not Section.PSYCHOLOGICAL
        ],
        "canalizaciones": [
            {
                "institucion": names.get(str(referral.institution_id), ""),
                "fecha": referral.made_on.isoformat(),
                "motivo": opened("referral_reason", referral.reason),
                "con_datos_personales": referral.with_personal_data,
                "resultado": referral.outcome,
            }
            for referral in case.referrals.values()
        ],
        "persona_agresora": {
            "relacion": case.aggressor_relationship.label,
            "datos": opened("aggressor_details", case.aggressor_details),
        },
        "factores_de_riesgo": [RiskFactor(f).label for f in case.risk_factors],
        # Each area's section as staff see it, opened through the same audited readers.
        "juridica": _plain(legal_section(ctx, case_id)),
        "trabajo_social": _plain(social_work_section(ctx, case_id)),
        "seguimientos": _plain(follow_up_section(ctx, case_id)),
        "ordenes_de_proteccion": _plain(protection_order_section(ctx, case_id)),
    }
