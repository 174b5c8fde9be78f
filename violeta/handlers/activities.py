"""Handlers: work plan activities and targets (no personal data)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import identity
from domain.activities import BANDS, Activity, ActivityKind, WorkPlanYear
from domain.cases import parse_category
from domain.errors import InvalidField, UnknownRecord
from violeta.activities import INSTITUTION_MAX, _count
from violeta.commands import CancelActivity, RecordActivity, SetTarget
from violeta.session import SessionContext, retry_on_conflict
from violeta.store import load_aggregate


def record_activity(ctx: SessionContext, command: RecordActivity) -> UUID:
    held_on = ctx._past_or_today("Fecha", command.form.held_on, ctx._institute.today())
    kind = parse_category(ActivityKind, "Tipo de actividad", command.form.kind)
    topic = identity.free_text("Tema", command.form.topic, max_length=identity.SHORT_TEXT_MAX)
    partner = identity.free_text(
        "Institución aliada", command.form.partner, max_length=INSTITUTION_MAX, required=False
    )
    ctx._check_zone(command.form.zone)
    unknown = set(command.form.attendance) - set(BANDS)
    if unknown:
        raise InvalidField("Asistencia", "contiene un grupo de edad que no existe.")
    attendance = {
        band: _count(f"Asistentes de {band}", text)
        for band, text in command.form.attendance.items()
    }
    activity = Activity.record(
        activity_id=uuid4(),
        held_on=held_on,
        kind=kind,
        topic=topic,
        zone=command.form.zone,
        attendance=attendance,
        partner=partner,
        recorded_by=ctx._account.id,
    )
    ctx._store.save(activity)
    return activity.id


def cancel_activity(ctx: SessionContext, command: CancelActivity) -> None:
    activity = load_aggregate(
        ctx._store, command.activity_id, Activity, "No existe una actividad con ese identificador."
    )
    activity.cancel(ctx._account.id)
    ctx._store.save(activity)


def set_target(ctx: SessionContext, command: SetTarget) -> None:
    """Coordinación sets how many activities of a kind the work plan expects in a year."""
    chosen = parse_category(ActivityKind, "Tipo de actividad", command.kind)
    value = command.target.strip()
    if not value.isascii() or not value.isdigit():
        raise InvalidField("Meta", "escriba un número entero.")

    def attempt() -> None:
        try:
            plan = load_aggregate(
                ctx._store, WorkPlanYear.create_id(command.year), WorkPlanYear, ""
            )
        except UnknownRecord:
            plan = WorkPlanYear.start(command.year)
        plan.set_target(chosen, int(value), ctx._account.id)
        ctx._store.save(plan)

    retry_on_conflict(attempt)
