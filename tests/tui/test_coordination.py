"""Coordinación's screens (access trail, alerts, priority zones, activities and targets) and
Administración's accounts, driven as staff would, each asserting what the service recorded
or returns, not only what is on screen. Synthetic data only."""

from __future__ import annotations

import contextlib

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from domain.activities import ActivityKind
from domain.alerts import AlertRule
from domain.errors import NotPermitted
from domain.vocabulary import Modality, RiskLevel, Role, ViolenceType
from tests.support.factories import enable
from tests.tui.conftest import (
    LEGAL_PASSWORD,
    PASSWORD,
    TODAY,
    MakeApp,
    Seeded,
    as_staff,
    log_in,
    text_of,
    type_text,
    until,
)
from tests.tui.test_flows import open_first_case_of
from tui.accounts import AccountsScreen
from tui.client import ClientScreen
from tui.coordination import CoordinationScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import ConfirmScreen, RowsScreen
from tui.help import HelpScreen
from tui.records import RecordScreen
from tui.widgets import ZoneChart
from violeta.dto import AccountView, NewActivity, NewClient, NewIntake

pytestmark = pytest.mark.anyio

SIZE = (130, 40)
REASON = "Urgencia sintética atendida en guardia"


def exceptional_read_by_legal(seeded: Seeded) -> None:
    """Jurídica reads trabajo social's section with a reason (an exceptional access, which the
    sweep turns into an alert) and tries psychology's (a denied one)."""
    assert seeded.case_id is not None
    with as_staff(seeded, "juridica") as legal:
        legal.social_work_section(seeded.case_id, justification=REASON)
        with contextlib.suppress(NotPermitted):
            legal.psychology_section(seeded.case_id)


def add_admin(seeded: Seeded) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.create_account(
            "admin", "Alma Administración Prueba", Role.ADMINISTRATION, PASSWORD
        )
    enable(seeded.institute, "admin")
    with as_staff(seeded, "admin") as admin:
        admin.change_password(PASSWORD, PASSWORD + "-a")


