"""Outermost guards: read-only methods, a rate limit on every path, secure headers.

The rate limit runs here, before routing, so it covers every path the server answers, the
OpenAPI document and unknown paths included. It counts the peer address of the connection;
that address comes from ``X-Forwarded-For`` only when the server was told to trust a proxy
(``VIOLETA_API_PROXIES``), never by default.
"""

from __future__ import annotations

import json

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = ("GET", "HEAD")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
# The report page and its charts need their own styles; nothing else is allowed.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
_ALLOW = ", ".join(ALLOWED_METHODS)
_UNITS = {
    "second": ("segundo", "segundos"),
    "minute": ("minuto", "minutos"),
    "hour": ("hora", "horas"),
    "day": ("día", "días"),
    "month": ("mes", "meses"),
    "year": ("año", "años"),
}


def per_window(limit: RateLimitItem) -> str:
    singular, plural = _UNITS.get(limit.GRANULARITY.name, (limit.GRANULARITY.name,) * 2)
    window = singular if limit.multiples == 1 else f"{limit.multiples} {plural}"
    return f"{limit.amount} solicitudes por {window}"


class ReadOnlySecurityMiddleware:
    def __init__(self, app: ASGIApp, limit: str) -> None:
        self.app = app
        self.limit = parse(limit)
        # In memory: each process counts its own clients. A sliding-window counter costs the
        # same per request whatever the limit (a moving window keeps one entry per hit).
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        started = False
        path = scope.get("path", "")

        async def send_secure(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if path == "/" or path.startswith("/informe"):
                    headers["Content-Security-Policy"] = PAGE_POLICY
                    if path.endswith(".svg"):
                        headers["Content-Security-Policy"] = CHART_POLICY
                    headers["Cache-Control"] = "no-cache"
            elif message["type"] == "http.response.body" and method == "HEAD":
                message = {**message, "body": b""}
            await send(message)

        client = scope.get("client")
        address = client[0] if client else "desconocido"
        if not self.limiter.hit(self.limit, address):
            await _answer(
                send_secure,
                429,
                _detail(
                    f"Demasiadas solicitudes: el límite es de {per_window(self.limit)} por "
                    "dirección. Intente de nuevo más tarde."
                ),
                [(b"retry-after", str(self.limit.get_expiry()).encode())],
            )
        elif method not in ALLOWED_METHODS:
            await _answer(
                send_secure,
                405,
                _detail("Método no permitido: esta API es de solo lectura (GET, HEAD)."),
                [(b"allow", _ALLOW.encode())],
            )
        else:
            # HEAD is served as GET with the body dropped, so routes and OpenAPI stay GET-only.
            inner = {**scope, "method": "GET"} if method == "HEAD" else scope
            try:
                await self.app(inner, receive, send_secure)
            except Exception:
                # Starlette's own error page sits outside this middleware and is in English.
                if not started:
                    await _answer(send_secure, 500, _detail("Error interno del servidor."), [])
                raise


def _detail(message: str) -> bytes:
    return json.dumps({"detalle": message}, ensure_ascii=False).encode()


async def _answer(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [
        *extra,
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
