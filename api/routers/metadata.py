"""How the published figures are made, which releases exist, and whether the service answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api import texts
from api.dependencies import ReleasesDep
from api.models import (
    EntradaCatalogo,
    Error,
    ListaPublicaciones,
    Metadatos,
    Periodo,
    Publicacion,
    Salud,
)
from projections.catalogue import CATALOGUE, source

router = APIRouter(tags=["metadatos"])
_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": Error, "description": "Demasiadas solicitudes."}
}


def publication(body: dict[str, Any]) -> Publicacion:
    return Publicacion(
        numero=body["numero"],
        publicada=texts.date_of(body["publicada"]),
        publicada_iso=body["publicada"],
        periodo=Periodo(**body["periodo"]),
        umbral_k=body["umbral_k"],
        metodo=body["metodo"],
    )


@router.get(
    "/metadatos",
    summary="Metodología, umbral, reglas de supresión y catálogo de tablas",
    description="Describe cómo se calculan las publicaciones, el umbral de la vigente, la "
    "supresión primaria y complementaria, la auditoría, las fuentes y el catálogo fijo de tablas.",
    response_model=Metadatos,
    response_description="Metadatos de las publicaciones.",
    responses=_LIMITED,
)
async def metadata(found: ReleasesDep) -> Metadatos:
    latest = found.latest()
    body = None if latest is None else found.body(latest)
    k = None if body is None else int(body["umbral_k"])
    return Metadatos(
        titulo=texts.TITLE,
        institucion=texts.INSTITUTION,
        metodologia=texts.METHODOLOGY,
        umbral_k=k,
        reglas=texts.notes(k or 5),
        catalogo=[
            EntradaCatalogo(
                tema=spec.topic,
                tabla=spec.code,
                titulo=spec.title,
                dimensiones=[d for axis in spec.axes for d in axis],
                medidas=list(spec.measures),
                protegida=source(spec.source).protected,
            )
            for spec in CATALOGUE
        ]
        + [
            EntradaCatalogo(
                tema="zonas-prioritarias",
                tabla="clasificacion",
                titulo="Zonas de atención prioritaria: banda, tasa, intervalo y tendencia",
                dimensiones=["zona"],
                medidas=["banda", "tasa", "intervalo_inferior", "intervalo_superior", "tendencia"],
                protegida=True,
            )
        ],
        publicacion_vigente=None if body is None else publication(body),
        fuente_expedientes=texts.CASES_SOURCE,
        fuente_zonas=texts.ZONES_SOURCE,
        zona_horaria=texts.TIME_ZONE,
        metodo_zonas_prioritarias=None
        if body is None or "zonas_prioritarias" not in body
        else body["zonas_prioritarias"]["metodo"],
    )


@router.get(
    "/publicaciones",
    summary="Lista de publicaciones",
    description="Todas las publicaciones congeladas, con su fecha, el periodo cerrado que cubren, "
    "el umbral y el método. La última es la vigente.",
    response_model=ListaPublicaciones,
    response_description="Publicaciones.",
    responses=_LIMITED,
)
async def publications(found: ReleasesDep) -> ListaPublicaciones:
    items = []
    for summary in found.summaries():
        body = found.body(summary.number)
        if body is not None:
            items.append(publication(body))
    return ListaPublicaciones(vigente=found.latest(), publicaciones=items)


@router.get(
    "/salud",
    summary="Estado del servicio",
    description="Responde «ok» si el servicio funciona, con el número de la publicación vigente.",
    response_model=Salud,
    response_description="Estado.",
    responses=_LIMITED,
)
async def health(found: ReleasesDep) -> Salud:
    return Salud(estado="ok", publicacion_vigente=found.latest())
