"""The demo feeds every screen: directory, referrals, orders, queues, alerts, activities."""

from __future__ import annotations

from pathlib import Path

from domain.cases import AggressorRelationship
from domain.vocabulary import Modality, ViolenceType
from tests.support.factories import TODAY, make_institute
from violeta.demo import DEMO_DIRECTORY, DEMO_PASSWORD, STORIES, build_demo
from violeta.settings import Settings


def test_every_queue_and_screen_has_rows_and_the_stories_hold_together(data_dir: Path) -> None:
    institute = make_institute(Settings(data=data_dir))
    build_demo(institute, cases=120, seed=5, today=TODAY, years=1)
    coordinator = institute.login("coordinacion", DEMO_PASSWORD)
    legal = institute.login("juridica", DEMO_PASSWORD)
    psychology = institute.login("psicologia", DEMO_PASSWORD)
    try:
        names = {view.name for view in coordinator.directory()}
        assert names == {form.name for form in DEMO_DIRECTORY}
        assert any("DIF Municipal" in name for name in names)
        assert any("Fiscalía Especializada" in name for name in names)
        [referred] = coordinator._views.query("SELECT COUNT(*) AS n FROM referrals_view")
        assert referred["n"] >= 3
        assert legal.orders_expiring(), "una orden por vencer"
        assert coordinator.pending_closures(), "un cierre por aprobar"
        assert coordinator.dashboard_counters().pending_erasures >= 1
        sessions = psychology.psychology_sessions_due()
        assert sessions and all(s.next_session >= TODAY for s in sessions)
        assert coordinator.alerts(), "una alerta de la bitácora"
        progress = coordinator.target_progress(TODAY.year)
        assert sum(p.target for p in progress) > 0 and sum(p.done for p in progress) > 0
        # A reason's story: its modality and aggressor are those it names.
        for summary in coordinator.dashboard().my_recent_cases[:10]:
            detail = coordinator.case_detail(summary.case_id)
            modalities, aggressors, kinds = STORIES[detail.reason]
            assert detail.modalities == tuple(Modality(value).label for value in modalities)
            assert detail.aggressor_relationship in {
                AggressorRelationship(value).label for value in (*aggressors, "no_referido")
            }
            assert detail.violence_types
            assert set(detail.violence_types) <= {ViolenceType(value).label for value in kinds}
    finally:
        for session in (coordinator, legal, psychology):
            session.close()
        institute.close()
