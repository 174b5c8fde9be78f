"""domain/cases is a package by area; what it stores is named as when it was one module."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

import domain.cases
from domain.cases import Case, FolioSequence


def _events(aggregate: type) -> list[type]:
    return [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type)
        and issubclass(value, Aggregate.Event)
        and value.__name__ != "Event"
    ]


def test_every_stored_topic_is_that_of_the_single_module() -> None:
    for aggregate in (Case, FolioSequence):
        events = _events(aggregate)
        assert len(events) > 2
        for kind in (aggregate, *events):
            topic = get_topic(kind)
            assert topic.startswith("domain.cases:"), topic
            assert resolve_topic(topic) is kind


def test_a_topic_written_before_the_split_resolves() -> None:
    assert resolve_topic("domain.cases:Case.Opened") is Case.Opened
    assert resolve_topic("domain.cases:FolioSequence.Issued") is FolioSequence.Issued


def test_the_package_re_exports_every_public_name() -> None:
    for name in domain.cases.__all__:
        assert getattr(domain.cases, name) is not None
    assert {"Case", "FolioSequence", "Referral", "parse_category"} <= set(domain.cases.__all__)
