"""The staff app driven through the keyboard, against a real (synthetic) institute."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, SelectionList, TextArea

from domain.vocabulary import Role
from tests.support.factories import an_intake, enable
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
from tui.app import VioletaApp
from tui.case import CaseScreen
from tui.client import ClientScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen, JustificationScreen
from tui.help import HelpScreen
from tui.intake_forms import IntakeScreen, RegisterClientScreen
from tui.login import ChangePasswordScreen, LoginScreen
from tui.records import RecordScreen
from tui.search import SearchScreen
from tui.tabs import SectionTabs

pytestmark = pytest.mark.anyio


async def test_wrong_password_shows_the_spanish_error_and_stays_on_login(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", "no-es-la-clave")
        await until(pilot, lambda: text_of(pilot, "#login-message") not in ("", "Verificando…"))

        assert isinstance(app.screen, LoginScreen)
        assert app.gateway is None
        message = text_of(pilot, "#login-message")
        assert "incorrect" in message.lower() or "contraseña" in message.lower()
        assert app.screen.query_one("#contrasena", Input).value == ""


async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(
    seeded: Seeded, make_app: MakeApp
) -> None:
    answers = []
    for username in ("coordinacion", "nadie-con-ese-nombre"):
        app = make_app(seeded.institute)
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, username, "no-es-la-clave")
            await until(pilot, lambda: text_of(pilot, "#login-message") not in ("", "Verificando…"))
            answers.append(text_of(pilot, "#login-message"))
    assert answers[0] == answers[1]


async def test_login_opens_mi_dia_with_counters_and_my_recent_cases(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        table = app.screen.query_one("#recientes", DataTable)
        await until(pilot, lambda: table.row_count == 1)

        assert "Carmen Coordinación Prueba" in text_of(pilot, "#greeting")
        assert "Coordinación" in text_of(pilot, "#greeting")
        assert text_of(pilot, "#counter-abiertos").split() == ["1", "expedientes", "abiertos"]
        assert text_of(pilot, "#counter-mes").startswith("1")
        assert text_of(pilot, "#counter-cancelaciones").startswith("0")
        assert "accesos excepcionales hoy" in text_of(pilot, "#counter-excepcionales")
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[:3] == [seeded.folio, "Ana Prueba Sintética", "20/11/2026"]

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))


def a_follow_up_due_on(seeded: Seeded, due_on: str) -> None:
    assert seeded.case_id is not None
    with as_staff(seeded) as coordinator:
        coordinator.schedule_follow_up(seeded.case_id, due_on, "telefono")


async def mi_dia_of_coordinacion(pilot: Pilot[None]) -> DataTable[str]:
    """Logs in as coordinación and waits for the one follow-up in Mi día's queue."""
    await log_in(pilot, "coordinacion", PASSWORD)
    await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))
    table: DataTable[str] = pilot.app.screen.query_one("#seguimientos", DataTable)
    await until(pilot, lambda: table.row_count == 1)
    return table


async def test_mi_dia_lists_follow_ups_coming_due_and_enter_opens_the_case(
    seeded: Seeded, make_app: MakeApp
) -> None:
    a_follow_up_due_on(seeded, "23/11/2026")
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        table = await mi_dia_of_coordinacion(pilot)

        row = [str(cell) for cell in table.get_row_at(0)]
        assert row == ["23/11/2026", seeded.folio, "Ana Prueba Sintética", "Teléfono", "Por vencer"]
        assert text_of(pilot, "#seguimientos-vacio") == ""

        await pilot.press("tab")
        assert app.focused is table
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        assert app.screen.case_id == seeded.case_id


async def test_a_follow_up_s_result_is_recorded_from_mi_dia_and_leaves_the_queue(
    seeded: Seeded, make_app: MakeApp
) -> None:
    a_follow_up_due_on(seeded, "20/11/2026")
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        table = await mi_dia_of_coordinacion(pilot)
        dashboard = app.screen
        await pilot.press("s")  # only from the follow-ups list
        await pilot.pause(0.2)
        assert app.screen is dashboard

        await pilot.press("tab", "s")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        form.query_one("#realizado-select", Select).value = "si"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: text_of(pilot, "#resultado .field-message") != "")
        assert text_of(pilot, "#resultado .field-message") == "Es obligatorio."
        assert app.screen is form

        form.query_one("#resultado-text", TextArea).text = "Llamada sintética realizada."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is dashboard and table.row_count == 0)
        assert "No hay seguimientos" in text_of(pilot, "#seguimientos-vacio")
        assert app.gateway is not None
        case_id = seeded.case_id
        (held,) = app.gateway.call(lambda session: session.follow_up_section(case_id))
        assert (held.state, held.outcome) == ("Realizado", "Llamada sintética realizada.")


