"""CSV as the statistical tables publish it: UTF-8 with a BOM (Excel reads the accents), comment
lines that say what the table is and which frozen release it comes from, and no cell that a
spreadsheet would run as a formula; and what a route answering JSON or CSV documents."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from api import texts
from api.models import Error
from api.routers.metadata import publication

# A spreadsheet would run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    404: {"model": Error, "description": "No hay publicación con ese número o aún ninguna."},
    422: {"model": Error, "description": "Parámetros inválidos; el mensaje nombra el campo."},
    429: {"model": Error, "description": "Demasiadas solicitudes desde la misma dirección."},
    503: {"model": Error, "description": "El almacén de estadísticas no está disponible."},
}


def spreadsheet_text(value: str) -> str:
    """The text as a spreadsheet shows it and never runs it (a leading quote)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def release_csv(
    body: dict[str, Any],
    title: str,
    about: Sequence[str],
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
) -> bytes:
    """The CSV file: its comment lines (the institute, ``title``, the release ``body`` it
    comes from, ``about``: its method and notes, and the source of the zones), then ``header``
    and ``rows``."""
    out = io.StringIO()
    out.write("\ufeff")
    release = publication(body)
    lines = [
        texts.TITLE,
        texts.INSTITUTION,
        f"Tabla: {title}.",
        f"Publicación {release.numero} del {release.publicada}, periodo {release.periodo.desde} "
        f"a {release.periodo.hasta} (meses cerrados); método {release.metodo}.",
        *about,
        texts.ZONES_SOURCE,
    ]
    for comment in lines:
        out.write(f"# {comment}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
