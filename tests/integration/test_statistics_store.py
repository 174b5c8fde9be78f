"""The statistics store on both backends: every count table equals a brute-force recount of
the stored events, over random histories that include consent withdrawals and erasures."""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.cases import Case
from domain.clients import Client
from domain.directory import Institution
from domain.errors import DomainError
from domain.vocabulary import Modality, Role, ViolenceType
from domain.zones import ZoneCatalogue
from projections.stats_tables import COUNT_TABLES, MEXICO, CountTable, add_months
from tests.support.factories import TIERRA_FRIA, a_client, an_intake, staff
from violeta.dto import InstitutionForm, NewReferral
from violeta.service import Institute, StaffSession

COLONIAS = ("C001", "C002", "C003")
ZONES = ("110110001", TIERRA_FRIA, *COLONIAS)
COLONIAS_CSV = "clave,nombre,tipo,localidad,mujeres\n" + "".join(
    f"{code},Colonia Sintética {'ABC'[i]},colonia,110110001,{900 + i}\n"
    for i, code in enumerate(COLONIAS)
)
BIRTHS = ("15/03/1990", "02/07/1975", "20/01/2001", "11/11/1968")
TYPES = tuple(t.value for t in ViolenceType)
MODALITIES = tuple(m.value for m in Modality)

Cells = dict[str, Counter[tuple[str, ...]]]


def month(day: object) -> str:
    return f"{day:%Y-%m}"


@dataclass
class CaseFacts:
    client: str
    month: str
    zone: str
    age_band: str
    risk: str
    status: str
    types: list[str]
    modalities: list[str]
    areas: set[str] = field(default_factory=set)


def recount(events: Iterable[object]) -> Cells:  # noqa: PLR0912 - one branch per event
    """The tables computed again from the domain events, by a different route than SQL."""
    consent: dict[str, bool] = {}
    kinds: dict[str, str] = {}
    cases: dict[str, CaseFacts] = {}
    facts: list[tuple[str, str, tuple[str, ...]]] = []  # (table, client, cell) fixed facts
    referrals: dict[str, list[str]] = {}
    orders: dict[str, list[str]] = {}
    reports: dict[str, list[str]] = {}
    merged_into: dict[str, str] = {}
    for event in events:
        subject = str(getattr(event, "originator_id", ""))
        if isinstance(event, Client.Registered):
            consent[subject] = event.consent_to_statistics
        elif isinstance(event, Client.StatisticsConsentChanged):
            consent[subject] = event.granted
        elif isinstance(event, Institution.Registered | Institution.Updated):
            kinds[subject] = event.kind
        elif isinstance(event, Case.Opened):
            cases[subject] = CaseFacts(
                str(event.client_id),
                month(event.opened_on),
                event.zone,
                event.age_band,
                event.risk,
                "abierto",
                sorted(set(event.violence_types)),
                sorted(set(event.modalities)),
            )
        elif isinstance(event, Case.FollowUpStageEntered):
            cases[subject].status = "en_seguimiento"
        elif isinstance(event, Case.ClosureApproved):
            cases[subject].status = "cerrado"
        elif isinstance(event, Case.Reopened):
            cases[subject].status = "reabierto"
        elif isinstance(event, Case.AreaAssigned):
            cases[subject].areas.add(event.area)
        elif isinstance(event, Case.LegalAdviceGiven):
            facts.append(
                (
                    "stats_attentions",
                    cases[subject].client,
                    (month(event.given_on), "juridica", "asesoria"),
                )
            )
        elif isinstance(event, Case.PsychologySessionHeld):
            facts.append(
                (
                    "stats_attentions",
                    cases[subject].client,
                    (month(event.held_on), "psicologica", "sesion"),
                )
            )
        elif isinstance(event, Case.GestionRecorded):
            facts.append(
                (
                    "stats_attentions",
                    cases[subject].client,
                    (month(event.done_on), "trabajo_social", "gestion"),
                )
            )
        elif isinstance(event, Case.SocialVisitRecorded):
            facts.append(
                (
                    "stats_attentions",
                    cases[subject].client,
                    (month(event.visited_on), "trabajo_social", "visita"),
                )
            )
        elif isinstance(event, Case.Accompanied):
            facts.append(
                (
                    "stats_attentions",
                    cases[subject].client,
                    (month(event.performed_on), event.area, "acompanamiento"),
                )
            )
        elif isinstance(event, Case.ReferralMade):
            referrals[str(event.referral_id)] = [
                cases[subject].client,
                month(event.made_on),
                kinds.get(str(event.institution_id), "sin_tipo"),
                "pendiente",
            ]
        elif isinstance(event, Case.ReferralOutcomeRecorded):
            referrals[str(event.referral_id)][3] = event.outcome
        elif isinstance(event, Case.ProtectionOrderRecorded):
            orders[str(event.order_id)] = [
                cases[subject].client,
                event.kind,
                month(event.expires_on),
            ]
            facts.append(
                (
                    "stats_protection_orders",
                    cases[subject].client,
                    (month(event.issued_on), event.kind, "emitida"),
                )
            )
        elif isinstance(event, Case.ProtectionOrderExtended):
            order = orders[str(event.order_id)]
            order[2] = month(event.expires_on)
            recorded = event.timestamp.astimezone(MEXICO).date()
            facts.append(
                ("stats_protection_orders", order[0], (month(recorded), order[1], "prorrogada"))
            )
        elif isinstance(event, Case.MisconductReported):
            reports[str(event.report_id)] = [
                cases[subject].client,
                month(event.reported_on),
                event.conduct,
                "presentado",
            ]
        elif isinstance(event, Case.MisconductReportUpdated):
            reports[str(event.report_id)][3] = event.status
        elif isinstance(event, ZoneCatalogue.ZonesMerged):
            merged_into[event.code] = event.into

    def survivor(zone: str) -> str:
        while zone in merged_into:
            zone = merged_into[zone]
        return zone

    for case in cases.values():
        case.zone = survivor(case.zone)

    for case in cases.values():
        m, z = case.month, case.zone
        facts += [
            ("stats_cases", case.client, (m, z)),
            ("stats_cases_age", case.client, (m, z, case.age_band)),
            ("stats_cases_risk", case.client, (m, z, case.risk)),
            ("stats_cases_status", case.client, (m, z, case.status)),
            *(("stats_cases_violence", case.client, (m, z, t)) for t in case.types),
            *(("stats_cases_modality", case.client, (m, z, x)) for x in case.modalities),
            *(("stats_cases_area", case.client, (m, z, a)) for a in sorted(case.areas)),
        ]
    facts += [("stats_referrals", r[0], (r[1], r[2], r[3])) for r in referrals.values()]
    facts += [("stats_protection_orders", o[0], (o[2], o[1], "vence")) for o in orders.values()]
    facts += [("stats_misconduct", r[0], (r[1], r[2], r[3])) for r in reports.values()]

    tables: Cells = {table.name: Counter() for table in COUNT_TABLES}
    for table, client, cell in facts:
        if consent.get(client, True):
            tables[table][cell] += 1
    attended: dict[tuple[str, str], set[str]] = {}
    for case in cases.values():
        if consent.get(case.client, True):
            for offset in range(12):
                window = (add_months(case.month, offset), case.zone)
                attended.setdefault(window, set()).add(case.client)
    tables["stats_women_12m"] = Counter({cell: len(women) for cell, women in attended.items()})
    return tables


