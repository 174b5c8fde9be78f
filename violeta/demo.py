"""A synthetic institute for demonstration: several years of cases over the real zones.

Names, dates and phones come from Faker's es_MX locale, seeded for repeatability; nothing here
is about a real person. The zones and their female population are the real INEGI 2020 figures,
so the priority-zone picture has a realistic shape.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from faker import Faker

from domain import identity
from domain.activities import BANDS, ActivityKind
from domain.cases import Area, Channel, GestionOutcome, LegalMatter, RiskFactor, SessionModality
from domain.errors import DomainError
from domain.vocabulary import RiskLevel, Role, Section
from violeta.dto import InstitutionForm, NewActivity, NewClient, NewIntake, NewReferral
from violeta.service import Institute, StaffSession, default_zones

DEMO_PASSWORD = "demo-violeta-2026"  # noqa: S105 - synthetic demo only, printed on purpose
DEMO_MARKER = "DEMO-DATOS-SINTETICOS.txt"

DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("recepcion", "Rosa Recepción Demo", Role.RECEPTION),
    ("trabajosocial", "Tere Trabajo Social Demo", Role.SOCIAL_WORK),
    ("juridica", "Julia Jurídica Demo", Role.LEGAL),
    ("psicologia", "Paula Psicología Demo", Role.PSYCHOLOGY),
    ("admin", "Ana Administración Demo", Role.ADMINISTRATION),
)
COORDINATOR = ("coordinacion", "Carmen Coordinación Demo")

REASONS = (
    "Solicita orientación jurídica sobre pensión alimenticia",
    "Refiere agresiones verbales constantes de su pareja",
    "Solicita acompañamiento para presentar denuncia",
    "Busca apoyo psicológico por violencia en el hogar",
    "Refiere retención de documentos y salario por su pareja",
    "Acoso en el centro de trabajo",
    "Amenazas a través de redes sociales",
)
# A coherent story for each reason: the modality, who the aggressor is and the kinds of
# violence a woman who comes for it usually refers (types: the first always, others maybe).
STORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    REASONS[0]: (
        ("familiar",),
        ("expareja", "conyuge"),
        ("economica", "patrimonial", "psicologica"),
    ),
    REASONS[1]: (("familiar",), ("pareja", "conyuge"), ("psicologica", "fisica")),
    REASONS[2]: (
        ("familiar",),
        ("pareja", "expareja", "conyuge"),
        ("fisica", "psicologica", "sexual"),
    ),
    REASONS[3]: (("familiar",), ("pareja", "conyuge", "familiar"), ("psicologica", "fisica")),
    REASONS[4]: (("familiar",), ("pareja", "conyuge"), ("economica", "patrimonial", "psicologica")),
    REASONS[5]: (("laboral_docente",), ("trabajo_escuela",), ("psicologica", "sexual")),
    REASONS[6]: (("digital_mediatica",), ("expareja", "conocido", "desconocido"), ("psicologica",)),
}
NARRATIVE_PARTS = (
    "La usuaria acude por su propio pie.",
    "Refiere que la situación se repite desde hace varios meses.",
    "Menciona que teme por su seguridad y la de sus hijas e hijos.",
    "Cuenta con una red de apoyo familiar limitada.",
    "Se le informa sobre sus derechos y los servicios del instituto.",
    "Se acuerda una siguiente cita con el área correspondiente.",
    "Refiere dependencia económica de la persona agresora.",
)
NOTE_TEXTS = (
    "Se brinda orientación y se acuerda seguimiento telefónico.",
    "La usuaria reporta avances; se programa nueva sesión.",
    "Se realizó gestión ante la institución correspondiente.",
)
# What each area writes in its own records, by the demo account of that area.
AREA_NOTES: dict[Area, tuple[str, ...]] = {
    Area.LEGAL: (
        "Se explica el procedimiento de pensión alimenticia y los documentos necesarios.",
        "Se revisa la posibilidad de solicitar una orden de protección.",
        "Se orienta sobre la presentación de la denuncia ante la Fiscalía.",
    ),
    Area.PSYCHOLOGICAL: (
        "Sesión de contención emocional; se trabaja plan de seguridad personal.",
        "Se abordan sentimientos de culpa y se refuerza la red de apoyo.",
        "La usuaria identifica el ciclo de la violencia en su relación.",
    ),
    Area.SOCIAL_WORK: (
        "Se realiza estudio socioeconómico y se identifican redes de apoyo.",
        "Se gestiona apoyo para inscripción escolar de sus hijas e hijos.",
        "Visita domiciliaria: la usuaria se encuentra en condiciones estables.",
    ),
}
AREA_SECTIONS = {
    Area.LEGAL: Section.LEGAL,
    Area.PSYCHOLOGICAL: Section.PSYCHOLOGICAL,
    Area.SOCIAL_WORK: Section.SOCIAL_WORK,
}
GESTIONES = (
    "Trámite de copia certificada de acta de nacimiento de sus hijas e hijos.",
    "Solicitud de apoyo alimentario temporal.",
    "Canalización a bolsa de trabajo municipal para empleo formal.",
)
GESTION_PLACES = (
    "DIF Municipal de Cortazar",
    "Registro Civil de Cortazar",
    "Dirección de Desarrollo Social",
)
CLOSURE_REASONS = (
    "Se concluyó la atención acordada con la usuaria.",
    "La usuaria decide no continuar con el proceso.",
)


@dataclass(frozen=True)
class DemoSummary:
    clients: int
    cases: int
    accounts: tuple[str, ...]
    recovery_key: str


def _enabled_staff(
    institute: Institute, coordinator: StaffSession, recovery_key: str
) -> dict[Role, StaffSession]:
    """Enables every demo account the proper way (two people, DESIGN §4): coordinación opens
    administración, which the recovery key enables; administración opens the others;
    coordinación enables the case roles and the recovery key the first psychologist."""
    admin_name, admin_display, _ = DEMO_ACCOUNTS[-1]
    coordinator.create_account(
        admin_name, admin_display, Role.ADMINISTRATION, DEMO_PASSWORD, must_change_password=False
    )
    institute.enable_with_recovery_key(recovery_key, admin_name)
    admin = institute.login(admin_name, DEMO_PASSWORD)
    accounts = {username: role for username, _, role in DEMO_ACCOUNTS[:-1]}
    for username, display_name, role in DEMO_ACCOUNTS[:-1]:
        staff_id = admin.create_account(
            username, display_name, role, DEMO_PASSWORD, must_change_password=False
        )
        if role is Role.PSYCHOLOGY:
            institute.enable_with_recovery_key(recovery_key, username)
        else:
            coordinator.enable_account(staff_id)
    staff = {role: institute.login(username, DEMO_PASSWORD) for username, role in accounts.items()}
    staff[Role.ADMINISTRATION] = admin
    return staff


def build_demo(
    institute: Institute,
    *,
    cases: int,
    seed: int,
    today: date,
    years: int = 3,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Builds the institute through the application service, as staff would: every write
    and every read it implies (an area opens the case before it records, coordinación before
    it approves a closure) goes through the same door and leaves the same audit trail.
    ``years`` is how many calendar years the story spans, the current one included."""
    if years < 1:
        raise ValueError("years must be at least 1")
    fake = Faker("es_MX")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    coordinator, recovery_key = institute.initialize(COORDINATOR[0], COORDINATOR[1], DEMO_PASSWORD)
    staff = _enabled_staff(institute, coordinator, recovery_key)
    staff[Role.COORDINATION] = coordinator
    openers = [Role.RECEPTION, Role.SOCIAL_WORK, Role.LEGAL, Role.PSYCHOLOGY, Role.COORDINATION]
    area_staff = {
        Area.LEGAL: staff[Role.LEGAL],
        Area.PSYCHOLOGICAL: staff[Role.PSYCHOLOGY],
        Area.SOCIAL_WORK: staff[Role.SOCIAL_WORK],
    }

    zones = default_zones()
    zone_codes = [code for code, *_ in zones]
    zone_weights = [women for *_, women in zones]
    start = date(today.year - years + 1, 1, 1)
    span = (today - start).days
    clients = 0
    opened = 0
    recent: list[tuple[UUID, UUID, date]] = []  # cases of the last weeks: still open, never closed
    while opened < cases:
        first_visit = start + timedelta(days=rng.randrange(span + 1))
        # Faker repeats names and random phones collide: every synthetic woman is a new one.
        client_id = coordinator.register_client(
            _synthetic_client(fake, rng, first_visit, rng.choices(zone_codes, zone_weights)[0]),
            confirm_not_duplicate=True,
        )
        clients += 1
        for visit in range(1 if rng.random() < 0.85 else 2):
            if opened >= cases:
                break
            opened_on = first_visit + timedelta(days=visit * rng.randrange(30, 200))
            opened_on = min(opened_on, today)
            opener = staff[rng.choices(openers, weights=(5, 2, 1, 1, 1))[0]]
            summary = opener.open_case(client_id, _synthetic_intake(rng, opened_on))
            _attend(institute, rng, summary.case_id, opened_on, today, coordinator, area_staff)
            if (today - opened_on).days < RECENT_DAYS:
                recent.append((summary.case_id, client_id, opened_on))
            opened += 1
            if progress:
                progress(opened, cases)
    real_today = institute.today
    institute.today = _clock(today)
    try:
        _feed_queues(rng, staff, recent, today)
        _feed_activities(rng, staff, zone_codes, zone_weights, start, today)
    finally:
        institute.today = real_today
    # The story's reads (an area opening dozens of women in minutes, out of office hours
    # when the demo is built at night) are what the anomaly sweep is for: coordinación's
    # alerts have rows.
    coordinator.sweep_anomalies()
    coordinator.refresh()  # the views are ready when the terminal app or the API opens
    for session in staff.values():
        session.close()
    return DemoSummary(
        clients=clients,
        cases=cases,
        accounts=(COORDINATOR[0], *(username for username, *_ in DEMO_ACCOUNTS)),
        recovery_key=recovery_key,
    )


