"""The Spanish wording published with every table: the metadata endpoint, CSV header, page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TIME_ZONE = "America/Mexico_City"

TITLE = "Violeta — Estadísticas públicas de atención a mujeres en situación de violencia"
INSTITUTION = "Dirección de Atención Integral a las Mujeres de Cortazar, Guanajuato"

METHODOLOGY = (
    "Las cifras se publican por publicaciones periódicas, no en tiempo real: cada publicación "
    "cubre solo meses cerrados (un mes entra cuando ha terminado y han pasado los días de "
    "desfase), se calcula una vez, se congela y se sirve idéntica hasta la siguiente. Las "
    "correcciones y las oposiciones al uso estadístico llegan al público solo en la siguiente "
    "publicación. Cada publicación contiene un catálogo fijo de tablas con todos sus totales "
    "(por fila, por columna y general); los filtros solo seleccionan filas de esas tablas. Los "
    "expedientes se cuentan por mes de apertura y por la zona (colonia o comunidad, clave "
    "geoestadística del INEGI) registrada en el expediente; no se cuentan los de mujeres que "
    "se opusieron al uso estadístico de sus datos."
)
TYPES_RULE = (
    "Un expediente puede registrar varios tipos y modalidades de violencia; los conteos por "
    "tipo no suman el total de expedientes."
)
ZONES_SOURCE = (
    "Catálogo de zonas y población femenina: INEGI, Censo de Población y Vivienda 2020, "
    "localidades del municipio de Cortazar, Guanajuato."
)
CASES_SOURCE = "Registro administrativo de expedientes del sistema Violeta."
CONFIDENTIAL_MARK = "confidencial"


def suppressed_mark(k: int) -> str:
    return f"<{k}"


def suppression_rule(k: int) -> str:
    return (
        f"Supresión primaria con umbral k = {k}: toda celda (incluidos los totales) con 1 a "
        f"{k - 1} casos se publica como suprimida («{suppressed_mark(k)}»), nunca como cero ni "
        "con su valor."
    )


def complementary_rule(k: int) -> str:
    return (
        "Supresión complementaria: para que ninguna celda suprimida pueda deducirse restando "
        "las publicadas de sus totales, se suprimen además otras celdas (marcadas "
        f"«{CONFIDENTIAL_MARK}»), elegidas con mínima pérdida de información por programación "
        "lineal entera (método óptimo de Fischetti y Salazar, como el de τ-ARGUS, resuelto con "
        "HiGHS). Una celda con 0 también puede ocultarse, con cualquiera de las dos marcas, "
        f"para proteger a otra: «{suppressed_mark(k)}» quiere decir de 0 a {k - 1}, y "
        f"«{CONFIDENTIAL_MARK}», 0 o {k} o más. Las tablas que comparten totales (por ejemplo, "
        "por zona y por tipo de violencia) se protegen juntas."
    )


def audit_rule(k: int) -> str:
    return (
        "Auditoría: antes de publicar, para cada celda suprimida se calcula por programación "
        "lineal el intervalo de valores compatible con todas las celdas publicadas y todas las "
        "relaciones entre ellas (totales de fila, de columna y generales, celdas compartidas "
        "entre tablas, la regla de que un expediente con varios tipos de violencia cuenta en "
        "cada uno, y lo que dice cada marca); el de toda celda con 1 a "
        f"{k - 1} casos debe ir al menos de 1 a {k - 1}. También se audita junto con "
        "publicaciones anteriores: la inmediata anterior; para cada celda que esta suprimió, "
        "la última que la publicó, de modo que la auditoría conoce lo último que se publicó de "
        "cada celda; y toda publicación tras la cual una celda que ella publicó, o que esta "
        f"puede publicar (con {k} o más casos), tiene hoy de 1 a {k - 1} casos (lo que da "
        "restar su valor de entonces). De cada una entran sus "
        "tablas (lo publicado, las marcas), sus expedientes "
        "por zona y mes (no publicados, que suman sus años por zona y sus meses) y sus zonas "
        "prioritarias (los conteos de 12 meses publicados y, cuando dicen algo, las marcas "
        f"«<{k}» y «confidencial»). Se supone que quien las compara acierta, celda por celda, "
        "si entre cada una y esta su conteo solo bajó (consentimientos retirados), solo subió "
        "(expedientes tardíos) o no cambió, aunque unos hayan bajado y otros subido; si con "
        "esa suposición ningún patrón de supresión protege a todas las celdas, se usa la "
        "siguiente que sea cierta (todas bajaron, o todas subieron), y el informe de la "
        "publicación dice cuál. En una celda que abarca también meses posteriores a una "
        "publicación anterior (el año en curso, el total de una zona), la parte de esos "
        "meses —lo que da restar su valor anterior— cuenta como una celda más, y también la "
        "de los meses entre dos publicaciones anteriores: "
        f"si tiene de 1 a {k - 1} casos, también debe ir de 1 a {k - 1}. Así, una celda "
        "suprimida en una publicación puede publicarse de nuevo en otra cuando la auditoría "
        "con todas ellas lo permite. "
        "Una publicación que no pasa la auditoría no se publica."
    )


def notes(k: int) -> list[str]:
    return [suppression_rule(k), complementary_rule(k), audit_rule(k), TYPES_RULE]


def now() -> datetime:
    return datetime.now(ZoneInfo(TIME_ZONE))


def full_date_time(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M:%S") + " (hora del centro de México)"


def date_of(iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(TIME_ZONE))
    return moment.strftime("%d/%m/%Y")
