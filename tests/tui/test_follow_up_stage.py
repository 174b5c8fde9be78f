"""«s A seguimiento» on the case: an open case passes to the follow-up stage (enter_follow_up
had no key), offered to whoever attends it or coordinación and only while open. Synthetic
data only."""

from __future__ import annotations

import pytest

from tests.tui.conftest import MakeApp, Seeded, as_staff, text_of, until
from tests.tui.test_case_screen import as_legal_on_her_case, offered_actions
from tests.tui.test_commands import saved
from tests.tui.test_coordination import SIZE
from tui.records import RecordScreen

pytestmark = pytest.mark.anyio

STAGE = "case_form('enter_follow_up')"


async def test_her_lawyer_passes_the_case_to_follow_up(seeded: Seeded, make_app: MakeApp) -> None:
    assert seeded.case_id is not None
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        await app.workers.wait_for_complete()
        assert STAGE not in offered_actions(screen)  # she attends no area of it yet
    with as_staff(seeded) as coordinator:
        legal_id = next(a.staff_id for a in coordinator.accounts() if a.username == "juridica")
        coordinator.assign_area(seeded.case_id, "juridica", legal_id)

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        screen = await as_legal_on_her_case(pilot)
        await app.workers.wait_for_complete()
        assert STAGE in offered_actions(screen)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        await saved(pilot)
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: "En seguimiento" in text_of(pilot, "#case-header"))
        await app.workers.wait_for_complete()
        assert STAGE not in offered_actions(screen)
    with as_staff(seeded) as coordinator:
        life = coordinator.case_life(seeded.case_id)
        assert life.status == "En seguimiento"