def _attend(
    institute: Institute,
    rng: random.Random,
    case_id: UUID,
    opened_on: date,
    today: date,
    coordinator: StaffSession,
    area_staff: dict[Area, StaffSession],
) -> None:
    """Coordinación assigns some areas and each records its services; a follow-up is
    scheduled (and held, when its day has passed); an older case may be closed: an area that
    attended her asks, coordinación approves. The institute's clock follows the story
    meanwhile, since the services date what they record by the institute's today."""
    real_today = institute.today

    def on(day: date) -> date:
        day = min(day, today)
        institute.today = _clock(day)
        return day

    try:
        day = on(opened_on + timedelta(days=rng.randrange(15)))
        assigned = []
        for area, session in area_staff.items():
            if rng.random() < 0.4:
                coordinator.assign_area(case_id, area.value, session.identity.staff_id)
                # She reads the case and her own section before she records anything.
                session.case_detail(case_id, Section.INTAKE)
                session.case_detail(case_id, AREA_SECTIONS[area])
                _attend_area(rng, session, case_id, area, day, on)
                assigned.append(session)
        for _ in range(rng.randrange(0, 3)):
            coordinator.add_note(case_id, Section.FOLLOW_UPS, rng.choice(NOTE_TEXTS))
        due = day + timedelta(days=rng.randrange(7, 28))
        follow_up_id = coordinator.schedule_follow_up(
            case_id, identity.format_date(due), rng.choice(list(Channel)).value
        )
        if due < today:
            on(due)
            held = rng.random() < 0.8
            outcome = rng.choice(NOTE_TEXTS) if held else ""
            coordinator.settle_follow_up(case_id, follow_up_id, done=held, outcome=outcome)
        if assigned and (today - opened_on).days > 120 and rng.random() < 0.45:
            on(opened_on + timedelta(days=rng.randrange(60, 120)))
            rng.choice(assigned).request_closure(case_id, rng.choice(CLOSURE_REASONS))
            coordinator.case_detail(case_id, Section.FOLLOW_UPS)  # what was done, before closing
            coordinator.approve_closure(case_id)
    finally:
        institute.today = real_today


