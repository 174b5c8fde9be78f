"""Work-plan activities and their yearly targets: no personal data, so no access events.

Any staff member who runs activities records them; coordinación sets the yearly targets of the
work plan; administración, which holds no program role, does neither.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.activities import BANDS, MAX_ATTENDEES, Activity, ActivityKind, WorkPlanYear
from domain.cases import parse_category
from domain.errors import InvalidField, UnknownRecord
from violeta.dto import ActivityCount, NewActivity, TargetProgress
from violeta.session import SessionCore, load_aggregate, retry_on_conflict

INSTITUTION_MAX = 160


def _count(field: str, text: str) -> int:
    value = text.strip()
    if not value:
        return 0
    if not value.isascii() or not value.isdigit():
        raise InvalidField(field, "escriba un número entero.")
    if int(value) > MAX_ATTENDEES:
        raise InvalidField(field, f"entre 0 y {MAX_ATTENDEES}.")
    return int(value)


class Activities(SessionCore):
    def record_activity(self, form: NewActivity) -> UUID:
        held_on = self._past_or_today("Fecha", form.held_on, self._institute.today())
        kind = parse_category(ActivityKind, "Tipo de actividad", form.kind)
        topic = identity.free_text("Tema", form.topic, max_length=identity.SHORT_TEXT_MAX)
        partner = identity.free_text(
            "Institución aliada", form.partner, max_length=INSTITUTION_MAX, required=False
        )
        self._check_zone(form.zone)
        unknown = set(form.attendance) - set(BANDS)
        if unknown:
            raise InvalidField("Asistencia", "contiene un grupo de edad que no existe.")
        attendance = {
            band: _count(f"Asistentes de {band}", text) for band, text in form.attendance.items()
        }
        activity = Activity.record(
            activity_id=uuid4(),
            held_on=held_on,
            kind=kind,
            topic=topic,
            zone=form.zone,
            attendance=attendance,
            partner=partner,
            recorded_by=self._account.id,
        )
        self._store.save(activity)
        return activity.id

    def cancel_activity(self, activity_id: UUID) -> None:
        activity = load_aggregate(
            self._store, activity_id, Activity, "No existe una actividad con ese identificador."
        )
        activity.cancel(self._account.id)
        self._store.save(activity)

    def set_target(self, year: int, kind: str, target: str) -> None:
        """Coordinación sets how many activities of a kind the work plan expects in a year."""
        chosen = parse_category(ActivityKind, "Tipo de actividad", kind)
        value = target.strip()
        if not value.isascii() or not value.isdigit():
            raise InvalidField("Meta", "escriba un número entero.")

        def attempt() -> None:
            try:
                plan = load_aggregate(self._store, WorkPlanYear.create_id(year), WorkPlanYear, "")
            except UnknownRecord:
                plan = WorkPlanYear.start(year)
            plan.set_target(chosen, int(value), self._account.id)
            self._store.save(plan)

        retry_on_conflict(attempt)

    def target_progress(self, year: int) -> list[TargetProgress]:
        """Every kind of the plan: its target for the year and what was done."""
        self.refresh()
        targets = {
            row["kind"]: int(row["target"])
            for row in self._views.query(
                "SELECT kind, target FROM activity_targets WHERE year = ?", (year,)
            )
        }
        done = {
            row["kind"]: (int(row["n"]), int(row["people"]))
            for row in self._views.query(
                "SELECT kind, SUM(activities) AS n, SUM(attendees) AS people "
                "FROM stats_activities WHERE month LIKE ? GROUP BY kind",
                (f"{year:04d}-%",),
            )
        }
        return [
            TargetProgress(
                kind=kind.label,
                target=targets.get(kind.value, 0),
                done=done.get(kind.value, (0, 0))[0],
                attendees=done.get(kind.value, (0, 0))[1],
            )
            for kind in ActivityKind
        ]

    def activity_counts(self, year: int) -> list[ActivityCount]:
        """Activities and attendance by month × zone × kind for one year."""
        self.refresh()
        zone_names = self._zone_names()
        rows = self._views.query(
            "SELECT * FROM stats_activities WHERE month LIKE ? ORDER BY month, zone, kind",
            (f"{year:04d}-%",),
        )
        return [
            ActivityCount(
                month=row["month"],
                zone_name=zone_names.get(row["zone"], row["zone"]),
                kind=ActivityKind(row["kind"]).label,
                activities=int(row["activities"]),
                attendees=int(row["attendees"]),
            )
            for row in rows
        ]
