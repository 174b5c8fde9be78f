"""The tables' joint audit with earlier releases: the attacker who compares them, under one of
the ``ASSUMPTIONS`` about how the counts changed between them, with each earlier release's
cells, its zone x month counts, its published windows and its informative zone marks."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from projections.catalogue import TOTAL
from projections.disclosure import Problem
from projections.priority_zones import months_back
from projections.releases.model import PRIORITY_SOURCE, ZONE_MARKS, ZONE_MONTHS, CellId, Release


@dataclass
class Earlier:
    """An earlier release as the joint audit links it to this one: its cells' marks and true
    values, its months, and this release's cells that count its months and later ones (their
    part over the later months, with its true value) or later months only."""

    release: Release
    before: dict[CellId, Any]
    months: set[str]
    new_parts: dict[int, int]
    fresh_only: set[int]
    covered: Callable[[CellId], bool]


# What the attacker comparing two releases assumes about the changes between them, tried in
# this order: every linked cell in the direction its true count took (the tightest; it may
# admit no pattern, e.g. a zone whose old months both fell and rose by one, total unchanged,
# with both years small: «<k» on both then caps its new month below k-1), else all counts
# only fell, else all only rose, each only when the true changes satisfy it (one that holds
# and admits no pattern refuses the release). Changes that both rose and fell and admit no
# pattern under the first are audited within this release alone (said in the report).
ASSUMPTIONS = ("cada celda en su dirección", "todas bajaron", "todas subieron")


def directions(change: int) -> tuple[float, ...]:
    """The signs of ``sign·(now − then) <= 0`` a count's true change satisfies: 1 when it fell
    (withdrawals), -1 when it rose (late cases), both when it did not change."""
    if change == 0:
        return (1.0, -1.0)
    return (1.0,) if change < 0 else (-1.0,)


def _new_part_relations(
    problem: Problem, joint: Problem, newer: Mapping[int, int], fresh_only: set[int]
) -> None:
    """The new months' parts add up as the cells do: in each relation, a cell of the previous
    months only contributes nothing, a cell of the new months only is its own part."""
    for rows, into, strict in (
        (problem.equalities, joint.equalities, True),
        (problem.inequalities, joint.inequalities, False),
    ):
        for row in rows:
            if not any(c in newer for c, _ in row):
                continue
            terms = tuple(
                (newer.get(c, c), coef) for c, coef in row if c in newer or c in fresh_only
            )
            level = sum(coef * joint.values[c] for c, coef in terms)
            if strict and level != 0:
                raise ValueError("Las partes de los meses nuevos no suman como sus celdas")
            if level <= 0:  # an inequality only when the true counts satisfy it
                into.append(terms)


def joint_problems(  # noqa: PLR0912 - one attacker model, assembled in one place
    problem: Problem,
    index: Mapping[CellId, int],
    links: Sequence[Earlier],
    assumption: str,
    k: int,
) -> tuple[Problem, set[int]] | None:
    """This release together with the earlier ones (``links``), for the cells both publish,
    under one of the ``ASSUMPTIONS`` (None when the true changes do not satisfy it).

    Each earlier release's cells become further cells: its published values stay published,
    its suppressed cells stay suppressed with what their marks say, and every relation of this
    release holds among them too; for expedientes, its zone x month counts (never published)
    add up to its zone x year cells and month totals, and its published 12-month windows and,
    when they said something, its zone marks hold over them (``_earlier_windows``). The
    attacker may assume, cell by cell, that between an earlier release and this one a count
    only fell (consent withdrawals), only rose (late cases) or did not change; with the first
    assumption the problem holds, for each linked cell, the direction its true change took
    (``directions``), the tightest such assumption the truth satisfies, so that one problem
    covers them all, also when some counts rose and others fell. An assumption the truth
    violates leads the attacker to a wrong table. Only cells that count the same months in
    both are linked as they are. A cell that also counts later months only (the running
    year, a zone's total) is its part over the earlier months, linked to its earlier value,
    plus its part over the later months (``new_parts``): a count of its own that must keep
    [1, k-1] when it is small, and that adds up as the cells do (``fresh_only`` cells count
    later months only: their part is themselves).
    """
    prepared = []
    for link in links:
        then: dict[int, Any] = {}
        spans: dict[int, Any] = {}
        for cell, i in index.items():
            if cell in link.before and link.covered(cell) and i not in then:
                then[i] = link.before[cell]
            elif cell in link.before and i in link.new_parts and i not in spans:
                spans[i] = link.before[cell]
        # Each linked cell's own change between the two (later months' part taken out).
        changes = {i: problem.values[i] - mark["valor_real"] for i, mark in then.items()}
        changes |= {
            i: problem.values[i] - link.new_parts[i] - mark["valor_real"]
            for i, mark in spans.items()
        }
        if assumption == ASSUMPTIONS[0]:
            signs = {i: directions(change) for i, change in changes.items()}
        else:
            sign = 1.0 if assumption == ASSUMPTIONS[1] else -1.0
            if any(sign * change > 0 for change in changes.values()):
                return None
            signs = dict.fromkeys(changes, (sign,))
        if then or spans:
            prepared.append((link, then, spans, signs))
    if not prepared:
        return None
    joint = Problem(
        values=list(problem.values),
        equalities=list(problem.equalities),
        inequalities=list(problem.inequalities),
    )
    old_hidden: set[int] = set()
    parts_after: list[tuple[str, dict[int, int], Mapping[int, int]]] = []
    olds: list[tuple[Earlier, dict[int, int], dict[int, Any]]] = []
    for link, then, spans, signs in prepared:
        old: dict[int, int] = {}
        # The later months' part of each cell that spans both: unpublished, never bounded.
        newer: dict[int, int] = {}
        parts_after.append((link.release.period_to, newer, link.new_parts))
        olds.append((link, old, then))
        for i, value in link.new_parts.items():
            newer[i] = joint.add_cell(value)
            joint.bounds[newer[i]] = (0.0, np.inf)
            old_hidden.add(newer[i])
        for i, mark in [*then.items(), *spans.items()]:
            old[i] = joint.add_cell(mark["valor_real"])
            if mark["valor"] is None:
                old_hidden.add(old[i])
            else:
                joint.published_fixed.add(old[i])
            for sign in signs[i]:
                row: tuple[tuple[int, float], ...] = ((i, sign), (old[i], -sign))
                if i in newer:
                    row = (*row, (newer[i], -sign))
                joint.inequalities.append(row)
        _new_part_relations(problem, joint, newer, link.fresh_only)
        for rows, into, strict in (
            (problem.equalities, joint.equalities, True),
            (problem.inequalities, joint.inequalities, False),
        ):
            for row in rows:
                # A cell of the later months only was not in the earlier release: the running
                # year's total was the sum of its other months then (found by the two-release
                # property test: without it, «Jan + Sep of 2026 = 4» of the previous release
                # was lost and the new month's part of two zones, 2, passed as up to 6).
                kept = tuple((c, coef) for c, coef in row if c not in link.fresh_only)
                if not kept or not all(c in old for c, _ in kept):
                    continue
                # Only a relation the earlier release's true counts satisfy was one of its
                # relations: one cell standing for two (a refining table's total that equals
                # the cases now) may have been two different counts then.
                level = sum(coef * joint.values[old[c]] for c, coef in kept)
                if level == 0 or (not strict and level < 0):
                    into.append(tuple((old[c], coef) for c, coef in kept))
        _earlier_windows(joint, index, link, old, k)
    old_hidden |= _parts_between(joint, parts_after)
    old_hidden |= _link_earlier_pairs(joint, index, olds, assumption)
    joint.suppressed_fixed = set(old_hidden)
    return joint, old_hidden


def _link_earlier_pairs(  # noqa: PLR0912 - one attacker model, assembled in one place
    joint: Problem,
    index: Mapping[CellId, int],
    olds: Sequence[tuple[Earlier, dict[int, int], dict[int, Any]]],
    assumption: str,
) -> set[int]:
    """Two linked earlier releases, linked to each other as to this one: each cell of the
    older, in the direction its true count took between them, to the newer one's value of
    that cell over the older one's months (for expedientes cells that also count later
    months, minus the newer one's part after the older one's end, from its stored zone x
    month counts: a count of its own). Found by the three-release property test: with late
    cases and withdrawals between releases 2 and 3 only, «unchanged» between releases 1 and 2
    was lost, and Tierra Fría's late Nov case came out as [0, 3]."""
    added: set[int] = set()
    ordered = sorted(olds, key=lambda entry: entry[0].release.period_to)
    names = {i: cell for cell, i in index.items()}
    for at, (older, old_a, then_a) in enumerate(ordered):
        for newer, old_b, _ in ordered[at + 1 :]:
            stored = newer.release.real.get(ZONE_MONTHS)
            later = newer.months - older.months
            for i in sorted(old_a.keys() & old_b.keys()):
                a, b = old_a[i], old_b[i]
                row: tuple[tuple[int, float], ...]
                if i in then_a:
                    level = joint.values[b] - joint.values[a]
                    row = ((b, 1.0), (a, -1.0))
                else:
                    cell = names[i]
                    if cell[0] != PRIORITY_SOURCE or stored is None:
                        continue
                    year, month, zone = cell[1]
                    if month != TOTAL:
                        continue
                    part = 0
                    for joined, n in stored.items():
                        z, m = joined.split("|")
                        if m in later and zone in (TOTAL, z) and year in (TOTAL, m[:4]):
                            part += int(n)
                    if part > joint.values[b]:
                        continue
                    after = joint.add_cell(part)
                    joint.bounds[after] = (0.0, np.inf)
                    added.add(after)
                    level = joint.values[b] - part - joint.values[a]
                    row = ((b, 1.0), (after, -1.0), (a, -1.0))
                if assumption == ASSUMPTIONS[0]:
                    signs = directions(level)
                else:
                    sign = 1.0 if assumption == ASSUMPTIONS[1] else -1.0
                    if sign * level > 0:
                        continue  # not true between these two: the attacker would be wrong
                    signs = (sign,)
                for sign in signs:
                    joint.inequalities.append(tuple((c, sign * coef) for c, coef in row))
    return added


