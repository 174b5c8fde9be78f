"""Rebuild equality on a demo institute (issue 10): every view and every statistics table
rebuilt from zero equals what the projections kept incrementally while the demo's story was
told, and every table equals a brute-force recount from the events (both backends)."""

from __future__ import annotations

import re
from datetime import date

from keys import KdfParams
from projections.audit_chain import AUDIT_SCHEMA
from projections.views import SCHEMA
from tests.integration.test_statistics_store import assert_tables_match
from violeta.demo import COORDINATOR, DEMO_PASSWORD, build_demo
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")


def _every_view(session: StaffSession) -> dict[str, list[str]]:
    session.refresh()
    names = [m.group(1) for s in (*SCHEMA, *AUDIT_SCHEMA) if (m := TABLE.match(s))]
    return {
        name: sorted(
            repr(sorted(dict(row).items())) for row in session._views.query(f"SELECT * FROM {name}")
        )
        for name in names
    }


def test_rebuilding_a_demo_institute_gives_the_same_views_and_counts(settings: Settings) -> None:
    institute = Institute(settings, kdf=KdfParams.fast(), today=lambda: date(2026, 11, 20))
    build_demo(institute, cases=120, seed=11, today=date(2026, 11, 20), years=2)
    coordinator = institute.login(COORDINATOR[0], DEMO_PASSWORD)
    try:
        assert_tables_match(coordinator)
        before = _every_view(coordinator)
        assert sum(map(len, before.values())) > 1000
        coordinator.rebuild_views()
        after = _every_view(coordinator)
        assert after == before
        assert_tables_match(coordinator)
    finally:
        coordinator.close()
        institute.close()
