"""Priority zones across releases: the counts of the 12-month windows may change between two
releases (a consent withdrawn, a late case), and an attacker comparing the two may assume they
only fell or only rose. The next release must pass the audit taken together with the previous
one under that assumption, not only under «nothing changed»."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from projections.releases import ZONE_MONTHS, ReleaseStore, publish_due
from projections.statistics import SQLiteReader
from tests.support.release_views import months_between, rate_cases, write_case_counts

K = 5
BIG, SMALL = "110110001", "110110054"  # Cortazar, Tierra Fría
ZONES = [(BIG, "Cortazar"), (SMALL, "Tierra Fría"), ("110110022", "El Huizache")]


def _attacker_interval(  # noqa: PLR0912 - one attacker model, in one place
    releases: list[Any],
    target: tuple[int, str, str] | list[tuple[int, str, str]],
    signs: tuple[float, ...] | Callable[[str, str], tuple[float, ...]],
    truths: list[dict[tuple[str, str], int]],
    *,
    last_ranking: bool = True,
    by_cell: bool = False,
    all_pairs: bool = False,
) -> tuple[float, float]:
    """Independent of the release code: what the published cells, marks and rates of both
    releases, with ``sign·(later − earlier) <= 0`` for every zone × month both count (the same
    signs for all, or the signs ``signs(zone, month)`` gives each), tell
    about one zone × month count (release index, zone, month), or about the sum of several;
    without ``last_ranking``, the last release's rates and zone marks are left out (what its
    tables, and the releases before, already tell). With ``by_cell`` the links are not
    between zone × month counts but between each expedientes cell of one release and the
    same cell of the next over the earlier one's months (its old part), with ``signs`` for
    all of them or, when ``signs`` is not a tuple, the direction its true count took; with
    ``all_pairs`` too, each release's cells to those of every later one, not only the next.

    ``truths`` are the true (month, zone) counts each release was computed from: they must
    satisfy every relation the attacker assumes (else the attacker model, or the release, is
    wrong, and an interval over it would mean nothing)."""
    zones = [code for code, _ in ZONES]
    variables: dict[tuple[int, str, str], int] = {}
    for r, release in enumerate(releases):
        for zone in zones:
            for month in months_between(release.period_from, release.period_to):
                variables[(r, zone, month)] = len(variables)
    eq_rows: list[np.ndarray] = []
    eq_b: list[float] = []
    ub_rows: list[np.ndarray] = []
    ub_b: list[float] = []

    def row(members: list[tuple[int, str, str]]) -> np.ndarray:
        line = np.zeros(len(variables))
        for member in members:
            line[variables[member]] = 1.0
        return line

    for r, release in enumerate(releases):
        months = months_between(release.period_from, release.period_to)
        for table in release.body["tablas"].values():
            if table["fuente"] != "expedientes":
                continue
            for cell in table["celdas"]:
                year, month, zone = cell["clave"]
                members = [
                    (r, z, m)
                    for z in zones
                    for m in months
                    if zone in ("*", z) and month in ("*", m) and year in ("*", m[:4])
                ]
                if cell["valor"] is not None:
                    eq_rows.append(row(members))
                    eq_b.append(float(cell["valor"]))
                elif cell["marca"] == f"<{K}":
                    ub_rows.append(row(members))
                    ub_b.append(K - 1.0)
        ranking = release.body["zonas_prioritarias"]
        if r == len(releases) - 1 and not last_ranking:
            continue
        window = months_between(ranking["desde"], ranking["hasta"])
        # Once some zone reads «<k», the marks say something: «confidencial» is k or more.
        informative = any(zone["marca"] == f"<{K}" for zone in ranking["zonas"])
        for zone in ranking["zonas"]:
            members = [(r, zone["zona"], m) for m in window]
            if zone["tasa"] is not None:
                eq_rows.append(row(members))
                eq_b.append(float(rate_cases(zone)))
            elif zone["marca"] == f"<{K}":
                ub_rows.append(row(members))
                ub_b.append(K - 1.0)
            elif informative and zone["marca"] == "confidencial":
                ub_rows.append(-row(members))
                ub_b.append(-float(K))
    truth = np.zeros(len(variables))
    for (r, zone, month), at in variables.items():
        truth[at] = truths[r].get((month, zone), 0)
    for (r, zone, month), at in variables.items():
        later = variables.get((r + 1, zone, month))
        if later is None or by_cell:
            continue
        for sign in signs if isinstance(signs, tuple) else signs(zone, month):
            line = np.zeros(len(variables))
            line[later], line[at] = sign, -sign
            ub_rows.append(line)
            ub_b.append(0.0)
    pairs = [
        (r, s)
        for r in range(len(releases))
        for s in range(r + 1, len(releases))
        if by_cell and (s == r + 1 or all_pairs)
    ]
    for r, s in pairs:
        release = releases[r]
        months = months_between(release.period_from, release.period_to)
        keys = {
            tuple(cell["clave"])
            for table in release.body["tablas"].values()
            if table["fuente"] == "expedientes"
            for cell in table["celdas"]
        }
        for year, month, zone in keys:
            then = row(
                [
                    (r, z, m)
                    for z in zones
                    for m in months
                    if zone in ("*", z) and month in ("*", m) and year in ("*", m[:4])
                ]
            )
            now = np.zeros(len(variables))
            for (later, z, m), at in variables.items():
                if later == s and (r, z, m) in variables and then[variables[(r, z, m)]]:
                    now[at] = 1.0
            change = round(float((now - then) @ truth))
            if isinstance(signs, tuple):
                cell_signs = signs
            else:
                cell_signs = (1.0, -1.0) if change == 0 else ((1.0,) if change < 0 else (-1.0,))
            for sign in cell_signs:
                ub_rows.append(sign * (now - then))
                ub_b.append(0.0)
    assert np.allclose(np.array(eq_rows) @ truth, eq_b), "a published figure contradicts the truth"
    if ub_rows:
        excess = np.array(ub_rows) @ truth - np.array(ub_b)
        assert excess.max() <= 1e-6, "the attacker assumes what the true counts do not satisfy"
    objective = np.zeros(len(variables))
    for member in target if isinstance(target, list) else [target]:
        objective[variables[member]] = 1.0
    ends = []
    for sign in (1.0, -1.0):
        result = linprog(
            sign * objective,
            A_ub=np.array(ub_rows) if ub_rows else None,
            b_ub=np.array(ub_b) if ub_b else None,
            A_eq=np.array(eq_rows),
            b_eq=np.array(eq_b),
            bounds=[(0, None)] * len(variables),
            method="highs",
        )
        # Feasible by the check above: optimal, or unbounded (minimizing sign·x runs to
        # −∞, so x itself to −sign·∞: a maximum of +∞, never −∞).
        assert result.status in (0, 3), result.message
        ends.append(sign * result.fun if result.status == 0 else -sign * np.inf)
    return ends[0], ends[1]


def _withdrawal_store() -> dict[tuple[str, str], int]:
    cases: dict[tuple[str, str], int] = {}
    for month in months_between("2025-01", "2026-11"):
        cases[(month, BIG)] = 10
    for month in months_between("2025-01", "2025-10"):
        cases[(month, SMALL)] = 3
    cases[("2025-11", SMALL)] = 1  # one woman of Tierra Fría in November 2025
    cases[("2025-12", SMALL)] = 5
    for month in months_between("2026-01", "2026-10"):
        cases[(month, SMALL)] = 1
    return cases


def test_a_withdrawal_between_two_releases_cannot_pin_down_a_small_month_of_a_zone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _withdrawal_store()
    then = {key: n for key, n in cases.items() if key[0] <= "2026-10"}
    write_case_counts(path, then, ZONES)
    first = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 12, 1), k=K)
    assert first is not None
    # Release 1 (window 2025-11..2026-10): Tierra Fría's 16 cases, parts 6 and 10: published.
    small = {z["zona"]: z for z in first.body["zonas_prioritarias"]["zonas"]}[SMALL]
    assert rate_cases(small) == 16
    assert first.real[ZONE_MONTHS][f"{SMALL}|2025-11"] == 1
    # Then a woman of Tierra Fría withdraws her consent (March 2026) and two cases come in
    # November 2026. Release 2 (window 2025-12..2026-11) would publish 5 + 9 + 2 = 16 and its
    # 2026 cell 11: Dec 2025 = 5 now, so, as counts only fell, Dec 2025 was at least 5 then
    # and Nov 2025 = 6 - Dec 2025 at most 1.
    cases[("2026-03", SMALL)] = 0
    cases[("2026-11", SMALL)] = 2
    write_case_counts(path, cases, ZONES)
    second = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2027, 1, 1), k=K)
    assert second is not None
    low, high = _attacker_interval([first, second], (0, SMALL, "2025-11"), (1.0,), [then, cases])
    assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (low, high)
    ranking = {z["zona"]: z for z in second.body["zonas_prioritarias"]["zonas"]}
    assert ranking[SMALL]["tasa"] is None and ranking[SMALL]["marca"] == "confidencial"
    # Cortazar's two windows give its Dec 2025 now (10) and its Nov-Dec 2025 then (20): with
    # the month totals of Nov and Dec 2025 they would pin Tierra Fría's too. Withheld as well.
    assert ranking[BIG]["tasa"] is None


Counts = dict[tuple[str, str], int]


def _two_releases(path: Path) -> tuple[Any, Any, list[Counts]]:
    cases = _withdrawal_store()
    cases[("2026-11", SMALL)] = 2
    then = {key: n for key, n in cases.items() if key[0] <= "2026-10"}
    write_case_counts(path, then, ZONES)
    first = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 12, 1), k=K)
    write_case_counts(path, cases, ZONES)
    second = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2027, 1, 1), k=K)
    assert first is not None and second is not None
    return first, second, [then, cases]


def test_with_nothing_changed_a_month_left_by_two_windows_keeps_its_interval(
    tmp_path: Path,
) -> None:
    first, second, truths = _two_releases(tmp_path / "vistas.sqlite")
    for signs in ((1.0,), (-1.0,), (1.0, -1.0)):
        low, high = _attacker_interval([first, second], (0, SMALL, "2025-11"), signs, truths)
        assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (signs, low, high)


def test_the_running_years_cells_of_two_releases_do_not_give_the_new_month_of_a_zone(
    tmp_path: Path,
) -> None:
    # Release 1 publishes Tierra Fría's 2026 (Jan-Oct) as 10 and its total as 46; release 2
    # would publish 12 and 48: the difference is its November 2026 (2), unless release 2's
    # joint audit treats the new month's part of those cells as a count of its own.
    first, second, truths = _two_releases(tmp_path / "vistas.sqlite")
    for signs in ((1.0,), (-1.0,), (1.0, -1.0)):
        for zone, _ in ZONES:
            value = truths[1].get(("2026-11", zone), 0)
            if not 0 < value < K:
                continue
            low, high = _attacker_interval([first, second], (1, zone, "2026-11"), signs, truths)
            assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (signs, zone, value, low, high)


def test_a_large_zones_rate_that_bounds_a_small_zones_part_through_the_month_totals_is_withheld(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    cases: dict[tuple[str, str], int] = {}
    for month in months_between("2025-01", "2026-10"):
        cases[(month, BIG)] = 10
    for month in months_between("2025-01", "2025-10"):
        cases[(month, SMALL)] = 3
    cases[("2025-11", SMALL)] = 2  # Tierra Fría: 2 cases in Nov-Dec 2025
    for month in months_between("2026-01", "2026-10"):
        cases[(month, SMALL)] = 1
    write_case_counts(path, cases, ZONES)
    release = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 12, 1), k=K)
    assert release is not None
    ranking = {z["zona"]: z for z in release.body["zonas_prioritarias"]["zonas"]}
    # Cortazar's 120 minus its published 2026 (100) is its Nov-Dec 2025 (20); the month totals
    # of Nov and Dec 2025 (22) then leave Tierra Fría's 2. Neither rate is published.
    assert ranking[BIG]["tasa"] is None and ranking[SMALL]["tasa"] is None
    for zone, month in ((SMALL, "2025-11"), (SMALL, "2025-12")):
        low, high = _attacker_interval([release], (0, zone, month), (1.0,), [cases])
        assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (month, low, high)


def _directions(truths: list[Counts]) -> Callable[[str, str], tuple[float, ...]]:
    """The attacker who guesses right, for each zone × month, whether its count fell (1),
    rose (-1) or did not change (both) between the two releases."""

    def signs(zone: str, month: str) -> tuple[float, ...]:
        change = truths[1].get((month, zone), 0) - truths[0].get((month, zone), 0)
        return (1.0, -1.0) if change == 0 else ((1.0,) if change < 0 else (-1.0,))

    return signs


def test_counts_that_rose_and_fell_between_two_releases_do_not_give_a_zones_new_month(
    tmp_path: Path,
) -> None:
    # El Huizache: 6 cases a month, untouched between the two releases, and 2 new ones in
    # November 2026. Meanwhile a woman of Tierra Fría withdrew her consent (March 2026 fell)
    # and a late case of Cortazar was entered (May 2026 rose): the counts both rose and fell,
    # so neither «all only fell» nor «all only rose» holds. Release 1 publishes El Huizache's
    # 2026 as 60 and its total as 132; release 2 would publish 62 and 134: anyone who sees its
    # years unchanged reads 2 women of El Huizache in November 2026.
    path = tmp_path / "vistas.sqlite"
    huizache = "110110022"
    then: Counts = {}
    for month in months_between("2025-01", "2026-10"):
        then[(month, BIG)] = 10
        then[(month, SMALL)] = 6
        then[(month, huizache)] = 6
    write_case_counts(path, then, ZONES)
    first = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 12, 1), k=K)
    assert first is not None
    cases = dict(then)
    cases[("2026-03", SMALL)] = 5
    cases[("2026-05", BIG)] = 11
    cases[("2026-11", BIG)] = 10
    cases[("2026-11", SMALL)] = 6
    cases[("2026-11", huizache)] = 2
    write_case_counts(path, cases, ZONES)
    second = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2027, 1, 1), k=K)
    assert second is not None
    truths = [then, cases]
    report = second.body["perdida_de_informacion"]["expedientes"]["auditoria"]
    assert report["suposicion_conjunta"] == "cada celda en su dirección"
    low, high = _attacker_interval(
        [first, second], (1, huizache, "2026-11"), _directions(truths), truths
    )
    assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (low, high)
    # The same with the attacker who only assumes that El Huizache did not change.
    low, high = _attacker_interval(
        [first, second],
        (1, huizache, "2026-11"),
        lambda zone, _: (1.0, -1.0) if zone == huizache else (),
        truths,
    )
    assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (low, high)


def test_the_first_releases_zone_marks_enter_the_tables_joint_audit(tmp_path: Path) -> None:
    # Found by the two-release property test (--hypothesis-seed=12, 40 random draws). El
    # Huizache: 4 cases in Nov 2025, 2 in Oct 2026, nothing else; Tierra Fría small too. The
    # first release shows El Huizache's 2025 and 2026 as «<5» and, as Tierra Fría's zone reads
    # «<5», its «confidencial» window (Nov 2025-Oct 2026) says 5 or more: so its Jan-Oct 2026
    # holds at least 1. One new case in Nov 2026: the second release's 2026 «<5» caps that
    # case at 3 for anyone who sees its old months unchanged, whatever else is hidden. The
    # tables' joint audit must hold the first release's windows and zone marks: then the
    # tightest assumption admits no pattern and the release is audited (and protected)
    # under the next one the truth satisfies, «todas bajaron», which it reports.
    path = tmp_path / "vistas.sqlite"
    huizache = "110110022"
    then: Counts = {(month, BIG): 10 for month in months_between("2025-09", "2026-10")}
    then |= {
        ("2025-09", BIG): 0,
        ("2026-01", SMALL): 2,
        ("2025-10", SMALL): 1,
        ("2026-09", SMALL): 1,
        ("2025-11", huizache): 4,
        ("2026-10", huizache): 2,
    }
    write_case_counts(path, then, ZONES)
    first = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 12, 1), k=K)
    assert first is not None
    ranking = {z["zona"]: z for z in first.body["zonas_prioritarias"]["zonas"]}
    assert ranking[huizache]["marca"] == "confidencial" and ranking[SMALL]["marca"] == f"<{K}"
    cases = then | {("2026-11", BIG): 10, ("2026-11", huizache): 1}
    write_case_counts(path, cases, ZONES)
    second = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2027, 1, 1), k=K)
    assert second is not None
    truths = [then, cases]
    report = second.body["perdida_de_informacion"]["expedientes"]["auditoria"]
    signs: dict[str, tuple[float, ...] | Callable[[str, str], tuple[float, ...]]] = {
        "cada celda en su dirección": _directions(truths),
        "todas bajaron": (1.0,),
    }
    low, high = _attacker_interval(
        [first, second],
        (1, huizache, "2026-11"),
        signs[report["suposicion_conjunta"]],
        truths,
        by_cell=True,
    )
    assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (report["suposicion_conjunta"], low, high)


def _three_releases(path: Path, december: int = 6) -> tuple[list[Any], list[Counts]]:
    """Three monthly releases: Oct, Nov and Dec 2026 the last months. In November Tierra Fría
    has 2 new cases (its total and 2026 hidden in release 2, and El Huizache's to protect
    them through the month total); in December 6 again, and El Huizache ``december``."""
    huizache = "110110022"
    cases: Counts = {}
    for month in months_between("2025-01", "2026-10"):
        cases[(month, BIG)] = 10
        cases[(month, SMALL)] = 6
        cases[(month, huizache)] = 6
    truths, releases = [], []
    for today, last, new in (
        (date(2026, 12, 1), "2026-10", {}),
        (date(2027, 1, 1), "2026-11", {BIG: 10, SMALL: 2, huizache: 6}),
        (date(2027, 2, 1), "2026-12", {BIG: 10, SMALL: 6, huizache: december}),
    ):
        cases = cases | {(last, zone): n for zone, n in new.items()}
        write_case_counts(path, cases, ZONES)
        release = publish_due(SQLiteReader(path), ReleaseStore(path=path), today, k=K)
        assert release is not None and release.period_to == last
        truths.append(dict(cases))
        releases.append(release)
    return releases, truths


def _zone_totals(release: Any) -> dict[str, int | None]:
    cells = release.body["tablas"]["expedientes/por_zona_y_anio"]["celdas"]
    return {c["clave"][2]: c["valor"] for c in cells if c["clave"][:2] == ["*", "*"]}


def test_a_zone_total_hidden_once_is_published_again_when_the_audit_with_every_release_allows(
    tmp_path: Path,
) -> None:
    # Release 2 hides Tierra Fría's total: minus release 1's it would be its 2 new cases.
    # Release 3's minus release 1's is its 8 cases of Nov-Dec, and the month totals with the
    # other zones' parts leave Nov free in [0, 8]: release 3 may publish it again, audited
    # with release 2 and with release 1 (the last that published it). A cell hidden once is
    # not hidden forever.
    releases, truths = _three_releases(tmp_path / "vistas.sqlite")
    first, second, third = releases
    assert _zone_totals(first)[SMALL] is not None and _zone_totals(second)[SMALL] is None
    totals = _zone_totals(third)
    assert totals[SMALL] == 6 * 22 + 8, totals
    report = third.body["perdida_de_informacion"]["expedientes"]["auditoria"]
    assert report["publicaciones_enlazadas"] == [2, 1]
    assert sum(v is not None for v in totals.values()) >= sum(
        v is not None for v in _zone_totals(second).values()
    )
    # Nothing changed in old months: the attacker who links every release's cells with the
    # same cells of every later one, unchanged, learns no small month part of a zone.
    for zone, month in ((SMALL, "2026-11"), (SMALL, "2026-12")):
        for r in (1, 2) if month == "2026-11" else (2,):
            value = truths[r][(month, zone)]
            low, high = _attacker_interval(
                releases, (r, zone, month), (1.0, -1.0), truths, by_cell=True, all_pairs=True
            )
            if 0 < value < K:
                assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (r, month, low, high)


def test_the_new_months_of_an_earlier_release_stay_protected_in_the_release_after_it(
    tmp_path: Path,
) -> None:
    # As above, but El Huizache has no case in December. Were release 3 to publish both zone
    # totals again: Tierra Fría's Nov + Dec (8) and El Huizache's (6) from release 1's totals,
    # Nov (18) and Dec (16) month totals, Cortazar's 10 a month: El Huizache's Dec is at least
    # 0, so its Nov at most 6 and Tierra Fría's Nov at least 2. Release 2's new months (Nov)
    # are what release 2 protected; release 3's audit holds them as counts of their own.
    releases, truths = _three_releases(tmp_path / "vistas.sqlite", december=0)
    for r in (1, 2):
        low, high = _attacker_interval(
            releases, (r, SMALL, "2026-11"), (1.0, -1.0), truths, by_cell=True, all_pairs=True
        )
        assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (r, low, high)


old_counts = st.dictionaries(
    st.tuples(
        st.sampled_from(months_between("2025-09", "2026-10")),
        st.sampled_from([c for c, _ in ZONES]),
    ),
    st.integers(0, 8),
    min_size=1,
    max_size=30,
)


# With 40 random draws Hypothesis once found the store of the @example below, where the maximum
# of Tierra Fría's November 2026 came out as −inf: the LP was unbounded (nothing published
# bounds that month from above, which is protection) and the attacker above read an unbounded
# maximum as −∞ instead of +∞. It stays here so that reading is tested forever.
# Draws are fixed (derandomize, 20 of them: about 25 s of CPU), so that CI never depends on the
# draw; with 40 random draws it passes with --hypothesis-seed=11, 12, 13, 14 and 15 (seed 12
# found the last @example below: the earlier release's zone marks, now in the joint audit).
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    old_counts,
    st.lists(st.integers(0, 3), min_size=3, max_size=3),
    st.lists(st.integers(0, 2), min_size=6, max_size=6),
    st.lists(st.integers(0, 2), min_size=0, max_size=4),
)
@example(
    {
        ("2026-10", BIG): 1,
        ("2025-10", "110110022"): 3,
        ("2026-01", SMALL): 5,
        ("2025-09", BIG): 3,
    },
    [0, 1, 0],
    [0, 0, 0, 0, 0, 0],
    [],
)
# Found with late cases: Tierra Fría's 2025 fell by one (5 to 4) and its Oct 2026 rose by one,
# its old months' total unchanged (5), both years «<5», 3 new cases in Nov 2026. Each cell in
# its direction caps the new month at 3 (5 − 4 + ... ): no pattern exists; the release falls
# back to the next assumption instead of being refused.
@example(
    {("2025-09", BIG): 0, ("2025-09", SMALL): 0, ("2025-11", SMALL): 5},
    [0, 3, 0],
    [0, 0, 1, 0, 0, 1],
    [1],
)
# Found with withdrawals only: Cortazar's Oct and Nov 2025 fell; El Huizache had 1 new case
# in Nov 2026. Cortazar's window (Dec 2025-Nov 2026, rate published) minus its 2026 gave its
# Dec 2025 as 9 + El Huizache's Nov 2026, capped by Dec 2025's month total (10). A zone audit
# whose baseline links zone x month counts in their directions (finer than the tables' own
# joint audit) finds that month already pinned there and lets the window pass: so the
# baseline links cells as the tables' audit does, and the finer links come after it.
@example({("2025-09", "110110022"): 1, ("2025-09", SMALL): 3}, [0, 0, 1], [0, 0, 1, 1, 2, 0], [])
# Found with late cases only (El Huizache's Oct 2026 rose by 2, and 2 new cases in Nov 2026):
# the joint audit had lost the previous release's «2026 = Jan + ... + Oct» (its hidden Jan and
# Sep added to 4), so the Nov 2026 total (hidden) was pinned at 12 and the new cases of El
# Huizache and Tierra Fría at 2, which it took for up to 6.
@example(
    {("2026-09", BIG): 4, ("2025-09", BIG): 0, ("2025-09", SMALL): 0, ("2025-11", BIG): 0},
    [0, 0, 2],
    [0, 0, 0, 0, 0, 0],
    [0, 2],
)
# Found with late cases: Cortazar's Mar 2026 fell, Tierra Fría's Oct 2026 rose, El Huizache
# (all zeros) had 2 new cases in Nov 2026; with no joint audit (mixed changes, before), or
# with one linking zone x month counts, the attacker got «El Huizache Nov 2026 ≤ 2».
@example({("2025-09", BIG): 0}, [0, 0, 2], [0, 0, 0, 0, 0, 1], [2])
# Found with --hypothesis-seed=12 and 40 random draws, nothing changed in the old months: the
# first release's «confidencial» window of El Huizache (5 or more, its marks informative) with
# its 2025 «<5» held its Jan-Oct 2026 at 1 or more; the tables' joint audit did not hold the
# first release's windows and zone marks, and El Huizache's one new case came out as [0, 3].
@example(
    {
        ("2025-09", BIG): 0,
        ("2025-09", SMALL): 0,
        ("2026-01", SMALL): 2,
        ("2025-10", SMALL): 1,
        ("2026-10", "110110022"): 2,
        ("2025-11", "110110022"): 4,
        ("2026-09", SMALL): 1,
    },
    [0, 0, 1],
    [0, 0, 0, 0, 0, 0],
    [],
)
def test_two_releases_of_a_random_store_keep_every_small_new_month_and_month_part_protected(
    tmp_path_factory: pytest.TempPathFactory,
    drawn: Counts,
    arrivals: list[int],
    withdrawals: list[int],
    late: list[int],
) -> None:
    path = tmp_path_factory.mktemp("two") / "vistas.sqlite"
    story = (dict(drawn), arrivals, withdrawals, late)
    then = dict(drawn)
    for month in months_between("2025-09", "2026-10"):
        then.setdefault((month, BIG), 10)
    write_case_counts(path, then, ZONES)
    first = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2026, 12, 1), k=K)
    assert first is not None
    # Between the two: some consents withdrawn, some late cases in old months (from the
    # last months back, so that they may meet the withdrawals: counts rose and fell), and the
    # November cases of each zone.
    cases = dict(then)
    keys = sorted(key for key, n in cases.items() if n > 0)
    for key, drop in zip(keys, withdrawals, strict=False):
        cases[key] = max(0, cases[key] - drop)
    old_keys = sorted(((m, z) for m in months_between("2025-09", "2026-10") for z, _ in ZONES))
    for key, more in zip(reversed(old_keys), late, strict=False):
        cases[key] = cases.get(key, 0) + more
    for (zone, _), n in zip(ZONES, arrivals, strict=True):
        cases[("2026-11", zone)] = n + (10 if zone == BIG else 0)
    write_case_counts(path, cases, ZONES)
    second = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2027, 1, 1), k=K)
    assert second is not None
    truths = [then, cases]
    signs = _directions(truths)
    report = second.body["perdida_de_informacion"]["expedientes"]["auditoria"]
    assumption = report["suposicion_conjunta"]
    # The tables' joint audit links cells, under the tightest assumption that admits a pattern:
    # each cell in its true direction, else all fell (or all rose) if true, else none (only
    # when the changes both rose and fell).
    by_assumption: dict[str, tuple[float, ...] | Callable[[str, str], tuple[float, ...]]] = {
        "cada celda en su dirección": signs,
        "todas bajaron": (1.0,),
        "todas subieron": (-1.0,),
    }
    cell_signs = by_assumption.get(assumption, ())
    old_months = {key for key in {*then, *cases} if key[0] <= "2026-10"}
    changes = [cases.get(key, 0) - then.get(key, 0) for key in old_months]
    if assumption == "ninguna":  # audited within the release alone: nothing linked to check
        assert min(changes) < 0 < max(changes), story
    # The new month of each zone, and what the second window leaves when the first is taken
    # from it (the month it dropped, Nov 2025, and the one it added, Nov 2026) and its year
    # part (Dec 2025): each, when it holds 1 to k-1 cases, admits 1 to k-1, or (for what the
    # windows leave) no less than the tables and the first release already allowed.
    for zone, _ in ZONES:
        value = cases.get(("2026-11", zone), 0)
        if 0 < value < K and assumption != "ninguna":
            low, high = _attacker_interval(
                [first, second], (1, zone, "2026-11"), cell_signs, truths, by_cell=True
            )
            assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (zone, value, low, high, story)
        for r, month in ((0, "2025-11"), (1, "2025-12")):
            value = truths[r].get((month, zone), 0)
            if not 0 < value < K:
                continue
            # The zone audit links zone x month counts in their directions too: finer than
            # the tables' audit, against whose links (the baseline) a window is measured.
            low, high = _attacker_interval([first, second], (r, zone, month), signs, truths)
            if low <= 1 + 1e-6 and high >= K - 1 - 1e-6:
                continue
            base_low, base_high = _attacker_interval(
                [first, second],
                (r, zone, month),
                cell_signs,
                truths,
                last_ranking=False,
                by_cell=True,
            )
            if low <= base_low + 1e-6 and high >= base_high - 1e-6:
                continue
            # Else no window of the second release passed: what is left is the tables'.
            alone = _attacker_interval(
                [first, second], (r, zone, month), signs, truths, last_ranking=False
            )
            assert np.allclose((low, high), alone), (zone, month, low, high, alone, story)


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    old_counts,
    st.lists(st.integers(0, 4), min_size=6, max_size=6),
    st.lists(st.integers(0, 2), min_size=4, max_size=4),
)
@example({("2025-09", BIG): 10}, [0, 2, 6, 0, 6, 0], [0, 0, 0, 0])
# Found with --hypothesis-seed=4 (30 random draws): no new case anywhere, and before release 3
# a late case of Tierra Fría in Nov 2026 (and a withdrawal). Release 2 published every zone's
# total (its Nov parts were 0); release 3, audited with release 2 only, saw the late case as a
# change of an old month; its Nov part (1) came out as [1, 1] with release 1's totals.
@example({("2025-09", BIG): 0}, [0, 0, 0, 0, 0, 0], [0, 0, 1, 1])
# Found next (seed 4): Tierra Fría's 4 cases of Jan 2026 hidden in releases 1 and 2 («<5»);
# a late case of Nov 2026 makes its 2026 5 in release 3, published; release 1 never
# published it, yet its «<5» and its other cells tie it: release 3 is audited with every
# release after whose end a cell it may publish counts 1 to k-1 cases.
@example({("2026-01", SMALL): 4}, [0, 0, 0, 0, 0, 0], [0, 0, 0, 1])
# Found next (seed 4): nothing changed between releases 1 and 2, late cases and withdrawals
# between 2 and 3; linked only to release 3, releases 1 and 2 lost that «unchanged», and
# Tierra Fría's late Nov case (1) came out as [0, 3]: linked releases are linked to each
# other too.
@example(
    {
        ("2025-09", BIG): 0,
        ("2025-09", "110110022"): 7,
        ("2025-10", "110110022"): 0,
        ("2026-06", BIG): 0,
    },
    [0, 0, 2, 0, 3, 1],
    [0, 0, 2, 1],
)
def test_three_releases_of_a_random_store_keep_every_small_part_between_two_of_them_protected(
    tmp_path_factory: pytest.TempPathFactory,
    drawn: Counts,
    arrivals: list[int],
    withdrawals: list[int],
) -> None:
    # Three monthly releases (Oct, Nov, Dec 2026 the last months), the new cases of each zone
    # in Nov and Dec drawn, and before each of the last two some consents withdrawn and as
    # many late cases: a zone's
    # total or running year hidden in one release may come back in the next. Whatever the
    # three publish, each zone's part over Nov, Dec or both, when it holds 1 to k-1 cases,
    # admits 1 to k-1 for the attacker who links every release's cells to the same cells of
    # every later one, in the direction the releases' audits assumed.
    path = tmp_path_factory.mktemp("three") / "vistas.sqlite"
    cases = dict(drawn)
    for month in months_between("2025-09", "2026-10"):
        cases.setdefault((month, BIG), 10)
    releases, truths = [], []
    for today, last, new in (
        (date(2026, 12, 1), "2026-10", []),
        (date(2027, 1, 1), "2026-11", arrivals[:3]),
        (date(2027, 2, 1), "2026-12", arrivals[3:]),
    ):
        if new:
            keys = sorted(key for key, n in cases.items() if n > 0)
            drops = withdrawals[:2] if last == "2026-11" else withdrawals[2:]
            for key, drop in zip(keys[::3], drops, strict=False):
                cases[key] = max(0, cases[key] - drop)
            # And as many late cases, entered in months already counted (the newest first).
            counted = sorted(key for key in cases if key[0] < last)[::-4]
            for key, more in zip(counted, drops[::-1], strict=False):
                cases[key] = cases.get(key, 0) + more
        cases = cases | {
            (last, zone): n + (10 if zone == BIG else 0)
            for (zone, _), n in zip(ZONES, new, strict=False)
        }
        write_case_counts(path, cases, ZONES)
        release = publish_due(SQLiteReader(path), ReleaseStore(path=path), today, k=K)
        assert release is not None
        releases.append(release)
        truths.append(dict(cases))
    story = (drawn, arrivals, withdrawals)
    used = {
        r.body["perdida_de_informacion"]["expedientes"]["auditoria"]["suposicion_conjunta"]
        for r in releases[1:]
    }
    # Per cell and pair of releases, the direction its true count took (a callable), or
    # every count fell; releases audited under different assumptions: no one attacker.
    signs: tuple[float, ...] | Callable[[str, str], tuple[float, ...]]
    if used == {"cada celda en su dirección"}:
        signs = _directions(truths[:2])  # not read with by_cell: each pair's own directions
    elif used == {"todas bajaron"}:
        signs = (1.0,)
    else:
        return
    for zone, _ in ZONES:
        for months in (["2026-11"], ["2026-12"], ["2026-11", "2026-12"]):
            value = sum(truths[2].get((m, zone), 0) for m in months)
            if not 0 < value < K:
                continue
            low, high = _attacker_interval(
                releases,
                [(2, zone, m) for m in months],
                signs,
                truths,
                by_cell=True,
                all_pairs=True,
            )
            assert low <= 1 + 1e-6 and high >= K - 1 - 1e-6, (zone, months, low, high, story)