async def at_mi_dia(pilot: Pilot[None], username: str, password: str) -> DashboardScreen:
    await log_in(pilot, username, password)
    await until(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    await pilot.app.workers.wait_for_complete()
    return screen


def rows(table: DataTable[str]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def help_titles(pilot: Pilot[None]) -> list[str]:
    await pilot.press("f1")
    await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    titles = [row[1] for table in pilot.app.screen.query(DataTable) for row in rows(table)]
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(pilot.app.screen, HelpScreen))
    return titles


# --------------------------------------------------------------------------- the trail


async def test_the_trail_filters_by_outcome_and_woman_refuses_a_bad_day_and_is_audited(
    seeded: Seeded, make_app: MakeApp
) -> None:
    exceptional_read_by_legal(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        screen = app.screen
        assert isinstance(screen, CoordinationScreen)
        table = screen.query_one("#bitacora-tabla", DataTable)
        await until(pilot, lambda: table.row_count > 2)
        before = rows(table)

        # A day that does not exist: the service's Spanish message, the list unchanged.
        screen.query_one("#filtro-dia", Input).focus()
        await type_text(pilot, "32/13/2026")
        await pilot.press("enter")
        await until(pilot, lambda: "Día" in text_of(pilot, "#bitacora-problema"))
        await pilot.app.workers.wait_for_complete()
        assert rows(table) == before
        await pilot.press("x")
        await until(pilot, lambda: text_of(pilot, "#bitacora-problema") == "")

        # Only the denied accesses: jurídica's attempt on psychology.
        screen.query_one("#filtro-resultado", Select).value = "denegado"
        await until(pilot, lambda: 0 < table.row_count < len(before))
        denied = rows(table)
        assert all(row[5] == "denegado" for row in denied)
        assert any(row[1] == "Julia Jurídica Prueba" for row in denied)

        # The woman of a row: every access listed is about her.
        await pilot.press("x")
        await until(pilot, lambda: table.row_count >= len(before))
        await pilot.app.workers.wait_for_complete()
        table.focus()
        with_her = next(
            i for i, key in enumerate(table.rows) if screen._entries[str(key.value)].client_ids
        )
        table.move_cursor(row=with_her)
        await pilot.press("u")
        await until(pilot, lambda: "fila elegida" in text_of(pilot, "#filtro-usuaria"))
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: screen.client_filter is not None and table.row_count > 0)
        her = screen.client_filter
        assert all(her in entry.client_ids for entry in screen._entries.values())

    # Each look at the trail is itself in the trail, as coordinación's audited reading.
    with as_staff(seeded) as coordinator:
        looks = coordinator.audit_trail(purpose="bitácora de accesos")
    assert looks
    assert {entry.action for entry in looks} == {"auditar"}
    assert {entry.staff for entry in looks} == {"Carmen Coordinación Prueba"}


# --------------------------------------------------------------------------- alerts


async def test_an_alert_waits_in_mi_dia_and_is_acknowledged_with_a_note(
    seeded: Seeded, make_app: MakeApp
) -> None:
    exceptional_read_by_legal(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        dashboard = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        queue = dashboard.query_one("#alertas", DataTable)
        # Her exceptional read, and the same read of a case not assigned to her.
        await until(pilot, lambda: queue.row_count == 2)
        assert dashboard.query_one("#col-alertas").display
        labels = [row[1] for row in rows(queue)]
        assert sorted(labels) == sorted([AlertRule.BREAK_GLASS.label, AlertRule.NOT_ASSIGNED.label])
        assert {row[2] for row in rows(queue)} == {"Julia Jurídica Prueba"}
        queue.move_cursor(row=labels.index(AlertRule.BREAK_GLASS.label))
        queue.focus()
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        # Without a note nothing is acknowledged: the problem is shown under «Nota».
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "-problem" in app.screen.query_one("#nota .field-message").classes
        )
        assert isinstance(app.screen, RecordScreen)
        await type_text(pilot, "Guardia documentada")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await until(pilot, lambda: queue.row_count == 1)
        assert rows(queue)[0][1] == AlertRule.NOT_ASSIGNED.label

        # The coordination screen lists it as attended once asked to show those too.
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        table = app.screen.query_one("#alertas-tabla", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("v")
        await until(pilot, lambda: table.row_count == 2)
        states = {row[0]: row[2] for row in rows(table)}
        assert states == {
            AlertRule.BREAK_GLASS.label: "Atendida por Carmen Coordinación Prueba: "
            "Guardia documentada",
            AlertRule.NOT_ASSIGNED.label: "Por atender",
        }

    with as_staff(seeded) as coordinator:
        [alert] = [
            a
            for a in coordinator.alerts(include_acknowledged=True)
            if a.rule is AlertRule.BREAK_GLASS
        ]
    assert alert.acknowledged and alert.note == "Guardia documentada"
    assert alert.acknowledged_on == TODAY


async def test_an_empty_note_acknowledges_nothing(seeded: Seeded, make_app: MakeApp) -> None:
    exceptional_read_by_legal(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        dashboard = await at_mi_dia(pilot, "coordinacion", PASSWORD)
        # Enter on a queued alert opens the Alertas tab.
        queue = dashboard.query_one("#alertas", DataTable)
        await until(pilot, lambda: queue.row_count == 2)
        queue.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        assert isinstance(app.screen, CoordinationScreen)
        assert app.screen.current == "alertas"
        table = app.screen.query_one("#alertas-tabla", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        await type_text(pilot, "   ")
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: "-problem" in app.screen.query_one("#nota .field-message").classes,
        )
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, RecordScreen)
    with as_staff(seeded) as coordinator:
        alerts = coordinator.alerts(include_acknowledged=True)
    assert len(alerts) == 2
    assert not any(alert.acknowledged for alert in alerts)


# ------------------------------------------------------------------------ priority zones


def cases_in_first_zone(seeded: Seeded, count: int) -> None:
    """``count`` cases opened months ago in the first zone: it tops the ranking."""
    with as_staff(seeded) as coordinator:
        for number in range(count):
            client = coordinator.register_client(
                NewClient(
                    name=f"Zona Prueba Sintética {chr(65 + number)}",
                    birth_date="01/01/1990",
                    zone=seeded.zone_code,
                    registered_on="01/03/2026",
                ),
                confirm_not_duplicate=True,
            )
            coordinator.open_case(
                client,
                NewIntake(
                    reason="Motivo sintético",
                    narrative="Relato sintético de prueba.",
                    violence_types=(ViolenceType.PSYCHOLOGICAL.value,),
                    modalities=(Modality.FAMILY.value,),
                    risk=RiskLevel.LOW.value,
                    opened_on=f"{1 + number % 25:02d}/0{4 + number % 5}/2026",
                ),
            )


async def test_the_priority_zone_chart_ranks_the_zone_with_cases_first_with_band_and_trend(
    seeded: Seeded, make_app: MakeApp
) -> None:
    cases_in_first_zone(seeded, 12)
    with as_staff(seeded) as coordinator:
        ranking = coordinator.priority_zones()
    top = next(zone for zone in ranking.zones if zone.rank == 1)
    assert top.code == seeded.zone_code

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        chart = app.screen.query_one("#zonas-grafica", ZoneChart)
        await until(pilot, lambda: "Periodo" in text_of(pilot, "#zonas-periodo"))
        lines = str(chart.render()).splitlines()
        first = lines[1]
        assert first.split()[0] == "1"
        assert seeded.zone_name[:20] in first
        assert "█" in first
        assert top.band is not None and top.band.value.capitalize() in first
        assert "↑ sube 0→12" in first
        assert "11/2025 a 10/2026" in text_of(pilot, "#zonas-periodo")


async def test_h_on_the_zones_tab_lists_every_version_of_the_zones_catalogue(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        versions = [
            (zone.code, version)
            for zone in coordinator.priority_zones().zones
            for version in coordinator.zone_history(zone.code)
        ]
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        screen = app.screen
        await until(pilot, lambda: "Periodo" in text_of(pilot, "#zonas-periodo"))
        await until(pilot, lambda: screen.check_action("zone_history", ()) is True)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, RowsScreen))
        table = app.screen.query_one("#historial-zonas", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert [(row[0], row[3]) for row in rows] == [(c, v.name) for c, v in versions]
        assert any(row[3] == seeded.zone_name for row in rows)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("1")
        await until(pilot, lambda: screen.check_action("zone_history", ()) is False)


# ------------------------------------------------------------------- activities, targets


async def test_a_target_and_an_activity_show_as_progress_and_a_bad_target_is_refused(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        screen = app.screen
        table = screen.query_one("#metas", DataTable)
        await until(pilot, lambda: table.row_count == len(ActivityKind))

        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        form.query_one("#tipo-select", Select).value = ActivityKind.WORKSHOP.value
        form.query_one("#meta-input", Input).focus()
        await type_text(pilot, "cuatro")
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "número entero" in str(form.query_one("#meta .field-message").render())
        )
        assert isinstance(app.screen, RecordScreen)
        form.query_one("#meta-input", Input).value = "4"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)

        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        activity = app.screen
        await until(pilot, lambda: bool(activity.query_one("#zona-select", Select)._options))
        activity.query_one("#fecha-input", Input).value = "10/11/2026"
        activity.query_one("#tipo-select", Select).value = ActivityKind.WORKSHOP.value
        activity.query_one("#tema-input", Input).value = "Taller sintético de prevención"
        activity.query_one("#zona-select", Select).value = seeded.zone_code
        activity.query_one("#asistentes-18-29-input", Input).value = "12"
        activity.query_one("#tema-input", Input).focus()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(
            pilot,
            lambda: any(
                row[0] == ActivityKind.WORKSHOP.label and row[2] == "1" for row in rows(table)
            ),
        )
        workshop = next(row for row in rows(table) if row[0] == ActivityKind.WORKSHOP.label)
        assert workshop[1] == "4" and workshop[3].endswith("25 %") and workshop[4] == "12"

    with as_staff(seeded) as coordinator:
        progress = {item.kind: item for item in coordinator.target_progress(2026)}
    assert (
        progress[ActivityKind.WORKSHOP.label].target,
        progress[ActivityKind.WORKSHOP.label].done,
    ) == (4, 1)


async def test_c_cancels_the_activity_of_the_row_after_asking_and_it_stops_counting(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        talk = coordinator.record_activity(
            NewActivity(
                held_on="08/11/2026",
                kind=ActivityKind.WORKSHOP.label,
                topic="Taller sintético de prevención",
                zone=seeded.zone_code,
                attendance={"18-29": "9"},
                partner="",
            )
        )
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        screen = app.screen
        held = screen.query_one("#actividades-lista", DataTable)
        await until(pilot, lambda: held.row_count == 1)
        assert rows(held)[0][2:] == [
            "Taller sintético de prevención",
            seeded.zone_name,
            "9",
            "Vigente",
        ]
        held.focus()
        await until(pilot, lambda: screen.check_action("cancel_activity", ()) is True)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # Esc leaves it as it was
        await until(pilot, lambda: app.screen is screen)
        assert rows(held)[0][-1] == "Vigente"
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: held.row_count == 1 and rows(held)[0][-1] == "Cancelada")
        await until(pilot, lambda: screen.check_action("cancel_activity", ()) is False)

    with as_staff(seeded) as coordinator:
        listed = coordinator.activities_of_year(2026)
        progress = {item.kind: item.done for item in coordinator.target_progress(2026)}
    assert [(a.activity_id, a.cancelled) for a in listed] == [(talk, True)]
    assert progress[ActivityKind.WORKSHOP.label] == 0


# ------------------------------------------------------------------------- accounts


async def test_administracion_creates_resets_and_deactivates_and_coordinacion_enables(
    seeded: Seeded, make_app: MakeApp
) -> None:
    add_admin(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "admin", PASSWORD + "-a")
        titles = await help_titles(pilot)
        assert "Administración de cuentas" in titles
        assert not {
            "Registrar usuaria",
            "Buscar",
            "Bitácora de accesos",
            "Actividades y metas",
        } & set(titles)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        screen = app.screen
        table = screen.query_one("#cuentas", DataTable)
        await until(pilot, lambda: table.row_count == 4)

        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        form.query_one("#usuario-input", Input).value = "rosa"
        form.query_one("#nombre-input", Input).value = "Rosa Recepción Prueba"
        form.query_one("#rol-select", Select).value = Role.RECEPTION.value
        form.query_one("#clave-input", Input).value = "clave-temporal-2026"
        assert form.query_one("#clave-input", Input).password
        form.query_one("#usuario-input", Input).focus()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: table.row_count == 5)
        rosa = next(row for row in rows(table) if row[1] == "rosa")
        assert rosa[2:] == ["Recepción", "Activa", "Pendiente", "Temporal"]

        # Administración never enables (the service's table), so the key is not offered.
        table.focus()
        table.move_cursor(row=[row[1] for row in rows(table)].index("rosa"))
        await pilot.pause(0.1)
        assert screen.check_action("enable_account", ()) is False
        assert "Habilitar la cuenta" not in await help_titles(pilot)

        # Reset jurídica's password, then deactivate «nueva».
        table.move_cursor(row=[row[1] for row in rows(table)].index("juridica"))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        app.screen.query_one("#clave-input", Input).value = "otra-temporal-2026"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(
            pilot,
            lambda: (
                next(r for r in rows(table) if r[1] == "juridica")[4:] == ["Pendiente", "Temporal"]
            ),
        )
        table.move_cursor(row=[row[1] for row in rows(table)].index("nueva"))
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(
            pilot, lambda: next(r for r in rows(table) if r[1] == "nueva")[3] == "Desactivada"
        )

    accounts = {a.username: a for a in _accounts(seeded)}
    assert not accounts["nueva"].active
    assert accounts["juridica"].must_change_password and not accounts["juridica"].enabled
    assert not accounts["rosa"].enabled

    # Coordinación enables Rosa (a second person: administración created her).
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        screen = app.screen
        table = screen.query_one("#cuentas", DataTable)
        await until(pilot, lambda: table.row_count == 5)
        table.move_cursor(row=[row[1] for row in rows(table)].index("rosa"))
        await pilot.pause(0.1)
        assert screen.check_action("reset_password", ()) is False  # administración's alone
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: next(r for r in rows(table) if r[1] == "rosa")[4] == "Sí")
    assert {a.username: a for a in _accounts(seeded)}["rosa"].enabled