async def test_coordinacion_approves_a_closure_from_mi_dia_after_confirming(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    case_id = seeded.case_id
    coordinator = seeded.institute.login("coordinacion", PASSWORD)
    lawyer = seeded.institute.login("juridica", LEGAL_PASSWORD)
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    lawyer.request_closure(case_id, "Motivo sintético de cierre.")
    coordinator.close()
    lawyer.close()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dashboard = app.screen
        table = dashboard.query_one("#cierres", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert [str(cell) for cell in table.get_row_at(0)] == [
            seeded.folio,
            "Julia Jurídica Prueba",
            "20/11/2026",
        ]

        await pilot.press("tab", "tab", "c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # nothing happens without confirming
        await until(pilot, lambda: app.screen is dashboard)
        assert app.gateway is not None
        assert app.gateway.call(lambda session: session.case_life(case_id)).status == "Abierto"

        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is dashboard and table.row_count == 0)
        assert not dashboard.query_one("#col-cierres").display
        assert app.gateway.call(lambda session: session.case_life(case_id)).status == "Cerrado"


async def test_a_role_without_follow_ups_sees_no_follow_up_queue(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.create_account(
            "sistemas", "Sara Sistemas Prueba", Role.ADMINISTRATION, PASSWORD
        )
    enable(seeded.institute, "sistemas")
    with as_staff(seeded, "sistemas") as admin:
        admin.change_password(PASSWORD, PASSWORD + "-a")
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "sistemas", PASSWORD + "-a")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await until(pilot, lambda: "Sara Sistemas Prueba" in text_of(pilot, "#greeting"))

        assert not app.screen.query_one("#col-seguimientos").display


async def test_first_login_requires_a_new_password_before_anything_else(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "nueva", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, ChangePasswordScreen))
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, ChangePasswordScreen), "no search before the change"

        await type_text(pilot, PASSWORD)
        await pilot.press("tab")
        await type_text(pilot, "una-clave-nueva-2026")
        await pilot.press("tab")
        await type_text(pilot, "una-clave-distinta")
        await pilot.press("ctrl+s")
        assert "No coincide" in text_of(pilot, "#repetida .field-message")

        repeated = app.screen.query_one("#repetida-input", Input)
        repeated.value = "una-clave-nueva-2026"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

    seeded.institute.login("nueva", "una-clave-nueva-2026").close()


async def test_search_by_name_finds_the_client_and_opens_her(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "ana prueba")
        await pilot.press("enter")
        table = app.screen.query_one("#usuarias", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[0]) == "Ana Prueba Sintética"

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "nombre") == "Ana Prueba Sintética")
        assert field_text(pilot, "nacimiento") == "15/03/1990"
        assert field_text(pilot, "zona") == seeded.zone_name
        cases = app.screen.query_one("#expedientes", DataTable)
        assert str(cases.get_row_at(0)[0]) == seeded.folio


async def test_search_without_matches_says_so(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "Zoila Inexistente")
        await pilot.press("enter")
        await until(pilot, lambda: text_of(pilot, "#resultado") == "Ninguna usuaria coincide.")


async def test_register_refuses_a_bad_birth_date_then_lands_on_the_new_client(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RegisterClientScreen))
        screen = app.screen
        zones = screen.query_one("#zona-select", Select)
        await until(pilot, lambda: len(zones._options) > 1)

        await type_text(pilot, "Carla Prueba Sintética")
        await pilot.press("tab")
        await type_text(pilot, "31/02/1990")
        assert text_of(pilot, "#nacimiento .field-message") == (
            "No es una fecha válida del calendario."
        )
        zones.value = seeded.zone_code
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is screen
        # Asked, never assumed: the privacy notice and both consents wait for her answer.
        assert "Seleccione" in text_of(pilot, "#aviso .field-message")
        assert "Seleccione" in text_of(pilot, "#compartir .field-message")
        screen.query_one("#aviso-select", Select).value = "si"
        screen.query_one("#compartir-select", Select).value = "no"
        screen.query_one("#estadistica-select", Select).value = "si"

        # Well formed but outside the ages the institute serves: the service says why.
        birth = screen.query_one("#nacimiento-input", Input)
        birth.value = "01/01/1950"
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "el instituto atiende" in text_of(pilot, "#nacimiento .field-message")
        )
        assert app.screen is screen
        assert app.gateway is not None
        assert app.gateway.call(lambda session: session.search_clients("Carla")) == []

        birth.value = "01/01/1991"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "nombre") == "Carla Prueba Sintética")
        assert field_text(pilot, "zona") == seeded.zone_name
        found = app.gateway.call(lambda session: session.search_clients("Carla"))
        assert [client.name for client in found] == ["Carla Prueba Sintética"]


