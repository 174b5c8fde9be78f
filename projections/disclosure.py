"""Cell suppression for linked statistical tables: primary, complementary (MILP) and the LP audit.

A *problem* is a set of cells (each a non-negative count) tied by linear relations, as the
published tables imply them: every margin equals the sum of the cells it totals, and a cell
that appears in two tables of a release (a year total, the grand total) is one variable. The
attacker knows every published value, the relations, and what each suppression mark says:

- a cell marked «<k» holds 0 to k-1, and one marked «confidencial» holds 0 or at least k. Every
  primary cell (1 to k-1) is «<k» and every complementary one (k or more) «confidencial», but
  a zero may also be hidden, under either mark at random, to protect another, so no mark rules
  out 0. Were «<k» read as 1 to k-1, a total of 2 marked «<5» with two parts marked «<5» would
  tell that each part is exactly 1; were «confidencial» read as k or more, a hidden total of 7
  with k=6 could bound its parts away from 0: in both cases no pattern could protect them.
  The audit reads each mark as its convex hull: [0, k-1] and [0, ∞).

Protection (``protect``) chooses complementary cells with minimum information loss so that every
primary cell keeps the whole sensitive range as feasible interval: some table consistent with
everything published puts it at 1 (or below) and some puts it at k-1 (or above). It is the
deviation-vector model of Fischetti and Salazar (the "optimal" method of τ-ARGUS) solved by
scipy's HiGHS ``milp``: for each primary cell and direction, a vector in the kernel of the
relations moves the cell to the end of the range, touching only suppressed cells and staying
within what their marks allow. When the joint model is too large it is solved one primary cell
at a time (each optimal given the cells already hidden); hiding more never unprotects a cell,
so the result protects all of them.

The audit (``audit``) is independent of how the pattern was chosen: for every suppressed cell it
minimizes and maximizes that cell with ``linprog`` over every relation and bound, given all
published values. A primary cell whose interval does not reach both 1 and k-1 fails the release.
The audit is over the continuous relaxation, as τ-ARGUS's audit is; integrality could only
narrow an interval at its non-integer ends, and both required ends are integers.

Optional *inequalities* (``sum coef·x <= 0``) add what an attacker may assume beyond equalities,
e.g. that between two releases counts only decreased (consent withdrawals).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

MIN_K = 3
DEFAULT_K = 5
# Joint MILP up to this many continuous variables; beyond, one primary cell at a time.
JOINT_LIMIT = 4_000
_EPS = 1e-6

Row = tuple[tuple[int, float], ...]


class ProtectionFailed(Exception):
    """No pattern protects a primary cell (the solver found none, or gave up)."""


def check_k(k: int) -> int:
    if k < MIN_K:
        raise ValueError(
            f"El umbral de supresión k debe ser al menos {MIN_K} (se recibió {k}): "
            "un umbral menor permitiría identificar a una usuaria."
        )
    return k


@dataclass
class Problem:
    """Cells and the linear relations among them; ``fixed`` cells cannot change state.

    ``published_fixed`` cells must stay published (a value already public, e.g. of an earlier
    release); ``suppressed_fixed`` ones stay suppressed with the bounds given in ``bounds``.
    """

    values: list[int] = field(default_factory=list)
    equalities: list[Row] = field(default_factory=list)
    inequalities: list[Row] = field(default_factory=list)
    published_fixed: set[int] = field(default_factory=set)
    suppressed_fixed: set[int] = field(default_factory=set)
    bounds: dict[int, tuple[float, float]] = field(default_factory=dict)
    # Cost of hiding a cell; default its value plus one (cases hidden, then cells hidden).
    weights: dict[int, float] = field(default_factory=dict)
    # Unknown counts that no table publishes (finer than every cell, e.g. a zone's month): never
    # published, bounded by ``bounds`` (default [0, ∞)), and owed no interval of their own.
    free: set[int] = field(default_factory=set)

    def add_cell(self, value: int) -> int:
        if value < 0:
            raise ValueError(f"Conteo negativo: {value}")
        self.values.append(int(value))
        return len(self.values) - 1

    def add_total(self, total: int, parts: Iterable[int]) -> None:
        """``total`` = the sum of ``parts``; checked against the values."""
        members = list(parts)
        if self.values[total] != sum(self.values[p] for p in members):
            raise ValueError("Un total no coincide con la suma de sus celdas")
        self.equalities.append(((total, 1.0), *((p, -1.0) for p in members)))


def primary(values: Sequence[int], k: int) -> set[int]:
    """Cells holding 1 to k-1: published as suppressed, never as zero nor with their value."""
    check_k(k)
    return {i for i, value in enumerate(values) if 0 < value < k}


def mark_bounds(problem: Problem, k: int, index: int) -> tuple[float, float]:
    """What the published mark of a suppressed cell tells about its value."""
    if index in problem.bounds:
        return problem.bounds[index]
    if index in problem.free:
        return (0.0, np.inf)
    value = problem.values[index]
    # A hidden zero may carry either mark; it is read with the tighter one (conservative).
    return (0.0, float(k - 1)) if value < k else (0.0, np.inf)


def _required(problem: Problem, k: int, index: int) -> list[float]:
    """Deviations a primary cell must admit: down to 1 and up to k-1 (when it is not there)."""
    value = problem.values[index]
    return [float(end - value) for end in (1, k - 1) if end != value]


def _matrix(rows: Sequence[Row], columns: dict[int, int], width: int) -> sparse.csr_matrix:
    data, row_index, col_index = [], [], []
    for r, row in enumerate(rows):
        for cell, coef in row:
            if cell in columns:
                data.append(coef)
                row_index.append(r)
                col_index.append(columns[cell])
    return sparse.csr_matrix((data, (row_index, col_index)), shape=(len(rows), width))


def _constant(rows: Sequence[Row], columns: dict[int, int], values: Sequence[int]) -> np.ndarray:
    return np.array(
        [sum(coef * values[c] for c, coef in row if c not in columns) for row in rows], dtype=float
    )


@contextmanager
def _native_output_silenced() -> Iterator[None]:
    """HiGHS's MIP solver prints progress lines on file descriptor 1 even with ``disp`` off;
    they would land in the output of ``violeta publicar``. Only the publisher solves MILPs."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # already captured (tests), nothing to do
        yield
        return
    sys.stdout.flush()
    saved = os.dup(descriptor)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), descriptor)
            yield
    finally:
        os.dup2(saved, descriptor)
        os.close(saved)


