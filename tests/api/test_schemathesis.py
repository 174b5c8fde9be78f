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
from tests.api.conftest import publish, write_views


def _app() -> FastAPI:
    data = Path(tempfile.mkdtemp(prefix="violeta-schemathesis-"))
    write_views(data / "vistas.sqlite")
    publish(data / "vistas.sqlite")
    return create_app(ApiSettings(data=data, api_limite="100000/minute"))


schema = schemathesis.openapi.from_asgi("/v1/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_schema(case: schemathesis.Case) -> None:
    # A filter on a dimension the chosen table lacks, or a release number that does not exist,
    # is a 4xx the schema cannot express (a relation between fields, or with the data).
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