def _attend_area(
    rng: random.Random,
    session: StaffSession,
    case_id: UUID,
    area: Area,
    day: date,
    on: Callable[[date], date],
) -> None:
    notes = AREA_NOTES[area]
    if area is Area.LEGAL:
        session.give_legal_advice(case_id, rng.choice(list(LegalMatter)).value, rng.choice(notes))
    elif area is Area.PSYCHOLOGICAL:
        for number in range(rng.randint(1, 3)):
            on(day + timedelta(days=7 * number))
            session.record_psychology_session(
                case_id, modality=rng.choice(list(SessionModality)).value, notes=rng.choice(notes)
            )
    else:
        session.record_gestion(
            case_id,
            what=rng.choice(GESTIONES),
            institution=rng.choice(GESTION_PLACES),
            outcome=rng.choice(list(GestionOutcome)).value,
        )
    if rng.random() < 0.3:
        session.add_note(case_id, AREA_SECTIONS[area], rng.choice(notes))
    on(day)


RECENT_DAYS = 100  # younger than the 120 days after which _attend may close a case
QUEUE_CASES = 40  # recent cases that feed the directory, orders and pending queues
# Real kinds of institution a municipal women's institute refers to (names generic, no data).
DEMO_DIRECTORY: tuple[InstitutionForm, ...] = (
    InstitutionForm(
        "Sistema DIF Municipal de Cortazar",
        "dif",
        ("proteccion_infancia", "atencion_psicologica", "apoyo_economico"),
        hours="lunes a viernes 8:30-16:00",
    ),
    InstitutionForm(
        "Fiscalía Especializada en Investigación de Delitos contra la Mujer",
        "procuracion_justicia",
        ("denuncia", "ordenes_proteccion"),
        hours="lunes a domingo 24 horas",
    ),
    InstitutionForm(
        "Agencia del Ministerio Público de Cortazar",
        "procuracion_justicia",
        ("denuncia", "ordenes_proteccion"),
    ),
    InstitutionForm("Centro de Salud Cortazar", "salud", ("atencion_medica", "medicamentos")),
    InstitutionForm(
        "Centro de Atención Integral a la Salud Mental (CAISM)",
        "salud",
        ("atencion_psicologica", "atencion_medica"),
    ),
    InstitutionForm(
        "Defensoría Pública del Estado, sede Cortazar", "defensoria", ("asesoria_juridica",)
    ),
)
REFERRAL_REASONS = (
    "Para presentar denuncia y solicitar medidas de protección.",
    "Atención médica por lesiones referidas en la entrevista.",
    "Acompañamiento psicológico especializado.",
    "Apoyo para sus hijas e hijos.",
)
ORDER_DETAILS = (
    "Prohibición de acercarse al domicilio y al trabajo.",
    "Rondines de seguridad pública en el domicilio.",
)