def stored_events(session: StaffSession) -> list[object]:
    recorder = session._store.recorder
    last = recorder.max_notification_id() or 0
    notifications = recorder.select_notifications(1, last)
    return [session._store.mapper.to_domain_event(n) for n in notifications]


def view_tables(session: StaffSession) -> Cells:
    session._refresh_read_side()  # the read side's own projection, caught up as a report is
    tables: Cells = {}
    for table in COUNT_TABLES:
        rows = session._views.query(f"SELECT * FROM {table.name}")
        tables[table.name] = Counter(
            {tuple(str(row[c]) for c in table.columns): int(row[table.count]) for row in rows}
        )
    windows = session._views.query("SELECT * FROM stats_women_12m WHERE women > 0")
    tables["stats_women_12m"] = Counter(
        {(row["last_month"], row["zone"]): int(row["women"]) for row in windows}
    )
    return tables


def assert_tables_match(session: StaffSession) -> None:
    expected = recount(stored_events(session))
    actual = view_tables(session)
    for name in expected:
        assert actual[name] == expected[name], name
        assert all(count > 0 for count in actual[name].values()), name


@dataclass
class World:
    institute: Institute
    coordinator: StaffSession
    second: StaffSession
    lawyer: StaffSession
    psychologist: StaffSession
    social: StaffSession
    shelter: UUID
    clinic: UUID
    clients: list[UUID] = field(default_factory=list)
    cases: list[UUID] = field(default_factory=list)
    referrals: list[tuple[UUID, UUID]] = field(default_factory=list)
    orders: list[tuple[UUID, UUID]] = field(default_factory=list)
    reports: list[tuple[UUID, UUID]] = field(default_factory=list)
    merged: set[str] = field(default_factory=set)


def make_world(institute: Institute, coordinator: StaffSession) -> World:
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    shelter = social.add_institution(
        InstitutionForm(name="Refugio sintético", kind="refugio", services=("refugio",))
    )
    clinic = social.add_institution(
        InstitutionForm(name="Clínica sintética", kind="salud", services=("atencion_medica",))
    )
    catalogue = Path(tempfile.mkdtemp()) / "colonias.csv"
    catalogue.write_text(COLONIAS_CSV, encoding="utf-8")
    assert coordinator.import_zones(catalogue).imported
    return World(
        institute,
        coordinator,
        staff(institute, coordinator, "coordinadora2", Role.COORDINATION),
        staff(institute, coordinator, "abogada", Role.LEGAL),
        staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY),
        social,
        shelter,
        clinic,
    )


