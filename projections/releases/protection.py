"""Protecting a linked group of sources: primary and complementary suppression and the LP
audit, alone and with the earlier releases an attacker would compare it with."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from projections.catalogue import TOTAL
from projections.disclosure import Problem, ProtectionFailed, audit, primary, protect
from projections.releases.linking import ASSUMPTIONS, Earlier, joint_problems
from projections.releases.model import CellId, Release, ReleaseRefused, month_range, previous_marks
from projections.releases.table_body import suppression_mark
from projections.releases.tables import Part, Rows, cell_values, linked_problem
from projections.statistics import Month


def _chosen_links(
    earlier: Sequence[Release],
    parts: list[Part],
    index: Mapping[CellId, int],
    values: Mapping[CellId, int],
    k: int,
    linked: Callable[[Release], Earlier],
) -> list[Earlier]:
    """The earlier releases this group is audited with: the previous one; for each cell it
    hid, the last release that published it; and every release after whose end a cell that
    it published, or that this release may publish (k or more cases: not a primary), counts
    1 to k-1 cases (the running year, a zone's total): its value then, published or bounded by
    its mark and its other cells, gives that part, whatever the releases between say (late
    cases in a month the previous release already counted, found by the three-release
    property test)."""
    if not earlier:
        return []
    codes = {part.spec.code for part in parts}

    def keys(release: Release, hidden: bool) -> set[CellId]:
        return {
            (table["fuente"], tuple(cell["clave"]))
            for table in release.body["tablas"].values()
            if table["fuente"] in codes
            for cell in table["celdas"]
            if (cell["valor"] is None) == hidden
        }

    previous, *older = earlier
    chosen = [linked(previous)]
    wanted = keys(previous, hidden=True)
    for release in older:
        shown = keys(release, hidden=False)
        link = linked(release)
        small = any(
            (cell in shown or values[cell] >= k) and 0 < link.new_parts[i] < k
            for cell, i in index.items()
            if i in link.new_parts
        )
        if wanted & shown or small:
            chosen.append(link)
        wanted -= shown
    return chosen


def protect_group(
    parts: list[Part], k: int, earlier: Sequence[Release], months: list[Month]
) -> tuple[dict[CellId, int], dict[CellId, str], dict[str, Any]]:
    """Protects and audits a linked group alone and together with the earlier releases
    (the previous one first, then, for the cells it hid, the last one that published each)."""
    root = parts[0]
    problem, index, values = linked_problem(parts)
    now = {str(m) for m in months}
    positions = {
        part.spec.code: (part.data.dimensions.index("anio"), part.data.dimensions.index("mes"))
        for part in parts
    }

    def extent(cell: CellId) -> set[str]:
        at_year, at_month = positions[cell[0]]
        year, month = cell[1][at_year], cell[1][at_month]
        return {month} if month != TOTAL else {m for m in now if year in (TOTAL, m[:4])}

    def linked(release: Release) -> Earlier:
        before: dict[CellId, Any] = {}
        for part in parts:
            for key, mark in previous_marks(release, part.spec.code).items():
                before[(part.spec.code, key)] = mark
        then = {
            str(m)
            for m in month_range(Month.parse(release.period_from), Month.parse(release.period_to))
        }
        # A cell counting months of both releases and months of this one only (the running
        # year, a zone's total): the attacker subtracts its earlier value. Its part over the
        # later months is a count of its own; its true value, for each such cell.
        new_parts: dict[int, int] = {}
        for part in parts:
            fresh = Rows(
                part.data.dimensions,
                part.data.measures,
                [(d, m) for d, m in part.data.rows if d.get("mes") not in then],
            )
            measure = part.tables[0].spec.measures[0]
            keys = [key for (c, key) in values if c == part.spec.code]
            for key, value in cell_values(fresh, keys, measure).items():
                cell = (part.spec.code, key)
                span = extent(cell)
                if span & then and not span <= then:
                    new_parts[index[cell]] = value
        fresh_only = {i for cell, i in index.items() if not extent(cell) & then}
        return Earlier(
            release, before, then, new_parts, fresh_only, lambda cell: extent(cell) <= then
        )

    links = _chosen_links(earlier, parts, index, values, k, linked)
    code = root.spec.code
    try:
        # Cells hidden before are not carried hidden by key: each earlier release that last
        # published a cell is linked, so publishing it again passes only if the audit with
        # all of them allows it.
        hidden = protect(problem, k)
        assumption, joints, hidden = _protect_jointly(
            problem,
            k,
            hidden,
            lambda assumption: joint_problems(problem, index, links, assumption, k),
            bool(links),
        )
        checked = audit(problem, k, hidden)
        joint = [audit(p, k, hidden | old_hidden) for p, old_hidden in joints]
    except ProtectionFailed as error:
        raise ReleaseRefused(f"{code}: {error}") from error
    before = links[0].before if links else {}
    failures = [*checked.failures, *(f for result in joint for f in result.failures)]
    if failures:
        raise ReleaseRefused(
            f"{code}: {len(failures)} celdas suprimidas no pasan la auditoría de intervalos"
        )
    # One mark per cell, whichever tables show it (a hidden zero keeps the mark it had).
    marks_at: dict[int, str] = {}
    for cell, i in index.items():
        if i in hidden and i not in marks_at:
            kept = before.get(cell, {}).get("marca") if problem.values[i] == 0 else None
            marks_at[i] = kept or suppression_mark(problem.values[i], k)
    suppressed = {cell: marks_at[i] for cell, i in index.items() if i in hidden}
    report = {
        "fuentes": [part.spec.code for part in parts],
        "celdas": len(problem.values),
        "celdas_suprimidas": len(hidden),
        "supresion_primaria": len(primary(problem.values, k)),
        "supresion_complementaria": len(hidden - primary(problem.values, k)),
        "valor_oculto": sum(problem.values[i] for i in hidden - primary(problem.values, k)),
        "auditoria": {
            "celdas_auditadas": len(checked.intervals),
            "aprobada": True,
            "auditorias_conjuntas": len(joint),
            "publicaciones_enlazadas": [link.release.number for link in links],
            "suposicion_conjunta": assumption,
            "relaciones": len(problem.equalities),
            "desigualdades": len(problem.inequalities),
        },
    }
    return values, suppressed, report


def _protect_jointly(
    problem: Problem,
    k: int,
    hidden: set[int],
    make: Callable[[str], tuple[Problem, set[int]] | None],
    linked: bool,
) -> tuple[str, list[tuple[Problem, set[int]]], set[int]]:
    """The first of the ``ASSUMPTIONS`` that the true changes satisfy and that admits a
    pattern: its name, its joint problem and the cells hidden for it too."""
    if not linked:
        return "sin publicación anterior", [], hidden
    for assumption in ASSUMPTIONS:
        made = make(assumption)
        if made is None:  # the true changes do not satisfy it
            continue
        joint_problem, old_hidden = made
        try:
            found = protect(joint_problem, k, hidden | old_hidden)
        except ProtectionFailed:
            if assumption == ASSUMPTIONS[0]:
                continue  # the tightest may admit no pattern (see ASSUMPTIONS)
            raise
        return assumption, [made], hidden | {i for i in found if i < len(problem.values)}
    return "ninguna", [], hidden
