"""Mi día's counters are kept by the projection (projections/counters.py), never counted over
the archive: they equal the counts over the views after openings, closures and reopenings,
after a rebuild, and on views built before the counters existed (both backends)."""

from __future__ import annotations

from datetime import timedelta

from domain.identity import format_date
from domain.vocabulary import Role
from projections.storage import Statement
from tests.support.factories import PASSWORD, a_client, an_intake, staff
from violeta.service import Institute, StaffSession


def _counted(session: StaffSession) -> tuple[int, int]:
    """What the counters must say, counted the slow way over cases_view."""
    today = session._institute.today()
    month = today.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    views = session._views
    open_cases = views.query("SELECT COUNT(*) AS n FROM cases_view WHERE status <> 'cerrado'")
    this_month = views.query(
        "SELECT COUNT(*) AS n FROM cases_view WHERE opened_on >= ? AND opened_on < ?",
        (month.isoformat(), next_month.isoformat()),
    )
    return int(open_cases[0]["n"]), int(this_month[0]["n"])


def _shown(session: StaffSession) -> tuple[int, int]:
    counters = session.dashboard()
    return counters.open_cases, counters.cases_this_month


def _kept(session: StaffSession) -> dict[str, int]:
    rows = session._views.query("SELECT name, n FROM view_counters")
    return {row["name"]: int(row["n"]) for row in rows}


def _story(institute: Institute, coordinator: StaffSession) -> list[StaffSession]:
    """Cases opened this month and last, one closed, one closed and reopened."""
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    today = institute.today()
    last_month = format_date(today.replace(day=1) - timedelta(days=3))
    cases = [
        coordinator.open_case(coordinator.register_client(a_client(name)), an_intake()).case_id
        for name in ("Ana Prueba Sintética", "Berta Prueba Ficticia", "Carla Prueba Inventada")
    ]
    earlier = coordinator.register_client(
        a_client("Dora Prueba Supuesta", registered_on=last_month)
    )
    coordinator.open_case(earlier, an_intake(opened_on=last_month))
    for case_id in cases[:2]:
        coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
        lawyer.request_closure(case_id, "Objetivos de la atención cumplidos (sintético).")
        coordinator.approve_closure(case_id)
    coordinator.reopen_case(cases[1], "La usuaria regresa por un nuevo incidente (sintético).")
    return [lawyer]


def test_the_counters_follow_openings_closures_and_reopenings(
    institute: Institute, coordinator: StaffSession
) -> None:
    assert _shown(coordinator) == (0, 0)
    _story(institute, coordinator)

    assert _shown(coordinator) == _counted(coordinator) == (3, 3)
    kept = _kept(coordinator)
    assert kept["open"] == 3
    assert sum(n for name, n in kept.items() if name.startswith("opened:")) == 4

    coordinator.rebuild_views()
    assert _kept(coordinator) == kept
    assert _shown(coordinator) == (3, 3)


def test_views_built_before_the_counters_are_counted_once_then_kept(
    institute: Institute, coordinator: StaffSession
) -> None:
    _story(institute, coordinator)
    coordinator.refresh()  # nothing left to project: the next login applies no batch
    kept = _kept(coordinator)
    # Views of before: the table did not exist (it is created, empty, when the store opens).
    coordinator._views.execute([Statement("DROP TABLE view_counters")])
    later = institute.login("coordinacion", PASSWORD)
    try:
        assert _kept(later) == {}
        assert _shown(later) == (3, 3)  # counted over the views until adopted
        # Her next batch (the access event of that read) adopts them, then keeps them.
        later.refresh()
        assert _kept(later) == kept
        later.open_case(later.register_client(a_client("Elena Prueba Figurada")), an_intake())
        assert _shown(later) == _counted(later) == (4, 4)
        assert _kept(later)["open"] == 4
    finally:
        later.close()
