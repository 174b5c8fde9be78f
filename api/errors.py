"""Every error a citizen can meet, answered in Spanish."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from slowapi.errors import RateLimitExceeded
from starlette.exceptions import HTTPException as StarletteHTTPException

from projections.statistics import StoreUnavailable

_STATUS_MESSAGES = {
    404: "Recurso no encontrado.",
    405: "Método no permitido: esta API es de solo lectura (GET, HEAD, OPTIONS).",
}
_UNITS = {
    "second": ("segundo", "segundos"),
    "minute": ("minuto", "minutos"),
    "hour": ("hora", "horas"),
    "day": ("día", "días"),
    "month": ("mes", "meses"),
    "year": ("año", "años"),
}


class InvalidQuery(Exception):
    """A query parameter the caller must correct; the message is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _spanish_validation(error: dict[str, Any]) -> str:
    name = error["loc"][-1]
    if error["type"] == "missing":
        return f"Falta el parámetro «{name}»."
    if error["type"] == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " o ")
        return f"Valor no permitido para «{name}»: use {expected}."
    return f"Valor inválido para «{name}»."


def _per_window(limit: Any) -> str:
    singular, plural = _UNITS.get(limit.GRANULARITY.name, (limit.GRANULARITY.name,) * 2)
    window = singular if limit.multiples == 1 else f"{limit.multiples} {plural}"
    return f"{limit.amount} solicitudes por {window}"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detalle": message}, status_code=status, headers=headers)


async def _invalid_query(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidQuery)  # noqa: S101 - registered for this class only
    return _error(422, exc.message)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    return _error(422, " ".join(_spanish_validation(error) for error in exc.errors()))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    message = _STATUS_MESSAGES.get(exc.status_code, f"Error {exc.status_code}.")
    return _error(exc.status_code, message, dict(exc.headers or {}))


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitExceeded)  # noqa: S101
    limit = exc.limit.limit if exc.limit is not None else None
    allowed = f" el límite es de {_per_window(limit)} por dirección." if limit else ""
    return _error(
        429,
        f"Demasiadas solicitudes:{allowed} Intente de nuevo más tarde.",
        {"Retry-After": str(limit.get_expiry() if limit else 60)},
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return _error(
        503,
        "El almacén de estadísticas no está disponible en este momento. Intente más tarde.",
        {"Retry-After": "30"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(InvalidQuery, _invalid_query)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RateLimitExceeded, _rate_limited)
    app.add_exception_handler(StoreUnavailable, _unavailable)
