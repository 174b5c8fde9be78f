"""Rules of the work-plan activities and yearly targets (no personal data anywhere)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.activities import Activity, ActivityKind, WorkPlanYear
from domain.errors import DomainError, InvalidField


def an_activity(**overrides: object) -> Activity:
    values: dict[str, object] = {
        "activity_id": uuid4(),
        "held_on": date(2026, 3, 8),
        "kind": ActivityKind.TALK,
        "topic": "Prevención de la violencia en el noviazgo",
        "zone": "110110001",
        "attendance": {"18-29": 12, "30-39": 3, "0-17": 0},
        "partner": "Secundaria técnica",
        "recorded_by": uuid4(),
    }
    values.update(overrides)
    return Activity.record(**values)  # type: ignore[arg-type]


def test_attendance_is_counted_by_age_band_and_empty_bands_are_dropped() -> None:
    activity = an_activity()
    assert activity.attendance == {"18-29": 12, "30-39": 3}
    assert activity.attendees == 15


@pytest.mark.parametrize(
    ("attendance", "field"),
    [
        ({"18-29": -1}, "Asistentes de 18-29"),
        ({"adultas": 3}, "Asistencia"),
        ({"18-29": 0}, "Asistencia"),
        ({}, "Asistencia"),
    ],
)
def test_invalid_attendance_names_the_field(attendance: dict[str, int], field: str) -> None:
    with pytest.raises(InvalidField) as error:
        an_activity(attendance=attendance)
    assert error.value.field == field


def test_a_cancelled_activity_is_cancelled_once() -> None:
    activity = an_activity()
    activity.cancel(uuid4())
    with pytest.raises(DomainError, match="ya fue cancelada"):
        activity.cancel(uuid4())


def test_yearly_targets_per_kind() -> None:
    plan = WorkPlanYear.start(2026)
    assert plan.id == WorkPlanYear.create_id(2026)
    plan.set_target(ActivityKind.WORKSHOP, 24, uuid4())
    with pytest.raises(DomainError, match="ya tiene ese valor"):
        plan.set_target(ActivityKind.WORKSHOP, 24, uuid4())
    with pytest.raises(InvalidField, match="Meta"):
        plan.set_target(ActivityKind.WORKSHOP, -1, uuid4())
    with pytest.raises(InvalidField, match="Año"):
        WorkPlanYear.start(1900)
    assert plan.targets == {ActivityKind.WORKSHOP: 24}
    assert ActivityKind.WIGS_AND_PROSTHESES.label.startswith("Gestión de pelucas")
