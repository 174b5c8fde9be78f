from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.factories import initialized
from violeta.service import Institute, StaffSession
from violeta.settings import Settings


@pytest.fixture
def settings(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "sqlite":
        return Settings(data=data_dir, backend="sqlite")
    target = request.getfixturevalue("postgres_target")
    return Settings(
        data=data_dir, backend="postgres", postgres=target.conninfo, postgres_schema=target.schema
    )


@pytest.fixture
def institute_and_coordinator(settings: Settings) -> Iterator[tuple[Institute, StaffSession]]:
    with initialized(settings) as pair:
        yield pair


@pytest.fixture
def institute(institute_and_coordinator: tuple[Institute, StaffSession]) -> Institute:
    return institute_and_coordinator[0]


@pytest.fixture
def coordinator(institute_and_coordinator: tuple[Institute, StaffSession]) -> StaffSession:
    return institute_and_coordinator[1]
