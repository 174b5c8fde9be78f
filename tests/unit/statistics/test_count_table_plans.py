"""Moving a fact out of a count cell finds the cell by its key: a correlated EXISTS over every
cell scanned the whole table once per moved fact (a status change, a reassignment), so a
rebuild's cost grew with the square of the archive."""

from __future__ import annotations

import sqlite3

import pytest

from projections.stats_tables import COUNT_TABLES, STATS_SCHEMA, CountTable, _decrement


@pytest.mark.parametrize("table", COUNT_TABLES, ids=lambda table: table.name)
def test_taking_a_fact_out_of_a_cell_searches_the_cell_by_its_key(table: CountTable) -> None:
    connection = sqlite3.connect(":memory:")
    for statement in STATS_SCHEMA:
        connection.execute(statement)
    update = _decrement(table, "hecho-1")[0]
    plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {update.sql}", update.params)]
    assert any(step.startswith(f"SEARCH {table.name} USING PRIMARY KEY") for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan


def test_taking_a_fact_out_moves_only_its_own_cell() -> None:
    connection = sqlite3.connect(":memory:")
    for statement in STATS_SCHEMA:
        connection.execute(statement)
    table = next(t for t in COUNT_TABLES if len(t.dimensions) == 2)
    columns = ", ".join((*table.columns, table.count))
    cells = [("2026-01", "z1", "a", 2), ("2026-01", "z1", "b", 1), ("2026-02", "z1", "a", 1)]
    connection.executemany(f"INSERT INTO {table.name} ({columns}) VALUES (?, ?, ?, ?)", cells)
    connection.execute(
        "INSERT INTO stats_contrib (tab, fact_id, client_id, month, k1, k2, counted) "
        "VALUES (?, 'hecho-1', 'c1', '2026-01', 'z1', 'a', 1)",
        (table.name,),
    )
    for statement in _decrement(table, "hecho-1"):
        connection.execute(statement.sql, statement.params)
    assert sorted(connection.execute(f"SELECT * FROM {table.name}").fetchall()) == [
        ("2026-01", "z1", "a", 1),
        ("2026-01", "z1", "b", 1),
        ("2026-02", "z1", "a", 1),
    ]