async def test_opening_a_case_with_the_intake_shows_its_folio(
    seeded_without_cases: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded_without_cases.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await app.run_action("search")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await type_text(pilot, "Ana")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one("#usuarias", DataTable).row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: "Sin expedientes" in text_of(pilot, "#expedientes-vacio"))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen))

        await type_text(pilot, "Orientación jurídica")
        await pilot.press("ctrl+s")
        assert "Es obligatorio" in text_of(pilot, "#relato .field-message")
        assert "al menos una" in text_of(pilot, "#tipos .field-message")
        assert isinstance(app.screen, IntakeScreen)

        # The cursor went to the first field with a problem.
        assert app.screen.focused is app.screen.query_one("#relato-text", TextArea)
        await type_text(pilot, "Relato sintético")
        await pilot.press("tab", "space", "down", "down", "space")  # Psicológica, Patrimonial
        await pilot.press("tab", "space")  # Familiar
        app.screen.query_one("#riesgo-select", Select).value = "alto"
        assert app.screen.query_one("#tipos-list", SelectionList).selected == [
            "psicologica",
            "patrimonial",
        ]
        assert app.screen.query_one("#relato-text", TextArea).text == "Relato sintético"
        await pilot.press("ctrl+s")

        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await until(pilot, lambda: "CTZ-2026-00001" in text_of(pilot, "#case-header"))
        header = text_of(pilot, "#case-header")
        assert "Psicológica" in header
        assert "Patrimonial" in header
        assert "Riesgo: Alto" in header
        await until(pilot, lambda: "Relato sintético" in text_of(pilot, "#body-entrevista"))


async def open_first_case_of(pilot: Pilot[None], name: str) -> None:
    """Búsqueda → usuaria → her first expediente, the way staff get there."""
    app = pilot.app
    await pilot.press("slash")
    await until(pilot, lambda: isinstance(app.screen, SearchScreen))
    await type_text(pilot, name)
    await pilot.press("enter")
    await until(pilot, lambda: app.screen.query_one("#usuarias", DataTable).row_count > 0)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ClientScreen))
    await until(pilot, lambda: app.screen.query_one("#expedientes", DataTable).row_count > 0)
    await pilot.press("enter")
    # Read, not only shown: the case's keys (u for her record) wait for what it loads.
    await until(
        pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.client_id is not None
    )


