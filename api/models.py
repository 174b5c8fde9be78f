"""Response bodies, in Spanish, separate from the read-side dataclasses they are built from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Error(BaseModel):
    detalle: str = Field(description="Explicación del error, en español.")


class Periodo(BaseModel):
    desde: str | None = Field(
        description="Primer mes incluido (AAAA-MM); nulo si no se acotó.", examples=["2024-01"]
    )
    hasta: str | None = Field(
        description="Último mes incluido (AAAA-MM); nulo si no se acotó.", examples=["2024-12"]
    )


class CeldaCasos(BaseModel):
    clave_zona: str | None = Field(
        description="Clave geoestadística INEGI de la zona; nula si no se agrupa por zona.",
        examples=["110110001"],
    )
    nombre_zona: str | None = Field(
        description="Nombre de la zona según el catálogo INEGI 2020; nulo si no se agrupa por "
        "zona o si la clave no está en el catálogo.",
        examples=["Cortazar"],
    )
    mes: str | None = Field(
        description="Mes de apertura de los expedientes (AAAA-MM); nulo si no se agrupa por mes.",
        examples=["2024-03"],
    )
    casos: int | None = Field(
        description="Número de expedientes; nulo cuando la celda está suprimida.", examples=[7]
    )
    suprimido: bool = Field(description="Verdadero si el valor no se publica.")
    motivo: Literal["menor_que_umbral", "protege_celda_suprimida"] | None = Field(
        description="Por qué se suprimió: «menor_que_umbral» (la celda zona×mes tiene de 1 a "
        "k−1 expedientes) o «protege_celda_suprimida» (la celda suma alguna celda zona×mes "
        "suprimida). Nulo si se publica."
    )


class TablaCasos(BaseModel):
    agrupacion: list[str] = Field(
        description="Dimensiones de la tabla en orden canónico: «zone» y/o «month».",
        examples=[["zone", "month"]],
    )
    periodo: Periodo = Field(description="Meses incluidos.")
    umbral_k: int = Field(description="Umbral de supresión primaria vigente.")
    celdas: list[CeldaCasos] = Field(description="Una fila por combinación con expedientes.")
    notas: list[str] = Field(description="Metodología y reglas que acompañan a la tabla.")


class Metadatos(BaseModel):
    titulo: str = Field(description="Nombre de la publicación.")
    institucion: str = Field(description="Institución que publica.")
    metodologia: str = Field(description="Cómo se cuentan los expedientes.")
    umbral_k: int = Field(description="Umbral de supresión primaria vigente (nunca menor a 3).")
    regla_supresion: str = Field(description="Regla de supresión primaria.")
    regla_agregados: str = Field(description="Regla para celdas por zona o por mes.")
    totales: str = Field(description="Por qué no se publican totales marginales.")
    fuente_expedientes: str = Field(description="Origen de los conteos.")
    fuente_zonas: str = Field(description="Origen del catálogo de zonas y su población.")
    generado: str = Field(
        description="Fecha y hora de generación, dd/mm/aaaa HH:MM:SS, hora del centro de México.",
        examples=["15/03/2025 10:30:00 (hora del centro de México)"],
    )
    generado_iso: str = Field(
        description="La misma fecha y hora en ISO 8601 con desfase horario, para programas."
    )
    zona_horaria: str = Field(description="Zona horaria de las fechas publicadas.")
    notas: list[str] = Field(description="Notas que acompañan a toda tabla publicada.")
