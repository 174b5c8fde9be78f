"""The zone audit: the expedientes problem with zone x month counts and the 12-month windows
the ranking may publish, linked to the earlier releases as the tables' joint audit linked
them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from projections.catalogue import CATALOGUE, TOTAL, source
from projections.disclosure import Interval, Problem, audit
from projections.priority_zones import months_back
from projections.releases.linking import ASSUMPTIONS, directions, ranking_spans
from projections.releases.model import (
    PRIORITY_SOURCE,
    ZONE_MONTHS,
    CellId,
    Key,
    Release,
    month_range,
    previous_marks,
)
from projections.releases.tables import Part, Rows, build_table, linked_problem
from projections.statistics import Month


def _window_parts(months: Sequence[str]) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = defaultdict(list)
    for month in months:
        parts[month[:4]].append(month)
    return parts


def _old_root(
    previous: Release, old_counts: Mapping[str, Mapping[str, int]]
) -> tuple[Problem, dict[CellId, int], dict[Key, Any]] | None:
    """The previous release's expedientes problem rebuilt from its stored zone x month counts,
    and its cells' marks; None when they do not give back the cells it published."""
    root_spec = source(PRIORITY_SOURCE)
    old_months = month_range(Month.parse(previous.period_from), Month.parse(previous.period_to))
    marks = previous_marks(previous, PRIORITY_SOURCE)
    zones = {key[2]: key[2] for key in marks if key[2] != TOTAL}
    rows = [
        ({"anio": month[:4], "mes": month, "zona": zone}, {"casos": n})
        for zone, by_month in old_counts.items()
        for month, n in by_month.items()
    ]
    if not marks or any(dims["zona"] not in zones for dims, _ in rows):
        return None
    data = Rows(root_spec.dimensions, root_spec.measures, rows)
    tables = [
        build_table(spec, data, old_months, zones)
        for spec in CATALOGUE
        if spec.source == PRIORITY_SOURCE
    ]
    old, old_index, old_values = linked_problem([Part(root_spec, tables, data)])
    if any(
        cell[1] not in marks or marks[cell[1]]["valor_real"] != value
        for cell, value in old_values.items()
    ):
        return None
    return old, old_index, marks


