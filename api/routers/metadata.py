"""How the published figures are made: methodology, threshold, sources, notes."""

from __future__ import annotations

from fastapi import APIRouter

from api import texts
from api.dependencies import SettingsDep
from api.models import Error, Metadatos

router = APIRouter(tags=["metadatos"])


@router.get(
    "/metadata",
    summary="Metodología, umbral de supresión y fuentes",
    description="Describe cómo se cuentan los expedientes, el umbral k vigente, la regla de "
    "supresión, por qué no se publican totales, las fuentes de datos y la hora de generación "
    "(hora del centro de México).",
    response_model=Metadatos,
    response_description="Metadatos de la publicación.",
    responses={429: {"model": Error, "description": "Demasiadas solicitudes."}},
)
def metadata(settings: SettingsDep) -> Metadatos:
    k = settings.umbral_k
    generated = texts.now()
    return Metadatos(
        titulo=texts.TITLE,
        institucion=texts.INSTITUTION,
        metodologia=texts.METHODOLOGY,
        umbral_k=k,
        regla_supresion=texts.suppression_rule(k),
        regla_agregados=texts.AGGREGATE_RULE,
        totales=texts.NO_TOTALS,
        fuente_expedientes=texts.CASES_SOURCE,
        fuente_zonas=texts.ZONES_SOURCE,
        generado=texts.full_date_time(generated),
        generado_iso=generated.isoformat(timespec="seconds"),
        zona_horaria=texts.TIME_ZONE,
        notas=texts.notes(k),
    )
