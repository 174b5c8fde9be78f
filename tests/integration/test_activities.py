"""Work-plan activities on both backends: counts by month × zone × kind and target progress."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import CORTAZAR, TIERRA_FRIA, staff
from violeta.dto import NewActivity
from violeta.service import Institute, StaffSession


def a_talk(**overrides: object) -> NewActivity:
    values: dict[str, object] = {
        "held_on": "08/03/2026",
        "kind": "Plática",
        "topic": "Prevención de la violencia de género",
        "zone": CORTAZAR,
        "attendance": {"18-29": "10", "30-39": "5"},
        "partner": "Secundaria técnica 12",
    }
    values.update(overrides)
    return NewActivity(**values)  # type: ignore[arg-type]


def test_activities_count_by_zone_kind_and_month_against_the_yearly_targets(
    institute: Institute, coordinator: StaffSession
) -> None:
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    coordinator.set_target(2026, "platica", "12")
    coordinator.set_target(2026, "feria_salud", "2")
    psychologist.record_activity(a_talk())
    psychologist.record_activity(a_talk(held_on="20/03/2026", attendance={"40-49": "7"}))
    psychologist.record_activity(a_talk(zone=TIERRA_FRIA, held_on="02/04/2026"))
    mistaken = psychologist.record_activity(
        a_talk(kind="asesoria_comunidad", attendance={"50-60": "2"})
    )
    psychologist.cancel_activity(mistaken)

    counts = [
        (c.month, c.kind, c.activities, c.attendees) for c in coordinator.activity_counts(2026)
    ]
    assert ("2026-03", "Plática", 2, 22) in counts
    assert ("2026-04", "Plática", 1, 15) in counts
    assert all(kind != "Asesoría jurídica o psicológica en comunidad" for _, kind, _, _ in counts)
    progress = {p.kind: p for p in coordinator.target_progress(2026)}
    assert (progress["Plática"].target, progress["Plática"].done) == (12, 3)
    assert progress["Plática"].percent == 25
    assert progress["Plática"].attendees == 37
    assert (progress["Feria de la salud"].done, progress["Feria de la salud"].percent) == (0, 0)
    coordinator.set_target(2026, "platica", "15")
    assert {p.kind: p.target for p in coordinator.target_progress(2026)}["Plática"] == 15


def test_the_year_lists_each_activity_newest_first_and_marks_the_cancelled_one(
    institute: Institute, coordinator: StaffSession
) -> None:
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    talk = psychologist.record_activity(a_talk())
    later = psychologist.record_activity(a_talk(zone=TIERRA_FRIA, held_on="02/04/2026"))
    psychologist.record_activity(a_talk(held_on="02/04/2025"))
    psychologist.cancel_activity(talk)

    listed = coordinator.activities_of_year(2026)

    assert [(a.activity_id, a.held_on.isoformat(), a.cancelled) for a in listed] == [
        (later, "2026-04-02", False),
        (talk, "2026-03-08", True),
    ]
    assert (listed[0].kind, listed[0].attendees) == ("Plática", 15)
    assert listed[0].zone_name != TIERRA_FRIA  # the zone's name, not its code
    with pytest.raises(NotPermitted):
        admin.activities_of_year(2026)
    with pytest.raises(DomainError, match="ya fue cancelada"):
        psychologist.cancel_activity(talk)


def test_activity_input_is_validated_and_roles_are_checked(
    institute: Institute, coordinator: StaffSession
) -> None:
    admin = staff(institute, coordinator, "administra", Role.ADMINISTRATION)
    with pytest.raises(NotPermitted):
        admin.record_activity(a_talk())
    with pytest.raises(NotPermitted):
        admin.set_target(2026, "taller", "10")
    before = coordinator._store.recorder.max_notification_id()
    for form, field in [
        (a_talk(kind="karaoke"), "Tipo de actividad"),
        (a_talk(attendance={"18-29": "diez"}), "Asistentes de 18-29"),
        (a_talk(attendance={"18-29": "0"}), "Asistencia"),
        (a_talk(zone="no-existe"), "Zona"),
        (a_talk(held_on="31/12/2026"), "Fecha"),
        (a_talk(topic=""), "Tema"),
    ]:
        with pytest.raises(InvalidField) as error:
            coordinator.record_activity(form)
        assert error.value.field == field
    assert coordinator._store.recorder.max_notification_id() == before
