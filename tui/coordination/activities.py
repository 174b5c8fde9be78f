"""Coordinación's fourth tab (every case role's): the work plan's activities against their
yearly targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from domain.activities import BANDS, ActivityKind
from tui.coordination.common import CoordinationTabs
from tui.dialogs import ConfirmScreen
from tui.forms import Field, Values
from tui.gateway import Gateway
from tui.records import RecordForm, RecordScreen
from tui.roles import offered
from tui.widgets import Table, cells, format_date, progress_bar
from violeta.dto import ActivityView, NewActivity, TargetProgress
from violeta.service import StaffSession

# Keys of this tab -> the command each runs (or the query it needs).
ACTIONS: dict[str, tuple[str, str]] = {
    "record_activity": ("actividades", "record_activity"),
    "set_target": ("actividades", "set_target"),
    "cancel_activity": ("actividades", "cancel_activity"),
    "year": ("actividades", "target_progress"),
}


def set_target_form(year: int) -> RecordForm:
    return RecordForm(
        title=f"Meta anual de actividades ({year})",
        done="Meta registrada.",
        method="set_target",
        fields=(
            Field(
                "tipo",
                "Tipo de actividad",
                "choice",
                tuple((kind.label, kind.value) for kind in ActivityKind),
            ),
            Field("meta", "Meta", "text", placeholder="número de actividades en el año"),
        ),
        save=lambda session, _subject, v: session.set_target(year, v["tipo"], v["meta"]),
    )


def band_key(band: str) -> str:
    """«18-29» -> «asistentes-18-29», «61+» -> «asistentes-61-mas» (a widget id)."""
    return "asistentes-" + band.replace("+", "-mas")


def _zones(session: StaffSession, _subject: UUID | None) -> tuple[tuple[str, str], ...]:
    return tuple((zone.name, zone.code) for zone in session.zones())


def _record_activity(session: StaffSession, _subject: UUID, v: Values) -> object:
    return session.record_activity(
        NewActivity(
            held_on=v["fecha"],
            kind=v["tipo"],
            topic=v["tema"],
            zone=v["zona"],
            attendance={band: v[band_key(band)] for band in BANDS},
            partner=v["aliada"],
        )
    )


RECORD_ACTIVITY = RecordForm(
    title="Registrar actividad del plan de trabajo",
    done="Actividad registrada.",
    method="record_activity",
    fields=(
        Field("fecha", "Fecha", "date"),
        Field(
            "tipo",
            "Tipo de actividad",
            "choice",
            tuple((kind.label, kind.value) for kind in ActivityKind),
        ),
        Field("tema", "Tema", "text"),
        Field("zona", "Zona", "choice", choices_from=_zones),
        *(
            Field(
                band_key(band),
                f"Asistentes de {band}",
                "text",
                required=False,
                placeholder="0",
            )
            for band in BANDS
        ),
        Field("aliada", "Institución aliada", "text", required=False, max_length=160),
    ),
    save=_record_activity,
)


class ActivitiesTab(CoordinationTabs):
    class ActivityCancelled(Message, bubble=False):
        pass

    class TargetsLoaded(Message, bubble=False):
        def __init__(
            self, year: int, progress: list[TargetProgress], held: list[ActivityView]
        ) -> None:
            super().__init__()
            self.year = year
            self.progress = progress
            self.held = held

    def __init__(self, gateway: Gateway, today: Callable[[], date], tab: str = "bitacora") -> None:
        super().__init__(gateway, today, tab)
        self.year = today().year
        self._activities: dict[str, ActivityView] = {}

    def compose_actividades(self) -> ComposeResult:
        yield Static("", id="actividades-anio", classes="section-title", markup=False)
        table: DataTable[str] = Table(id="metas", cursor_type="row", zebra_stripes=True)
        table.add_columns("Tipo de actividad", "Meta", "Realizadas", "Avance", "Asistentes")
        yield table
        yield Static("Actividades del año", classes="section-title")
        held: DataTable[str] = Table(id="actividades-lista", cursor_type="row", zebra_stripes=True)
        held.add_columns("Fecha", "Tipo", "Tema", "Zona", "Asistentes", "Estado")
        yield held
        yield Static(
            "- y + cambian de año · n registra una actividad · c cancela la de la fila"
            + (" · m fija una meta" if offered(self.gateway, "set_target") else ""),
            classes="muted",
        )

    def load_actividades(self) -> None:
        year = self.year
        self.run_service(
            lambda session: (session.target_progress(year), session.activities_of_year(year)),
            lambda loaded: self.TargetsLoaded(year, *loaded),
        )

    def fits_cancel_activity(self) -> bool:
        held = self._focused_activity()
        return held is not None and not held.cancelled

    def on_activities_tab_targets_loaded(self, message: TargetsLoaded) -> None:
        self.query_one("#actividades-anio", Static).update(
            f"Metas del plan de trabajo {message.year}"
        )
        table = self.query_one("#metas", DataTable)
        table.clear()
        for item in message.progress:
            table.add_row(
                *cells(
                    item.kind,
                    str(item.target) if item.target else "—",
                    str(item.done),
                    progress_bar(item.done, item.target),
                    str(item.attendees),
                )
            )
        held = self.query_one("#actividades-lista", DataTable)
        held.clear()
        self._activities = {str(activity.activity_id): activity for activity in message.held}
        for activity in message.held:
            held.add_row(
                *cells(
                    format_date(activity.held_on),
                    activity.kind,
                    activity.topic,
                    activity.zone_name,
                    str(activity.attendees),
                    "Cancelada" if activity.cancelled else "Vigente",
                ),
                key=str(activity.activity_id),
            )
        self.refresh_bindings()

    def _focused_activity(self) -> ActivityView | None:
        key = self._cursor_key("#actividades-lista")
        return self._activities.get(key) if key else None

    def action_cancel_activity(self) -> None:
        held = self._focused_activity()
        if held is None or held.cancelled:
            return
        activity_id = held.activity_id

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_service(
                    lambda session: session.cancel_activity(activity_id),
                    lambda _: self.ActivityCancelled(),
                    writes=True,
                )

        self.app.push_screen(
            ConfirmScreen(
                "Cancelar actividad",
                f"¿Cancelar «{held.topic}» ({held.kind}, {format_date(held.held_on)})? Deja de "
                "contar para las metas y las estadísticas; queda en la lista como cancelada.",
            ),
            answered,
        )

    def on_activities_tab_activity_cancelled(self, _: ActivityCancelled) -> None:
        self.notify("Actividad cancelada.")
        self.action_reload()

    def action_year(self, step: int) -> None:
        self.year += step
        self.action_reload()

    def action_set_target(self) -> None:
        self._open_form(set_target_form(self.year))

    def action_record_activity(self) -> None:
        self._open_form(RECORD_ACTIVITY)

    def _open_form(self, form: RecordForm) -> None:
        def done(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, UUID(int=0), "", form), done)