class ZoneAudit:
    """The expedientes problem extended with zone × month cells (never published) whose sums
    are the published zone × year cells and month totals, and with the 12-month windows."""

    def __init__(
        self,
        group: list[Part],
        suppressed: Mapping[CellId, str],
        months: list[Month],
        by_zone: Mapping[str, Mapping[str, int]],
        k: int,
    ) -> None:
        problem, index, _ = linked_problem(group)
        root = group[0]
        code = root.spec.code
        self.k = k
        self.problem = problem
        self.hidden = {index[cell] for cell in suppressed}
        self.cells: dict[tuple[str, str], int] = {}
        zones = sorted(by_zone)
        for zone in zones:
            for month in months:
                at = problem.add_cell(by_zone[zone].get(str(month), 0))
                problem.bounds[at] = (0.0, np.inf)
                self.cells[(zone, str(month))] = at
        for zone in zones:
            for year, members in _window_parts([str(m) for m in months]).items():
                total = index.get((code, (year, TOTAL, zone)))
                if total is not None:
                    problem.add_total(total, (self.cells[(zone, m)] for m in members))
        for month in months:
            total = index.get((code, (str(month.year), str(month), TOTAL)))
            if total is not None:
                problem.add_total(total, (self.cells[(z, str(month))] for z in zones))
        self.unpublished = set(self.cells.values())
        self.checked = set(self.hidden)
        self.zones = zones
        self.spans: list[list[str]] = []
        self.baseline: dict[int, Interval] = {}
        self.last_failed = -1
        self.finer: list[tuple[tuple[int, float], ...]] = []

    def check_windows(self, spans: Sequence[Sequence[str]]) -> None:
        """The windows this release may publish: for every zone (not only the one whose
        window is published: the month totals tie a zone to the others), the part of each year
        inside each window, if it holds 1 to k-1 cases, must admit 1 to k-1."""
        for span in spans:
            self.spans.append(list(span))
            for zone in self.zones:
                for members in _window_parts(list(span)).values():
                    self._check_part(self.cells, zone, members)

    def check_differences(
        self, earlier: Sequence[Sequence[str]], cells: Mapping[tuple[str, str], int]
    ) -> None:
        """Windows of the previous release (over ``cells``): subtracting one from a window of
        this release leaves the months in only one of them; for every zone, each such month
        and each such remainder, if it holds 1 to k-1 cases, must admit 1 to k-1."""
        for zone in self.zones:
            for old in earlier:
                for new in self.spans:
                    if not set(old) & set(new):
                        continue
                    added = [m for m in new if m not in old]
                    dropped = [m for m in old if m not in new]
                    for mine, members in ((self.cells, added), (cells, dropped)):
                        self._check_part(mine, zone, members)
                        for month in members:
                            self._check_part(mine, zone, [month])

    def _check_part(
        self, cells: Mapping[tuple[str, str], int], zone: str, months: Sequence[str]
    ) -> None:
        members = [cells[(zone, m)] for m in months if (zone, m) in cells]
        value = sum(self.problem.values[i] for i in members)
        if not 0 < value < self.k:
            return
        if len(members) == 1:
            self.checked.add(members[0])
            return
        part = self.problem.add_cell(value)
        self.problem.bounds[part] = (0.0, np.inf)
        self.problem.add_total(part, members)
        self.unpublished.add(part)
        self.checked.add(part)

    def link_previous(  # noqa: PLR0912 - one attacker model, assembled in one place
        self,
        previous: Release,
        old_counts: Mapping[str, Mapping[str, int]],
        assumption: str,
    ) -> bool:
        """Adds the previous release as the attacker sees it beside this one.

        Its expedientes tables (published values known, suppressed cells bounded by their
        marks), its zone x month cells (unpublished, with the true counts of then) whose sums
        are its zone x year cells and month totals, its published 12-month windows and, when
        its marks said something, its «<k» / «confidencial» zones; and, for every expedientes
        cell of the previous release, ``sign·(now − then) <= 0`` between its value then and
        the sum of this release's zone x month cells over the same zones and months, with the
        signs of ``assumption`` (the tables' joint audit's): the direction its true count
        took (only fell, only rose, unchanged), or all fell, or all rose. Returns False
        (adding nothing) when the stored counts do not give back the previous release's cells.
        """
        k = self.k
        rebuilt = _old_root(previous, old_counts)
        if rebuilt is None:
            return False
        old, old_index, marks = rebuilt
        old_months = month_range(Month.parse(previous.period_from), Month.parse(previous.period_to))
        zones = sorted({key[2] for key in marks if key[2] != TOTAL})
        problem = self.problem
        shift = len(problem.values)
        problem.values.extend(old.values)
        for rows_from, rows_into in (
            (old.equalities, problem.equalities),
            (old.inequalities, problem.inequalities),
        ):
            rows_into.extend(tuple((c + shift, coef) for c, coef in row) for row in rows_from)
        for cell, i in old_index.items():
            mark = marks[cell[1]]
            if mark["valor"] is None:
                low, high = (0.0, float(k - 1)) if mark["marca"] == f"<{k}" else (0.0, np.inf)
                problem.bounds[i + shift] = (low, high)
                self.unpublished.add(i + shift)
                if 0 < problem.values[i + shift] < k:
                    self.checked.add(i + shift)  # the previous release's primaries too
        old_cells: dict[tuple[str, str], int] = {}
        for zone in zones:
            for month in old_months:
                at = problem.add_cell(old_counts.get(zone, {}).get(str(month), 0))
                problem.bounds[at] = (0.0, np.inf)
                self.unpublished.add(at)
                old_cells[(zone, str(month))] = at
        for zone in zones:
            for year, members in _window_parts([str(m) for m in old_months]).items():
                total = old_index.get((PRIORITY_SOURCE, (year, TOTAL, zone)))
                if total is not None:
                    problem.add_total(total + shift, (old_cells[(zone, m)] for m in members))
        for month in old_months:
            total = old_index.get((PRIORITY_SOURCE, (str(month.year), str(month), TOTAL)))
            if total is not None:
                problem.add_total(total + shift, (old_cells[(z, str(month))] for z in zones))
        self._old_windows(previous, set(zones), old_cells)
        ranking = previous.body.get("zonas_prioritarias")
        if ranking:
            window = months_back(ranking["hasta"], 12)
            self.check_differences([window, months_back(window[0], 13)[:12]], old_cells)
        earlier = {str(m) for m in old_months}
        for cell, at in old_index.items():
            of_year, of_month, of_zone = cell[1]
            now_parts = [
                member
                for (z, m), member in self.cells.items()
                if m in earlier
                and of_zone in (TOTAL, z)
                and of_month in (TOTAL, m)
                and of_year in (TOTAL, m[:4])
            ]
            change = sum(problem.values[c] for c in now_parts) - problem.values[at + shift]
            if assumption == ASSUMPTIONS[0]:
                signs = directions(change)
            else:
                signs = (1.0,) if assumption == ASSUMPTIONS[1] else (-1.0,)
            for sign in signs:
                row = ((at + shift, -sign), *((c, sign) for c in now_parts))
                problem.inequalities.append(row)
        # Finer: each zone x month count in the direction it took. The tables' audit does not
        # link at this level, so these enter after the baseline (``settle``): a window is
        # measured against what the tables' audit protected, not against what this finer
        # attacker already gets from the tables (then no window passes).
        for pair, now in self.cells.items():
            then = old_cells.get(pair)
            if then is None:
                continue
            for sign in directions(problem.values[now] - problem.values[then]):
                self.finer.append(((now, sign), (then, -sign)))
        return True

    def _old_windows(
        self, previous: Release, zones: set[str], old_cells: Mapping[tuple[str, str], int]
    ) -> None:
        """The previous release's published windows, and its zone marks when they said
        something, over its zone x month cells."""
        problem = self.problem
        for code, spans, bound in ranking_spans(previous, self.k, zones):
            if bound is None:
                for span in spans:
                    members = [old_cells[(code, m)] for m in span if (code, m) in old_cells]
                    total = problem.add_cell(sum(problem.values[i] for i in members))
                    problem.add_total(total, members)
                continue
            inside = [old_cells[(code, m)] for m in spans[0] if (code, m) in old_cells]
            if inside:
                total = problem.add_cell(sum(problem.values[i] for i in inside))
                problem.add_total(total, inside)
                problem.bounds[total] = bound
                self.unpublished.add(total)

    def add_window(
        self,
        zone: str,
        window: Sequence[str],
        bound: tuple[float, float] | None = None,
    ) -> None:
        """Publishes the zone's count over ``window`` (or, with ``bound``, only that it lies
        in that interval, as a mark says). Its parts (and what subtracting other windows
        leaves) are checked for every zone by check_windows and check_differences."""
        problem = self.problem
        inside = [self.cells[(zone, m)] for m in window if (zone, m) in self.cells]
        value = sum(problem.values[i] for i in inside)
        total = problem.add_cell(value)
        problem.add_total(total, inside)
        if bound is not None:
            problem.bounds[total] = bound
            self.unpublished.add(total)

    def settle(self) -> None:
        """What the tables (of both releases, linked as their joint audit linked them) already
        tell before any window is published: a checked count they already narrow is the
        tables' matter (their own joint audit); a window fails only if it narrows such a count
        further. Then the finer links between zone x month counts join the problem."""
        result = audit(self.problem, self.k, self.hidden | self.unpublished, self.checked)
        self.baseline = {f.cell: f for f in result.failures}
        self.problem.inequalities.extend(self.finer)
        self.finer = []

    def passes(self) -> bool:
        """Every checked count with 1 to k-1 cases keeps [1, k-1] (or what the tables already
        left it); one count at a time, the last one that failed first, stopping at a failure."""
        values, unknown = self.problem.values, self.hidden | self.unpublished
        small = [c for c in self.checked if 0 < values[c] < self.k]
        small.sort(key=lambda c: c != self.last_failed)
        for cell in small:
            for failure in audit(self.problem, self.k, unknown, {cell}).failures:
                before = self.baseline.get(failure.cell)
                if (
                    before is None
                    or failure.low > before.low + 1e-6
                    or failure.high < before.high - 1e-6
                ):
                    self.last_failed = cell
                    return False
        return True

    def snapshot(self) -> tuple[int, int, int, set[int], set[int], dict[int, tuple[float, float]]]:
        p = self.problem
        return (
            len(p.values),
            len(p.equalities),
            len(p.inequalities),
            set(self.unpublished),
            set(self.checked),
            dict(p.bounds),
        )

    def restore(
        self, saved: tuple[int, int, int, set[int], set[int], dict[int, tuple[float, float]]]
    ) -> None:
        cells, equalities, inequalities, unpublished, checked, bounds = saved
        p = self.problem
        del p.values[cells:]
        del p.equalities[equalities:]
        del p.inequalities[inequalities:]
        self.unpublished, self.checked, p.bounds = unpublished, checked, bounds


