"""Invariant P1: no byte at rest holds a client's personal data in clear (canary scan)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from faker import Faker

from domain import identity
from domain.vocabulary import Role, Section
from tests.conftest import PostgresTarget
from tests.support.factories import all_bytes_under, an_intake, initialized, staff
from violeta.demo import (
    AREA_NOTES,
    CLOSURE_REASONS,
    GESTIONES,
    NARRATIVE_PARTS,
    NOTE_TEXTS,
    ORDER_DETAILS,
    REASONS,
    REFERRAL_REASONS,
)
from violeta.dto import InstitutionForm, NewClient, NewReferral
from violeta.name_search import index_terms
from violeta.service import Institute, StaffSession
from violeta.settings import Settings

CANARY_NAME = "Xochiquetzalli Canarioverde Zumarragaleta"
CANARY_CURP = "CAZX900101MGTNMR0" + identity.curp_check_digit("CAZX900101MGTNMR0")
CANARY_PHONE = "4619990017"
CANARY_REASON = "Motivocanario quincuagesimoctavo"
CANARY_NARRATIVE = "Relatocanario zarzamorado irrepetiblemente"
CANARY_NOTE = "Notacanaria xilofonada telefonicaunica"
CANARY_CONTACT = "Contactocanaria Quetzalpapalotl Yoloxochitl"
CANARY_CONTACT_PHONE = "4619990042"
CANARY_ADDRESS = "Callecanaria Zapotlanejo numero ochentaysiete"
CANARY_AGE_REASON = "Excepcioncanaria cuarentaynueve motivada"
CANARY_AGGRESSOR = "Agresorcanario Tlacuachezco vecindariosa"
NEW_FIELD_CANARIES = [
    CANARY_CONTACT,
    CANARY_CONTACT_PHONE,
    CANARY_ADDRESS,
    CANARY_AGE_REASON,
    CANARY_AGGRESSOR,
]
# Every sealed field of the services on a case (violeta/case_services.py).
SERVICE_CANARIES = {
    "legal_advice": "Asesoriacanaria pergaminosa juridicaunica",
    "legal_accompaniment": "Acompanamientocanario fiscaliense",
    "misconduct_facts": "Hechoscanarios servidorpublicoso",
    "misconduct_reported_to": "Superiorcanario jerarquicoso",
    "psychology_notes": "Sesioncanaria psicologicamente reservadisima",
    "gestion": "Gestioncanaria becaria",
    "social_visit": "Visitacanaria domiciliariosa",
    "social_accompaniment": "Acompanamientocanario hospitalario",
    "follow_up_outcome": "Seguimientocanario resultadoso",
    "order_detail": "Ordencanaria medidosa",
    "closure_reason": "Cierrecanario motivadisimo",
    "reopen_reason": "Reaperturacanaria motivadisima",
    # Names of institutions and authorities typed by hand: sealed like the rest (issue 13).
    "legal_authority": "Fiscaliacanaria tecleadisima",
    "misconduct_institution": "Institucioncanaria señaladisima",
    "gestion_institution": "Gestoracanaria tecleadisima",
    "social_authority": "Hospitalcanario tecleadisimo",
    "order_authority": "Autoridadcanaria emisorisima",
}


def canary_forms() -> list[bytes]:
    texts = [
        CANARY_NAME,
        CANARY_CURP,
        CANARY_PHONE,
        CANARY_REASON,
        CANARY_NARRATIVE,
        CANARY_NOTE,
        *SERVICE_CANARIES.values(),
    ]
    forms: set[str] = set()
    texts += NEW_FIELD_CANARIES + EXTRA_CANARIES
    for text in texts:
        forms |= {text, text.lower(), text.upper(), identity.normalize_for_search(text)}
        forms |= {token for token in identity.search_tokens(text) if len(token) >= 8}
    # The beginnings of names the blind index hashes (name_search.index_terms), never in clear.
    for name in (CANARY_NAME, CANARY_CONTACT):
        forms |= {term for term in index_terms(name) if len(term) >= 8}
    return [form.encode(encoding) for form in forms for encoding in ("utf-8", "utf-16-le")]


def record_canaries(institute: Institute, session: StaffSession) -> None:
    client_id = session.register_client(
        NewClient(
            name=CANARY_NAME,
            birth_date="01/01/1990",
            zone="110110001",
            curp=CANARY_CURP,
            phone=CANARY_PHONE,
            phone_safe_to_call=True,
            safe_contact_name=CANARY_CONTACT,
            safe_contact_phone=CANARY_CONTACT_PHONE,
            address=CANARY_ADDRESS,
            indigenous_language="nahuatl",
            disabilities=("auditiva",),
            consent_to_share=True,
        )
    )
    # Outside 18-60: the reason of the exception is sealed too. Reception registers her, so
    # that coordinación is a second person when she authorizes the exception.
    reception = staff(institute, session, "recepcion", Role.RECEPTION)
    elder = reception.register_client(
        NewClient(
            name="Otra Canaria Sintética",
            birth_date="01/01/1950",
            zone="110110001",
            age_exception_reason=CANARY_AGE_REASON,
        )
    )
    session.authorize_age_exception(elder)
    session.set_statistics_consent(client_id, False)
    case = session.open_case(
        client_id,
        an_intake(
            reason=CANARY_REASON,
            narrative=CANARY_NARRATIVE,
            aggressor_relationship="expareja",
            aggressor_details=CANARY_AGGRESSOR,
            risk_factors=("amenazas_de_muerte",),
        ),
    )
    assert session.case_detail(case.case_id).aggressor_details == CANARY_AGGRESSOR
    session.add_note(case.case_id, Section.FOLLOW_UPS, CANARY_NOTE)
    record_referral_canaries(session, client_id, case.case_id)
    record_import_canaries(session)
    # ARCO rectification: the corrected value is sealed like the original, history included.
    session.correct_client(client_id, "address", CANARY_RECTIFIED)
    session.correction_history(client_id)
    record_service_canaries(session, case.case_id)
    # Reading is part of the life cycle too: opening must leave no trace on disk.
    session.search_clients(CANARY_NAME)
    session.client_detail(client_id)
    session.case_detail(case.case_id, Section.FOLLOW_UPS)
    session.dashboard()


def record_service_canaries(coordinator: StaffSession, case_id: UUID) -> None:
    """Writes and reads back every sealed field of the services on a case."""
    institute = coordinator._institute
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    canary = SERVICE_CANARIES
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    lawyer.give_legal_advice(case_id, "penal", canary["legal_advice"])
    lawyer.decide_accompaniment(
        case_id,
        severity=True,
        lacks_resources=True,
        deadline="",
        unfamiliar_with_procedure=True,
        accompany=True,
    )
    lawyer.record_accompaniment(
        case_id, "juridica", canary["legal_authority"], canary["legal_accompaniment"]
    )
    lawyer.report_misconduct(
        case_id,
        institution=canary["misconduct_institution"],
        conduct="dilacion",
        facts=canary["misconduct_facts"],
        reported_to=canary["misconduct_reported_to"],
    )
    psychologist.record_psychology_session(
        case_id, modality="presencial", notes=canary["psychology_notes"]
    )
    social.record_gestion(
        case_id,
        what=canary["gestion"],
        institution=canary["gestion_institution"],
        outcome="favorable",
    )
    social.record_social_visit(case_id, kind="domicilio", notes=canary["social_visit"])
    social.record_accompaniment(
        case_id, "trabajo_social", canary["social_authority"], canary["social_accompaniment"]
    )
    follow_up = social.schedule_follow_up(case_id, "20/11/2026", "teléfono")
    social.settle_follow_up(case_id, follow_up, done=True, outcome=canary["follow_up_outcome"])
    lawyer.record_protection_order(
        case_id,
        kind="administrativa",
        measures=("otra",),
        detail=canary["order_detail"],
        authority=canary["order_authority"],
        issued_on="",
    )
    lawyer.request_closure(case_id, canary["closure_reason"])
    coordinator.approve_closure(case_id)
    coordinator.reopen_case(case_id, canary["reopen_reason"])
    lawyer.legal_section(case_id)
    psychologist.psychology_section(case_id)
    social.social_work_section(case_id)
    social.follow_up_section(case_id)
    lawyer.protection_order_section(case_id)
    assert [r.institution for r in lawyer.open_misconduct_reports()] == [
        canary["misconduct_institution"]
    ]
    coordinator.case_life(case_id)
    social.follow_ups_due()
    lawyer.orders_expiring()
    for session in (lawyer, psychologist, social):
        session.close()


REFERRAL_CANARIES = {
    "reason": "Canalizacioncanaria motivadisima xochimilcana",
    "outcome": "Resultadocanario canalizadisimo",
    "override": "Excepcioncanaria sinconsentimientosa",
}
# Canaries of later capabilities (directory referrals, ARCO, import) join this list.
CANARY_RECTIFIED = "Domiciliocanario rectificadisimo tlaquepaquense"
IMPORT_CANARIES = {
    "name": "Importadacanaria Cuauhtemotzin Ixtlilxochitl",
    "phone": "4619990071",
    "address": "Domicilioimportado canariosisimo",
    "reason": "Motivoimportado canariesco",
    "narrative": "Relatoimportado canariforme inconfundible",
}
EXTRA_CANARIES: list[str] = [
    *REFERRAL_CANARIES.values(),
    CANARY_RECTIFIED,
    *IMPORT_CANARIES.values(),
]


def record_import_canaries(coordinator: StaffSession) -> None:
    """Imports a Latin-1 spreadsheet of canaries; the CSV itself lives outside the data dir."""
    canary = IMPORT_CANARIES
    text = (
        "nombre,fecha_nacimiento,zona,telefono,domicilio,fecha_apertura,motivo,relato,tipos,"
        "modalidades,riesgo\n"
        f"{canary['name']},01/01/1990,110110001,{canary['phone']},{canary['address']},"
        f"01/11/2026,{canary['reason']},{canary['narrative']},fisica,familiar,alto\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hoja.csv"
        path.write_bytes(text.encode("latin-1"))
        report = coordinator.import_csv(path)
    assert (report.clients, report.cases, report.errors) == (1, 1, ())


def record_referral_canaries(coordinator: StaffSession, client_id: UUID, case_id: UUID) -> None:
    """Writes and reads back every sealed field of a referral (canalización)."""
    institution_id = coordinator.add_institution(
        InstitutionForm(name="Refugio sintético", kind="refugio", services=("refugio",))
    )
    referral_id = coordinator.refer_case(
        case_id, NewReferral(institution_id, REFERRAL_CANARIES["reason"])
    )
    coordinator.record_referral_outcome(
        case_id, referral_id, "atendida", REFERRAL_CANARIES["outcome"]
    )
    coordinator.set_sharing_consent(client_id, False)
    coordinator.refer_case(
        case_id,
        NewReferral(
            institution_id, "Urgente", consent_override_reason=REFERRAL_CANARIES["override"]
        ),
    )
    assert len(coordinator.referrals(case_id)) == 2


def assert_no_canary(blob: bytes) -> None:
    leaked = [form for form in canary_forms() if form in blob]
    assert not leaked, f"{len(leaked)} formas de datos canario aparecen en claro"


def test_no_file_in_the_sqlite_data_directory_holds_a_canary(data_dir: Path) -> None:
    with initialized(Settings(data=data_dir)) as (institute, coordinator):
        record_canaries(institute, coordinator)
        # Scan while the session is open (WAL and journal files present) and after closing.
        assert_no_canary(all_bytes_under(data_dir))
    assert_no_canary(all_bytes_under(data_dir))
    names = {path.name for path in data_dir.iterdir()}
    assert {"eventos.sqlite", "vistas.sqlite", "llaves.sqlite"} <= names


def test_no_postgresql_table_holds_a_canary(
    data_dir: Path, postgres_target: PostgresTarget
) -> None:
    settings = Settings(
        data=data_dir,
        backend="postgres",
        postgres=postgres_target.conninfo,
        postgres_schema=postgres_target.schema,
    )
    with initialized(settings) as (institute, coordinator):
        record_canaries(institute, coordinator)
    dump = bytearray()
    with psycopg.connect(postgres_target.conninfo) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (postgres_target.schema,),
        ).fetchall()
        assert len(tables) >= 8
        for (table,) in tables:
            for row in connection.execute(f'SELECT * FROM "{postgres_target.schema}"."{table}"'):
                for value in row:
                    dump += value if isinstance(value, bytes) else str(value).encode()
    assert_no_canary(bytes(dump))
    assert_no_canary(all_bytes_under(data_dir))


def demo_plaintext_forms() -> list[bytes]:
    """Words the demo certainly wrote sealed: Faker's es_MX names and our phrases.

    Only long forms are scanned: a random ciphertext matching a 7-byte word is ~1e-10 likely.
    """
    fake = Faker("es_MX")
    provider = fake.provider("faker.providers.person")
    words = set(provider.first_names_female) | set(provider.last_names)  # type: ignore[union-attr]
    words.discard("Violeta")  # also the application's name, stored in the tracking table
    forms = {w for w in words if len(w) >= 7} | {
        identity.normalize_for_search(w) for w in words if len(w) >= 7
    }
    forms |= set(REASONS) | set(NARRATIVE_PARTS) | set(NOTE_TEXTS) | set(CLOSURE_REASONS)
    forms |= set(GESTIONES) | set(REFERRAL_REASONS) | set(ORDER_DETAILS)
    forms |= {text for texts in AREA_NOTES.values() for text in texts}
    return [form.encode() for form in forms]


@pytest.mark.slow
def test_the_demo_institute_leaves_no_plaintext_on_disk(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "violeta",
            "demo",
            "--no-tui",
            "--cases",
            "2000",
            "--data",
            str(data),
        ],
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    blob = all_bytes_under(data)
    assert len(blob) > 1_000_000
    # The published release is public by design; a word of its own vocabulary («fuentes») may
    # equal a surname's normalized form and is not a leak. Names keep their capital forms.
    with sqlite3.connect(data / "vistas.sqlite") as views:
        public = b"".join(
            bytes(str(row), "utf-8") for row in views.execute("SELECT * FROM releases")
        )
    leaked = [
        form
        for form in demo_plaintext_forms()
        if form in blob and not (form.islower() and form in public)
    ]
    assert not leaked, f"{len(leaked)} palabras del demo aparecen en claro"
    # Hex ids (UUIDs) may hold ten digits in a row; a phone stands alone.
    phone = re.search(rb"(?<![0-9a-fA-F])461\d{7}(?![0-9a-fA-F])", blob)
    assert phone is None, "un teléfono aparece en claro"


def test_every_store_file_is_private_to_its_owner(data_dir: Path) -> None:
    with initialized(Settings(data=data_dir)) as (institute, coordinator):
        record_canaries(institute, coordinator)
        stores = [path for path in data_dir.iterdir() if ".sqlite" in path.name]
        assert len(stores) >= 5  # the three databases and their write-ahead logs
        assert {oct(path.stat().st_mode & 0o777) for path in stores} == {"0o600"}
    assert oct(data_dir.stat().st_mode & 0o777) == "0o700"
