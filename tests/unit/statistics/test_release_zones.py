"""Priority zones inside a release: computed from its own counts, with every published 12-month
count in the release's LP audit, so that no rate lets anyone deduce a small count."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.releases import ReleaseStore, publish_due
from projections.statistics import SQLiteReader
from tests.support.release_views import months_between, rate_cases, write_case_counts

ZONES = [
    ("110110001", "Cortazar"),
    ("110110054", "Tierra Fría"),
    ("110110022", "El Huizache"),
    ("110110006", "Cañada de Caracheo"),
]


def _release(path: Path, cases: dict[tuple[str, str], int], day: date, k: int = 5) -> Any:
    write_case_counts(path, cases, ZONES)
    release = publish_due(SQLiteReader(path), ReleaseStore(path=path), day, k=k)
    assert release is not None
    return release


def _zones(release: Any) -> dict[str, dict[str, Any]]:
    return {zone["zona"]: zone for zone in release.body["zonas_prioritarias"]["zonas"]}


def _count(cases: dict[tuple[str, str], int], zone: str, months: list[str]) -> int:
    return sum(cases.get((month, zone), 0) for month in months)


# The release of 01/12/2026 ends in 2026-10; its 12 months are 2025-11 to 2026-10.
DAY = date(2026, 12, 1)
WINDOW = months_between("2025-11", "2026-10")


def _derivable_store() -> dict[tuple[str, str], int]:
    cases: dict[tuple[str, str], int] = {}
    for month in months_between("2025-01", "2026-10"):
        cases[(month, "110110001")] = 10
    for month in months_between("2025-01", "2025-10"):
        cases[(month, "110110054")] = 3
        cases[(month, "110110022")] = 1
        cases[(month, "110110006")] = 2
    cases[("2025-11", "110110054")] = 2  # Tierra Fría: 2 cases in Nov-Dec 2025
    for month in months_between("2026-01", "2026-10"):
        cases[(month, "110110054")] = 1
        cases[(month, "110110006")] = 1
    cases[("2026-03", "110110022")] = 6  # El Huizache: nothing in Nov-Dec 2025
    return cases


def test_the_ranking_is_computed_inside_the_release_over_its_last_twelve_months(
    tmp_path: Path,
) -> None:
    release = _release(tmp_path / "vistas.sqlite", _derivable_store(), DAY)
    ranking = release.body["zonas_prioritarias"]
    assert (ranking["desde"], ranking["hasta"]) == ("2025-11", "2026-10")
    assert ranking["hasta"] == release.period_to
    zones = _zones(release)
    assert {z["banda"] for z in zones.values()} <= {"alta", "media", "baja"}
    # Cañada: 10 cases in 2026-01..2026-10 and none in Nov-Dec 2025.
    assert rate_cases(zones["110110006"]) == 10


def test_a_rate_that_would_reveal_a_small_part_of_a_year_is_not_published(
    tmp_path: Path,
) -> None:
    cases = _derivable_store()
    release = _release(tmp_path / "vistas.sqlite", cases, DAY)
    zones = _zones(release)
    cells = {
        (c["dimensiones"]["zona"], c["dimensiones"]["anio"]): c["valor"]
        for c in release.body["tablas"]["expedientes/por_zona_y_anio"]["celdas"]
    }
    # Tierra Fría has 12 cases in the 12 months and its 2026 (10) is published: its rate
    # would give 12 - 10 = 2 cases in Nov-Dec 2025, a count below k. Only its band shows.
    assert cells[("110110054", "2026")] == 10
    tierra = zones["110110054"]
    assert tierra["tasa"] is None and tierra["intervalo_superior"] is None
    assert tierra["marca"] == "confidencial"
    assert tierra["banda"] in ("alta", "media", "baja")
    # Cortazar's rate would give its own Nov-Dec 2025 (120 - 100 = 20), and the month totals
    # of Nov and Dec 2025 (22) then leave 2 for the other zones: Tierra Fría's part again.
    assert zones["110110001"]["tasa"] is None
    # El Huizache's 6 cases all fall in 2026: the rate reveals nothing new; it is published.
    assert rate_cases(zones["110110022"]) == 6
    # Cañada: 10 cases in the 12 months, all in 2026; the rate is published.
    assert rate_cases(zones["110110006"]) == 10


def test_a_zone_with_fewer_than_k_cases_shows_its_band_and_the_mark_only(tmp_path: Path) -> None:
    cases = _derivable_store()
    for month in WINDOW:
        cases.pop((month, "110110006"), None)
    cases[("2026-05", "110110006")] = 3
    release = _release(tmp_path / "vistas.sqlite", cases, DAY)
    canada = _zones(release)["110110006"]
    assert canada["marca"] == "<5"
    assert canada["tasa"] is None and canada["tendencia"] is None
    assert canada["banda"] in ("alta", "media", "baja")
    assert "3" not in {str(v) for v in canada.values()}


spread_counts = st.dictionaries(
    st.tuples(
        st.sampled_from(months_between("2025-01", "2026-06")),
        st.sampled_from([c for c, _ in ZONES]),
    ),
    st.integers(0, 9),
    min_size=1,
    max_size=40,
)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(spread_counts, st.integers(3, 6))
def test_no_published_rate_of_a_random_store_stands_for_or_reveals_a_small_count(
    tmp_path_factory: pytest.TempPathFactory, cases: dict[tuple[str, str], int], k: int
) -> None:
    path = tmp_path_factory.mktemp("zones") / "vistas.sqlite"
    # The release of 01/08/2026 ends in 2026-06: 12 months from 2025-07, across two years.
    release = _release(path, cases, date(2026, 8, 1), k=k)
    window = months_between("2025-07", "2026-06")
    published = {
        (c["dimensiones"]["zona"], c["dimensiones"]["anio"]): c["valor"]
        for c in release.body["tablas"]["expedientes/por_zona_y_anio"]["celdas"]
    }
    for code, zone in _zones(release).items():
        count = _count(cases, code, window)
        if zone["tasa"] is None:
            assert zone["marca"] in (f"<{k}", "confidencial")
            assert zone["marca"] != f"<{k}" or count < k
            continue
        assert zone["marca"] is None
        assert rate_cases(zone) == count >= k
        # Independent check of the plainest attack: the rate's count minus the published 2026
        # cell (all of it inside the 12 months) is the zone's Jul-Dec 2025.
        if published.get((code, "2026")) is not None:
            part = _count(cases, code, [m for m in window if m[:4] == "2025"])
            assert part == 0 or part >= k, (code, part)


def test_the_zone_catalogue_gives_the_denominator_and_the_coordinates_and_merges_drop_out(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _derivable_store()
    cases[("2025-11", "110110054")] = 5  # no small part of a year in the 12 months
    write_case_counts(path, cases, ZONES)
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO zone_details VALUES (?, '110110001', ?, ?, ?, ?, 1)",
        [
            ("110110001", 2400, 20.483506, -100.963729, ""),
            ("110110006", None, None, None, "110110001"),  # merged into Cortazar
        ],
    )
    connection.commit()
    connection.close()
    release = publish_due(SQLiteReader(path), ReleaseStore(path=path), DAY)
    assert release is not None
    zones = _zones(release)
    assert "110110006" not in zones
    cortazar = zones["110110001"]
    assert cortazar["fuente_poblacion"] == "mujeres_18_60"
    assert (cortazar["latitud"], cortazar["longitud"]) == (20.483506, -100.963729)
    assert round(cortazar["tasa"] * 2400 / 1000) == 120
    assert zones["110110054"]["fuente_poblacion"] == "inegi_2020_x_0.57"


def test_subtracting_the_previous_releases_window_cannot_reveal_a_small_month(
    tmp_path: Path,
) -> None:
    cases: dict[tuple[str, str], int] = {}
    for month in months_between("2025-01", "2026-10"):
        cases[(month, "110110001")] = 10
    for month in months_between("2025-01", "2025-09"):
        cases[(month, "110110054")] = 3
    cases[("2025-10", "110110054")] = 2
    cases[("2025-11", "110110054")] = 3
    cases[("2025-12", "110110054")] = 3
    for month in months_between("2026-01", "2026-09"):
        cases[(month, "110110054")] = 1
    path = tmp_path / "vistas.sqlite"
    write_case_counts(path, cases, ZONES)
    first = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 11, 1))
    assert first is not None
    # Release 1 (window 2025-10..2026-09): 17 cases, its parts 8 and 9: published.
    assert rate_cases(_zones(first)["110110054"]) == 17
    second = publish_due(SQLiteReader(path), ReleaseStore(path=path), DAY)
    assert second is not None
    # Release 2 (2025-11..2026-10) would give 15: 17 - 15 = Oct 2025 - Oct 2026 = 2, so
    # «at least 2 women of Tierra Fría in October 2025». Its rate is withheld.
    tierra = _zones(second)["110110054"]
    assert tierra["tasa"] is None
    assert tierra["marca"] == "confidencial"
    # With two zones the month totals tie them: Cortazar's two windows would give its
    # Oct 2025 - Oct 2026, hence Tierra Fría's (2) through the month totals. Withheld too.
    assert _zones(second)["110110001"]["tasa"] is None
