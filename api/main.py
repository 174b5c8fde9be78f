"""The public statistics API: read-only, aggregates only, no key material in the process."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from slowapi import Limiter
from slowapi.util import get_remote_address

from api import errors, texts
from api.dependencies import make_reader
from api.routers import metadata, stats
from api.security import ReadOnlySecurityMiddleware
from api.settings import ApiSettings

DESCRIPTION = (
    "API pública de solo lectura con estadísticas agregadas de la atención a mujeres en "
    "situación de violencia en Cortazar, Guanajuato (transparencia proactiva). No expone datos "
    "personales: toda cifra pasa por control de divulgación (supresión de celdas pequeñas). "
    "Consulte /v1/metadata para la metodología, el umbral y las notas."
)


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    app = FastAPI(
        title=texts.TITLE,
        description=DESCRIPTION,
        version="1",
        openapi_url="/v1/openapi.json",
        # The interactive pages load scripts from a third-party CDN, which the CSP forbids
        # and which would leak visitors' addresses; the schema itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "estadísticas", "description": "Conteos con control de divulgación."},
            {"name": "metadatos", "description": "Metodología, umbral y fuentes."},
        ],
    )
    app.state.settings = settings
    app.state.reader = make_reader(settings)
    errors.install(app)
    version = APIRouter(prefix="/v1", dependencies=[Depends(_rate_limit(settings.api_limite))])
    version.include_router(stats.router)
    version.include_router(metadata.router)
    app.include_router(version)
    app.add_middleware(ReadOnlySecurityMiddleware)
    return app


def _rate_limit(limit: str) -> Callable[[Request], None]:
    # slowapi's middleware finds no route under FastAPI's included routers and would limit
    # nothing, so the limit runs as a dependency of every /v1 route. One limiter per app, in
    # memory: each process counts its own clients; one shared bucket per client address.
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")

    def rate_limit(request: Request) -> None:
        """Counts the request; slowapi raises ``RateLimitExceeded`` past the limit."""

    limited: Callable[[Request], None] = limiter.shared_limit(limit, scope="v1")(rate_limit)
    return limited


def serve(settings: ApiSettings, host: str, port: int) -> None:
    uvicorn.run(create_app(settings), host=host, port=port, server_header=False)
