"""Directorio: the institutions a woman may be referred to (public data, no access record).

Every role reads it; coordinación and trabajo social add institutions and retire them (a
retired one stays, since referrals point at it, but is no longer offered)."""

from __future__ import annotations

from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from domain.directory import INSTITUTION_KINDS, SERVICES
from tui.base import SessionScreen
from tui.dialogs import ConfirmScreen, RowsScreen
from tui.forms import Field
from tui.gateway import Gateway
from tui.keymap import DIRECTORY_KEYS, bindings
from tui.records import RecordForm, RecordScreen
from tui.roles import offered
from tui.widgets import Table, cells, format_date
from violeta.dto import InstitutionForm, InstitutionVersion, InstitutionView
from violeta.service import StaffSession


def _institution(v: dict[str, str]) -> InstitutionForm:
    return InstitutionForm(
        name=v["nombre"],
        kind=v["tipo"],
        services=tuple(item for item in v["servicios"].split(",") if item),
        address=v["domicilio"],
        phone=v["telefono"],
        hours=v["horario"],
        contact=v["contacto"],
    )


def _add(session: StaffSession, _subject: UUID, v: dict[str, str]) -> object:
    return session.add_institution(_institution(v))


def _update(session: StaffSession, institution_id: UUID, v: dict[str, str]) -> object:
    return session.update_institution(institution_id, _institution(v))


INSTITUTION_FIELDS = (
    Field("nombre", "Nombre de la institución", "text", max_length=200),
    Field(
        "tipo",
        "Tipo de institución",
        "choice",
        tuple((label, key) for key, label in INSTITUTION_KINDS.items()),
    ),
    Field(
        "servicios",
        "Servicios",
        "multi",
        tuple((label, key) for key, label in SERVICES.items()),
    ),
    Field("domicilio", "Domicilio", "text", required=False),
    Field(
        "telefono",
        "Teléfono de la institución",
        "text",
        required=False,
        placeholder="10 dígitos",
    ),
    Field(
        "horario",
        "Horario",
        "text",
        required=False,
        max_length=120,
        placeholder="lunes a viernes 9:00-15:00",
    ),
    Field("contacto", "Contacto", "text", required=False, hint="Oficina o persona pública."),
)

NEW_INSTITUTION = RecordForm(
    title="Nueva institución del directorio",
    done="Institución agregada al directorio.",
    method="add_institution",
    fields=INSTITUTION_FIELDS,
    save=_add,
)


def edit_form(item: InstitutionView) -> RecordForm:
    """Its current data to correct: saving records a new version (the old one is kept)."""
    kinds = {label: key for key, label in INSTITUTION_KINDS.items()}
    services = {label: key for key, label in SERVICES.items()}
    return RecordForm(
        title=f"Editar institución: {item.name}",
        done="Institución actualizada: se guardó como una versión nueva.",
        method="update_institution",
        fields=INSTITUTION_FIELDS,
        save=_update,
        initial=(
            ("nombre", item.name),
            ("tipo", kinds.get(item.kind, item.kind)),
            ("servicios", ",".join(services.get(label, label) for label in item.services)),
            ("domicilio", item.address),
            ("telefono", item.phone),
            ("horario", item.hours),
            ("contacto", item.contact),
        ),
    )