def _accounts(seeded: Seeded) -> list[AccountView]:
    with as_staff(seeded) as coordinator:
        return coordinator.accounts()


async def test_a_duplicate_username_is_refused_under_its_field(
    seeded: Seeded, make_app: MakeApp
) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen))
        form = app.screen
        form.query_one("#usuario-input", Input).value = "juridica"
        form.query_one("#nombre-input", Input).value = "Otra Jurídica Prueba"
        form.query_one("#rol-select", Select).value = Role.LEGAL.value
        form.query_one("#clave-input", Input).value = "clave-temporal-2026"
        form.query_one("#usuario-input", Input).focus()
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "Ya existe" in str(form.query_one("#usuario .field-message").render())
        )
        assert isinstance(app.screen, RecordScreen)
    assert len(_accounts(seeded)) == 3


# ------------------------------------------------------------------------- role fit


async def test_f1_lists_only_what_the_role_may_run(seeded: Seeded, make_app: MakeApp) -> None:
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        titles = await help_titles(pilot)
        assert {"Bitácora de accesos", "Alertas de accesos", "Zonas prioritarias"} <= set(titles)
        assert {"Actividades y metas", "Administración de cuentas"} <= set(titles)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        titles = await help_titles(pilot)
        assert "Fijar la meta anual de un tipo de actividad" in titles
        assert "Atender la alerta" not in titles  # not on this tab
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "juridica", LEGAL_PASSWORD)
        titles = await help_titles(pilot)
        assert "Actividades y metas" in titles
        assert not {"Bitácora de accesos", "Zonas prioritarias", "Administración de cuentas"} & set(
            titles
        )
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        assert [pane.id for pane in app.screen.query("TabPane")] == ["actividades"]
        titles = await help_titles(pilot)
        assert "Registrar una actividad" in titles
        assert "Fijar la meta anual de un tipo de actividad" not in titles


