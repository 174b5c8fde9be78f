"""What the public reads of a table: its cells with Spanish labels, values and suppression
marks."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from domain.activities import ActivityKind
from domain.cases import Area, OrderKind
from domain.vocabulary import LabelledEnum, Modality, ViolenceType
from projections.catalogue import DIMENSION_LABELS, MEASURE_LABELS, TOTAL
from projections.releases.model import Key
from projections.releases.tables import Part, Table

VALUE_LABELS = {
    "trabajo_social": "Trabajo social",
    "juridica": "Jurídica",
    "psicologica": "Psicológica",
    "asesoria": "Asesoría",
    "acompanamiento": "Acompañamiento",
    "sesion": "Sesión",
    "gestion": "Gestión",
    "visita": "Visita",
    "taller": "Taller",
    "platica": "Plática",
    "conferencia": "Conferencia",
    "mesa_dialogo": "Mesa de diálogo",
    "feria_salud": "Feria de la salud",
    "pelucas_protesis": "Pelucas y prótesis",
    "donacion_cabello": "Donación de cabello",
    "apoyo_medicamento": "Apoyo con medicamento",
    "asesoria_comunidad": "Asesoría en comunidad",
}


def _enum_labels(*kinds: Iterable[LabelledEnum]) -> dict[str, str]:
    return {member.value: member.label for kind in kinds for member in kind}


# The labels staff read in the terminal app, so the public reads the same words.
ENUM_LABELS = {
    "violencia": _enum_labels(ViolenceType),
    "modalidad": _enum_labels(Modality),
    "area": _enum_labels(Area),
    "tipo": _enum_labels(ActivityKind, OrderKind),
}


def _label(dimension: str, value: str, zones: Mapping[str, str]) -> str:
    if value == TOTAL:
        return "Total"
    if dimension == "zona":
        return zones.get(value, value)
    if dimension == "mes":
        return value
    known = ENUM_LABELS.get(dimension, {}).get(value) or VALUE_LABELS.get(value)
    return known or value.replace("_", " ").capitalize()


def suppression_mark(value: int, k: int) -> str:
    """«<k» for 1 to k-1, «confidencial» for k or more, and either, at random, for a hidden 0."""
    if value == 0:
        return secrets.choice((f"<{k}", "confidencial"))
    return f"<{k}" if value < k else "confidencial"


def table_body(
    table: Table,
    part: Part,
    zones: Mapping[str, str],
    values: Mapping[str, Mapping[Key, int]],
    marks: Mapping[Key, str],
) -> dict[str, Any]:
    spec = table.spec
    axis_dims = [d for axis in spec.axes for d in axis]
    several = part.spec.double_counts
    cells = []
    for key in table.cells:
        named = dict(zip(part.data.dimensions, key, strict=True))
        entry: dict[str, Any] = {
            "clave": list(key),
            "dimensiones": {d: named[d] for d in axis_dims},
            "etiquetas": {
                d: "Total de menciones"
                if several and d == part.spec.extra and named[d] == TOTAL
                else _label(d, named[d], zones)
                for d in axis_dims
            },
        }
        if len(spec.measures) == 1:
            entry["valor"] = None if key in marks else values[spec.measures[0]][key]
            entry["marca"] = marks.get(key)
        else:
            entry["valores"] = {m: values[m][key] for m in spec.measures}
        cells.append(entry)
    return {
        "codigo": spec.code,
        "tema": spec.topic,
        "titulo": spec.title,
        "fuente": spec.source,
        "ejes": [list(axis) for axis in spec.axes],
        "dimensiones": {d: DIMENSION_LABELS[d] for d in axis_dims},
        "medidas": {m: MEASURE_LABELS[m] for m in spec.measures},
        "protegida": part.spec.protected,
        "varios_por_expediente": several,
        "notas": list(spec.notes),
        "celdas": cells,
    }
