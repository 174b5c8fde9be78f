"""The zone catalogue the institute keeps, on both backends: CSV import validated row by row
(all or nothing, Spanish report), versioned zones (renames keep history), and merges that the
statistics and the priority zones follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.errors import DomainError, InvalidField, NotPermitted
from domain.vocabulary import Role
from projections.priority_zones import PopulationSource
from tests.integration.test_statistics_store import assert_tables_match, view_tables
from tests.support.factories import CORTAZAR, PASSWORD, a_client, an_intake, initialized, staff
from violeta.cli import app
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

HEADER = "clave,nombre,tipo,localidad,mujeres_18_60,mujeres,latitud,longitud\n"
COLONIAS = HEADER + (
    "C001,Colonia Centro,colonia,110110001,1200,2100,20.4830,-100.9620\n"
    "C002,Colonia Norte,colonia,110110001,800,,20.4900,-100.9600\n"
    "C003,Colonia Sur,colonia,110110001,,1500,,\n"
)


def write(tmp_path: Path, text: str, name: str = "zonas.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def notifications(session: StaffSession) -> int:
    return session._store.recorder.max_notification_id() or 0


def open_case_in(coordinator: StaffSession, zone: str, name: str, day: str) -> None:
    client_id = coordinator.register_client(
        a_client(name, zone=zone, registered_on=day), confirm_not_duplicate=True
    )
    coordinator.open_case(client_id, an_intake(opened_on=day))


def test_colonias_are_imported_and_offered(coordinator: StaffSession, tmp_path: Path) -> None:
    report = coordinator.import_zones(write(tmp_path, COLONIAS))
    assert report.imported
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert "3 nuevas" in report.text
    assert {"C001", "C002", "C003"} <= {zone.code for zone in coordinator.zones()}
    [version] = coordinator.zone_history("C001")
    assert (version.name, version.parent, version.women_18_60) == ("Colonia Centro", CORTAZAR, 1200)
    assert (version.latitude, version.longitude) == (20.483, -100.962)
    # Importing the same file again changes nothing.
    again = coordinator.import_zones(write(tmp_path, COLONIAS, "otra.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_rename_is_a_new_version_and_keeps_the_old_name(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    coordinator.import_zones(write(tmp_path, COLONIAS))
    renamed = COLONIAS.replace("Colonia Norte,", "Colonia Del Norte,")
    report = coordinator.import_zones(write(tmp_path, renamed, "renombre.csv"))
    assert (report.updated, report.renamed, report.unchanged) == (1, 1, 2)
    history = coordinator.zone_history("C002")
    assert [v.name for v in history] == ["Colonia Norte", "Colonia Del Norte"]
    assert [v.version for v in history] == [1, 2]
    assert {z.code: z.name for z in coordinator.zones()}["C002"] == "Colonia Del Norte"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + "C001,Centro,barrio,,,,,\n", "Fila 2: Tipo de zona"),
        (HEADER + "C001,Centro,colonia,,-5,,,\n", "Fila 2: Mujeres de 18 a 60"),
        (HEADER + "C001,Centro,colonia,,,,20.4,\n", "Fila 2: Coordenadas"),
        (HEADER + "C001,Centro,colonia,,,,91,-100\n", "Fila 2: Latitud"),
        (HEADER + ",Centro,colonia,,,,,\n", "Fila 2: Clave de zona"),
        (HEADER + "C001,Centro,colonia,ZZZ,,,,\n", "Fila 2: Localidad"),
        (HEADER + "C001,A,colonia,,,,,\nC001,B,colonia,,,,,\n", "Fila 3: la clave C001 ya"),
        ("clave,nombre\nC001,Centro\n", "faltan las columnas: tipo"),
        (HEADER.replace("latitud", "altura") + "C1,A,colonia,,,,,\n", "columnas desconocidas"),
        (HEADER, "no tiene filas"),
    ],
)
def test_a_bad_file_imports_nothing_and_says_why(
    coordinator: StaffSession, tmp_path: Path, content: str, expected: str
) -> None:
    before = notifications(coordinator)
    good_rows = "G001,Colonia Buena,colonia,,,,,\n"
    text = content + good_rows if content.startswith(HEADER) and content != HEADER else content
    report = coordinator.import_zones(write(tmp_path, text))
    assert not report.imported
    assert expected in report.text
    assert report.text.startswith("No se importó ninguna zona")
    assert notifications(coordinator) == before
    assert "G001" not in {zone.code for zone in coordinator.zones()}


def test_a_file_that_is_not_utf8_or_absent_is_refused(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "C1,Colonia Peña,colonia,,,,,\n").encode("latin-1"))
    assert "UTF-8" in coordinator.import_zones(path).text
    with pytest.raises(InvalidField, match="Archivo"):
        coordinator.import_zones(tmp_path / "no-existe.csv")


def test_only_coordination_keeps_the_catalogue(
    institute: Institute, coordinator: StaffSession, tmp_path: Path
) -> None:
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    with pytest.raises(NotPermitted):
        reception.import_zones(write(tmp_path, COLONIAS))
    with pytest.raises(NotPermitted):
        reception.merge_zones("C001", "C002")


def test_a_merge_moves_the_statistics_and_keeps_the_history(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    coordinator.import_zones(write(tmp_path, COLONIAS))
    open_case_in(coordinator, "C001", "Ana Prueba Sintética", "10/03/2026")
    open_case_in(coordinator, "C002", "Berta Prueba Sintética", "10/03/2026")
    open_case_in(coordinator, "C002", "Carla Prueba Sintética", "12/04/2026")
    assert view_tables(coordinator)["stats_cases"] == {
        ("2026-03", "C001"): 1,
        ("2026-03", "C002"): 1,
        ("2026-04", "C002"): 1,
    }
    coordinator.merge_zones("C002", "C001")
    tables = view_tables(coordinator)
    assert tables["stats_cases"] == {("2026-03", "C001"): 2, ("2026-04", "C001"): 1}
    assert all(cell[1] != "C002" for cell in tables["stats_cases_violence"])
    # A case filed later under the merged code still counts where it now belongs.
    open_case_in(coordinator, "C002", "Diana Prueba Sintética", "12/04/2026")
    assert view_tables(coordinator)["stats_cases"][("2026-04", "C001")] == 2
    history = coordinator.zone_history("C002")
    assert history[-1].merged_into == "C001"
    assert [v.name for v in history] == ["Colonia Norte", "Colonia Norte"]
    centre = coordinator.zone_history("C001")[-1]
    assert centre.women_18_60 == 2000  # both populations
    ranking = coordinator.priority_zones("2026-10")
    codes = {zone.code: zone for zone in ranking.zones}
    assert "C002" not in codes
    assert codes["C001"].cases == 4
    assert codes["C001"].population == 2000
    assert codes["C001"].population_source is PopulationSource.LOADED
    with pytest.raises(DomainError, match="ya se fusionó"):
        coordinator.merge_zones("C002", "C003")
    with pytest.raises(InvalidField, match="Zona destino"):
        coordinator.merge_zones("C003", "C002")


def test_after_a_merge_consent_withdrawal_still_leaves_every_table(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    coordinator.import_zones(write(tmp_path, COLONIAS))
    client_id = coordinator.register_client(
        a_client(zone="C002", registered_on="10/03/2026"), confirm_not_duplicate=True
    )
    coordinator.open_case(client_id, an_intake(opened_on="10/03/2026"))
    coordinator.merge_zones("C002", "C001")
    coordinator.set_statistics_consent(client_id, False)
    assert all(not cells for cells in view_tables(coordinator).values())
    coordinator.set_statistics_consent(client_id, True)
    assert view_tables(coordinator)["stats_cases"] == {("2026-03", "C001"): 1}


def test_merging_twice_follows_the_chain(coordinator: StaffSession, tmp_path: Path) -> None:
    coordinator.import_zones(write(tmp_path, COLONIAS))
    open_case_in(coordinator, "C003", "Ana Prueba Sintética", "10/03/2026")
    coordinator.merge_zones("C003", "C002")
    coordinator.merge_zones("C002", "C001")
    open_case_in(coordinator, "C003", "Berta Prueba Sintética", "10/03/2026")
    assert view_tables(coordinator)["stats_cases"] == {("2026-03", "C001"): 2}
    before = view_tables(coordinator)
    coordinator.rebuild_views()
    assert view_tables(coordinator) == before


def test_unmerged_tables_still_match_the_recount(coordinator: StaffSession, tmp_path: Path) -> None:
    coordinator.import_zones(write(tmp_path, COLONIAS))
    open_case_in(coordinator, "C001", "Ana Prueba Sintética", "10/03/2026")
    assert_tables_match(coordinator)


def test_women_attended_follow_the_merge_and_count_each_woman_once(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    coordinator.import_zones(write(tmp_path, COLONIAS))
    client_id = coordinator.register_client(
        a_client(zone="C001", registered_on="10/03/2026"), confirm_not_duplicate=True
    )
    coordinator.open_case(client_id, an_intake(opened_on="10/03/2026"))
    coordinator.open_case(client_id, an_intake(opened_on="10/04/2026"))  # her second case
    open_case_in(coordinator, "C002", "Berta Prueba Sintética", "12/04/2026")
    moved = coordinator.register_client(
        a_client("Carla Prueba Sintética", zone="C002", registered_on="01/05/2026"),
        confirm_not_duplicate=True,
    )
    coordinator.open_case(moved, an_intake(opened_on="01/05/2026"))
    before = {z.code: z for z in coordinator.priority_zones("2026-10").zones}
    assert (before["C001"].women_attended, before["C002"].women_attended) == (1, 2)
    coordinator.merge_zones("C002", "C001")
    after = {z.code: z for z in coordinator.priority_zones("2026-10").zones}
    assert after["C001"].women_attended == 3
    assert after["C001"].cases == 4
    coordinator.set_statistics_consent(client_id, False)
    withdrawn = {z.code: z for z in coordinator.priority_zones("2026-10").zones}
    assert (withdrawn["C001"].women_attended, withdrawn["C001"].cases) == (2, 2)


def test_the_cli_imports_colonias_and_refuses_a_bad_file_in_spanish(
    data_dir: Path, tmp_path: Path
) -> None:
    with initialized(Settings(data=data_dir)):
        pass
    data = str(data_dir)
    bad = write(tmp_path, HEADER + "C001,Centro,barrio,,,,,\n", "mala.csv")
    refused = CliRunner().invoke(
        app,
        ["zones", "import", str(bad), "--data", data, "--usuario", "coordinacion"],
        input=PASSWORD + "\n",
    )
    assert refused.exit_code == 1 and "Fila 2: Tipo de zona" in refused.output
    good = write(tmp_path, COLONIAS, "buena.csv")
    imported = CliRunner().invoke(
        app,
        ["zones", "import", str(good), "--data", data, "--usuario", "coordinacion"],
        input=PASSWORD + "\n",
    )
    assert imported.exit_code == 0, imported.output
