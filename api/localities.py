"""Coordinates of Cortazar's localities (INEGI, Censo de Población y Vivienda 2020), for the map
of the report page when the zone catalogue of a release carries none.

The same rows as ``violeta/data/cortazar_localidades_inegi2020.csv`` (cvegeo: latitude,
longitude); the API may not import the application package, and a test keeps both equal.
Public data about places.
"""

from __future__ import annotations

COORDINATES: dict[str, tuple[float, float]] = {
    "110110001": (20.483506, -100.963729),  # Cortazar
    "110110054": (20.46135, -101.03994),  # Tierra Fría
    "110110006": (20.374514, -100.947995),  # Cañada de Caracheo
    "110110022": (20.419322, -100.96041),  # El Huizache
    "110110019": (20.393778, -100.881495),  # La Gavia
    "110110007": (20.398097, -100.968177),  # Caracheo
    "110110029": (20.493965, -100.883399),  # Merino
    "110110050": (20.494339, -100.888808),  # Santa Fe de la Purísima
    "110110035": (20.456656, -101.007531),  # Parra
}