class DirectoryScreen(SessionScreen):
    KEYMAP = DIRECTORY_KEYS
    BINDINGS = bindings(DIRECTORY_KEYS)
    TITLE_TEXT = "Directorio de instituciones"
    RELOADABLE = True
    AUTO_FOCUS = "#instituciones"

    class Loaded(Message, bubble=False):
        def __init__(self, institutions: list[InstitutionView]) -> None:
            super().__init__()
            self.institutions = institutions

    class Changed(Message, bubble=False):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        self._rows: dict[str, InstitutionView] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_frame()
        yield Static(
            "Instituciones a las que se puede canalizar. Datos públicos: consultarlas no "
            "queda registrado como acceso.",
            classes="explain",
        )
        table: DataTable[str] = Table(id="instituciones", cursor_type="row", zebra_stripes=True)
        table.add_columns("Institución", "Tipo", "Servicios", "Teléfono", "Horario", "Estado")
        yield table
        yield Static("", id="instituciones-vacio", classes="muted", markup=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.mark_fresh()
        self.run_service(lambda session: session.directory(include_inactive=True), self.Loaded)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            return self._focused() is not None
        if action == "edit_institution":
            return offered(self.gateway, "update_institution") and self._focused() is not None
        if action in ("new_institution", "toggle_institution"):
            editor = offered(self.gateway, "add_institution")
            return editor and (action == "new_institution" or self._focused() is not None)
        return True

    def _focused(self) -> InstitutionView | None:
        table = self.query_one("#instituciones", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    def action_new_institution(self) -> None:
        def saved(_: None) -> None:
            self.notify(NEW_INSTITUTION.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, UUID(int=0), "", NEW_INSTITUTION), saved)

    def action_edit_institution(self) -> None:
        item = self._focused()
        if item is None:
            return
        form = edit_form(item)

        def saved(_: None) -> None:
            self.notify(form.done)
            self.action_reload()

        self.app.push_screen(RecordScreen(self.gateway, item.institution_id, "", form), saved)

    class HistoryLoaded(Message, bubble=False):
        def __init__(self, name: str, versions: list[InstitutionVersion]) -> None:
            super().__init__()
            self.name = name
            self.versions = versions

    def action_history(self) -> None:
        item = self._focused()
        if item is None:
            return
        institution_id, name = item.institution_id, item.name
        self.run_service(
            lambda session: session.institution_history(institution_id),
            lambda versions: self.HistoryLoaded(name, versions),
        )

    def on_directory_screen_history_loaded(self, message: HistoryLoaded) -> None:
        self.app.push_screen(
            RowsScreen(
                f"Historial · {message.name}",
                ("Versión", "Fecha", "Registró", "Cambio", "Nombre"),
                [
                    (
                        str(version.version),
                        format_date(version.recorded_on),
                        version.recorded_by,
                        version.change,
                        version.name,
                    )
                    for version in message.versions
                ],
                empty="Sin versiones registradas.",
                note="Cada cambio guarda una versión nueva; las anteriores se conservan",
                table_id="versiones",
            )
        )

    def action_toggle_institution(self) -> None:
        item = self._focused()
        if item is None:
            return
        active = not item.active
        institution_id = item.institution_id
        verb = "Reactivar" if active else "Dar de baja"
        question = f"¿{verb} «{item.name}»? " + (
            "Volverá a ofrecerse para canalizar."
            if active
            else "Dejará de ofrecerse para canalizar; las canalizaciones hechas se conservan."
        )

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_service(
                    lambda session: session.set_institution_active(institution_id, active),
                    lambda _: self.Changed(
                        f"{item.name}: {'reactivada' if active else 'dada de baja'}."
                    ),
                    writes=True,
                )

        self.app.push_screen(ConfirmScreen(verb, question), answered)

    def on_directory_screen_changed(self, message: Changed) -> None:
        self.notify(message.text)
        self.action_reload()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_directory_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#instituciones", DataTable)
        table.clear()
        self._rows = {str(item.institution_id): item for item in message.institutions}
        for item in message.institutions:
            table.add_row(
                *cells(
                    item.name,
                    item.kind,
                    ", ".join(item.services),
                    item.phone or "—",
                    item.hours or "—",
                    "Vigente" if item.active else "De baja",
                ),
                key=str(item.institution_id),
            )
        self.query_one("#instituciones-vacio", Static).update(
            ""
            if message.institutions
            else "El directorio está vacío."
            + (
                " Pulse n para agregar la primera institución."
                if self.check_action("new_institution", ())
                else ""
            )
        )
        self.refresh_bindings()