async def test_psicologia_lists_and_enables_only_the_psychology_accounts_waiting_for_her(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.create_account("psico", "Paula Psicología Prueba", Role.PSYCHOLOGY, PASSWORD)
    enable(seeded.institute, "psico")  # the first one, with the recovery key
    with as_staff(seeded, "psico") as psychologist:
        psychologist.change_password(PASSWORD, PASSWORD + "-p")
    # Administración creates the new one: coordinación created «psico», so it could not be
    # the second person for an account coordinación asked for.
    add_admin(seeded)
    admin = seeded.institute.login("admin", PASSWORD + "-a")
    admin.create_account("psico2", "Perla Psicología Prueba", Role.PSYCHOLOGY, PASSWORD)
    admin.create_account("recep2", "Rita Recepción Prueba", Role.RECEPTION, PASSWORD)
    admin.close()

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "psico", PASSWORD + "-p")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        screen = app.screen
        table = screen.query_one("#cuentas", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert rows(table)[0][1] == "psico2"  # not recep2: coordinación enables her
        assert screen.check_action("new_account", ()) is False
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: table.row_count == 0)
        assert "Ninguna cuenta" in text_of(pilot, "#cuentas-vacio")
    accounts = {a.username: a for a in _accounts(seeded)}
    assert accounts["psico2"].enabled and not accounts["recep2"].enabled


async def test_her_record_opens_the_trail_of_the_accesses_to_her(
    seeded: Seeded, make_app: MakeApp
) -> None:
    exceptional_read_by_legal(seeded)
    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await at_mi_dia(pilot, "coordinacion", PASSWORD)
        await open_first_case_of(pilot, "Ana Prueba")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ClientScreen))
        client = app.screen
        await until(pilot, lambda: client.check_action("trail", ()) is True)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, CoordinationScreen))
        screen = app.screen
        assert isinstance(screen, CoordinationScreen)
        table = screen.query_one("#bitacora-tabla", DataTable)
        await until(pilot, lambda: table.row_count > 0)
        await pilot.app.workers.wait_for_complete()
        assert text_of(pilot, "#filtro-usuaria").startswith("Usuaria: Ana Prueba Sintética")
        entries = list(screen._entries.values())
        assert all(seeded.ana in entry.client_ids for entry in entries)
        # Jurídica's exceptional read of her case is among them, with its typed reason.
        assert any(e.exceptional and e.justification == REASON for e in entries)
