"""A long-lived API process keeps a bounded number of rendered answers, whatever it is asked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api import dependencies

LIMIT = 20
ASKED = 3 * LIMIT


def test_answers_to_countless_filters_are_kept_up_to_the_bound(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dependencies, "RENDERED_LIMIT", LIMIT, raising=False)
    # The list of releases is not read again meanwhile: whatever clearing it might bring
    # cannot be what keeps the process bounded.
    monkeypatch.setattr(dependencies, "REFRESH_SECONDS", 1e9)
    client = make_client()
    first = client.get("/v1/expedientes?tabla=por_zona_y_anio&zona=110110054")
    assert first.status_code == 200, first.text
    # Every zone code is a valid filter, each a request of its own.
    for number in range(ASKED):
        response = client.get(f"/v1/expedientes?tabla=por_zona_y_anio&zona={900000000 + number}")
        assert response.status_code == 200, response.text
        assert response.json()["filas"] == []
    found = client.app.state.releases  # type: ignore[attr-defined]
    assert len(found.rendered) <= LIMIT
    # Let go of, not lost: the first answer is rendered again, the same.
    again = client.get("/v1/expedientes?tabla=por_zona_y_anio&zona=110110054")
    assert again.content == first.content
    assert len(found.rendered) <= LIMIT
