"""Disclosure control as a pure function: what may leave the process for the public."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.statistics import (
    FINEST,
    CaseCell,
    Month,
    Suppression,
    check_group_by,
    publish,
    suppress,
)

ZONES = ("110110001", "110110054", "110110006", "110110022")
MONTHS = ("2023-12", "2024-01", "2024-02", "2024-03")
GROUPINGS = (("zone",), ("month",), ("zone", "month"))

thresholds = st.integers(min_value=3, max_value=15)
groupings = st.sampled_from(GROUPINGS)
# As the projector writes them: one row per zone×month, at least one case each.
finest_tables = st.dictionaries(
    st.tuples(st.sampled_from(ZONES), st.sampled_from(MONTHS)),
    st.integers(min_value=1, max_value=40),
    max_size=len(ZONES) * len(MONTHS),
).map(lambda table: [CaseCell(zone, month, n) for (zone, month), n in table.items()])


def _key(cell: CaseCell, group_by: tuple[str, ...]) -> tuple[str | None, str | None]:
    return (
        cell.zone if "zone" in group_by else None,
        cell.month if "month" in group_by else None,
    )


@given(finest_tables, groupings, thresholds)
def test_no_published_value_is_below_k(
    finest: list[CaseCell], group_by: tuple[str, ...], k: int
) -> None:
    for cell in publish(finest, group_by, k):
        assert cell.cases is None or cell.cases >= k


@given(finest_tables, groupings, thresholds)
def test_suppressed_cells_never_carry_their_value(
    finest: list[CaseCell], group_by: tuple[str, ...], k: int
) -> None:
    for cell in publish(finest, group_by, k):
        assert (cell.cases is None) == cell.suppressed


@given(finest_tables, groupings, thresholds)
def test_unsuppressed_values_are_the_exact_sums(
    finest: list[CaseCell], group_by: tuple[str, ...], k: int
) -> None:
    published = publish(finest, group_by, k)
    for cell in published:
        if not cell.suppressed:
            true = sum(c.cases for c in finest if _key(c, group_by) == (cell.zone, cell.month))
            assert cell.cases == true
    assert {(c.zone, c.month) for c in published} == {_key(c, group_by) for c in finest}


@given(finest_tables, thresholds)
def test_zone_month_cells_are_suppressed_exactly_when_between_one_and_k_minus_one(
    finest: list[CaseCell], k: int
) -> None:
    true = {(c.zone, c.month): c.cases for c in finest}
    for cell in publish(finest, FINEST, k):
        small = true[(cell.zone, cell.month)] < k
        assert cell.suppressed == small
        assert cell.suppression == (Suppression.BELOW_THRESHOLD if small else None)


@given(finest_tables, groupings, thresholds)
def test_published_aggregates_add_nothing_to_the_zone_month_table(
    finest: list[CaseCell], group_by: tuple[str, ...], k: int
) -> None:
    # Whatever a coarser table publishes must be computable from the published zone×month
    # table alone; otherwise subtracting would recover a suppressed zone×month cell.
    finest_published = {(c.zone, c.month): c.cases for c in publish(finest, FINEST, k)}
    for cell in publish(finest, group_by, k):
        if cell.suppressed:
            continue
        parts = [
            finest_published[(c.zone, c.month)]
            for c in finest
            if _key(c, group_by) == (cell.zone, cell.month)
        ]
        assert None not in parts
        assert cell.cases == sum(p for p in parts if p is not None)


@given(st.integers(min_value=0, max_value=1000), thresholds)
def test_suppress_hides_counts_from_one_to_k_minus_one_and_keeps_the_rest(
    cases: int, k: int
) -> None:
    assert suppress(cases, k) == (None if 0 < cases < k else cases)


@given(st.integers(max_value=2), st.integers(min_value=0, max_value=100))
def test_a_threshold_below_three_is_rejected(k: int, cases: int) -> None:
    with pytest.raises(ValueError, match="al menos 3"):
        suppress(cases, k)
    with pytest.raises(ValueError, match="al menos 3"):
        publish([CaseCell("110110001", "2024-01", cases)], FINEST, k)


def test_a_zone_total_hiding_a_small_month_is_confidential_not_below_k() -> None:
    finest = [CaseCell("110110054", "2024-01", 2), CaseCell("110110054", "2024-02", 40)]

    (total,) = publish(finest, ("zone",), 5)

    assert total.cases is None
    assert total.suppression is Suppression.PROTECTS_SUPPRESSED


def test_a_negative_count_is_an_error_not_a_publication() -> None:
    with pytest.raises(ValueError, match="negativo"):
        suppress(-1, 5)


def test_publish_refuses_cells_that_are_not_zone_by_month() -> None:
    with pytest.raises(ValueError, match="zona y mes"):
        publish([CaseCell("110110001", None, 9)], ("zone",), 5)


@pytest.mark.parametrize(
    ("requested", "canonical"),
    [(["month", "zone"], ("zone", "month")), (["zone"], ("zone",)), ([], ())],
)
def test_grouping_is_put_in_canonical_order(
    requested: list[str], canonical: tuple[str, ...]
) -> None:
    assert check_group_by(requested) == canonical


@pytest.mark.parametrize(
    ("requested", "message"),
    [(["zona"], "desconocida"), (["zone", "zone"], "repite"), (["name"], "desconocida")],
)
def test_unknown_or_repeated_grouping_is_rejected(requested: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_group_by(requested)


@pytest.mark.parametrize(
    "text", ["2024-1", "2024-13", "2024-00", "0000-01", "24-01", "2024-01-01", "２０２４-01", ""]
)
def test_month_rejects_anything_but_a_real_yyyy_mm(text: str) -> None:
    with pytest.raises(ValueError, match="Mes inválido"):
        Month.parse(text)


def test_months_parse_print_and_order_as_calendar_months() -> None:
    assert str(Month.parse("2024-03")) == "2024-03"
    assert Month.parse("2023-12") < Month.parse("2024-01")
