"""Drafts sealed from a form and resumed from Mi día; Mi día's names and next sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input

from domain.vocabulary import Role
from tests.support.factories import enable
from tests.tui.conftest import (
    LEGAL_PASSWORD,
    PASSWORD,
    SIZE,
    TODAY,
    MakeApp,
    Seeded,
    as_staff,
    at_login_screen,
    log_in,
    text_of,
    type_text,
    until,
)
from tests.tui.test_commands import fill
from tui.dashboard import DashboardScreen
from tui.drafts import SAVED, AgendaPanel, IntakeDraftScreen, RegisterDraftScreen
from tui.navigation import StartIntake

pytestmark = pytest.mark.anyio


async def test_an_intake_saved_as_draft_is_resumed_from_mi_dia_and_gone_once_saved(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        app.post_message(StartIntake(seeded.ana, "Ana Prueba Sintética"))
        await until(pilot, lambda: isinstance(app.screen, IntakeDraftScreen))
        await until(pilot, lambda: app.focused is not None)
        await type_text(pilot, "Motivo borrador")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: text_of(pilot, "#form-message") == SAVED)
        assert app.gateway is not None
        [draft] = app.gateway.call(lambda session: session.my_drafts())
        assert draft.client_name == "Ana Prueba Sintética"
        await pilot.press("escape")  # sealed: leaving asks nothing
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f5")
        table = app.screen.query_one("#borradores", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert app.screen.query_one(AgendaPanel).display
        assert [str(cell) for cell in table.get_row_at(0)][1:] == [
            "Entrevista inicial",
            "Ana Prueba Sintética",
        ]
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, IntakeDraftScreen))
        screen = app.screen
        await until(pilot, lambda: screen.query_one("#motivo-input", Input).value != "")
        assert screen.query_one("#motivo-input", Input).value == "Motivo borrador"
        assert isinstance(screen, IntakeDraftScreen) and screen.draft_id == draft.draft_id

        # Saved as the real entrevista inicial: the case opens and the draft is gone.
        fill(screen, {"relato": "Relato.", "tipos": ("fisica",), "modalidades": ("familiar",)})
        fill(screen, {"riesgo": "bajo"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "CaseScreen")
        gateway = app.gateway
        await until(pilot, lambda: gateway.call(lambda session: session.my_drafts()) == [])
        detail = gateway.call(lambda session: session.client_detail(seeded.ana))
        assert len(detail.cases) == 2


async def test_a_registration_draft_outlives_the_lock_and_only_its_author_resumes_it(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RegisterDraftScreen))
        await until(pilot, lambda: app.focused is not None)
        await type_text(pilot, "Zoila Borrador Sintética")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: text_of(pilot, "#form-message") == SAVED)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: at_login_screen(pilot))
        # Someone else unlocks: a fresh Mi día, and no draft of the other person.
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert not any(isinstance(screen, RegisterDraftScreen) for screen in app.screen_stack)
        await until(pilot, lambda: text_of(pilot, "#greeting") != "")
        assert app.screen.query_one("#borradores", DataTable).row_count == 0
        await pilot.press("ctrl+l")
        await until(pilot, lambda: at_login_screen(pilot))
        # Her author, in a new session: the draft waits in Mi día and resumes.
        await log_in(pilot, "coordinacion", PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        table = app.screen.query_one("#borradores", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert [str(cell) for cell in table.get_row_at(0)][1:] == [
            "Registro de usuaria",
            "(por registrar)",
        ]
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RegisterDraftScreen))
        name = app.screen.query_one("#nombre-input", Input)
        await until(pilot, lambda: name.value == "Zoila Borrador Sintética")


async def test_another_person_never_sees_the_draft(seeded: Seeded, make_app: MakeApp) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.save_draft("entrevista_inicial", {"motivo": "Motivo"}, client_id=seeded.ana)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "juridica", LEGAL_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.gateway is not None
        assert app.gateway.call(lambda session: session.my_drafts()) == []
        await until(pilot, lambda: text_of(pilot, "#greeting") != "")
        await pilot.pause(0.2)
        assert not app.screen.query_one(AgendaPanel).display


async def test_mi_dia_names_the_follow_ups_and_shows_the_next_psychology_session(
    seeded: Seeded, make_app: MakeApp
) -> None:
    assert seeded.case_id is not None
    with as_staff(seeded) as coordinator:
        coordinator.create_account("psicologa", "Paula Psicóloga Prueba", Role.PSYCHOLOGY, PASSWORD)
        enable(seeded.institute, "psicologa")
        soon = (TODAY + timedelta(days=3)).strftime("%d/%m/%Y")
        coordinator.schedule_follow_up(seeded.case_id, soon, "teléfono")
    psychologist = seeded.institute.login("psicologa", PASSWORD)
    psychologist.change_password(PASSWORD, PASSWORD + "-p")
    # She attends the case's psychology: its follow-ups are in her Mi día too.
    with as_staff(seeded) as coordinator:
        coordinator.assign_area(seeded.case_id, "psicologica", psychologist.identity.staff_id)
    psychologist.record_psychology_session(
        seeded.case_id, modality="presencial", notes="Sesión sintética.", next_session=soon
    )
    psychologist.close()
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "psicologa", PASSWORD + "-p")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        sessions = app.screen.query_one("#sesiones", DataTable)
        await until(pilot, lambda: sessions.row_count == 1)
        assert [str(cell) for cell in sessions.get_row_at(0)][:3] == [
            soon,
            seeded.folio,
            "Ana Prueba Sintética",
        ]
        follow_ups = app.screen.query_one("#seguimientos", DataTable)
        await until(pilot, lambda: follow_ups.row_count == 1)
        assert str(follow_ups.get_row_at(0)[2]) == "Ana Prueba Sintética"
        sessions.focus()
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CaseScreen")
