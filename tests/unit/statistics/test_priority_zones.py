"""The priority-zone method on constructed data: small zones cannot top the ranking on one
case, intervals cover, trends are called only beyond noise, and bands follow the posterior."""

from __future__ import annotations

import numpy as np
import pytest

from projections.priority_zones import (
    Band,
    PopulationSource,
    ZoneCounts,
    months_back,
    poisson_interval,
    rank_zones,
    trend,
)

LAST = "2026-10"
CURRENT = months_back(LAST, 12)
PREVIOUS = months_back("2025-10", 12)


def zone(code: str, women: int, cases: int, previous: int = -1, **extra: object) -> ZoneCounts:
    """``cases`` spread over the last 12 months; ``previous`` (default: same) the 12 before."""
    by_month: dict[str, int] = {}
    for i in range(cases):
        by_month[CURRENT[i % 12]] = by_month.get(CURRENT[i % 12], 0) + 1
    for i in range(cases if previous < 0 else previous):
        by_month[PREVIOUS[i % 12]] = by_month.get(PREVIOUS[i % 12], 0) + 1
    return ZoneCounts(code, f"Zona {code}", by_month, women_18_60=women, **extra)  # type: ignore[arg-type]


def municipality(*special: ZoneCounts) -> list[ZoneCounts]:
    """Eight ordinary zones around 5 cases per 1,000 women, plus the special ones."""
    ordinary = [zone(f"Z{i}", 2000 + 300 * i, (2000 + 300 * i) * 5 // 1000) for i in range(8)]
    return [*ordinary, *special]


def by_code(ranking: object) -> dict[str, object]:
    return {z.code: z for z in ranking.zones}  # type: ignore[attr-defined]


def test_a_tiny_zone_with_one_case_does_not_outrank_a_large_zone_with_a_higher_rate() -> None:
    tiny = zone("TINY", 20, 1)  # raw 50 per 1,000
    large = zone("LARGE", 5000, 100)  # raw 20 per 1,000, clearly above the others' 5
    ranking = rank_zones(municipality(tiny, large), LAST)
    zones = by_code(ranking)
    assert zones["TINY"].rate > zones["LARGE"].rate  # type: ignore[attr-defined]
    assert zones["LARGE"].rank == 1  # type: ignore[attr-defined]
    assert zones["TINY"].rank > zones["LARGE"].rank  # type: ignore[attr-defined]
    assert zones["LARGE"].band is Band.HIGH  # type: ignore[attr-defined]
    assert zones["TINY"].band is Band.MEDIUM  # type: ignore[attr-defined]


def test_a_tiny_zone_is_pulled_towards_the_municipal_rate_a_large_one_is_not() -> None:
    ranking = rank_zones(municipality(zone("TINY", 20, 1), zone("LARGE", 5000, 100)), LAST)
    zones = by_code(ranking)
    municipal = ranking.municipal_rate
    assert municipal is not None
    tiny, large = zones["TINY"], zones["LARGE"]
    assert abs(tiny.smoothed_rate - municipal) < abs(tiny.rate - municipal) / 3  # type: ignore[attr-defined]
    assert large.smoothed_rate == pytest.approx(large.rate, rel=0.1)  # type: ignore[attr-defined]


def test_with_no_difference_beyond_noise_no_zone_is_singled_out() -> None:
    zones = [zone(f"Z{i}", 3000, 15) for i in range(6)]
    ranking = rank_zones(zones, LAST)
    assert {z.band for z in ranking.zones} == {Band.MEDIUM}
    assert {z.smoothed_rate for z in ranking.zones} == {ranking.municipal_rate}


def test_a_zone_well_below_the_rest_is_low_priority() -> None:
    ranking = rank_zones(municipality(zone("QUIET", 9000, 2)), LAST)
    assert by_code(ranking)["QUIET"].band is Band.LOW  # type: ignore[attr-defined]
    assert ranking.zones[-1].code == "QUIET"


def test_exact_interval_coverage_by_simulation() -> None:
    """At least 94 % of 95 % intervals cover the true mean, from tiny to large counts."""
    rng = np.random.default_rng(20261201)
    for mean in (0.3, 1.0, 2.5, 7.0, 30.0, 150.0):
        draws = rng.poisson(mean, size=4000)
        intervals = {int(k): poisson_interval(int(k)) for k in set(draws.tolist())}
        covered = sum(intervals[int(k)][0] <= mean <= intervals[int(k)][1] for k in draws)
        assert covered / len(draws) >= 0.94, mean


def test_interval_of_zero_starts_at_zero_and_known_values() -> None:
    assert poisson_interval(0) == (0.0, pytest.approx(3.6889, abs=1e-3))
    low, high = poisson_interval(10)
    assert low == pytest.approx(4.7954, abs=1e-3)
    assert high == pytest.approx(18.3904, abs=1e-3)


def test_trend_is_called_only_beyond_noise() -> None:
    assert not trend(10, 14).significant
    assert trend(10, 14).direction == "estable"
    assert trend(10, 40).significant
    assert trend(10, 40).direction == "sube"
    assert trend(40, 10).direction == "baja"
    assert trend(0, 0).p_value == 1.0


def test_trend_compares_the_last_12_months_with_the_12_before() -> None:
    ranking = rank_zones([zone("A", 4000, 60, previous=20), zone("B", 4000, 20)], LAST)
    zones = by_code(ranking)
    assert (zones["A"].trend.previous, zones["A"].trend.current) == (20, 60)  # type: ignore[attr-defined]
    assert zones["A"].trend.direction == "sube"  # type: ignore[attr-defined]
    assert ranking.first_month == "2025-11"
    assert ranking.last_month == LAST


def test_the_denominator_falls_back_to_census_women_times_the_state_share() -> None:
    loaded = ZoneCounts("L", "L", {}, women_18_60=1000, women_all=5000)
    census = ZoneCounts("C", "C", {}, women_all=1000)
    none = ZoneCounts("N", "N", {LAST: 3})
    zones = by_code(rank_zones([loaded, census, none], LAST))
    assert zones["L"].population == 1000  # type: ignore[attr-defined]
    assert zones["L"].population_source is PopulationSource.LOADED  # type: ignore[attr-defined]
    assert zones["C"].population == pytest.approx(570)  # type: ignore[attr-defined]
    assert zones["C"].population_source is PopulationSource.CENSUS_SHARE  # type: ignore[attr-defined]
    assert zones["N"].rate is None  # type: ignore[attr-defined]
    assert zones["N"].rank is None  # type: ignore[attr-defined]
    assert zones["N"].band is None  # type: ignore[attr-defined]


def test_coordinates_travel_with_each_zone() -> None:
    ranking = rank_zones(
        [ZoneCounts("X", "X", {}, women_all=100, latitude=20.48, longitude=-100.96)], LAST
    )
    assert (ranking.zones[0].latitude, ranking.zones[0].longitude) == (20.48, -100.96)


def test_months_back_crosses_years() -> None:
    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


def test_the_trend_p_value_equals_scipy_s_exact_binomial_test() -> None:
    from scipy import stats

    for previous, current in [(0, 1), (1, 0), (3, 3), (10, 14), (10, 40), (7, 0), (120, 151)]:
        expected = stats.binomtest(current, previous + current, 0.5).pvalue
        assert trend(previous, current).p_value == pytest.approx(expected, rel=1e-9)
