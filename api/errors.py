"""Every error a citizen can meet, answered in Spanish, never echoing more than a short prefix."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from projections.statistics import StoreUnavailable

ECHO = 24  # characters of a caller's input that a message may quote
_STATUS_MESSAGES = {
    404: "Recurso no encontrado.",
    405: "Método no permitido: esta API es de solo lectura (GET, HEAD).",
}


def quote(text: object) -> str:
    """A short prefix of the caller's input, safe to put in a message."""
    value = str(text)
    return value if len(value) <= ECHO else value[:ECHO] + "…"


class InvalidQuery(Exception):
    """A query parameter the caller must correct; the message is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _spanish_validation(error: dict[str, Any]) -> str:
    name = quote(error["loc"][-1])
    kind = error["type"]
    if kind == "missing":
        return f"Falta el parámetro «{name}»."
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " o ")
        return f"Valor no permitido para «{name}»: use {expected[:200]}."
    if kind.startswith("int"):
        return f"«{name}» debe ser un número entero positivo."
    if kind == "string_pattern_mismatch":
        return f"Formato inválido para «{name}»."
    if kind == "string_too_long":
        return f"Valor demasiado largo para «{name}»."
    return f"Valor inválido para «{name}»."


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detalle": message}, status_code=status, headers=headers)


async def _invalid_query(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidQuery)  # noqa: S101 - registered for this class only
    return _error(422, exc.message)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)  # noqa: S101
    return _error(404, exc.message)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    messages = list(dict.fromkeys(_spanish_validation(error) for error in exc.errors()))
    return _error(422, " ".join(messages[:5]))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    message = _STATUS_MESSAGES.get(exc.status_code, f"Error {exc.status_code}.")
    return _error(exc.status_code, message, dict(exc.headers or {}))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return _error(
        503,
        "El almacén de estadísticas no está disponible en este momento. Intente más tarde.",
        {"Retry-After": "30"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(InvalidQuery, _invalid_query)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(StoreUnavailable, _unavailable)