def _solve_protection(  # noqa: PLR0915 - one model, assembled in one place
    problem: Problem, k: int, hidden: set[int], targets: Sequence[int], candidates: set[int]
) -> set[int]:
    """One MILP: the cheapest candidates to hide so that every target gets its deviations."""
    values = problem.values
    movable = sorted(hidden | candidates)
    position = {cell: i for i, cell in enumerate(movable)}
    choice = sorted(candidates - hidden)
    chosen_at = {cell: i for i, cell in enumerate(choice)}
    big = float(max(values, default=0) + k) * 2.0
    deviations = [(p, d) for p in targets for d in _required(problem, k, p)]
    if not deviations:
        return set()
    m, n_s = len(movable), len(choice)
    n = n_s + m * len(deviations)
    lower = np.zeros(n)
    upper = np.ones(n)
    blocks: list[sparse.spmatrix] = []
    lows: list[np.ndarray] = []
    highs: list[np.ndarray] = []
    eq = _matrix(problem.equalities, position, m)
    ineq = _matrix(problem.inequalities, position, m)
    # Slack of each inequality at the true values: the deviation may use only that much.
    slack = -(_constant(problem.inequalities, {}, values) if problem.inequalities else np.zeros(0))
    link_rows, link_cols, link_data = [], [], []
    link_low: list[float] = []
    link_high: list[float] = []
    link_count = 0
    for b, (target, wanted) in enumerate(deviations):
        offset = n_s + b * m
        for cell, i in position.items():
            var = offset + i
            if cell in hidden:
                low, high = mark_bounds(problem, k, cell)
                lower[var], upper[var] = low - values[cell], min(high, big) - values[cell]
            else:  # a candidate: free only when chosen
                lower[var], upper[var] = -big, big
                s = chosen_at[cell]
                low, high = mark_bounds(problem, k, cell)
                # y - (low - x)·s >= 0  and  y - (high - x)·s <= 0: what its mark would allow.
                for coef_s, lo, hi in (
                    (-(low - values[cell]), 0.0, np.inf),
                    (-(min(high, big) - values[cell]), -np.inf, 0.0),
                ):
                    link_rows += [link_count, link_count]
                    link_cols += [var, s]
                    link_data += [1.0, float(coef_s)]
                    link_low.append(lo)
                    link_high.append(hi)
                    link_count += 1
        lower[offset + position[target]] = upper[offset + position[target]] = wanted
        pad_left = sparse.csr_matrix((eq.shape[0], offset))
        pad_right = sparse.csr_matrix((eq.shape[0], n - offset - m))
        blocks.append(sparse.hstack([pad_left, eq, pad_right]))
        lows.append(np.zeros(eq.shape[0]))
        highs.append(np.zeros(eq.shape[0]))
        if problem.inequalities:
            pad_left = sparse.csr_matrix((ineq.shape[0], offset))
            pad_right = sparse.csr_matrix((ineq.shape[0], n - offset - m))
            blocks.append(sparse.hstack([pad_left, ineq, pad_right]))
            lows.append(np.full(ineq.shape[0], -np.inf))
            highs.append(slack)
    if link_count:
        blocks.append(sparse.csr_matrix((link_data, (link_rows, link_cols)), shape=(link_count, n)))
        lows.append(np.array(link_low))
        highs.append(np.array(link_high))
    cost = np.zeros(n)
    for cell, s in chosen_at.items():
        cost[s] = problem.weights.get(cell, values[cell] + 1.0)
    integrality = np.zeros(n)
    integrality[:n_s] = 1
    with _native_output_silenced():
        result = milp(
            cost,
            integrality=integrality,
            bounds=Bounds(lower, upper),
            constraints=LinearConstraint(
                sparse.vstack(blocks).tocsr(), np.concatenate(lows), np.concatenate(highs)
            ),
            options={"time_limit": 60.0},
        )
    if result.x is None:
        raise ProtectionFailed(f"La supresión complementaria no encontró patrón: {result.message}")
    return {cell for cell, s in chosen_at.items() if result.x[s] > 0.5}