def pick(items: list[UUID] | list[tuple[UUID, UUID]], index: int) -> object:
    return items[index % len(items)]


def letters(number: int) -> str:
    return "".join("abcdefghij"[int(digit)] for digit in str(number))


def open_case(world: World, n: int) -> None:
    zone = ZONES[n % len(ZONES)]
    day = f"{1 + n % 27:02d}/{1 + n % 11:02d}/2026"
    form = replace(
        a_client(
            f"Usuaria Sintética {letters(len(world.clients))}", zone=zone, birth_date=BIRTHS[n % 4]
        ),
        registered_on=day,
        consent_to_statistics=n % 5 != 0,
    )
    client_id = world.coordinator.register_client(form, confirm_not_duplicate=True)
    types = tuple(TYPES[i] for i in range(len(TYPES)) if (n >> i) & 1) or ("psicologica",)
    modalities = (MODALITIES[n % len(MODALITIES)], MODALITIES[(n // 3) % len(MODALITIES)])
    case = world.coordinator.open_case(
        client_id,
        an_intake(
            opened_on=day,
            violence_types=types,
            modalities=modalities,
            risk=("bajo", "medio", "alto")[n % 3],
        ),
    )
    world.clients.append(client_id)
    world.cases.append(case.case_id)


def on_case(world: World, n: int, act: Callable[[UUID], object]) -> None:
    if world.cases:
        act(world.cases[n % len(world.cases)])  # type: ignore[arg-type]


def step(world: World, kind: int, n: int) -> None:  # noqa: PLR0912 - one branch per kind
    w = world
    if kind == 0 or not w.cases:
        open_case(w, n)
    elif kind == 1:
        area, person = [
            ("juridica", w.lawyer),
            ("psicologica", w.psychologist),
            ("trabajo_social", w.social),
        ][n % 3]
        on_case(w, n, lambda c: w.coordinator.assign_area(c, area, person.identity.staff_id))
    elif kind == 2:
        on_case(w, n, lambda c: w.lawyer.give_legal_advice(c, "familiar", "Notas sintéticas."))
    elif kind == 3:
        on_case(
            w,
            n,
            lambda c: w.psychologist.record_psychology_session(
                c, modality="presencial", notes="Sesión sintética."
            ),
        )
    elif kind == 4:
        on_case(
            w,
            n,
            lambda c: w.social.record_social_visit(c, kind="domicilio", notes="Visita sintética."),
        )
    elif kind == 5:
        institution = w.shelter if n % 2 else w.clinic

        def refer(c: UUID) -> None:
            w.referrals.append(
                (
                    c,
                    w.social.refer_case(
                        c, NewReferral(institution, "Motivo sintético.", with_personal_data=False)
                    ),
                )
            )

        on_case(w, n, refer)
    elif kind == 6 and w.referrals:
        case_id, referral = w.referrals[n % len(w.referrals)]
        w.social.record_referral_outcome(case_id, referral, ("atendida", "no_atendida")[n % 2])
    elif kind == 7:

        def order(c: UUID) -> None:
            w.orders.append(
                (
                    c,
                    w.lawyer.record_protection_order(
                        c,
                        kind="administrativa" if n % 2 else "jurisdiccional",
                        measures=("otra",),
                        detail="Detalle sintético.",
                        authority="Ministerio Público",
                        issued_on=f"{1 + n % 28:02d}/{1 + n % 10:02d}/2026",
                    ),
                )
            )

        on_case(w, n, order)
    elif kind == 8 and w.orders:
        case_id, order_id = w.orders[n % len(w.orders)]
        w.lawyer.extend_protection_order(case_id, order_id)
    elif kind == 9:

        def report(c: UUID) -> None:
            w.reports.append(
                (
                    c,
                    w.lawyer.report_misconduct(
                        c,
                        institution="Fiscalía sintética",
                        conduct="dilacion",
                        facts="Hechos sintéticos.",
                        reported_to="Titular sintético",
                    ),
                )
            )

        on_case(w, n, report)
    elif kind == 10 and w.reports:
        case_id, report_id = w.reports[n % len(w.reports)]
        w.lawyer.update_misconduct_report(case_id, report_id, ("en_tramite", "cerrado")[n % 2])
    elif kind == 11:
        on_case(w, n, w.coordinator.enter_follow_up)
    elif kind == 12:

        def close(c: UUID) -> None:
            w.second.request_closure(c, "Cierre sintético.")
            w.coordinator.approve_closure(c)

        on_case(w, n, close)
    elif kind == 13:
        on_case(w, n, lambda c: w.coordinator.reopen_case(c, "Reapertura sintética."))
    elif kind == 14 and w.clients:
        client_id = w.clients[n % len(w.clients)]
        detail = w.coordinator._get_client(client_id)
        w.coordinator.set_statistics_consent(client_id, not detail.consent_to_statistics)
    elif kind == 15 and w.clients:
        client_id = w.clients[n % len(w.clients)]
        w.second.request_erasure(client_id)
        w.coordinator.approve_erasure(client_id)
    elif kind == 16:
        candidates = [code for code in COLONIAS if code not in w.merged]
        if candidates:
            code = candidates[n % len(candidates)]
            targets = [z for z in ("110110001", *COLONIAS) if z != code and z not in w.merged]
            w.coordinator.merge_zones(code, targets[n % len(targets)])
            w.merged.add(code)


STEPS = st.lists(st.tuples(st.integers(0, 16), st.integers(0, 1000)), min_size=1, max_size=20)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_every_table_equals_a_recount_of_the_events(
    institute: Institute, coordinator: StaffSession, steps: list[tuple[int, int]]
) -> None:
    # The institute lives across examples: each history extends the last, so later examples
    # run on a store that already holds withdrawals, erasures and closed cases.
    world = WORLDS.get(id(institute)) or WORLDS.setdefault(
        id(institute), make_world(institute, coordinator)
    )
    for kind, n in steps:
        # A step the rules refuse (closing a closed case...) changes nothing.
        with contextlib.suppress(DomainError):
            step(world, kind, n)
    assert world.cases, "the first step always opens a case"
    assert_tables_match(world.coordinator)
    assert_tables_match(world.lawyer)  # another session reads the same tables


WORLDS: dict[int, World] = {}


def test_withdrawing_consent_empties_every_table_and_erasure_keeps_them(
    institute: Institute, coordinator: StaffSession
) -> None:
    world = make_world(institute, coordinator)
    for kind, n in [(0, 3), (1, 0), (1, 1), (1, 2), (2, 0), (3, 0), (4, 0), (5, 1), (6, 0)]:
        step(world, kind, n)
    for kind, n in [(7, 1), (8, 0), (9, 0), (10, 0), (11, 0)]:
        step(world, kind, n)
    counted = view_tables(coordinator)
    assert all(counted[t.name] for t in COUNT_TABLES), "every table holds her case"

    client_id = world.clients[0]
    coordinator.set_statistics_consent(client_id, False)
    assert all(not cells for cells in view_tables(coordinator).values())
    assert_tables_match(coordinator)

    coordinator.set_statistics_consent(client_id, True)
    assert view_tables(coordinator) == counted

    world.second.request_erasure(client_id)
    coordinator.approve_erasure(client_id)
    assert view_tables(coordinator) == counted  # anonymous counts outlive her data


def test_rebuilding_gives_the_same_tables(institute: Institute, coordinator: StaffSession) -> None:
    world = make_world(institute, coordinator)
    for kind, n in [(0, 1), (0, 2), (1, 0), (2, 0), (5, 0), (6, 1), (7, 0), (8, 0), (14, 0)]:
        step(world, kind, n)
    before = view_tables(coordinator)
    coordinator.rebuild_views()
    assert view_tables(coordinator) == before


def test_one_case_with_several_types_counts_once_in_each(
    institute: Institute, coordinator: StaffSession
) -> None:
    client_id = coordinator.register_client(a_client(registered_on="01/10/2026"))
    coordinator.open_case(
        client_id,
        an_intake(opened_on="01/10/2026", violence_types=("fisica", "psicologica", "sexual")),
    )
    tables = view_tables(coordinator)
    assert sum(tables["stats_cases"].values()) == 1
    assert sum(tables["stats_cases_violence"].values()) == 3
    table: CountTable = next(t for t in COUNT_TABLES if t.name == "stats_cases_violence")
    assert table.double_counts


def test_merges_between_cases_and_withdrawals_still_match_the_recount(
    institute: Institute, coordinator: StaffSession
) -> None:
    world = make_world(institute, coordinator)
    history = [(0, 2), (0, 3), (0, 4), (0, 7), (1, 0), (2, 1), (16, 1), (0, 8), (14, 1)]
    history += [(16, 0), (0, 13), (5, 2), (6, 0), (14, 1), (16, 0), (0, 12)]
    for kind, n in history:
        step(world, kind, n)
    assert len(world.merged) == 3
    merges = [e for e in stored_events(coordinator) if isinstance(e, ZoneCatalogue.ZonesMerged)]
    assert len(merges) == 3
    assert_tables_match(coordinator)
    assert {cell[1] for cell in view_tables(coordinator)["stats_cases"]} <= {
        "110110001",
        TIERRA_FRIA,
    }
