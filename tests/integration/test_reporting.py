"""The figures as the terminal app reads them: count tables by month, quarter or year, and the
priority-zone ranking from the statistics store, on both backends."""

from __future__ import annotations

import pytest

from domain.errors import InvalidField, NotPermitted
from domain.vocabulary import Role
from projections.priority_zones import PopulationSource
from tests.support.factories import CORTAZAR, TIERRA_FRIA, a_client, an_intake, staff
from violeta.service import Institute, StaffSession

NAMES = ["Ana", "Berta", "Carla", "Diana", "Elena", "Fina", "Gema", "Hilda", "Irma", "Julia"]


def open_cases(coordinator: StaffSession, cases: list[tuple[str, str]]) -> None:
    """(zone, dd/mm/aaaa) per case, each for a different woman."""
    for index, (zone, day) in enumerate(cases):
        client_id = coordinator.register_client(
            a_client(f"{NAMES[index]} Prueba Sintética", zone=zone, registered_on=day),
            confirm_not_duplicate=True,
        )
        coordinator.open_case(client_id, an_intake(opened_on=day))


def test_a_table_by_month_quarter_and_year(coordinator: StaffSession) -> None:
    open_cases(
        coordinator,
        [(CORTAZAR, "10/01/2026"), (CORTAZAR, "10/02/2026"), (TIERRA_FRIA, "10/05/2026")],
    )
    monthly = coordinator.statistics_table("stats_cases")
    assert monthly.columns == ("Periodo", "Zona", "Expedientes")
    assert monthly.rows == (
        (("2026-01", "Cortazar"), 1),
        (("2026-02", "Cortazar"), 1),
        (("2026-05", "Tierra Fría"), 1),
    )
    quarterly = coordinator.statistics_table("stats_cases", period="trimestre")
    assert quarterly.rows == ((("2026-T1", "Cortazar"), 2), (("2026-T2", "Tierra Fría"), 1))
    yearly = coordinator.statistics_table("stats_cases", period="año", since="2026-02")
    assert yearly.rows == ((("2026", "Cortazar"), 1), (("2026", "Tierra Fría"), 1))
    assert yearly.total == 2


def test_a_table_that_can_double_count_says_so(coordinator: StaffSession) -> None:
    open_cases(coordinator, [(CORTAZAR, "10/01/2026")])
    table = coordinator.statistics_table("stats_cases_violence")
    assert table.total == 2  # the intake has two types of violence
    assert any("varias filas" in note for note in table.notes)
    assert all("varias filas" not in n for n in coordinator.statistics_table("stats_cases").notes)


def test_bad_table_requests_are_refused_in_spanish(
    institute: Institute, coordinator: StaffSession
) -> None:
    with pytest.raises(InvalidField, match="Tabla"):
        coordinator.statistics_table("clients_view")
    with pytest.raises(InvalidField, match="Periodo"):
        coordinator.statistics_table("stats_cases", period="semana")
    with pytest.raises(InvalidField, match="Desde"):
        coordinator.statistics_table("stats_cases", since="2026-13")
    with pytest.raises(InvalidField, match="Desde"):
        coordinator.statistics_table("stats_cases", since="2026-05", until="2026-01")
    with pytest.raises(InvalidField, match="Hasta"):
        coordinator.priority_zones("mayo")
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    with pytest.raises(NotPermitted):
        lawyer.statistics_table("stats_cases")
    with pytest.raises(NotPermitted):
        lawyer.priority_zones()


def test_priority_zones_from_the_store(coordinator: StaffSession) -> None:
    open_cases(
        coordinator,
        [(TIERRA_FRIA, f"{day:02d}/0{month}/2026") for month in (3, 6, 9) for day in (2, 9, 16)]
        + [(CORTAZAR, "05/07/2026")],
    )
    ranking = coordinator.priority_zones("2026-10")
    assert (ranking.first_month, ranking.last_month) == ("2025-11", "2026-10")
    zones = {zone.code: zone for zone in ranking.zones}
    tierra_fria = zones[TIERRA_FRIA]
    assert tierra_fria.cases == 9
    assert tierra_fria.women_attended == 9
    assert tierra_fria.population == pytest.approx(2178 * 0.57)
    assert tierra_fria.population_source is PopulationSource.CENSUS_SHARE
    assert tierra_fria.rate == pytest.approx(9 / (2178 * 0.57) * 1000)
    assert (tierra_fria.latitude, tierra_fria.longitude) == (20.46135, -101.03994)
    assert ranking.zones[0].code == TIERRA_FRIA
    assert zones[CORTAZAR].cases == 1
    assert "0.57" in ranking.method


def test_withdrawn_consent_leaves_the_priority_zones(coordinator: StaffSession) -> None:
    client_id = coordinator.register_client(a_client(zone=TIERRA_FRIA, registered_on="02/03/2026"))
    coordinator.open_case(client_id, an_intake(opened_on="02/03/2026"))
    zone = next(z for z in coordinator.priority_zones("2026-10").zones if z.code == TIERRA_FRIA)
    assert (zone.cases, zone.women_attended) == (1, 1)
    coordinator.set_statistics_consent(client_id, False)
    zone = next(z for z in coordinator.priority_zones("2026-10").zones if z.code == TIERRA_FRIA)
    assert (zone.cases, zone.women_attended) == (0, 0)
