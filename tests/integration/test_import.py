"""Importing the institute's spreadsheet: both encodings, all-or-nothing rows, a report that
never repeats a value, one audited import event; and the ``violeta import`` command.

Every CSV here is generated in the test's temporary folder with synthetic data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from domain.errors import InvalidField, NotPermitted
from domain.vocabulary import Role
from tests.support.factories import (
    PASSWORD,
    initialized,
    staff,
    stored_subject_keys,
    synthetic_curp,
)
from violeta.cli import app
from violeta.importing import decode
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

HEADER = (
    "Nombre,Fecha de nacimiento,Zona,CURP,Teléfono,Domicilio,Lengua indígena,Discapacidad,"
    "Consentimiento compartir,Fecha apertura,Motivo,Relato,Tipos,Modalidades,Riesgo,Notas"
)
GOOD = (
    "Ana Prueba Sintética,15/03/1990,110110001,{curp},4610001122,Calle Ficticia 1,Otomí (hñähñu),"
    'visual;motriz,sí,02/01/2026,Orientación jurídica,"Relato sintético, con coma",'
    "psicologica;Física,familiar,alto,ignorada"
)
CLIENT_ONLY = "Beatriz Ejemplo Ficticia,02/07/1985,Cortazar,,,,,,,,,,,,,"
BAD_CASE = (  # a valid woman with an invalid case: nothing of the row may be stored
    "Carla Muestra Inventada,01/01/1980,110110001,,,,,,,03/01/2026,Motivo,Relato,"
    "inventado,familiar,alto,"
)
BAD_DATE = "Dora Ejemplo Ficticia,31/02/1990,110110001,,,,,,,,,,,,,"
MINOR = "Eva Muestra Ficticia,01/01/2012,110110001,,,,,,,,,,,,,"


def write(tmp_path: Path, rows: list[str], encoding: str = "utf-8", sep: str = ",") -> Path:
    text = "\n".join([HEADER, *rows]) + "\n"
    if sep != ",":
        text = text.replace(",", sep)
    path = tmp_path / "hoja.csv"
    path.write_bytes(text.encode(encoding))
    return path


def notifications(session: StaffSession) -> int:
    return session._store.recorder.max_notification_id() or 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_rows_become_clients_and_cases_in_either_encoding(
    coordinator: StaffSession, tmp_path: Path, encoding: str
) -> None:
    path = write(tmp_path, [GOOD.format(curp=synthetic_curp()), CLIENT_ONLY], encoding)
    report = coordinator.import_csv(path)
    assert (report.rows, report.clients, report.cases, report.errors) == (2, 2, 1, ())
    assert report.encoding.startswith("UTF-8" if encoding.startswith("utf") else "Latin-1")
    assert report.ignored_columns == ("Notas",)
    [ana] = coordinator.search_clients("ana prueba")
    detail = coordinator.client_detail(ana.client_id)
    assert detail.address == "Calle Ficticia 1" and detail.consent_to_share
    assert detail.indigenous_language == "Otomí (hñähñu)"
    assert detail.registered_on.isoformat() == "2026-01-02"
    [case] = detail.cases
    full = coordinator.case_detail(case.case_id)
    assert full.narrative == "Relato sintético, con coma" and full.risk == "Alto"
    assert full.violence_types == ("Física", "Psicológica")
    [beatriz] = coordinator.search_clients("beatriz")
    assert beatriz.zone_name == "Cortazar"


def test_semicolon_separated_files_are_read(coordinator: StaffSession, tmp_path: Path) -> None:
    report = coordinator.import_csv(write(tmp_path, [CLIENT_ONLY], sep=";"))
    assert report.clients == 1 and report.errors == ()


def test_each_row_is_all_or_nothing_and_the_report_never_repeats_a_value(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    path = write(tmp_path, [CLIENT_ONLY, BAD_CASE, BAD_DATE, MINOR, ""])
    report = coordinator.import_csv(path)
    assert report.clients == 1
    assert [(e.row, e.field) for e in report.errors] == [
        (3, "tipos"),
        (4, "Fecha de nacimiento"),
        (5, "Fecha de nacimiento"),
    ]
    assert "motivo_excepcion_edad" in report.errors[2].problem
    text = "\n".join(report.lines())
    for value in ("Carla", "Dora", "31/02/1990", "Eva", "2012", "inventado", "Muestra"):
        assert value not in text
    assert coordinator.search_clients("carla") == []  # the bad case took its client with it
    # The imported row was saved with an import event naming her; a closing one gives the
    # counts and names her again.
    row_entry, entry = sorted(
        (e for e in coordinator.audit_entries() if e.action == "importar"),
        key=lambda e: "filas" in e.purpose,
    )
    assert row_entry.purpose == "importación de hoja de cálculo: fila 2"
    assert "5 filas, 1 importadas, 3 con error" in entry.purpose
    assert len(entry.client_ids) == 1 and row_entry.client_ids == entry.client_ids


def test_rows_refused_after_her_registration_was_prepared_leave_no_key_behind(
    institute: Institute, coordinator: StaffSession, tmp_path: Path
) -> None:
    """A woman outside 18-60 may be registered pending authorization, but no case can be
    opened for her yet: the whole row is refused after her record was prepared."""
    path = tmp_path / "hoja.csv"
    path.write_text(
        "Nombre,Fecha de nacimiento,Zona,Motivo excepcion edad,Fecha apertura,Motivo,Relato,"
        "Tipos,Modalidades,Riesgo\n"
        "Beatriz Ejemplo Ficticia,02/07/1985,Cortazar,,,,,,,\n"
        "Flor Muestra Ficticia,01/01/1950,Cortazar,Acude con su hija,03/01/2026,Motivo,"
        "Relato,fisica,familiar,alto\n",
        encoding="utf-8",
    )
    report = coordinator.import_csv(path)
    assert (report.clients, [e.row for e in report.errors]) == (1, [3])

    coordinator.close()  # locking discards the keys stored ahead for registrations

    assert stored_subject_keys(institute) == 1


def test_a_repeated_woman_is_reported_as_a_possible_duplicate(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    report = coordinator.import_csv(write(tmp_path, [CLIENT_ONLY, CLIENT_ONLY]))
    assert report.clients == 1
    assert [e.row for e in report.errors] == [3] and "duplicado" in report.errors[0].problem


def test_a_file_without_the_required_columns_stores_nothing(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    path = tmp_path / "otra.csv"
    path.write_text("Nombre,Teléfono\nAna Prueba Sintética,4610001122\n", encoding="utf-8")
    before = notifications(coordinator)
    with pytest.raises(InvalidField, match="fecha_nacimiento, zona"):
        coordinator.import_csv(path)
    assert notifications(coordinator) == before


def test_only_roles_that_register_and_open_cases_may_import(
    institute: Institute, coordinator: StaffSession, tmp_path: Path
) -> None:
    admin = staff(institute, coordinator, "admin", Role.ADMINISTRATION)
    with pytest.raises(NotPermitted):
        admin.import_csv(write(tmp_path, [CLIENT_ONLY]))


def test_latin1_detection_falls_back_only_when_utf8_fails() -> None:
    assert decode("Tamaulipas ñ".encode()) == ("Tamaulipas ñ", "UTF-8")
    assert decode("Tamaulipas ñ".encode("latin-1"))[0] == "Tamaulipas ñ"


def test_the_import_command_prints_a_spanish_report(data_dir: Path, tmp_path: Path) -> None:
    with initialized(Settings(data=data_dir)):
        pass
    outside = tmp_path / "fuera"
    outside.mkdir()
    path = write(outside, [CLIENT_ONLY, BAD_DATE])
    result = CliRunner().invoke(
        app,
        ["import", str(path), "--data", str(data_dir), "--usuario", "coordinacion"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 2, result.output
    assert "Usuarias importadas: 1" in result.output
    assert "Fila 3, Fecha de nacimiento:" in result.output
    assert "Dora" not in result.output


# --- Hostile and broken files: a Spanish message, nothing printed raw, nothing half-saved ----

SMALL_HEADER = "Nombre,Fecha de nacimiento,Zona,Relato,Motivo,Tipos,Modalidades,Riesgo"


def write_text(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "hoja.csv"
    path.write_bytes(text.encode(encoding))
    return path


def run_import(data_dir: Path, path: Path) -> Result:
    return CliRunner().invoke(
        app,
        ["import", str(path), "--data", str(data_dir), "--usuario", "coordinacion"],
        input=f"{PASSWORD}\n",
    )


@pytest.fixture
def institute_dir(data_dir: Path) -> Path:
    with initialized(Settings(data=data_dir)):
        pass
    return data_dir


def test_a_cell_over_the_csv_limit_refuses_the_file_and_saves_nothing(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    long_cell = "x" * 140_000
    path = write(tmp_path, [CLIENT_ONLY, f'Flor Ficticia,01/01/1980,110110001,"{long_cell}"'])
    before = notifications(coordinator)
    with pytest.raises(InvalidField, match="fila 3") as refused:
        coordinator.import_csv(path)
    assert "131,072 bytes" in refused.value.problem
    assert notifications(coordinator) == before
    assert coordinator.search_clients("beatriz") == []


def test_the_command_says_so_in_spanish_without_a_traceback(
    institute_dir: Path, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path, f"{SMALL_HEADER}\nAna Prueba,01/01/1980,110110001,{'y' * 200_000}\n"
    )
    result = run_import(institute_dir, path)
    assert result.exit_code == 1
    assert "no se importó nada" in result.output
    assert "Error" not in result.output and "Traceback" not in result.output


def test_a_column_named_twice_refuses_the_file(coordinator: StaffSession, tmp_path: Path) -> None:
    path = write_text(
        tmp_path,
        "Nombre,Fecha de nacimiento,Zona,NOMBRE\n"
        "Ana Prueba Sintética,15/03/1990,110110001,Beatriz Ejemplo Ficticia\n",
    )
    before = notifications(coordinator)
    with pytest.raises(InvalidField, match="nombre aparece 2 veces") as refused:
        coordinator.import_csv(path)
    assert "columnas 1, 4" in refused.value.problem
    assert notifications(coordinator) == before


def test_escape_sequences_in_a_header_are_never_printed_raw(
    institute_dir: Path, tmp_path: Path
) -> None:
    title = "\x1b]0;PWNED\x07"
    bidi = "\u202enotas\u202c"
    path = write_text(
        tmp_path,
        f"Nombre,Fecha de nacimiento,Zona,{title},{bidi}\n"
        "Beatriz Ejemplo Ficticia,02/07/1985,Cortazar,x,y\n",
    )
    result = run_import(institute_dir, path)
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\x07", "\u202e", "\u202c"):
        assert raw not in result.output
    assert "\\x1b]0;PWNED\\x07" in result.output  # made visible, not interpreted
    assert "Usuarias importadas: 1" in result.output


@pytest.mark.parametrize(
    "hostile",
    [
        "Ana \x1b[2J Prueba",  # clears the screen
        "Ana\u202e Prueba",  # reverses what follows
        "Ana\x00Prueba",
        "Ana\x9b31m Prueba",  # the C1 control sequence introducer
    ],
)
def test_control_characters_in_a_value_refuse_that_row_only(
    coordinator: StaffSession, tmp_path: Path, hostile: str
) -> None:
    path = write_text(
        tmp_path,
        f"{SMALL_HEADER}\n"
        f"Beatriz Ejemplo Ficticia,02/07/1985,Cortazar,,,,,\n"
        f"Carla Muestra Inventada,01/01/1980,110110001,{hostile},Motivo,fisica,familiar,alto\n",
    )
    report = coordinator.import_csv(path)
    assert report.clients == 1
    [error] = report.errors
    assert (error.row, error.field) == (3, "relato")
    assert "caracteres de control" in error.problem
    assert coordinator.search_clients("carla") == []
    assert all(hostile not in line for line in report.lines())


def test_a_file_mixing_utf8_and_latin1_is_refused(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    path = tmp_path / "hoja.csv"
    path.write_bytes(
        b"Nombre,Fecha de nacimiento,Zona\n"
        + "Sofía Ejemplo Ficticia,02/07/1985,Cortazar\n".encode()
        + "Inés Muestra Inventada,01/01/1980,Cortazar\n".encode("latin-1")
    )
    before = notifications(coordinator)
    with pytest.raises(InvalidField, match="línea 3 no es UTF-8"):
        coordinator.import_csv(path)
    assert notifications(coordinator) == before


def test_bytes_no_encoding_reads_as_text_refuse_their_row(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    path = tmp_path / "hoja.csv"
    path.write_bytes(
        b"Nombre,Fecha de nacimiento,Zona\n"
        b"Beatriz Ejemplo Ficticia,02/07/1985,Cortazar\n"
        b"In\x81s Muestra Inventada,01/01/1980,Cortazar\n"  # 0x81: nothing in Windows-1252
    )
    report = coordinator.import_csv(path)
    assert report.clients == 1
    assert [(e.row, e.field) for e in report.errors] == [(3, "nombre")]


def test_an_import_stopped_halfway_leaves_every_saved_woman_named_in_an_access_event(
    coordinator: StaffSession, tmp_path: Path
) -> None:
    """The process dies after three rows (here: the progress callback raises, so the closing
    event is never written, as when the import is killed)."""
    names = [f"{first} Prueba Sintética" for first in ("Ana", "Beatriz", "Carla", "Dora", "Eva")]
    path = write_text(
        tmp_path,
        "Nombre,Fecha de nacimiento,Zona\n"
        + "".join(f"{name},02/07/1985,Cortazar\n" for name in names),
    )

    class Killed(BaseException):
        pass

    def progress(done: int, total: int) -> None:
        if done == 3:
            raise Killed

    with pytest.raises(Killed):
        coordinator.import_csv(path, progress)
    saved = {
        summary.client_id
        for name in names
        for summary in coordinator.search_clients(name.split()[0])
    }
    assert len(saved) == 3
    named = {
        client_id
        for entry in coordinator.audit_entries()
        if entry.action == "importar"
        for client_id in entry.client_ids
    }
    assert saved <= named
