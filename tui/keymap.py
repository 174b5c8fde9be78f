"""Keys as data: one table per screen feeds the bindings, the footer, the help and the palette."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from domain.vocabulary import Section


@dataclass(frozen=True)
class Key:
    """One action a person can take. ``keys`` uses Textual's names, comma-separated."""

    keys: str
    action: str
    description: str
    shown: str = ""  # how the help screen spells the keys; defaults to ``keys``
    short: str = ""  # how the footer spells them, when ``shown`` is too long for it
    footer: bool = True
    priority: bool = False
    long: str = ""  # the help's and the palette's name, when the footer's is a short one

    @property
    def label(self) -> str:
        return self.shown or self.keys

    @property
    def title(self) -> str:
        return self.long or self.description


def bindings(table: Sequence[Key]) -> list[BindingType]:
    return [
        Binding(
            key.keys,
            key.action,
            key.description,
            show=key.footer,
            key_display=key.short or key.shown or None,
            priority=key.priority,
        )
        for key in table
    ]


GLOBAL_KEYS: tuple[Key, ...] = (
    Key("f1,question_mark", "help", "Ayuda", shown="F1 · ?", short="F1"),
    Key("slash", "search", "Buscar", shown="/"),
    # Inputs take "/" as text; Ctrl+F reaches the search from inside a field too.
    Key("ctrl+f", "search", "Buscar desde un campo", shown="Ctrl+F", footer=False, priority=True),
    Key("ctrl+n", "register", "Registrar usuaria", shown="Ctrl+N", footer=False),
    Key("ctrl+l", "lock", "Bloquear", shown="Ctrl+L", priority=True),
    Key("ctrl+p", "command_palette", "Comandos", shown="Ctrl+P", footer=False),
    Key("ctrl+q", "quit", "Salir", shown="Ctrl+Q", footer=False, priority=True),
)

LOGIN_KEYS: tuple[Key, ...] = (Key("enter", "submit", "Entrar", shown="Enter", footer=False),)

PASSWORD_KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "submit", "Guardar", shown="Ctrl+S"),
    Key("escape", "app.lock", "Cerrar sesión", shown="Esc"),
)

OWN_PASSWORD_KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "submit", "Guardar", shown="Ctrl+S"),
    Key("escape", "back", "Volver", shown="Esc"),
)

DASHBOARD_KEYS: tuple[Key, ...] = (
    Key("enter", "open_case", "Abrir expediente", shown="Enter", footer=False),
    Key("s", "settle_follow_up", "Resultado", long="Registrar resultado del seguimiento"),
    Key("c", "approve_closure", "Aprobar cierre", long="Aprobar el cierre"),
    Key("x", "decline_closure", "Rechazar cierre", long="Rechazar el cierre"),
    Key("z", "authorize_age", "Autorizar edad", long="Autorizar la excepción de edad"),
    Key("r", "app.register", "Registrar", long="Registrar usuaria"),
    Key("d", "app.directory", "Directorio", long="Directorio de instituciones"),
    Key("p", "app.change_password", "Contraseña", long="Cambiar mi contraseña"),
    Key("t", "acknowledge_alert", "Atender alerta", long="Atender la alerta"),
    Key("o", "app.coordination('bitacora')", "Coordinación", long="Bitácora de accesos"),
    Key("l", "app.coordination('alertas')", "Alertas", footer=False, long="Alertas de accesos"),
    Key("g", "app.coordination('zonas')", "Zonas", footer=False, long="Zonas prioritarias"),
    Key("v", "app.coordination('actividades')", "Actividades", long="Actividades y metas"),
    Key("u", "app.accounts", "Cuentas", long="Administración de cuentas"),
    Key("f5", "reload", "Actualizar", shown="F5", footer=False),
)

COORDINATION_KEYS: tuple[Key, ...] = (
    Key("1", "tab('bitacora')", "Bitácora", footer=False, long="Ir a la bitácora de accesos"),
    Key("2", "tab('alertas')", "Alertas", footer=False, long="Ir a las alertas"),
    Key("3", "tab('zonas')", "Zonas", footer=False, long="Ir a las zonas prioritarias"),
    Key("4", "tab('actividades')", "Actividades", footer=False, long="Ir a actividades y metas"),
    Key("u", "filter_client", "Por usuaria", long="Filtrar por la usuaria de la fila"),
    Key("x", "clear_filters", "Quitar filtros", long="Quitar los filtros de la bitácora"),
    Key("s", "next_page", "Siguiente", long="Página siguiente de la bitácora (más antiguos)"),
    Key("a", "previous_page", "Anterior", long="Página anterior de la bitácora (más recientes)"),
    Key("t", "acknowledge", "Atender", long="Atender la alerta"),
    Key("v", "toggle_acknowledged", "Ver atendidas", long="Mostrar u ocultar las atendidas"),
    Key("h", "zone_history", "Historial de zonas", long="Versiones de cada zona del catálogo"),
    Key("n", "record_activity", "Registrar actividad", long="Registrar una actividad"),
    Key("c", "cancel_activity", "Cancelar actividad", long="Cancelar la actividad de la fila"),
    Key("m", "set_target", "Fijar meta", long="Fijar la meta anual de un tipo de actividad"),
    Key("minus", "year(-1)", "Año anterior", shown="-"),
    Key("plus", "year(1)", "Año siguiente", shown="+"),
    Key("f5", "reload", "Actualizar", shown="F5", footer=False),
    Key("escape", "back", "Volver", shown="Esc"),
)