async def test_a_section_outside_the_role_asks_for_a_reason_and_is_marked_exceptional(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        await until(pilot, lambda: "Motivo sintético" in text_of(pilot, "#body-entrevista"))

        await pilot.press("5")  # Trabajo social: not legal's, but readable with a reason
        await until(pilot, lambda: "Enter" in text_of(pilot, "#body-trabajo_social"))
        await pilot.press("enter")  # she asks to read it
        await until(pilot, lambda: isinstance(app.screen, JustificationScreen))
        await type_text(pilot, "Revisar gestión")
        assert text_of(pilot, "#motivo-message").startswith("Faltan")
        await pilot.press("enter")
        assert isinstance(app.screen, JustificationScreen), "too short: not sent"

        await type_text(pilot, " ante el DIF municipal")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await until(pilot, lambda: "ACCESO EXCEPCIONAL" in text_of(pilot, "#mark-trabajo_social"))
        assert text_of(pilot, "#mark-entrevista") == ""


async def test_the_legal_tab_shows_the_advice_given_above_its_notes(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    with as_staff(seeded, "juridica") as lawyer:
        lawyer.give_legal_advice(seeded.case_id, "familiar", "Asesoría sintética de pensión.")
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")

        await pilot.press("3")
        await until(pilot, lambda: "Asesoría jurídica" in text_of(pilot, "#body-juridica"))
        body = text_of(pilot, "#body-juridica")
        assert "Asesoría jurídica · Familiar  20/11/2026 · Julia Jurídica Prueba" in body
        assert "Notas: Asesoría sintética de pensión." in body
        assert body.index("Registros") < body.index("Asesoría") < body.index("Notas\n")
        assert "Sin notas en esta sección." in body


async def test_legal_advice_is_recorded_from_its_tab_and_refusals_land_under_their_field(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")
        case_screen = app.screen
        await pilot.press("r")  # Entrevista keeps no structured records: nothing opens
        await pilot.pause(0.2)
        assert app.screen is case_screen

        await pilot.press("3")
        await until(pilot, lambda: "Sin registros" in text_of(pilot, "#body-juridica"))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        await pilot.press("ctrl+s")
        await until(pilot, lambda: text_of(pilot, "#materia .field-message") != "")
        assert text_of(pilot, "#materia .field-message") == "Seleccione materia."
        assert text_of(pilot, "#notas .field-message") == "Es obligatorio."

        form.query_one("#materia-select", Select).value = "familiar"
        form.query_one("#notas-text", TextArea).text = "Asesoría sintética de pensión."
        form.query_one("#fecha-input", Input).value = "01/01/2030"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "posterior a hoy" in text_of(pilot, "#fecha .field-message"))
        assert app.screen is form
        assert app.gateway is not None and seeded.case_id is not None
        case_id = seeded.case_id
        section = app.gateway.call(lambda session: session.legal_section(case_id))
        assert section.advice == (), "a refused form stores nothing"

        form.query_one("#fecha-input", Input).value = "20/11/2026"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is case_screen)
        await until(pilot, lambda: "Asesoría jurídica" in text_of(pilot, "#body-juridica"))
        assert "Asesoría jurídica · Familiar  20/11/2026 · Julia Jurídica Prueba" in text_of(
            pilot, "#body-juridica"
        )


async def test_psychology_notes_are_unavailable_to_legal(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Ana Prueba")

        await pilot.press("4")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CaseScreen), "no reason can open it, so none is asked"
        assert text_of(pilot, "#body-psicologica") == "Sin acceso para su rol."
        tabs = app.screen.query_one("#secciones", SectionTabs)
        assert tabs.has_mark("sec-psicologica", "-no-access")


async def test_idle_terminal_locks_and_returns_to_login(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        # Short only once Mi día is shown: a loaded machine took longer than a short lock to
        # log in, and locked before Mi día was ever current. Checked every second.
        app.idle_lock_seconds = 1.5
        # The login screen is pushed first and composed after: wait for its field too.
        await until(pilot, lambda: at_login_screen(pilot), timeout=10)

        assert app.gateway is None
        assert app.screen.query_one("#usuario", Input).value == ""
        assert "Sesión bloqueada" in text_of(pilot, "#login-locked")


async def test_help_lists_the_keys_of_the_screen_in_use(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = [
            [str(cell) for cell in table.get_row_at(index)]
            for table in app.screen.query(DataTable)
            for index in range(table.row_count)
        ]
        assert ["r", "Registrar usuaria"] in rows
        assert ["Ctrl+L", "Bloquear"] in rows
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_an_erased_client_shows_the_placeholder_the_service_delivers(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded, "juridica") as legal:
        legal.request_erasure(seeded.ana)
    with as_staff(seeded) as coordinator:
        coordinator.approve_erasure(seeded.ana)

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        table = app.screen.query_one("#recientes", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[1]) == "[dato eliminado]"

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await until(pilot, lambda: "Ana" not in text_of(pilot, "#case-header"))
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        await until(pilot, lambda: field_text(pilot, "estado") == "Cancelados (ARCO)")
        assert field_text(pilot, "nombre") == "[dato eliminado]"
        await pilot.press("n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ClientScreen), "no new case for an erased client"


async def test_mi_dia_counters_follow_another_terminal_without_an_audited_read(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await until(pilot, lambda: text_of(pilot, "#counter-abiertos").startswith("1"))

        with as_staff(seeded) as other:
            other.open_case(seeded.ana, an_intake())
            listings_before = sum(1 for e in other.audit_entries() if e.action == "listar")

            await until(pilot, lambda: text_of(pilot, "#counter-abiertos").startswith("2"))
            assert "otras terminales" in text_of(pilot, "#stale")
            listings_after = sum(1 for e in other.audit_entries() if e.action == "listar")
            assert listings_after == listings_before


async def test_the_demo_shows_its_accounts_on_the_login_screen(seeded: Seeded) -> None:
    app = VioletaApp(seeded.institute, login_notice="Datos sintéticos. Contraseña: demo")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: at_login_screen(pilot))
        assert text_of(pilot, "#login-notice") == "Datos sintéticos. Contraseña: demo"
