"""The public statistics API: read-only, frozen releases only, no key material in the process."""

from __future__ import annotations

import uvicorn
from fastapi import APIRouter, FastAPI

from api import errors, texts
from api.dependencies import Releases, make_reader
from api.routers import metadata, report, tables, zones
from api.security import ReadOnlySecurityMiddleware
from api.settings import ApiSettings

DESCRIPTION = (
    "API pública de solo lectura con estadísticas agregadas de la atención a mujeres en "
    "situación de violencia en Cortazar, Guanajuato (transparencia proactiva). Publica "
    "publicaciones periódicas congeladas de meses cerrados, con un catálogo fijo de tablas con "
    "sus totales; no expone datos personales: toda cifra pasa por supresión primaria y "
    "complementaria y por una auditoría. Consulte /v1/metadatos para la metodología."
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
            {"name": "estadísticas", "description": "Tablas con control de divulgación."},
            {"name": "metadatos", "description": "Metodología, publicaciones y estado."},
        ],
    )
    app.state.settings = settings
    app.state.releases = Releases(make_reader(settings))
    errors.install(app)
    version = APIRouter(prefix="/v1")
    version.include_router(tables.router)
    version.include_router(zones.router)
    version.include_router(metadata.router)
    app.include_router(version)
    app.include_router(report.router)
    app.add_middleware(ReadOnlySecurityMiddleware, limit=settings.api_limite)
    return app


def serve(settings: ApiSettings, host: str, port: int) -> None:
    proxies = settings.api_proxies.strip()
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        server_header=False,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default; here only from the
        # proxies the operator names.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or "",
    )