def _parts_between(
    joint: Problem, parts_after: list[tuple[str, dict[int, int], Mapping[int, int]]]
) -> set[int]:
    """Two earlier releases: a cell's part after the older one's end minus its part after the
    newer one's is its part over the months between them (the newer release's new months,
    which its own audit protected): a count of its own too, kept [1, k-1] when small."""
    added: set[int] = set()
    ordered = sorted(parts_after, key=lambda entry: entry[0])
    for (_, older, older_values), (_, newer, newer_values) in pairwise(ordered):
        for i in sorted(older.keys() & newer.keys()):
            between = joint.add_cell(older_values[i] - newer_values[i])
            joint.bounds[between] = (0.0, np.inf)
            joint.equalities.append(((older[i], 1.0), (newer[i], -1.0), (between, -1.0)))
            added.add(between)
    return added


def _earlier_windows(  # noqa: PLR0912 - one attacker model, assembled in one place
    joint: Problem,
    index: Mapping[CellId, int],
    link: Earlier,
    old: Mapping[int, int],
    k: int,
) -> None:
    """An earlier release's zone ranking in the tables' joint audit: its zone x month counts
    (free: never published) add up to its zone x year cells and month totals; its published
    12-month windows are fixed sums of them and, when its marks said something, «<k» caps a
    zone's window at k-1 and «confidencial» holds it at k or more.

    Found by the two-release property test (seed 12): without them, the first release's
    «confidencial» window of El Huizache (k or more, Nov 2025-Oct 2026) with its 2025 «<5»
    held its Jan-Oct 2026 at 1 or more, and the second release's 2026 «<5» then capped its one
    new case of Nov 2026 at 3."""
    release = link.release
    ranking = release.body.get("zonas_prioritarias")
    stored = release.real.get(ZONE_MONTHS)
    if not ranking or stored is None:
        return
    counts: dict[tuple[str, str], int] = {}
    for joined, n in stored.items():
        zone, month = joined.split("|")
        counts[(zone, month)] = int(n)
    months = sorted(link.months)
    cells: dict[CellId, int] = {}
    for cell, i in index.items():
        if cell[0] == PRIORITY_SOURCE and cell in link.before and i in old:
            cells[cell] = old[i]
    zones = sorted({key[2] for _, key in cells if key[2] != TOTAL})
    sums: list[tuple[int, list[tuple[str, str]]]] = []
    for (_, (year, month, zone)), at in cells.items():
        if month == TOTAL and TOTAL not in (year, zone):
            sums.append((at, [(zone, m) for m in months if m[:4] == year]))
        elif month != TOTAL and zone == TOTAL:
            sums.append((at, [(z, month) for z in zones]))
    if any(joint.values[at] != sum(counts.get(p, 0) for p in pairs) for at, pairs in sums):
        return  # the stored counts do not give back its cells: nothing to hold them to
    zone_month: dict[tuple[str, str], int] = {}
    for zone in zones:
        for month in months:
            zone_month[(zone, month)] = joint.add_cell(counts.get((zone, month), 0))
            joint.free.add(zone_month[(zone, month)])
    for at, pairs in sums:
        joint.add_total(at, (zone_month[p] for p in pairs))
    for code, shown, bound in ranking_spans(release, k, set(zones)):
        for span in shown:
            members = [zone_month[(code, m)] for m in span if (code, m) in zone_month]
            if not members:
                continue
            total = joint.add_cell(sum(joint.values[i] for i in members))
            joint.add_total(total, members)
            if bound is None:
                joint.published_fixed.add(total)
            else:
                joint.bounds[total] = bound
                joint.free.add(total)


def ranking_spans(
    release: Release, k: int, zones: Collection[str]
) -> Iterator[tuple[str, list[list[str]], tuple[float, float] | None]]:
    """What a release's zone ranking published of each zone in ``zones``: the months of the
    counts it showed (its 12-month window, and the 12 before when it showed a trend) with no
    bound, or, where its marks said something, the window and the interval its mark gives
    («<k»: 0 to k-1; «confidencial»: k or more)."""
    ranking = release.body.get("zonas_prioritarias") or {}
    if not ranking:
        return
    informative = bool(release.real.get(ZONE_MARKS, {}).get("informativas"))
    window = months_back(ranking["hasta"], 12)
    preceding = months_back(window[0], 13)[:12]
    for zone in ranking["zonas"]:
        code = zone["zona"]
        if code not in zones:
            continue
        if zone["tasa"] is not None:
            yield code, [window] + ([preceding] if zone["tendencia"] is not None else []), None
        elif informative:
            mark = (0.0, float(k - 1)) if zone["marca"] == f"<{k}" else (float(k), np.inf)
            yield code, [window], mark
