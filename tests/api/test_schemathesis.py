"""Property-based conformance of the API to its own OpenAPI schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.main import create_app
from api.settings import ApiSettings
from tests.api.conftest import write_views


def _app() -> FastAPI:
    data = Path(tempfile.mkdtemp(prefix="violeta-schemathesis-"))
    write_views(data / "vistas.sqlite")
    return create_app(ApiSettings(data=data, umbral_k=5, api_limite="100000/minute"))


schema = schemathesis.openapi.from_asgi("/v1/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_schema(case: schemathesis.Case) -> None:
    # desde after hasta is a 422 the schema cannot express (a relation between two fields).
    excluded = [positive_data_acceptance] if _reversed_period(case) else []
    case.call_and_validate(excluded_checks=excluded)


def _reversed_period(case: schemathesis.Case) -> bool:
    query = case.query or {}
    since, until = query.get("desde"), query.get("hasta")
    return isinstance(since, str) and isinstance(until, str) and since > until
