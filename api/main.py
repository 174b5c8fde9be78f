"""The public statistics API: read-only, aggregates only, no key material in the process."""

from __future__ import annotations

import uvicorn
from fastapi import APIRouter, FastAPI
from slowapi import Limiter
from slowapi.middleware import SlowAPIASGIMiddleware
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
    # Per app, in memory: each process counts its own clients; the limit is per client address.
    app.state.limiter = Limiter(
        key_func=get_remote_address,
        application_limits=[settings.api_limite],
        storage_uri="memory://",
    )
    errors.install(app)
    version = APIRouter(prefix="/v1")
    version.include_router(stats.router)
    version.include_router(metadata.router)
    app.include_router(version)
    app.add_middleware(SlowAPIASGIMiddleware)
    app.add_middleware(ReadOnlySecurityMiddleware)
    return app


def serve(settings: ApiSettings, host: str, port: int) -> None:
    uvicorn.run(create_app(settings), host=host, port=port, server_header=False)