def build_zone_audit(
    group: list[Part],
    suppressed: Mapping[CellId, str],
    months: list[Month],
    by_zone: Mapping[str, Mapping[str, int]],
    k: int,
    earlier: Sequence[Release],
    spans: Sequence[Sequence[str]],
    assumption: str = ASSUMPTIONS[0],
) -> ZoneAudit:
    """The zone audit of this release beside the earlier ones (the previous one first).

    With an earlier release's true zone x month counts stored, the audit links it as the
    tables' joint audit did (``assumption``): each expedientes cell of that release to its
    part over the same months now, in the direction its true count took (or all fell, all
    rose), so that what the tables alone already tell (the baseline a window is measured
    against) is what their own audit protected. Otherwise (a previous release stored without
    those counts, or changes the tables' audit could link under no assumption) the previous
    windows enter with today's counts, as if unchanged."""
    previous = earlier[0] if earlier else None
    stored = None if previous is None else previous.real.get(ZONE_MONTHS)
    if previous is not None and stored is not None and assumption in ASSUMPTIONS:
        linked = ZoneAudit(group, suppressed, months, by_zone, k)
        linked.check_windows(spans)
        ok = True
        for number, release in enumerate(earlier):
            counts = release.real.get(ZONE_MONTHS)
            if counts is None:
                continue
            old_counts: dict[str, dict[str, int]] = defaultdict(dict)
            for joined, n in counts.items():
                zone, month = joined.split("|")
                old_counts[zone][month] = int(n)
            if not linked.link_previous(release, old_counts, assumption) and number == 0:
                ok = False
                break
        if ok:
            linked.settle()
            return linked
    legacy = ZoneAudit(group, suppressed, months, by_zone, k)
    legacy.check_windows(spans)
    _previous_windows(legacy, previous, months)
    legacy.settle()
    return legacy


def _previous_windows(checker: ZoneAudit, previous: Release | None, months: list[Month]) -> None:
    """The 12-month counts the previous release published are public: they enter this
    release's audit as published, with today's counts (as if nothing changed between the two,
    the usual case), so that subtracting consecutive windows is audited too."""
    ranking = None if previous is None else previous.body.get("zonas_prioritarias")
    if not ranking:
        return
    now = {str(m) for m in months}
    window = months_back(ranking["hasta"], 12)
    before = months_back(window[0], 13)[:12]
    for zone in ranking["zonas"]:
        if zone["tasa"] is None or zone["zona"] not in {z for z, _ in checker.cells}:
            continue
        for span, shown in ((window, True), (before, zone["tendencia"] is not None)):
            if shown and set(span) & now:
                checker.add_window(zone["zona"], span)
    checker.check_differences([window, before], checker.cells)
