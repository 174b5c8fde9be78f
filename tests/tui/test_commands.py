"""Every command reached from the keyboard: each test drives the app and then asks the service
what was recorded, so a screen that only looks right does not pass."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, SelectionList, TextArea

from domain.vocabulary import Role, Section
from tests.support.factories import enable
from tests.tui.conftest import (
    LEGAL_PASSWORD,
    PASSWORD,
    SIZE,
    MakeApp,
    Seeded,
    as_staff,
    at_login_screen,
    field_text,
    log_in,
    text_of,
    type_text,
    until,
)
from tests.tui.test_flows import open_first_case_of
from tui.case import CaseScreen
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen, DuplicateScreen
from tui.forms import FormScreen
from tui.help import HelpScreen
from tui.intake_forms import IntakeScreen, RegisterClientScreen
from tui.records import RecordScreen
from violeta.dto import InstitutionForm
from violeta.service import StaffSession

pytestmark = pytest.mark.anyio

FormValues = Mapping[str, str | tuple[str, ...]]


def fill(screen: FormScreen, values: FormValues) -> None:
    """Sets the fields of a form as typing and choosing would."""
    for key, value in values.items():
        field = screen.field(key)
        control = screen.query_one(f"#{field.control_id}")
        if isinstance(control, Input):
            control.value = str(value)
        elif isinstance(control, TextArea):
            control.text = str(value)
        elif isinstance(control, Select):
            control.value = value
        elif isinstance(control, SelectionList):
            for item in value:
                control.select(item)


def session_of(seeded: Seeded, username: str) -> StaffSession:
    password = LEGAL_PASSWORD if username == "juridica" else PASSWORD
    return seeded.institute.login(username, password)


async def logged_in(pilot: Pilot[None], username: str) -> None:
    password = LEGAL_PASSWORD if username == "juridica" else PASSWORD
    await log_in(pilot, username, password)
    await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))


async def saved(pilot: Pilot[None], form: type[FormScreen] = RecordScreen) -> None:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not isinstance(pilot.app.screen, form))


COMPLETE = {
    "aviso": "si",
    "compartir": "no",
    "estadistica": "si",
}


async def open_registration(pilot: Pilot[None], seeded: Seeded) -> RegisterClientScreen:
    await pilot.press("r")
    await until(pilot, lambda: isinstance(pilot.app.screen, RegisterClientScreen))
    screen = pilot.app.screen
    assert isinstance(screen, RegisterClientScreen)
    zones = screen.query_one("#zona-select", Select)
    await until(pilot, lambda: len(zones._options) > 1)
    return screen


async def test_a_same_name_woman_is_registered_after_comparing_and_confirming(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        screen = await open_registration(pilot, seeded)
        fill(
            screen,
            {
                "nombre": "Ana Prueba Sintética",
                "nacimiento": "01/01/1995",
                "zona": seeded.zone_code,
                **COMPLETE,
            },
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DuplicateScreen))
        table = app.screen.query_one("#candidatas", DataTable)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == str(seeded.ana)[:8]
        assert str(table.get_row_at(0)[1]) == "—", "no name before she asks to compare"

        await pilot.press("v")
        await until(pilot, lambda: str(table.get_row_at(0)[1]) == "Ana Prueba Sintética")
        assert str(table.get_row_at(0)[2]) == "15/03/1990"

        # Esc goes back to the form untouched; nothing was registered.
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert "detenido" in text_of(pilot, "#form-message")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DuplicateScreen))
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "nacimiento") == "01/01/1995")

    coordinator = session_of(seeded, "coordinacion")
    try:
        anas = coordinator.search_clients("Ana Prueba Sintética")
        assert len(anas) == 2
        purposes = [entry.purpose for entry in coordinator.audit_entries()]
        assert "posible duplicado al registrar usuaria" in purposes
    finally:
        coordinator.close()


async def test_every_registration_field_reaches_her_record(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        screen = await open_registration(pilot, seeded)
        fill(
            screen,
            {
                "nombre": "Diana Completa Ficticia",
                "nacimiento": "10/10/1988",
                "curp": "",
                "telefono": "4611234567",
                "seguro": "no",
                "contacto_nombre": "Elena Contacto Ficticia",
                "contacto_telefono": "4617654321",
                "domicilio": "Calle Sintética 12",
                "zona": seeded.zone_code,
                "lengua": "otomi",
                "discapacidad": ("visual", "auditiva"),
                "aviso": "si",
                "compartir": "si",
                "estadistica": "no",
            },
        )
        await saved(pilot, RegisterClientScreen)
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))

    coordinator = session_of(seeded, "coordinacion")
    try:
        (found,) = coordinator.search_clients("Diana Completa")
        detail = coordinator.client_detail(found.client_id)
    finally:
        coordinator.close()
    assert detail.phone == "4611234567"
    assert detail.phone_safe_to_call is False
    assert (detail.safe_contact_name, detail.safe_contact_phone) == (
        "Elena Contacto Ficticia",
        "4617654321",
    )
    assert detail.address == "Calle Sintética 12"
    assert detail.indigenous_language == "Otomí (hñähñu)"
    assert set(detail.disabilities) == {"Para ver", "Para oír"}
    assert (detail.consent_to_share, detail.consent_to_statistics) == (True, False)


async def test_refusing_the_privacy_notice_registers_nobody(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        screen = await open_registration(pilot, seeded)
        fill(
            screen,
            {
                "nombre": "Fabiola Sin Aviso",
                "nacimiento": "10/10/1988",
                "zona": seeded.zone_code,
                **COMPLETE,
                "aviso": "no",
            },
        )
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is screen
        assert "aviso de privacidad" in text_of(pilot, "#aviso .field-message")
        assert app.gateway is not None
        assert app.gateway.call(lambda session: session.search_clients("Fabiola")) == []


async def test_a_girl_is_registered_with_a_reason_and_coordinacion_authorizes_her(
    seeded: Seeded, make_app: MakeApp
) -> None:
    # Jurídica registers her; coordinación, a second person, authorizes the exception.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        screen = await open_registration(pilot, seeded)
        fill(
            screen,
            {
                "nombre": "Gabriela Menor Ficticia",
                "nacimiento": "05/05/2012",
                "zona": seeded.zone_code,
                **COMPLETE,
            },
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "atiende de 18" in text_of(pilot, "#nacimiento .field-message"))
        assert "DIF" in text_of(pilot, "#nacimiento .field-message")
        fill(screen, {"excepcion": "Acude acompañada por su madre, víctima también"})
        await saved(pilot, RegisterClientScreen)
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: "Pendiente" in field_text(pilot, "autorizacion"))
        assert "DIF" in field_text(pilot, "canalizacion")

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        ages = app.screen.query_one("#edades", DataTable)
        await until(pilot, lambda: ages.row_count == 1)
        ages.focus()
        await pilot.press("z")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: not app.screen.query_one("#col-edades").display)


async def test_the_intake_records_the_aggressor_and_the_risk_factors(
    seeded_without_cases: Seeded, make_app: MakeApp
) -> None:
    seeded = seeded_without_cases
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await pilot.press("slash")
        await type_text(pilot, "Ana")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one("#usuarias", DataTable).row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: "Sin expedientes" in text_of(pilot, "#expedientes-vacio"))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen))
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        fill(
            screen,
            {
                "motivo": "Motivo sintético",
                "relato": "Relato sintético.",
                "tipos": ("fisica",),
                "modalidades": ("familiar",),
                "riesgo": "alto",
                "agresor": "expareja",
                "agresor_datos": "Descripción sintética",
                "factores": ("amenazas_de_muerte", "acceso_a_armas"),
            },
        )
        await saved(pilot, IntakeScreen)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await until(pilot, lambda: "Expareja" in text_of(pilot, "#body-entrevista"))
        body = text_of(pilot, "#body-entrevista")
        assert "Descripción sintética" in body
        assert "Amenazas de muerte" in body


async def test_esc_asks_before_throwing_away_what_was_typed(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await open_registration(pilot, seeded)
        # Nothing typed yet: Esc leaves at once.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

        screen = await open_registration(pilot, seeded)
        await type_text(pilot, "Helena")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # keep writing
        await until(pilot, lambda: app.screen is screen)
        assert screen.query_one("#nombre-input", Input).value == "Helena"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # discard
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_an_interview_survives_the_idle_lock_for_the_same_person_only(
    seeded: Seeded, make_app: MakeApp
) -> None:
    # The lock waits until the interview is typed, however slow the machine; then it comes
    # at the next idle check.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: app.screen.query_one("#expedientes", DataTable).row_count > 0)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen))
        intake = app.screen
        await type_text(pilot, "Lo que ella contaba")
        app.idle_lock_seconds = 1
        await until(pilot, lambda: at_login_screen(pilot), timeout=15)
        app.idle_lock_seconds = 300
        assert app.gateway is None
        assert "Sesión bloqueada" in text_of(pilot, "#login-locked")

        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: app.screen is intake)
        assert intake.query_one("#motivo-input", Input).value == "Lo que ella contaba"
        assert app.gateway is not None
        # The form goes on with the new session: the case opens for real.
        assert isinstance(intake, IntakeScreen)
        fill(
            intake,
            {"relato": "Relato.", "tipos": ("fisica",), "modalidades": ("familiar",)},
        )
        fill(intake, {"riesgo": "bajo"})
        await saved(pilot, IntakeScreen)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))

        # Locked again; someone else unlocks: a fresh Mi día, nothing of the other session.
        app.idle_lock_seconds = 1
        await until(pilot, lambda: at_login_screen(pilot), timeout=15)
        # Locked: a slow login must not be locked again before Mi día shows.
        app.idle_lock_seconds = 300
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert not any(
            isinstance(screen, CaseScreen | ClientScreen | IntakeScreen)
            for screen in app.screen_stack
        )
        assert app.gateway is not None
        assert app.gateway.identity.username == "juridica"


async def open_tab(pilot: Pilot[None], number: int, marker: str) -> None:
    await pilot.press(str(number))
    await until(pilot, lambda: marker in text_of(pilot, f"#body-{marker_section(number)}"))


def marker_section(number: int) -> str:
    return list(Section)[number - 1].value


async def record(pilot: Pilot[None], key: str, values: FormValues) -> None:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, RecordScreen))
    screen = pilot.app.screen
    assert isinstance(screen, RecordScreen)
    chosen = dict(values)
    for field in screen.fields:
        if field.choices_from is not None:
            select = screen.query_one(f"#{field.control_id}", Select)
            await until(pilot, lambda select=select: len(select._options) > 1)
            wanted = str(chosen.get(field.key, ""))
            if wanted == FIRST:
                chosen[field.key] = select._options[1][1]
            elif wanted.startswith(LABELLED):
                label = wanted.removeprefix(LABELLED)
                chosen[field.key] = next(
                    value for text, value in select._options if str(text).startswith(label)
                )
    fill(screen, chosen)
    await saved(pilot)


FIRST = "<la primera opción>"
LABELLED = "<la opción que empieza con>"


async def test_a_protection_order_is_recorded_and_extended_from_its_tab(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 8, "Registros")
        await record(
            pilot,
            "r",
            {
                "tipo": "administrativa",
                "medidas": ("prohibicion_acercamiento", "vigilancia_policial"),
                "detalle": "Detalle sintético",
                "autoridad": "Juzgado Ficticio",
                "emision": "10/11/2026",
            },
        )
        await until(pilot, lambda: "Juzgado Ficticio" in text_of(pilot, "#body-ordenes"))
        await record(pilot, "t", {"orden": FIRST, "vencimiento": "15/01/2027"})
        await until(pilot, lambda: "prorrogada" in text_of(pilot, "#body-ordenes"))

    legal = session_of(seeded, "juridica")
    try:
        (order,) = legal.protection_order_section(seeded.case_id)
    finally:
        legal.close()
    assert order.authority == "Juzgado Ficticio"
    assert order.detail == "Detalle sintético"
    assert set(order.measures) == {
        "Prohibición de acercarse a la víctima",
        "Vigilancia o rondines policiales",
    }
    assert order.extended
    assert order.expires_on.isoformat() == "2027-01-15"


async def test_a_referral_to_the_directory_and_its_outcome(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    coordinator = session_of(seeded, "coordinacion")
    coordinator.add_institution(
        InstitutionForm(
            name="Fiscalía Especializada Ficticia",
            kind="procuracion_justicia",
            services=("denuncia",),
        )
    )
    coordinator.close()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 6, "Registros")
        # Without her consent to share, a referral with her data is refused, under its field.
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        assert isinstance(form, RecordScreen)
        select = form.query_one("#institucion-select", Select)
        await until(pilot, lambda: len(select._options) > 1)
        fill(
            form,
            {"institucion": select._options[1][1], "motivo": "Denuncia", "con_datos": "si"},
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "consent" in text_of(pilot, "#form-message").lower())
        assert app.screen is form
        fill(form, {"con_datos": "no"})
        await saved(pilot)
        await until(pilot, lambda: "Fiscalía" in text_of(pilot, "#body-canalizaciones"))
        await record(pilot, "t", {"canalizacion": FIRST, "resultado": "atendida"})
        await until(pilot, lambda: "Atendida" in text_of(pilot, "#body-canalizaciones"))

    legal = session_of(seeded, "juridica")
    try:
        (referral,) = legal.referrals(seeded.case_id)
    finally:
        legal.close()
    assert referral.institution == "Fiscalía Especializada Ficticia"
    assert referral.with_personal_data is False
    assert referral.outcome == "Atendida por la institución"


async def test_a_closure_requested_in_the_case_is_approved_from_mi_dia(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    # Only whoever attends an area asks for the closure: coordinación assigns jurídica first.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 2, "Motivo")
        await record(pilot, "g", {"area": "juridica", "persona": LABELLED + "Julia"})
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 2, "Motivo")
        await record(pilot, "k", {"motivo": "Concluyó su proceso"})
    coordinator = session_of(seeded, "coordinacion")
    try:
        life = coordinator.case_life(seeded.case_id)
    finally:
        coordinator.close()
    assert life.closure_reason == "Concluyó su proceso"
    assert ("Jurídica", "Julia Jurídica Prueba") in life.areas

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        closures = app.screen.query_one("#cierres", DataTable)
        await until(pilot, lambda: closures.row_count == 1)
        closures.focus()
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: not app.screen.query_one("#col-cierres").display)
    coordinator = session_of(seeded, "coordinacion")
    try:
        assert coordinator.case_life(seeded.case_id).status == "Cerrado"
    finally:
        coordinator.close()


async def test_an_erasure_requested_by_one_is_approved_by_coordinacion(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "estado") == "Vigentes")
        assert not app.screen.check_action("approve_erasure", ())
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: "pendiente" in field_text(pilot, "estado"))

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: "pendiente" in field_text(pilot, "estado"))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: field_text(pilot, "estado") == "Cancelados (ARCO)")
        assert field_text(pilot, "nombre") == "[dato eliminado]"


async def test_consents_and_a_rectification_from_her_record(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: "compartir: no" in field_text(pilot, "consentimientos"))
        await record(pilot, "c", {"compartir": "si", "estadistica": "si"})
        await until(pilot, lambda: "compartir: sí" in field_text(pilot, "consentimientos"))

        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        assert isinstance(form, RecordScreen)
        fill(form, {"campo": "phone", "valor": "12"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "10 dígitos" in text_of(pilot, "#valor .field-message"))
        fill(form, {"valor": "4610000001"})
        await saved(pilot)
        await until(pilot, lambda: "4610000001" in field_text(pilot, "telefono"))


async def test_a_role_is_offered_only_what_it_may_do(seeded: Seeded, make_app: MakeApp) -> None:
    coordinator = session_of(seeded, "coordinacion")
    coordinator.create_account("admin", "Ada Administración Prueba", Role.ADMINISTRATION, PASSWORD)
    coordinator.close()
    enable(seeded.institute, "admin")
    with as_staff(seeded, "admin") as admin:
        admin.change_password(PASSWORD, PASSWORD + "-a")

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", PASSWORD + "-a")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert not app.check_action("search", ())
        assert not app.check_action("register", ())
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        described = {
            str(table.get_row_at(index)[1])
            for table in app.screen.query(DataTable)
            for index in range(table.row_count)
        }
        assert "Registrar usuaria" not in described
        assert "Buscar" not in described
        assert "Cambiar mi contraseña" in described

    # Recepción opens a case but writes none of its areas: no area form is offered.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "nueva", PASSWORD)
        await until(pilot, lambda: app.screen.query("#actual-input"))
        app.screen.query_one("#actual-input", Input).value = PASSWORD
        app.screen.query_one("#nueva-input", Input).value = PASSWORD + "-n"
        app.screen.query_one("#repetida-input", Input).value = PASSWORD + "-n"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        case = app.screen
        assert isinstance(case, CaseScreen)
        for name in ("give_legal_advice", "record_protection_order", "refer_case"):
            assert not case.check_action("case_form", (name,))
        await pilot.press("3")
        await pilot.pause(0.2)
        shown = {b.binding.description for b in case.active_bindings.values() if b.binding.show}
        assert "Asesoría" not in shown


async def test_a_typed_note_is_not_lost_to_esc(seeded: Seeded, make_app: MakeApp) -> None:
    assert seeded.case_id is not None
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 3, "Notas")
        await pilot.press("a")
        await until(pilot, lambda: bool(app.screen.query("#nota")))
        note = app.screen
        await type_text(pilot, "Nota sintética")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is note)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Nota sintética" in text_of(pilot, "#body-juridica"))


async def test_the_directory_gains_and_retires_an_institution(
    seeded: Seeded, make_app: MakeApp
) -> None:
    from tui.directory import DirectoryScreen

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        await until(pilot, lambda: "vacío" in text_of(pilot, "#instituciones-vacio"))
        await record(
            pilot,
            "n",
            {
                "nombre": "Centro de Salud Ficticio",
                "tipo": "salud",
                "servicios": ("atencion_medica",),
                "horario": "lunes a viernes 8:00-14:00",
            },
        )
        table = app.screen.query_one("#instituciones", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        table.focus()
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: str(table.get_row_at(0)[-1]) == "De baja")
    coordinator = session_of(seeded, "coordinacion")
    try:
        assert coordinator.directory() == []
        (retired,) = coordinator.directory(include_inactive=True)
        assert retired.name == "Centro de Salud Ficticio"
    finally:
        coordinator.close()

    # Jurídica reads the directory but does not edit it.
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        assert not app.screen.check_action("new_institution", ())


async def test_mi_dia_shows_orders_expiring_and_ages_to_authorize(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    legal = session_of(seeded, "juridica")
    legal.record_protection_order(
        seeded.case_id,
        kind="administrativa",
        measures=["vigilancia_policial"],
        detail="Detalle sintético",
        authority="Juzgado Ficticio",
        issued_on="01/10/2026",
        expires_on="25/11/2026",
    )
    legal.report_misconduct(
        seeded.case_id,
        institution="Agencia Ficticia",
        conduct="dilacion",
        facts="Hechos sintéticos",
        reported_to="Órgano Ficticio",
    )
    from violeta.dto import NewClient

    # Registered by jurídica, so that coordinación is a second person when she authorizes.
    legal.register_client(
        NewClient(
            name="Julieta Mayor Ficticia",
            birth_date="01/01/1950",
            zone=seeded.zone_code,
            age_exception_reason="Acude por su nieta",
        )
    )
    legal.close()

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        orders = app.screen.query_one("#ordenes", DataTable)
        await until(pilot, lambda: orders.row_count == 1)
        assert [str(cell) for cell in orders.get_row_at(0)][:4] == [
            "25/11/2026",
            seeded.folio,
            "Administrativa",
            "5",
        ]
        assert not app.screen.query_one("#col-edades").display
        reports = app.screen.query_one("#reportes", DataTable)
        assert [str(cell) for cell in reports.get_row_at(0)][1:4] == [
            seeded.folio,
            "Agencia Ficticia",
            "Dilación",
        ]
        orders.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "coordinacion")
        ages = app.screen.query_one("#edades", DataTable)
        await until(pilot, lambda: ages.row_count == 1)
        assert str(ages.get_row_at(0)[0]) == "Julieta Mayor Ficticia"
        ages.focus()
        await pilot.press("z")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: not app.screen.query_one("#col-edades").display)
    coordinator = session_of(seeded, "coordinacion")
    try:
        assert coordinator.pending_age_authorizations() == []
    finally:
        coordinator.close()


async def test_the_closure_is_offered_only_to_whoever_attends_an_area_of_the_case(
    seeded: Seeded, make_app: MakeApp
) -> None:
    """The case's rule (only staff assigned to an area ask for its closure) decides what the
    screen offers: before, «k» was offered to jurídica unassigned and refused on saving."""
    assert seeded.case_id is not None
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 2, "Motivo")
        assert not app.screen.check_action("case_form", ("request_closure",))
        await pilot.press("k")
        await pilot.pause()
        assert not isinstance(app.screen, RecordScreen)
    coordinator = session_of(seeded, "coordinacion")
    legal_id = next(a.staff_id for a in coordinator.accounts() if a.username == "juridica")
    coordinator.assign_area(seeded.case_id, "juridica", legal_id)
    coordinator.close()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 2, "Motivo")
        assert app.screen.check_action("case_form", ("request_closure",))


async def test_a_closed_case_offers_reopening_and_not_closing(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    coordinator = session_of(seeded, "coordinacion")
    legal_id = next(a.staff_id for a in coordinator.accounts() if a.username == "juridica")
    coordinator.assign_area(seeded.case_id, "juridica", legal_id)
    coordinator.close()
    legal = session_of(seeded, "juridica")
    legal.request_closure(seeded.case_id, "Concluyó")
    legal.close()
    coordinator = session_of(seeded, "coordinacion")
    coordinator.approve_closure(seeded.case_id)
    coordinator.close()

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "juridica")
        await open_first_case_of(pilot, "Ana Prueba")
        await open_tab(pilot, 2, "Motivo")
        case = app.screen
        assert not case.check_action("case_form", ("request_closure",))
        assert case.check_action("case_form", ("reopen_case",))
        await record(pilot, "o", {"motivo": "Volvió a sufrir violencia"})
        await until(pilot, lambda: "Estado: Reabierto" in text_of(pilot, "#case-header"))
        assert case.check_action("case_form", ("request_closure",))