def _feed_queues(
    rng: random.Random,
    staff: dict[Role, StaffSession],
    recent: list[tuple[UUID, UUID, date]],
    today: date,
) -> None:
    """What the story of the last weeks leaves waiting, so that every screen has rows: the
    directory and referrals to it, protection orders about to expire, closures and
    erasures waiting for coordinación, psicología's next sessions."""
    coordinator, legal = staff[Role.COORDINATION], staff[Role.LEGAL]
    social, psychology = staff[Role.SOCIAL_WORK], staff[Role.PSYCHOLOGY]
    places = [coordinator.add_institution(form) for form in DEMO_DIRECTORY]

    def assign(case_id: UUID, area: Area, session: StaffSession) -> None:
        # _attend may have assigned her already: that is fine, she attends it.
        with contextlib.suppress(DomainError):
            coordinator.assign_area(case_id, area.value, session.identity.staff_id)

    chosen = rng.sample(recent, k=min(QUEUE_CASES, len(recent)))
    erasing: set[UUID] = set()
    for number, (case_id, client_id, opened_on) in enumerate(chosen):
        kind = number % 5
        if kind == 0:
            social.refer_case(
                case_id,
                NewReferral(
                    rng.choice(places), rng.choice(REFERRAL_REASONS), with_personal_data=False
                ),
            )
        elif kind == 1:
            assign(case_id, Area.LEGAL, legal)
            legal.record_protection_order(
                case_id,
                kind="administrativa",
                measures=("otra",),
                detail=rng.choice(ORDER_DETAILS),
                authority="Presidencia municipal",
                # Issued when she came; the 60 days of the oldest ones are running out.
                issued_on=identity.format_date(max(opened_on, today - timedelta(days=55))),
            )
        elif kind == 2:
            assign(case_id, Area.PSYCHOLOGICAL, psychology)
            psychology.record_psychology_session(
                case_id,
                modality=rng.choice(list(SessionModality)).value,
                notes=rng.choice(AREA_NOTES[Area.PSYCHOLOGICAL]),
                next_session=identity.format_date(today + timedelta(days=rng.randrange(1, 7))),
            )
        elif kind == 3 and number < 3 * 5:
            assign(case_id, Area.LEGAL, legal)
            legal.request_closure(case_id, rng.choice(CLOSURE_REASONS))
        elif kind == 4 and number < 2 * 5 and client_id not in erasing:
            # A woman with two recent cases is asked for once.
            social.request_erasure(client_id)
            erasing.add(client_id)


