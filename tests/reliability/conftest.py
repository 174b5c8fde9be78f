"""The reliability suite runs on both backends, with the integration suite's fixtures."""

from tests.integration.conftest import (  # noqa: F401 - fixtures
    coordinator,
    institute,
    institute_and_coordinator,
    settings,
)
