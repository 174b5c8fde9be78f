"""The demo's story: the years it spans and the reads it implies, through the service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.factories import make_institute
from violeta.demo import build_demo
from violeta.settings import Settings

TODAY = date(2026, 11, 20)


def test_the_story_spans_the_years_asked_and_leaves_the_reads_it_implies(
    data_dir: Path,
) -> None:
    institute = make_institute(Settings(data=data_dir))
    summary = build_demo(institute, cases=40, seed=3, today=TODAY, years=1)
    session = institute.login("coordinacion", "demo-violeta-2026")
    try:
        opened = [
            row["opened_on"] for row in session._views.query("SELECT opened_on FROM cases_view")
        ]
        assert len(opened) == summary.cases == 40
        assert min(opened) >= "2026-01-01"
        reads = session._views.query(
            "SELECT role, COUNT(*) AS n FROM access_log WHERE action = 'ver' GROUP BY role"
        )
        # Each area reads the case and her section before recording in it.
        assert {row["role"] for row in reads} >= {"juridica", "psicologia", "trabajo_social"}
    finally:
        session.close()
        institute.close()


def test_a_story_of_several_years_starts_that_many_years_back(data_dir: Path) -> None:
    institute = make_institute(Settings(data=data_dir))
    build_demo(institute, cases=60, seed=3, today=TODAY, years=5)
    session = institute.login("coordinacion", "demo-violeta-2026")
    try:
        [row] = session._views.query("SELECT MIN(opened_on) AS first FROM cases_view")
        assert "2022-01-01" <= row["first"] < "2024-01-01"
    finally:
        session.close()
        institute.close()


def test_a_story_of_no_years_is_refused(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="years"):
        build_demo(make_institute(Settings(data=data_dir)), cases=1, seed=3, today=TODAY, years=0)
