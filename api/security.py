"""Read-only method guard and secure headers, outermost so every answer carries them."""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_ALLOW = ", ".join(ALLOWED_METHODS)


class ReadOnlySecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        started = False

        async def send_secure(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            elif message["type"] == "http.response.body" and method == "HEAD":
                message = {**message, "body": b""}
            await send(message)

        if method == "OPTIONS":
            await _answer(send_secure, 204, b"")
        elif method not in ALLOWED_METHODS:
            await _answer(
                send_secure,
                405,
                _detail("Método no permitido: esta API es de solo lectura (GET, HEAD, OPTIONS)."),
            )
        else:
            # HEAD is served as GET with the body dropped, so routes and OpenAPI stay GET-only.
            inner = {**scope, "method": "GET"} if method == "HEAD" else scope
            try:
                await self.app(inner, receive, send_secure)
            except Exception:
                # Starlette's own error page sits outside this middleware and is in English.
                if not started:
                    await _answer(send_secure, 500, _detail("Error interno del servidor."))
                raise


def _detail(message: str) -> bytes:
    return json.dumps({"detalle": message}, ensure_ascii=False).encode()


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"allow", _ALLOW.encode())]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
