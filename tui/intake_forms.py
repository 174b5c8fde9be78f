"""The two forms of a first visit, as tables of fields for ``FormScreen``: registering her
(Registrar usuaria, with the duplicate check) and the entrevista inicial that opens her case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from domain import identity
from domain.cases import AggressorRelationship, RiskFactor
from domain.clients import DISABILITIES, INDIGENOUS_LANGUAGES, PossibleDuplicate
from domain.errors import DomainError, InvalidField
from domain.vocabulary import SERVED_AGE_MAX, SERVED_AGE_MIN, Modality, RiskLevel, ViolenceType
from tui.dialogs import DuplicateScreen
from tui.forms import (
    DATE_PLACEHOLDER,
    WHEN_EMPTY_TODAY,
    YES_NO,
    Check,
    Choices,
    Field,
    FormScreen,
    Values,
    is_yes,
    selected,
)
from tui.gateway import Gateway
from tui.navigation import OpenCase, OpenClient
from violeta.dto import CaseSummary, NewClient, NewIntake
from violeta.service import StaffSession

# ------------------------------------------------------------------ Registrar usuaria

PRIVACY_NOTICE = (
    "Aviso de privacidad simplificado (léalo a la usuaria): la Dirección de Atención "
    "Integral a las Mujeres de Cortazar trata sus datos personales para brindarle atención "
    "jurídica, psicológica y de trabajo social, darle seguimiento y, sin su nombre, para "
    "estadísticas. Sus datos se guardan cifrados; solo el personal que la atiende los consulta "
    "y cada consulta queda registrada. No se comparten con otras instituciones sin su "
    "consentimiento, salvo obligación legal. Puede acceder a sus datos, rectificarlos, "
    "cancelarlos u oponerse a su uso (derechos ARCO) en esta oficina."
)
AGE_RANGE_HINT = (
    f"Solo si tiene menos de {SERVED_AGE_MIN} o más de {SERVED_AGE_MAX} años: el registro "
    "quedará pendiente de autorización de coordinación."
)


def register_fields(today: Callable[[], date]) -> tuple[Field, ...]:
    return (
        Field(
            "nombre",
            "Nombre",
            "text",
            check=lambda text: identity.person_name("Nombre", text),
            placeholder="Nombre(s) y apellidos",
        ),
        Field(
            "nacimiento",
            "Fecha de nacimiento",
            "text",
            check=lambda text: identity.BirthDate.parse(text, today()),
            placeholder=DATE_PLACEHOLDER,
        ),
        Field(
            "excepcion",
            "Motivo de la excepción de edad",
            "text",
            required=False,
            hint=AGE_RANGE_HINT,
        ),
        Field("curp", "CURP", "text", check=identity.curp, placeholder="18 caracteres (opcional)"),
        Field(
            "telefono",
            "Teléfono",
            "text",
            check=identity.phone,
            placeholder="10 dígitos (opcional)",
        ),
        Field(
            "seguro",
            "¿Es seguro llamarle a ese teléfono?",
            "choice",
            YES_NO,
            required=False,
            also=("Teléfono seguro",),
            hint="Si no es seguro, anote un contacto seguro. Sin respuesta: no es seguro.",
        ),
        Field(
            "contacto_nombre",
            "Nombre del contacto seguro",
            "text",
            check=lambda text: (
                identity.person_name("Nombre del contacto seguro", text) if text.strip() else None
            ),
            also=("Contacto seguro",),
            placeholder="Opcional: alguien de su confianza",
        ),
        Field(
            "contacto_telefono",
            "Teléfono del contacto seguro",
            "text",
            check=_labelled_phone("Teléfono del contacto seguro"),
            placeholder="10 dígitos",
        ),
        Field("domicilio", "Domicilio", "text", required=False, placeholder="Calle y número"),
        Field("zona", "Zona", "choice", hint="Colonia o comunidad del catálogo."),
        Field(
            "lengua",
            "Lengua indígena",
            "choice",
            tuple((label, key) for key, label in INDIGENOUS_LANGUAGES.items()),
            required=False,
            hint="Sin respuesta: no habla una lengua indígena.",
        ),
        Field(
            "discapacidad",
            "Discapacidad",
            "multi",
            tuple((label, key) for key, label in DISABILITIES.items()),
            required=False,
            hint="Dificultad para… (✓ = elegido); puede elegir varias o ninguna.",
        ),
        Field(
            "aviso",
            "Aviso de privacidad",
            "choice",
            (("Sí: se le leyó y lo acepta", "si"), ("No lo acepta", "no")),
        ),
        Field(
            "compartir",
            "Consentimiento para compartir sus datos con instituciones del directorio",
            "choice",
            YES_NO,
        ),
        Field(
            "estadistica",
            "Consentimiento para contarla (sin nombre) en estadísticas",
            "choice",
            YES_NO,
        ),
        Field("registro", "Fecha de registro", "optional_date", hint=WHEN_EMPTY_TODAY),
    )


def _labelled_phone(label: str) -> Check:
    def check(text: str) -> object:
        try:
            return identity.phone(text)
        except InvalidField as error:
            raise InvalidField(label, error.problem) from None

    return check


def new_client(values: Values) -> NewClient:
    return NewClient(
        name=values["nombre"],
        birth_date=values["nacimiento"],
        zone=values["zona"],
        curp=values["curp"],
        phone=values["telefono"],
        registered_on=values["registro"],
        phone_safe_to_call=is_yes(values, "seguro"),
        safe_contact_name=values["contacto_nombre"],
        safe_contact_phone=values["contacto_telefono"],
        address=values["domicilio"],
        indigenous_language=values["lengua"],
        disabilities=selected(values, "discapacidad"),
        privacy_notice_accepted=is_yes(values, "aviso"),
        consent_to_share=is_yes(values, "compartir"),
        consent_to_statistics=is_yes(values, "estadistica"),
        age_exception_reason=values["excepcion"],
    )


def _zones(session: StaffSession, _subject: UUID | None) -> Choices:
    return tuple((zone.name, zone.code) for zone in session.zones())


class RegisterClientScreen(FormScreen):
    TITLE_TEXT = "Registrar usuaria"

    class Registered(Message, bubble=False):
        def __init__(self, client_id: UUID) -> None:
            super().__init__()
            self.client_id = client_id

    def __init__(self, gateway: Gateway, today: Callable[[], date]) -> None:
        fields = tuple(
            Field(f.key, f.label, f.kind, f.choices, hint=f.hint, choices_from=_zones)
            if f.key == "zona"
            else f
            for f in register_fields(today)
        )
        super().__init__(gateway, fields)
        self.today = today

    def compose_before(self, field: Field) -> ComposeResult:
        if field.key == "aviso":
            yield Static(PRIVACY_NOTICE, id="aviso-texto", classes="notice", markup=False)

    def extra_problems(self, values: Values) -> dict[str, str]:
        if values["aviso"] == "no":
            return {"aviso": "Sin aceptar el aviso de privacidad no es posible registrarla."}
        return {}

    def submit(self, values: Values) -> None:
        self.register(new_client(values), confirm_not_duplicate=False)

    # -- service calls ------------------------------------------------------------------

    def register(self, form: NewClient, *, confirm_not_duplicate: bool) -> None:
        self.form_message("Registrando…")
        self.run_service(
            lambda session: session.register_client(
                form, confirm_not_duplicate=confirm_not_duplicate
            ),
            self.Registered,
            writes=True,
        )

    # -------------------------------------------------------------------------------------

    def handle_failure(self, error: DomainError) -> None:
        if isinstance(error, PossibleDuplicate):
            self.form_message(error.message)
            form = new_client(self.values())

            def answered(confirmed: bool | None) -> None:
                if confirmed:
                    self.register(form, confirm_not_duplicate=True)
                else:
                    self.form_message(
                        "Registro detenido: revise las coincidencias antes de registrarla."
                    )

            self.app.push_screen(DuplicateScreen(self.gateway, error.candidates), answered)
            return
        super().handle_failure(error)

    def on_register_client_screen_registered(self, message: Registered) -> None:
        self._pristine = self.values()
        self.notify("Usuaria registrada.")
        self.post_message(OpenClient(message.client_id, replace=True))


# ------------------------------------------------------------ Entrevista inicial

INTAKE_FIELDS: tuple[Field, ...] = (
    Field("motivo", "Motivo de atención", "text"),
    Field("relato", "Relato", "long", max_length=identity.NARRATIVE_MAX),
    Field(
        "tipos",
        "Tipos de violencia",
        "multi",
        tuple((t.label, t.value) for t in ViolenceType),
        hint="Espacio marca o desmarca (✓ = elegido); puede elegir varios.",
    ),
    Field("modalidades", "Modalidades", "multi", tuple((m.label, m.value) for m in Modality)),
    Field("riesgo", "Nivel de riesgo", "choice", tuple((r.label, r.value) for r in RiskLevel)),
    Field(
        "agresor",
        "Relación con la persona agresora",
        "choice",
        tuple((r.label, r.value) for r in AggressorRelationship),
        required=False,
        hint="Sin respuesta: no lo refirió.",
    ),
    Field(
        "agresor_datos",
        "Datos de la persona agresora",
        "text",
        required=False,
        hint="Nombre, descripción, dónde se le puede encontrar (opcional).",
    ),
    Field(
        "factores",
        "Factores de riesgo",
        "multi",
        tuple((f.label, f.value) for f in RiskFactor),
        required=False,
        hint="Los que refiera (✓ = elegido); ninguno si no refiere.",
    ),
    Field("apertura", "Fecha de apertura", "optional_date", hint=WHEN_EMPTY_TODAY),
)


def new_intake(values: Values) -> NewIntake:
    return NewIntake(
        reason=values["motivo"],
        narrative=values["relato"],
        violence_types=selected(values, "tipos"),
        modalities=selected(values, "modalidades"),
        risk=values["riesgo"],
        opened_on=values["apertura"],
        aggressor_relationship=values["agresor"] or AggressorRelationship.NOT_STATED.value,
        aggressor_details=values["agresor_datos"],
        risk_factors=selected(values, "factores"),
    )


class IntakeScreen(FormScreen):
    TITLE_TEXT = "Abrir expediente · entrevista inicial"
    FIELDS = INTAKE_FIELDS

    class Opened(Message, bubble=False):
        def __init__(self, case: CaseSummary) -> None:
            super().__init__()
            self.case = case

    def __init__(self, gateway: Gateway, client_id: UUID, client_name: str) -> None:
        super().__init__(gateway, subject=client_id, intro=f"Usuaria: {client_name}")
        self.client_id = client_id
        self.client_name = client_name

    def submit(self, values: Values) -> None:
        form = new_intake(values)
        client_id = self.client_id
        self.run_service(
            lambda session: session.open_case(client_id, form), self.Opened, writes=True
        )

    def on_intake_screen_opened(self, message: Opened) -> None:
        self._pristine = self.values()
        self.post_message(
            OpenCase(
                message.case.case_id,
                replace=True,
                announce=f"Expediente {message.case.folio} abierto.",
            )
        )