def protect(problem: Problem, k: int, hidden: set[int] | None = None) -> set[int]:
    """Primary plus complementary suppression: the set of cells to publish as suppressed."""
    check_k(k)
    values = problem.values
    primaries = (primary(values, k) - problem.published_fixed) | problem.suppressed_fixed
    overlap = primary(values, k) & problem.published_fixed
    if overlap:
        raise ProtectionFailed("Una celda ya publicada quedó por debajo del umbral")
    suppressed = set(hidden or set()) | primaries | problem.free
    # Zeros may be hidden too, under the same «<k» mark: what it says is then 0 to k-1.
    candidates = {
        i
        for i, value in enumerate(values)
        if (value == 0 or value >= k) and i not in problem.published_fixed and i not in suppressed
    }
    targets = sorted(i for i in suppressed if 0 < values[i] < k and i not in problem.free)
    size = len(targets) * 2 * (len(candidates) + len(suppressed))
    batches = [targets] if size <= JOINT_LIMIT else [[t] for t in targets]
    for batch in batches:
        added = _solve_protection(problem, k, suppressed, batch, candidates - suppressed)
        suppressed |= added
    return suppressed


@dataclass(frozen=True)
class Interval:
    cell: int
    low: float
    high: float
    required_low: float
    required_high: float

    @property
    def protected(self) -> bool:
        return self.low <= self.required_low + _EPS and self.high >= self.required_high - _EPS


@dataclass(frozen=True)
class Audit:
    intervals: tuple[Interval, ...]

    @property
    def failures(self) -> tuple[Interval, ...]:
        return tuple(interval for interval in self.intervals if not interval.protected)

    @property
    def passed(self) -> bool:
        return not self.failures


def audit(problem: Problem, k: int, suppressed: set[int], only: set[int] | None = None) -> Audit:
    """The feasible interval of every suppressed cell given everything published.

    ``only``: compute the intervals of these suppressed cells alone (the others still vary).
    The problem's ``free`` counts always vary; their intervals are computed only when asked."""
    check_k(k)
    values = problem.values
    unknown = sorted(suppressed | problem.free)
    position = {cell: i for i, cell in enumerate(unknown)}
    if not unknown:
        return Audit(())
    eq = _matrix(problem.equalities, position, len(unknown))
    b_eq = -_constant(problem.equalities, position, values)
    kwargs: dict[str, object] = {}
    if problem.inequalities:
        kwargs["A_ub"] = _matrix(problem.inequalities, position, len(unknown))
        kwargs["b_ub"] = -_constant(problem.inequalities, position, values)
    if eq.shape[0]:
        kwargs["A_eq"] = eq
        kwargs["b_eq"] = b_eq
    bounds = [
        (low, None if np.isinf(high) else high)
        for low, high in (mark_bounds(problem, k, c) for c in unknown)
    ]
    intervals = []
    for cell in unknown:
        if (only is not None and cell not in only) or (only is None and cell in problem.free):
            continue
        objective = np.zeros(len(unknown))
        objective[position[cell]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(sign * objective, bounds=bounds, method="highs", **kwargs)
            if result.status == 3:  # unbounded
                ends.append(-np.inf if sign > 0 else np.inf)
            elif result.status != 0:
                raise ProtectionFailed(
                    f"La auditoría no pudo resolver un intervalo: {result.message}"
                )
            else:
                ends.append(sign * float(result.fun))
        low, high = ends
        value = values[cell]
        # A complementary cell has nothing to keep beyond its mark.
        owed = 0 < value < k and cell not in problem.free
        required = (1.0, float(k - 1)) if owed else (np.inf, -np.inf)
        intervals.append(Interval(cell, low, high, *required))
    return Audit(tuple(intervals))
