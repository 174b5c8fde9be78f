"""Response bodies, in Spanish."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Error(BaseModel):
    detalle: str = Field(description="Explicación del error, en español.")


class Periodo(BaseModel):
    desde: str = Field(description="Primer mes cubierto (AAAA-MM).", examples=["2023-01"])
    hasta: str = Field(
        description="Último mes cubierto (AAAA-MM), ya cerrado.", examples=["2025-12"]
    )


class Publicacion(BaseModel):
    numero: int = Field(description="Número de la publicación, consecutivo desde 1.")
    publicada: str = Field(
        description="Fecha de publicación, dd/mm/aaaa (hora del centro de México)."
    )
    publicada_iso: str = Field(description="La misma fecha y hora en ISO 8601 con desfase horario.")
    periodo: Periodo = Field(description="Meses cerrados que cubre.")
    umbral_k: int = Field(description="Umbral de supresión primaria con que se protegió.")
    metodo: str = Field(description="Versión del método de control de divulgación.")


class Fila(BaseModel):
    dimensiones: dict[str, str | None] = Field(
        description="Valor de cada dimensión de la fila (clave de zona, AAAA-MM, año, área, "
        "tipo); nulo en una fila de total."
    )
    etiquetas: dict[str, str] = Field(
        description="Nombre legible de cada valor; «Total» en los totales."
    )
    valor: int | None = Field(
        default=None,
        description="Conteo de la celda; nulo si está suprimida (ver «marca») o si la tabla "
        "tiene varias medidas (ver «valores»).",
    )
    marca: str | None = Field(
        default=None,
        description="«<k» si la celda tiene de 1 a k−1 casos (o 0 oculto para proteger otra); "
        "«confidencial» si se suprimió para proteger otra (tiene k o más, o 0); nulo si se "
        "publica.",
    )
    valores: dict[str, int] | None = Field(
        default=None, description="Medidas de la fila en tablas con varias medidas."
    )


class Tabla(BaseModel):
    publicacion: Publicacion = Field(description="Publicación a la que pertenece la tabla.")
    tema: str = Field(description="Tema (ruta) de la tabla.")
    tabla: str = Field(description="Código de la tabla en el catálogo.")
    titulo: str = Field(description="Título de la tabla.")
    dimensiones: dict[str, str] = Field(description="Dimensiones de la tabla y su nombre.")
    medidas: dict[str, str] = Field(description="Medidas de la tabla y su nombre.")
    protegida: bool = Field(description="Verdadero si la tabla pasó por control de divulgación.")
    filas: list[Fila] = Field(description="Filas seleccionadas, con todos los totales.")
    notas: list[str] = Field(description="Metodología y reglas que acompañan a la tabla.")


class ListaPublicaciones(BaseModel):
    vigente: int | None = Field(description="Número de la publicación vigente; nulo si no hay.")
    publicaciones: list[Publicacion] = Field(
        description="Todas las publicaciones, de la primera a la última."
    )


class EntradaCatalogo(BaseModel):
    tema: str = Field(description="Ruta del tema bajo /v1.")
    tabla: str = Field(description="Código de la tabla (parámetro «tabla»).")
    titulo: str = Field(description="Título de la tabla.")
    dimensiones: list[str] = Field(description="Dimensiones de la tabla.")
    medidas: list[str] = Field(description="Medidas de la tabla.")
    protegida: bool = Field(description="Si pasa por control de divulgación.")


class Metadatos(BaseModel):
    titulo: str = Field(description="Nombre de la publicación.")
    institucion: str = Field(description="Institución que publica.")
    metodologia: str = Field(description="Cómo se calculan y publican las cifras.")
    umbral_k: int | None = Field(description="Umbral de la publicación vigente; nulo si no hay.")
    reglas: list[str] = Field(description="Reglas de supresión y auditoría.")
    catalogo: list[EntradaCatalogo] = Field(description="Tablas que contiene cada publicación.")
    publicacion_vigente: Publicacion | None = Field(description="La última publicación.")
    fuente_expedientes: str = Field(description="Origen de los conteos.")
    fuente_zonas: str = Field(description="Origen del catálogo de zonas y su población.")
    zona_horaria: str = Field(description="Zona horaria de las fechas publicadas.")
    metodo_zonas_prioritarias: str | None = Field(
        description="Método de /v1/zonas-prioritarias en la publicación vigente: tasa, "
        "intervalo, tendencia, bandas, qué se suprime y qué cubre la auditoría; nulo si no hay."
    )


class Salud(BaseModel):
    estado: str = Field(description="«ok» si el servicio responde.")
    publicacion_vigente: int | None = Field(description="Número de la publicación vigente.")


class ZonaPrioritaria(BaseModel):
    zona: str = Field(description="Clave geoestadística de la zona (INEGI, 9 dígitos).")
    nombre: str = Field(description="Nombre de la zona.")
    banda: str | None = Field(
        description="Prioridad: «alta», «media» o «baja»; nulo si la zona no tiene población "
        "de referencia."
    )
    tasa: float | None = Field(
        description="Expedientes de los 12 meses por cada 1,000 mujeres; nulo si se suprime "
        "(ver «marca»)."
    )
    intervalo_inferior: float | None = Field(description="Límite inferior del intervalo de 95 %.")
    intervalo_superior: float | None = Field(description="Límite superior del intervalo de 95 %.")
    tendencia: str | None = Field(
        description="«sube», «baja» o «estable» (12 meses contra los 12 anteriores); nulo si no "
        "se publica."
    )
    marca: str | None = Field(
        description="«<k» si la zona tuvo de 0 a k−1 expedientes en los 12 meses; "
        "«confidencial» si tuvo k o más y su tasa se oculta para proteger otras celdas (o no "
        "tiene población de referencia); nulo si se publica la tasa."
    )
    latitud: float | None = Field(description="Latitud (INEGI 2020), si la zona la tiene.")
    longitud: float | None = Field(description="Longitud (INEGI 2020), si la zona la tiene.")
    fuente_poblacion: str = Field(
        description="Denominador: «mujeres_18_60» (cargado por el instituto), "
        "«inegi_2020_x_0.57» o «sin_denominador»."
    )


class ZonasPrioritarias(BaseModel):
    publicacion: Publicacion = Field(description="Publicación de la que sale la clasificación.")
    desde: str = Field(description="Primer mes de los 12 (AAAA-MM).")
    hasta: str = Field(description="Último mes de los 12 (AAAA-MM), el último de la publicación.")
    metodo: str = Field(
        description="Cómo se calculan la tasa, el intervalo, la tendencia y la banda."
    )
    zonas: list[ZonaPrioritaria] = Field(
        description="Zonas con tasa publicada en orden de prioridad, después las demás por banda "
        "y nombre."
    )
    notas: list[str] = Field(description="Reglas de supresión que acompañan a la clasificación.")
