"""Every command on a case or a client, as data: its key, section, fields and service call.

Each form names its fields with the service's own labels, so a refusal from the service lands
under the field it is about. The case screen offers, in each tab, the forms of that section
the role may run (``tui.roles.offered``); the client screen, those about her record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from textual.app import ComposeResult
from textual.message import Message

from domain import identity
from domain.cases import (
    REFERRAL_OUTCOMES,
    Area,
    Channel,
    GestionOutcome,
    LegalMatter,
    MisconductConduct,
    OrderKind,
    ProtectionMeasure,
    ReportStatus,
    ServiceEnum,
    SessionModality,
    VisitKind,
)
from domain.clients import CORRECTABLE_FIELDS
from domain.errors import DomainError
from domain.vocabulary import Section
from tui.forms import (
    WHEN_EMPTY_TODAY,
    YES_NO,
    Choices,
    Field,
    FormScreen,
    Values,
    is_yes,
    selected,
)
from tui.gateway import Gateway
from tui.keymap import Key
from tui.widgets import TopBar, format_date
from violeta.dto import NewReferral
from violeta.service import StaffSession

__all__ = [
    "CASE_FORMS",
    "EVERY_TAB_ACTIONS",
    "RECORD_FORMS",
    "Field",
    "RecordForm",
    "RecordScreen",
    "Values",
]

INSTITUTION_MAX = 160  # the service's limit for an institution's or authority's name


@dataclass(frozen=True)
class RecordForm:
    title: str
    done: str  # what the screen says once it is saved
    fields: tuple[Field, ...]
    save: Callable[[StaffSession, UUID, Values], object]
    method: str = ""  # the StaffSession method it calls: what ``offered`` is asked about
    initial: tuple[tuple[str, str], ...] = ()  # (field key, value) the form starts with


@dataclass(frozen=True)
class CaseForm:
    """A form reached from one tab of the case screen by one key."""

    key: str
    section: Section
    label: str  # how the footer names it; the help and the palette use the form's title
    form: RecordForm
    # Offered on every tab of the case, not only its own (a life-cycle change of the case).
    on_every_tab: bool = False

    @property
    def name(self) -> str:
        """The action parameter that opens it, and the name ``offered`` knows it by (an
        accompaniment's rule depends on its area)."""
        if self.form.method == "record_accompaniment":
            area = Area.LEGAL if self.section is Section.LEGAL else Area.SOCIAL_WORK
            return f"record_accompaniment:{area.value}"
        return self.form.method


def _choices(enum: type[ServiceEnum]) -> Choices:
    return tuple((member.label, str(member.value)) for member in enum)


def _date(key: str, label: str, hint: str = WHEN_EMPTY_TODAY) -> Field:
    return Field(key, label, "optional_date", hint=hint)


def _long(key: str, label: str, *, required: bool = True, hint: str = "") -> Field:
    return Field(
        key, label, "long", max_length=identity.NARRATIVE_MAX, required=required, hint=hint
    )


def _flag(key: str, label: str, hint: str = "") -> Field:
    return Field(key, label, "choice", YES_NO, hint=hint)


# -------------------------------------------------------- choices read from the service


def _active_staff(session: StaffSession, _case: UUID | None) -> Choices:
    return tuple(
        (f"{account.display_name} · {account.role}", str(account.staff_id))
        for account in session.accounts()
        if account.active
    )


def _institutions(session: StaffSession, _case: UUID | None) -> Choices:
    return tuple(
        (f"{item.name} · {item.kind}", str(item.institution_id)) for item in session.directory()
    )


def _case(case: UUID | None) -> UUID:
    if case is None:
        raise DomainError("Falta el expediente del formulario.")
    return case


def _pending_referrals(session: StaffSession, case: UUID | None) -> Choices:
    return tuple(
        (f"{item.institution} · {format_date(item.made_on)}", str(item.referral_id))
        for item in session.referrals(_case(case))
        if not item.outcome
    )


def _orders(session: StaffSession, case: UUID | None) -> Choices:
    return tuple(
        (f"{item.kind} · vence {format_date(item.expires_on)}", str(item.order_id))
        for item in session.protection_order_section(_case(case))
    )


def _open_reports(session: StaffSession, case: UUID | None) -> Choices:
    return tuple(
        (
            f"{item.institution} · {item.conduct} · {format_date(item.reported_on)}",
            str(item.report_id),
        )
        for item in session.legal_section(_case(case)).misconduct_reports
        if item.status != ReportStatus.CLOSED.label
    )


def _accompaniment(area: Area) -> RecordForm:
    return RecordForm(
        title=f"Registrar acompañamiento ({area.label})",
        done="Acompañamiento registrado.",
        method="record_accompaniment",
        fields=(
            Field(
                "instancia",
                "Instancia",
                "text",
                max_length=INSTITUTION_MAX,
                hint="Ante qué autoridad (Fiscalía, juzgado…).",
            ),
            _long("notas", "Notas del acompañamiento"),
            _date("fecha", "Fecha del acompañamiento"),
        ),
        save=lambda session, case_id, v: session.record_accompaniment(
            case_id, area.value, v["instancia"], v["notas"], v["fecha"]
        ),
    )


def _uuid(text: str) -> UUID:
    """A chosen record's id; anything else becomes an id no record has, which the service
    refuses in its own words."""
    try:
        return UUID(text)
    except ValueError:
        return UUID(int=0)


def _refer(session: StaffSession, case_id: UUID, v: Values) -> object:
    return session.refer_case(
        case_id,
        NewReferral(
            institution_id=_uuid(v["institucion"]),
            reason=v["motivo"],
            with_personal_data=is_yes(v, "con_datos"),
            consent_override_reason=v["sin_consentimiento"],
            made_on=v["fecha"],
        ),
    )


CASE_FORMS: tuple[CaseForm, ...] = (
    # ------------------------------------------------------------------ Entrevista (life)
    CaseForm(
        "k",
        Section.INTAKE,
        "Solicitar cierre",
        RecordForm(
            title="Solicitar el cierre del expediente",
            done="Cierre solicitado: coordinación lo aprobará o rechazará.",
            method="request_closure",
            fields=(Field("motivo", "Motivo del cierre", "text"),),
            save=lambda session, case_id, v: session.request_closure(case_id, v["motivo"]),
        ),
        on_every_tab=True,
    ),
    CaseForm(
        "s",
        Section.INTAKE,
        "A seguimiento",
        RecordForm(
            title="Pasar el expediente a la etapa de seguimiento",
            done="El expediente pasó a seguimiento.",
            method="enter_follow_up",
            fields=(),
            save=lambda session, case_id, _v: session.enter_follow_up(case_id),
        ),
    ),
    CaseForm(
        "o",
        Section.INTAKE,
        "Reabrir",
        RecordForm(
            title="Reabrir el expediente",
            done="Expediente reabierto.",
            method="reopen_case",
            fields=(Field("motivo", "Motivo de la reapertura", "text"),),
            save=lambda session, case_id, v: session.reopen_case(case_id, v["motivo"]),
        ),
    ),
    CaseForm(
        "g",
        Section.INTAKE,
        "Asignar área",
        RecordForm(
            title="Asignar área del expediente",
            done="Área asignada.",
            method="assign_area",
            fields=(
                Field("area", "Área", "choice", _choices(Area)),
                Field(
                    "persona",
                    "Personal asignado",
                    "choice",
                    choices_from=_active_staff,
                    hint="Su rol debe corresponder al área.",
                ),
            ),
            save=lambda session, case_id, v: session.assign_area(
                case_id, v["area"], _uuid(v["persona"])
            ),
        ),
    ),
    # ---------------------------------------------------------------------------- Jurídica
    CaseForm(
        "r",
        Section.LEGAL,
        "Asesoría",
        RecordForm(
            title="Registrar asesoría jurídica",
            done="Asesoría jurídica registrada.",
            method="give_legal_advice",
            fields=(
                Field("materia", "Materia", "choice", _choices(LegalMatter)),
                _long("notas", "Notas de la asesoría"),
                _date("fecha", "Fecha de la asesoría"),
            ),
            save=lambda session, case_id, v: session.give_legal_advice(
                case_id, v["materia"], v["notas"], v["fecha"]
            ),
        ),
    ),
    CaseForm(
        "d",
        Section.LEGAL,
        "Decisión",
        RecordForm(
            title="Decidir acompañamiento (cuatro criterios)",
            done="Decisión de acompañamiento registrada.",
            method="decide_accompaniment",
            fields=(
                _flag("gravedad", "Gravedad de los hechos"),
                _flag("recursos", "Carece de recursos para un abogado particular"),
                _date(
                    "termino",
                    "Vencimiento del término jurídico",
                    hint="Vacía: no hay un término jurídico próximo.",
                ),
                _flag("desconoce", "Desconoce el procedimiento"),
                _flag("acompanar", "¿Se le acompaña?"),
                _date("fecha", "Fecha de la decisión"),
            ),
            save=lambda session, case_id, v: session.decide_accompaniment(
                case_id,
                severity=is_yes(v, "gravedad"),
                lacks_resources=is_yes(v, "recursos"),
                deadline=v["termino"],
                unfamiliar_with_procedure=is_yes(v, "desconoce"),
                accompany=is_yes(v, "acompanar"),
                decided_on=v["fecha"],
            ),
        ),
    ),
    CaseForm("p", Section.LEGAL, "Acompañar", _accompaniment(Area.LEGAL)),
    CaseForm(
        "i",
        Section.LEGAL,
        "Reporte",
        RecordForm(
            title="Reporte de actuación de una persona servidora pública",
            done="Reporte de actuación registrado.",
            method="report_misconduct",
            fields=(
                Field("institucion", "Institución", "text", max_length=INSTITUTION_MAX),
                Field("conducta", "Conducta", "choice", _choices(MisconductConduct)),
                _long("hechos", "Hechos"),
                Field(
                    "superior",
                    "Se hizo del conocimiento de",
                    "text",
                    hint="Superior jerárquico u órgano de control.",
                ),
                _date("fecha", "Fecha del reporte"),
            ),
            save=lambda session, case_id, v: session.report_misconduct(
                case_id,
                institution=v["institucion"],
                conduct=v["conducta"],
                facts=v["hechos"],
                reported_to=v["superior"],
                reported_on=v["fecha"],
            ),
        ),
    ),
    CaseForm(
        "t",
        Section.LEGAL,
        "Estado reporte",
        RecordForm(
            title="Actualizar un reporte de actuación",
            done="Reporte de actuación actualizado.",
            method="update_misconduct_report",
            fields=(
                Field("reporte", "Reporte", "choice", choices_from=_open_reports),
                Field(
                    "estado",
                    "Estado del reporte",
                    "choice",
                    _choices(ReportStatus)[1:],  # it is presented when recorded
                ),
                _date("fecha", "Fecha"),
            ),
            save=lambda session, case_id, v: session.update_misconduct_report(
                case_id, _uuid(v["reporte"]), v["estado"], v["fecha"]
            ),
        ),
    ),
    # -------------------------------------------------------------------------- Psicológica
    CaseForm(
        "r",
        Section.PSYCHOLOGICAL,
        "Sesión",
        RecordForm(
            title="Registrar sesión psicológica",
            done="Sesión registrada.",
            method="record_psychology_session",
            fields=(
                Field("modalidad", "Modalidad", "choice", _choices(SessionModality)),
                _long("notas", "Notas de la sesión"),
                _date("fecha", "Fecha de la sesión"),
                _date("proxima", "Próxima sesión", hint="Vacía: sin fecha todavía."),
            ),
            save=lambda session, case_id, v: session.record_psychology_session(
                case_id,
                modality=v["modalidad"],
                notes=v["notas"],
                held_on=v["fecha"],
                next_session=v["proxima"],
            ),
        ),
    ),
    CaseForm(
        "x",
        Section.PSYCHOLOGICAL,
        "Cerrar proceso",
        RecordForm(
            title="Cerrar el proceso psicológico",
            done="Proceso psicológico cerrado.",
            method="close_psychology_process",
            fields=(_date("fecha", "Fecha de cierre"),),
            save=lambda session, case_id, v: session.close_psychology_process(case_id, v["fecha"]),
        ),
    ),
    # ------------------------------------------------------------------------ Trabajo social
    CaseForm(
        "r",
        Section.SOCIAL_WORK,
        "Gestión",
        RecordForm(
            title="Registrar gestión",
            done="Gestión registrada.",
            method="record_gestion",
            fields=(
                Field("gestion", "Gestión", "text"),
                Field("institucion", "Institución", "text", max_length=INSTITUTION_MAX),
                Field("resultado", "Resultado", "choice", _choices(GestionOutcome)),
                _date("fecha", "Fecha de la gestión"),
            ),
            save=lambda session, case_id, v: session.record_gestion(
                case_id,
                what=v["gestion"],
                institution=v["institucion"],
                outcome=v["resultado"],
                done_on=v["fecha"],
            ),
        ),
    ),
    CaseForm(
        "v",
        Section.SOCIAL_WORK,
        "Visita",
        RecordForm(
            title="Registrar visita",
            done="Visita registrada.",
            method="record_social_visit",
            fields=(
                Field("tipo", "Tipo de visita", "choice", _choices(VisitKind)),
                _long("notas", "Notas de la visita"),
                _date("fecha", "Fecha de la visita"),
            ),
            save=lambda session, case_id, v: session.record_social_visit(
                case_id, kind=v["tipo"], notes=v["notas"], visited_on=v["fecha"]
            ),
        ),
    ),
    CaseForm("p", Section.SOCIAL_WORK, "Acompañar", _accompaniment(Area.SOCIAL_WORK)),
    # ------------------------------------------------------------------------ Canalizaciones
    CaseForm(
        "r",
        Section.REFERRALS,
        "Canalizar",
        RecordForm(
            title="Canalizar a una institución del directorio",
            done="Canalización registrada.",
            method="refer_case",
            fields=(
                Field(
                    "institucion",
                    "Institución",
                    "choice",
                    choices_from=_institutions,
                    hint="Solo instituciones vigentes del directorio.",
                ),
                Field("motivo", "Motivo de la canalización", "text"),
                _flag(
                    "con_datos",
                    "¿Se comparten sus datos personales?",
                    hint="No: la institución no recibe ningún dato de ella.",
                ),
                Field(
                    "sin_consentimiento",
                    "Motivo para canalizar sin consentimiento",
                    "text",
                    required=False,
                    hint="Solo coordinación, si ella no consintió compartir sus datos.",
                ),
                _date("fecha", "Fecha de canalización"),
            ),
            save=_refer,
        ),
    ),
    CaseForm(
        "t",
        Section.REFERRALS,
        "Resultado",
        RecordForm(
            title="Resultado de una canalización",
            done="Resultado de la canalización registrado.",
            method="record_referral_outcome",
            fields=(
                Field("canalizacion", "Canalización", "choice", choices_from=_pending_referrals),
                Field(
                    "resultado",
                    "Resultado de la canalización",
                    "choice",
                    tuple((label, key) for key, label in REFERRAL_OUTCOMES.items()),
                ),
                _long("nota", "Nota del resultado", required=False),
                _date("fecha", "Fecha del resultado"),
            ),
            save=lambda session, case_id, v: session.record_referral_outcome(
                case_id, _uuid(v["canalizacion"]), v["resultado"], v["nota"], v["fecha"]
            ),
        ),
    ),
    # --------------------------------------------------------------------------- Seguimientos
    CaseForm(
        "r",
        Section.FOLLOW_UPS,
        "Programar",
        RecordForm(
            title="Programar seguimiento",
            done="Seguimiento programado.",
            method="schedule_follow_up",
            fields=(
                Field("fecha", "Fecha programada", "date"),
                Field("medio", "Medio", "choice", _choices(Channel)),
            ),
            save=lambda session, case_id, v: session.schedule_follow_up(
                case_id, v["fecha"], v["medio"]
            ),
        ),
    ),
    # -------------------------------------------------------------------- Órdenes de protección
    CaseForm(
        "r",
        Section.PROTECTION_ORDERS,
        "Registrar orden",
        RecordForm(
            title="Registrar orden de protección",
            done="Orden de protección registrada.",
            method="record_protection_order",
            fields=(
                Field("tipo", "Tipo de orden", "choice", _choices(OrderKind)),
                Field("medidas", "Medidas", "multi", _choices(ProtectionMeasure)),
                _long("detalle", "Detalle de las medidas"),
                Field("autoridad", "Autoridad emisora", "text", max_length=INSTITUTION_MAX),
                _date("emision", "Fecha de emisión"),
                _date("vencimiento", "Vencimiento", hint="Vacía: 60 días desde la emisión."),
            ),
            save=lambda session, case_id, v: session.record_protection_order(
                case_id,
                kind=v["tipo"],
                measures=selected(v, "medidas"),
                detail=v["detalle"],
                authority=v["autoridad"],
                issued_on=v["emision"],
                expires_on=v["vencimiento"],
            ),
        ),
    ),
    CaseForm(
        "t",
        Section.PROTECTION_ORDERS,
        "Prorrogar",
        RecordForm(
            title="Prorrogar una orden de protección",
            done="Orden de protección prorrogada.",
            method="extend_protection_order",
            fields=(
                Field("orden", "Orden", "choice", choices_from=_orders),
                _date("vencimiento", "Nuevo vencimiento", hint="Vacía: 30 días más."),
            ),
            save=lambda session, case_id, v: session.extend_protection_order(
                case_id, _uuid(v["orden"]), v["vencimiento"]
            ),
        ),
    ),
)

# The main record of each section, reached with r.
RECORD_FORMS: dict[Section, RecordForm] = {
    entry.section: entry.form for entry in CASE_FORMS if entry.key == "r"
}
CASE_FORM_BY_NAME: dict[str, CaseForm] = {entry.name: entry for entry in CASE_FORMS}


CASE_FORM_KEYS: tuple[Key, ...] = tuple(
    Key(entry.key, f"case_form('{entry.name}')", entry.label, long=entry.form.title)
    for entry in CASE_FORMS
)
EVERY_TAB_ACTIONS = frozenset(
    f"case_form('{entry.name}')" for entry in CASE_FORMS if entry.on_every_tab
)


def settle_follow_up_form(follow_up_id: UUID) -> RecordForm:
    """The outcome of one follow-up: held (its result is then required) or missed."""

    def save(session: StaffSession, case_id: UUID, values: Values) -> None:
        session.settle_follow_up(
            case_id,
            follow_up_id,
            done=values["realizado"] == "si",
            outcome=values["resultado"],
            settled_on=values["fecha"],
        )

    return RecordForm(
        title="Registrar resultado del seguimiento",
        done="Resultado del seguimiento registrado.",
        method="settle_follow_up",
        fields=(
            Field("realizado", "¿Se realizó?", "choice", YES_NO),
            _long("resultado", "Resultado", required=False, hint="Obligatorio si se realizó."),
            _date("fecha", "Fecha"),
        ),
        save=save,
    )


# ------------------------------------------------------------------- her record (ARCO)


def consents_form(sharing: bool, statistics: bool) -> RecordForm:
    """Both consents asked again; only a changed answer is recorded."""

    def save(session: StaffSession, client_id: UUID, values: Values) -> None:
        share, count = is_yes(values, "compartir"), is_yes(values, "estadistica")
        if share == sharing and count == statistics:
            raise DomainError("No cambió ninguna respuesta; no se registró nada.")
        if share != sharing:
            session.set_sharing_consent(client_id, share)
        if count != statistics:
            session.set_statistics_consent(client_id, count)

    def now(value: bool) -> str:
        return f"Hoy: {'sí' if value else 'no'}."

    def answer(value: bool) -> str:
        return "si" if value else "no"

    return RecordForm(
        title="Consentimientos de la usuaria",
        done="Consentimientos actualizados.",
        method="set_sharing_consent",
        initial=(("compartir", answer(sharing)), ("estadistica", answer(statistics))),
        fields=(
            _flag(
                "compartir",
                "Consentimiento para compartir sus datos con instituciones del directorio",
                hint=now(sharing),
            ),
            _flag(
                "estadistica",
                "Consentimiento para contarla (sin nombre) en estadísticas",
                hint=now(statistics) + " No = oposición (ARCO).",
            ),
        ),
        save=save,
    )


RECTIFICATION_FORM = RecordForm(
    title="Rectificación de datos (ARCO)",
    done="Dato rectificado; el valor anterior queda en el historial.",
    method="correct_client",
    fields=(
        Field(
            "campo",
            "Campo",
            "choice",
            tuple((label, key) for key, label in CORRECTABLE_FIELDS.items()),
        ),
        Field(
            "valor",
            "Valor correcto",
            "text",
            required=False,
            also=(*CORRECTABLE_FIELDS.values(), "Contacto seguro"),
            hint="Vacío borra el dato (salvo nombre y fecha de nacimiento).",
        ),
    ),
    save=lambda session, client_id, v: session.correct_client(client_id, v["campo"], v["valor"]),
)


# ------------------------------------------------------------------------- the screen


class RecordScreen(FormScreen):
    """One record about one case (or one client); Ctrl+S saves it and returns.

    The screen that opened it learns of a save through the dismissal."""

    class Saved(Message, bubble=False):
        pass

    def __init__(self, gateway: Gateway, subject_id: UUID, heading: str, form: RecordForm) -> None:
        super().__init__(
            gateway, form.fields, subject=subject_id, intro=heading, initial=dict(form.initial)
        )
        self.case_id = subject_id
        self.folio = heading
        self.form = form

    def compose_frame(self) -> ComposeResult:
        yield TopBar(self.form.title, self.gateway.identity)

    def submit(self, values: Values) -> None:
        subject, save = self.case_id, self.form.save
        self.form_message("Guardando…")
        self.run_service(
            lambda session: save(session, subject, values), lambda _: self.Saved(), writes=True
        )

    def on_record_screen_saved(self, _message: Saved) -> None:
        # Dismissing (not popping) hands the outcome to the screen below, which reads again
        # to show it.
        self._pristine = self.values()
        self.dismiss(None)
