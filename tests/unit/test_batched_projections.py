"""Whether a projection is batched (projections/runner.py ``BatchedProjection``) is asked once
per kind of projection, and answers as the runtime Protocol does."""

from __future__ import annotations

from typing import Any

from projections import runner
from projections.runner import BatchedProjection, _batched
from projections.views import CaseRecordProjection


class NoIndexer:
    def client_tokens(self, *_: Any) -> set[str] | None:
        return None

    def field_tokens(self, *_: Any) -> set[str] | None:
        return None


def test_the_case_views_are_not_batched_and_their_rebuild_is() -> None:
    views = CaseRecordProjection(NoIndexer())
    rebuild = views.for_rebuild()

    assert _batched(views) is None
    assert _batched(rebuild) is rebuild
    assert isinstance(rebuild, BatchedProjection) and not isinstance(views, BatchedProjection)


def test_each_kind_is_asked_once() -> None:
    views = CaseRecordProjection(NoIndexer())
    _batched(views)
    runner._BATCHED_KINDS[CaseRecordProjection] = True  # what the next call will believe

    try:
        assert _batched(CaseRecordProjection(NoIndexer())) is not None
    finally:
        del runner._BATCHED_KINDS[CaseRecordProjection]
