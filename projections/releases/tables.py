"""A release's tables read from the views: each source's rows, its full tables with their
margins, and a protected group of sources linked into one LP problem."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

from projections.catalogue import SOURCES, TOTAL, Source, TableSpec, source
from projections.disclosure import Problem
from projections.releases.model import CellId, Key
from projections.statistics import Month, ViewReader


@dataclass(frozen=True)
class Rows:
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    rows: list[tuple[dict[str, str], dict[str, int]]]


def read_source(reader: ViewReader, code: str, first: Month, last: Month) -> Rows:
    spec = source(code)
    rows: list[tuple[dict[str, str], dict[str, int]]] = []
    for query in spec.queries:
        if query.month is not None:
            params = [str(first), str(last)]
        else:
            params = [str(first.year), str(last.year)]
        for raw in reader.fetch(query.sql, params, query.tables):
            named = dict(zip(query.columns, raw, strict=True))
            dims = {d: str(named[d]) for d in spec.dimensions if d in named}
            if query.month is not None:
                dims["anio"] = str(named[query.month])[:4]
            measures = {m: int(named[m]) for m in spec.measures if m in named}
            rows.append((dims, measures))
    return Rows(spec.dimensions, spec.measures, rows)


def first_month(reader: ViewReader, last: Month) -> Month | None:
    firsts = []
    for spec in SOURCES:
        for query in spec.queries:
            if query.month is None:
                continue
            found = reader.fetch(query.sql, ["0000-00", str(last)], query.tables)
            firsts += [str(row[query.columns.index(query.month)]) for row in found]
    return Month.parse(min(firsts)) if firsts else None


def zone_names(reader: ViewReader) -> dict[str, str]:
    return {
        str(code): str(name)
        for code, name in reader.fetch(
            "SELECT code, name FROM zones_view ORDER BY code", [], ("zones_view",)
        )
    }


def _axis_leaves(
    axis: tuple[str, ...], data: Rows, months: list[Month], zones: Mapping[str, str]
) -> list[Key]:
    leaves: set[Key] = set()
    if axis == ("anio", "mes"):
        leaves |= {(str(m.year), str(m)) for m in months}
    elif axis == ("anio",):
        leaves |= {(str(m.year),) for m in months}
    elif axis == ("zona",):
        leaves |= {(code,) for code in zones}
    for dims, _ in data.rows:
        if all(d in dims for d in axis):
            leaf = tuple(dims[d] for d in axis)
            if axis in (("anio", "mes"), ("anio",)):
                continue  # the period's months are the whole domain
            leaves.add(leaf)
    return sorted(leaves)


def _levels(axis: tuple[str, ...], leaves: list[Key]) -> list[Key]:
    """Every prefix of the leaves, padded with totals: (*,*), (a,*), (a,b)."""
    cells = {
        tuple(leaf[:depth]) + (TOTAL,) * (len(axis) - depth)
        for leaf in leaves
        for depth in range(len(axis) + 1)
    }
    cells.add((TOTAL,) * len(axis))
    return sorted(cells, key=lambda key: tuple((part == TOTAL, part) for part in key))


@dataclass
class Table:
    spec: TableSpec
    cells: list[Key]  # full keys over the source's dimensions
    relations: list[tuple[Key, list[Key]]]


def _full_key(
    dimensions: tuple[str, ...], axes: tuple[tuple[str, ...], ...], parts: Sequence[Key]
) -> Key:
    values = dict.fromkeys(dimensions, TOTAL)
    for axis, part in zip(axes, parts, strict=True):
        values.update(zip(axis, part, strict=True))
    return tuple(values[d] for d in dimensions)


def build_table(
    spec: TableSpec, data: Rows, months: list[Month], zones: Mapping[str, str]
) -> Table:
    per_axis = [_levels(axis, _axis_leaves(axis, data, months, zones)) for axis in spec.axes]
    cells, relations = [], []
    members = [set(level) for level in per_axis]
    for combo in product(*per_axis):
        key = _full_key(data.dimensions, spec.axes, combo)
        cells.append(key)
        for a, axis in enumerate(spec.axes):
            part = combo[a]
            depth = next((i for i, v in enumerate(part) if v == TOTAL), len(axis))
            if depth == len(axis):
                continue
            children = [
                c
                for c in per_axis[a]
                if c[:depth] == part[:depth]
                and c[depth] != TOTAL
                and all(v == TOTAL for v in c[depth + 1 :])
            ]
            if children and all(c in members[a] for c in children):
                parts = [
                    _full_key(data.dimensions, spec.axes, (*combo[:a], child, *combo[a + 1 :]))
                    for child in children
                ]
                relations.append((key, parts))
    return Table(spec, cells, relations)


def cell_values(data: Rows, keys: Iterable[Key], measure: str) -> dict[Key, int]:
    """The measure's count in each key, in the order the keys came: that order numbers the
    protection problem's cells, so a set's order (the hash seed's) would change which
    complementary cells HiGHS picks among equally cheap ones, from one process to the next."""
    ordered = list(dict.fromkeys(keys))
    wanted = set(ordered)
    totals: dict[Key, int] = defaultdict(int)
    patterns = {tuple(i for i, v in enumerate(key) if v != TOTAL) for key in wanted}
    for dims, measures in data.rows:
        if measure not in measures:
            continue
        for pattern in patterns:
            if any(data.dimensions[i] not in dims for i in pattern):
                continue
            key = tuple(dims[d] if i in pattern else TOTAL for i, d in enumerate(data.dimensions))
            if key in wanted:
                totals[key] += measures[measure]
    return {key: totals.get(key, 0) for key in ordered}


@dataclass
class Part:
    """One protected source of a group: its spec, its tables of the release and its rows."""

    spec: Source
    tables: list[Table]
    data: Rows


def _root_key(part: Part, root: Part, key: Key) -> Key:
    named = dict(zip(part.data.dimensions, key, strict=True))
    return tuple(named[d] for d in root.data.dimensions)


def _link(
    problem: Problem,
    index: dict[CellId, int],
    values: Mapping[CellId, int],
    part: Part,
    root: Part,
) -> None:
    """Adds the cells of a refining source, tied to the root's cells they refine."""
    at = part.data.dimensions.index(part.spec.extra or "")
    for cell, value in values.items():
        if cell[0] != part.spec.code:
            continue
        upper = (root.spec.code, _root_key(part, root, cell[1]))
        same = upper in index and values[upper] == value
        if cell[1][at] == TOTAL and not part.spec.double_counts and same:
            index[cell] = index[upper]
            continue
        index[cell] = problem.add_cell(value)
        if upper in index and part.spec.double_counts:
            mine, cases = index[cell], index[upper]
            # A type's cell counts at most the cases; the sum over types at least them.
            # Only what the true counts satisfy (a table not there yet bounds nothing).
            low, high = (cases, mine) if cell[1][at] == TOTAL else (mine, cases)
            if problem.values[low] <= problem.values[high]:
                problem.inequalities.append(((low, 1.0), (high, -1.0)))


def linked_problem(parts: list[Part]) -> tuple[Problem, dict[CellId, int], dict[CellId, int]]:
    """The cells of a source and of the sources that refine its cells, as one problem.

    A refining source (cases by violence type, by age band) crosses the root's cells with
    one more dimension. Its total over that dimension *is* the root's cell when each case adds
    to one value (the same variable), and bounds it when a case can add to several (every
    type's cell is at most the cases, their total at least the cases).
    """
    root = parts[0]
    values: dict[CellId, int] = {}
    for part in parts:
        measure = part.tables[0].spec.measures[0]
        keys = list(dict.fromkeys(key for table in part.tables for key in table.cells))
        for key, value in cell_values(part.data, keys, measure).items():
            values[(part.spec.code, key)] = value
    problem = Problem()
    index: dict[CellId, int] = {}
    for cell, value in values.items():
        if cell[0] == root.spec.code:
            index[cell] = problem.add_cell(value)
    for part in parts[1:]:
        _link(problem, index, values, part, root)
    seen: set[tuple[int, frozenset[int]]] = set()
    for part in parts:
        for table in part.tables:
            for total, members in table.relations:
                t = index[(part.spec.code, total)]
                signature = (t, frozenset(index[(part.spec.code, m)] for m in members))
                if signature not in seen and t not in signature[1]:
                    seen.add(signature)
                    problem.add_total(t, (index[(part.spec.code, m)] for m in members))
    return problem, index, values