ACTIVITY_TOPICS: dict[ActivityKind, tuple[str, ...]] = {
    ActivityKind.WORKSHOP: (
        "Taller de autoestima y autonomía económica",
        "Taller de defensa personal",
    ),
    ActivityKind.TALK: ("Plática: el violentómetro", "Plática: noviazgo sin violencia"),
    ActivityKind.CONFERENCE: ("Conferencia por el 25 de noviembre",),
    ActivityKind.HEALTH_FAIR: ("Feria de la salud de la mujer",),
    ActivityKind.COMMUNITY_ADVICE: ("Asesoría jurídica en la comunidad",),
}
# The work plan's yearly targets (activities of each kind).
YEARLY_TARGETS = {
    ActivityKind.WORKSHOP: 24,
    ActivityKind.TALK: 36,
    ActivityKind.CONFERENCE: 4,
    ActivityKind.HEALTH_FAIR: 3,
    ActivityKind.COMMUNITY_ADVICE: 12,
}


def _feed_activities(
    rng: random.Random,
    staff: dict[Role, StaffSession],
    zone_codes: list[str],
    zone_weights: list[int],
    start: date,
    today: date,
) -> None:
    """The work plan: yearly targets set by coordinación, and about two activities a month
    (prevention talks, workshops, fairs), dated through the story."""
    coordinator, social = staff[Role.COORDINATION], staff[Role.SOCIAL_WORK]
    for year in range(start.year, today.year + 1):
        for kind, target in YEARLY_TARGETS.items():
            coordinator.set_target(year, kind.value, str(target))
    day = start
    while day <= today:
        kind = rng.choice(list(ACTIVITY_TOPICS))
        social.record_activity(
            NewActivity(
                held_on=identity.format_date(day),
                kind=kind.value,
                topic=rng.choice(ACTIVITY_TOPICS[kind]),
                zone=rng.choices(zone_codes, zone_weights)[0],
                attendance={band: str(rng.randrange(0, 25)) for band in BANDS[1:4]},
                partner=rng.choice(("", "", "Sistema DIF Municipal de Cortazar")),
            )
        )
        day += timedelta(days=rng.randrange(8, 22))


def _clock(day: date) -> Callable[[], date]:
    return lambda: day


def _synthetic_client(fake: Faker, rng: random.Random, on: date, zone: str) -> NewClient:
    age = rng.randint(18, 59)
    birth = on - timedelta(days=round(age * 365.25) + rng.randrange(1, 360))
    given = fake.first_name_female()
    first_surname = fake.last_name()
    second_surname = fake.last_name()
    name = f"{given} {first_surname} {second_surname}"
    return NewClient(
        name=name,
        birth_date=identity.format_date(birth),
        zone=zone,
        curp=_synthetic_curp(rng, first_surname, second_surname, given, birth)
        if rng.random() < 0.6
        else "",
        phone=f"461{rng.randrange(10**7):07d}" if rng.random() < 0.8 else "",
        registered_on=identity.format_date(on),
    )


def _synthetic_curp(rng: random.Random, first: str, second: str, given: str, birth: date) -> str:
    """Well formed (the check digit matches) but built from random letters where it matters."""
    consonants = "BCDFGHJKLMNPQRSTVWXZ"
    first_letter = _initial(first)
    head = first_letter + rng.choice("AEIOU") + _initial(second) + _initial(given)
    tail = "".join(rng.choice(consonants) for _ in range(3))
    century = "0" if birth.year < 2000 else "A"
    body = f"{head}{birth:%y%m%d}MGT{tail}{century}"
    return body + identity.curp_check_digit(body)


def _initial(word: str) -> str:
    letters = identity.normalize_for_search(word).upper().replace(" ", "")
    return letters[:1] if letters[:1].isalpha() and letters[:1].isascii() else "X"


def _synthetic_intake(rng: random.Random, on: date) -> NewIntake:
    """A story that holds together: the reason decides the modality, the aggressor and the
    kinds of violence (the first of its kinds always, the others now and then)."""
    # Most women come for violence at home (the first five reasons).
    reason = rng.choices(REASONS, weights=(3, 5, 3, 4, 3, 1, 1))[0]
    modalities, aggressors, kinds = STORIES[reason]
    types = [kinds[0], *(kind for kind in kinds[1:] if rng.random() < 0.4)]
    return NewIntake(
        reason=reason,
        narrative=" ".join(rng.sample(NARRATIVE_PARTS, k=3)),
        violence_types=tuple(types),
        modalities=modalities,
        risk=rng.choices([r.value for r in RiskLevel], weights=(5, 3, 2))[0],
        opened_on=identity.format_date(on),
        aggressor_relationship=rng.choice(aggressors) if rng.random() < 0.95 else "no_referido",
        risk_factors=tuple(rng.sample([f.value for f in RiskFactor], k=rng.choice((0, 1, 2, 3)))),
    )
