"""Recepción reads the entrevista inicial of the case she opened today without a reason: the
tab is not marked «consulta excepcional» and opens when shown; a case someone else opened
still asks. Synthetic data only."""

from __future__ import annotations

import pytest

from domain.vocabulary import Role, Section
from tests.support.factories import enable
from tests.tui.conftest import PASSWORD, MakeApp, Seeded, as_staff, log_in, text_of, until
from tests.tui.test_case_screen import case_reads
from tests.tui.test_coordination import SIZE
from tests.tui.test_flows import open_first_case_of
from tui.case import ASK_TO_READ, CaseScreen, pane_id
from tui.dashboard import DashboardScreen
from tui.tabs import SectionTabs
from violeta.dto import NewIntake

pytestmark = pytest.mark.anyio

RECEPTION_PASSWORD = PASSWORD + "-r"


async def test_recepcion_reads_back_the_intake_she_opened_today(
    seeded: Seeded, make_app: MakeApp
) -> None:
    with as_staff(seeded) as coordinator:
        coordinator.create_account("recepcion", "Rita Recepción Prueba", Role.RECEPTION, PASSWORD)
    enable(seeded.institute, "recepcion")
    with as_staff(seeded, "recepcion") as reception:
        reception.change_password(PASSWORD, RECEPTION_PASSWORD)
        bety = next(c.client_id for c in reception.search_clients("Bety"))
        reception.open_case(
            bety,
            NewIntake(
                reason="Motivo sintético de Bety",
                narrative="Relato sintético que recepción acaba de escribir.",
                violence_types=("psicologica",),
                modalities=("familiar",),
                risk="bajo",
            ),
        )

    app = make_app(seeded.institute)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "recepcion", RECEPTION_PASSWORD)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await open_first_case_of(pilot, "Bety Ejemplo")
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        tabs = screen.query_one(SectionTabs)
        await until(pilot, lambda: not tabs.has_mark(pane_id(Section.INTAKE), "-exceptional"))
        await pilot.press("2")
        await until(pilot, lambda: "acaba de escribir" in text_of(pilot, "#body-entrevista"))
        # Ana's case was opened by coordinación: its Entrevista still asks for a reason.
        await open_first_case_of(pilot, "Ana Prueba")
        other = app.screen
        assert isinstance(other, CaseScreen) and other is not screen
        await pilot.press("2")
        await until(pilot, lambda: text_of(pilot, "#body-entrevista") == ASK_TO_READ)
        assert other.query_one(SectionTabs).has_mark(pane_id(Section.INTAKE), "-exceptional")
    with as_staff(seeded) as coordinator:
        reads = [
            (entry.section, entry.exceptional)
            for entry in coordinator.audit_trail(client_id=bety, purpose="consultar expediente")
        ]
    assert (Section.INTAKE.label, False) in reads
    assert (Section.INTAKE.label, True) not in reads
    assert Section.INTAKE.label not in case_reads(seeded)  # Ana's: never read without a reason