ACCOUNTS_KEYS: tuple[Key, ...] = (
    Key("n", "new_account", "Nueva cuenta", long="Crear una cuenta"),
    Key("r", "reset_password", "Restablecer", long="Restablecer la contraseña"),
    Key("h", "enable_account", "Habilitar", long="Habilitar la cuenta"),
    Key("b", "deactivate_account", "Desactivar", long="Desactivar la cuenta"),
    Key("a", "reactivate_account", "Reactivar", long="Reactivar la cuenta"),
    Key("f5", "reload", "Actualizar", shown="F5", footer=False),
    Key("escape", "back", "Volver", shown="Esc"),
)

DIRECTORY_KEYS: tuple[Key, ...] = (
    Key("n", "new_institution", "Nueva institución", long="Agregar una institución"),
    Key("e", "edit_institution", "Editar", long="Editar los datos de la institución"),
    Key("b", "toggle_institution", "Baja o reactivación", long="Dar de baja o reactivar"),
    Key("h", "history", "Historial", long="Historial de versiones de la institución"),
    Key("f5", "reload", "Actualizar", shown="F5", footer=False),
    Key("escape", "back", "Volver", shown="Esc"),
)

SEARCH_KEYS: tuple[Key, ...] = (
    Key("enter", "open_client", "Abrir usuaria", shown="Enter", footer=False),
    Key("down", "results", "Ir a resultados", shown="↓", footer=False),
    Key("f5", "reload", "Repetir búsqueda", shown="F5", footer=False),
    Key("escape", "back", "Volver", shown="Esc"),
)

CLIENT_KEYS: tuple[Key, ...] = (
    Key("enter", "open_case", "Abrir expediente", shown="Enter", footer=False),
    Key("n", "new_case", "Expediente", long="Abrir un expediente nuevo"),
    Key("c", "consents", "Consentimientos", long="Consentimientos de la usuaria"),
    Key("f", "rectify", "Rectificar", long="Rectificar un dato (ARCO)"),
    Key("e", "request_erasure", "Cancelar datos", long="Solicitar la cancelación (ARCO)"),
    Key("x", "approve_erasure", "Aprobar cancelación", long="Aprobar la cancelación (ARCO)"),
    Key("z", "authorize_age", "Autorizar edad", long="Autorizar la excepción de edad"),
    # Not in the footer (it would push «Bloquear» out at 130 columns): «m Más» lists them,
    # and F1 and the palette.
    Key("m", "more", "Más", long="Más acciones: exportar, historial, bitácora"),
    Key(
        "a",
        "export_data",
        "Exportar",
        footer=False,
        long="Exportar sus datos para ella (ARCO acceso)",
    ),
    Key("h", "corrections", "Historial", footer=False, long="Historial de rectificaciones (ARCO)"),
    Key("b", "trail", "Bitácora", footer=False, long="Bitácora de accesos a esta usuaria"),
    Key("f5", "reload", "Actualizar", shown="F5", footer=False),
    Key("escape", "back", "Volver", shown="Esc"),
)

CASE_KEYS: tuple[Key, ...] = (
    *(
        Key(str(number), f"section({number})", section.label, footer=False)
        for number, section in enumerate(Section, start=1)
    ),
    Key("a", "add_note", "Nota", long="Agregar nota"),
    Key("m,enter", "justify", "Consultar con motivo", shown="m · Enter", short="m"),
    Key("u", "client", "Usuaria", long="Ver usuaria", footer=False),
    Key("f5", "reload", "Actualizar", shown="F5", footer=False),
    Key("escape", "back", "Volver", shown="Esc"),
)

# Saving is deliberately not a priority binding: it then travels behind the keystrokes typed
# before it, so a fast typist never saves a half-written field.
FORM_KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "submit", "Guardar", shown="Ctrl+S"),
    Key("escape", "back", "Cancelar", shown="Esc"),
)

MODAL_KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "submit", "Aceptar", shown="Ctrl+S"),
    Key("escape", "cancel", "Cancelar", shown="Esc"),
)

CONFIRM_KEYS: tuple[Key, ...] = (
    Key("enter", "submit", "Confirmar", shown="Enter"),
    Key("escape", "cancel", "Cancelar", shown="Esc"),
)

DUPLICATE_KEYS: tuple[Key, ...] = (
    Key("v", "compare", "Ver coincidencias", long="Ver los datos de las coincidencias"),
    Key("c", "confirm_other", "Es otra persona", long="Confirmar que es otra persona"),
    Key("escape", "cancel", "Volver al formulario", shown="Esc"),
)

HELP_KEYS: tuple[Key, ...] = (Key("escape,f1,question_mark", "close", "Cerrar", shown="Esc"),)

LIST_KEYS: tuple[Key, ...] = (Key("escape", "close", "Cerrar", shown="Esc"),)

# Enter is the list's own (it chooses the highlighted action).
MORE_KEYS: tuple[Key, ...] = (Key("escape", "close", "Cerrar", shown="Esc"),)
