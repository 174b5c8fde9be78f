"""Rules of the services on a case, on the aggregate alone (no keys, no storage)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from domain.cases import (
    Accompaniment,
    AccompanimentDecision,
    Area,
    Case,
    Channel,
    FollowUpState,
    Gestion,
    GestionOutcome,
    LegalMatter,
    MisconductConduct,
    MisconductReport,
    OrderKind,
    ProtectionMeasure,
    ProtectionOrder,
    PsychologySession,
    ReportStatus,
    SessionModality,
    SocialVisit,
    VisitKind,
    parse_category,
)
from domain.errors import DomainError, InvalidField
from domain.sealed import Sealed
from domain.vocabulary import CaseStatus
from tests.unit.domain.test_aggregates import SEALED, open_case

OPENED = date(2026, 1, 5)


def replayed(case: Case) -> Case:
    """The aggregate as the repository would rebuild it from its events."""
    events = case.collect_events()
    copy = None
    for item in events:
        copy = item.mutate(copy)
    assert isinstance(copy, Case)
    return copy


def assigned_case() -> tuple[Case, UUID]:
    case = open_case()
    lawyer = uuid4()
    case.assign_area(Area.LEGAL, lawyer, uuid4())
    return case, lawyer


def decision(**overrides: object) -> AccompanimentDecision:
    values: dict[str, object] = {
        "severity": False,
        "lacks_resources": False,
        "deadline": None,
        "unfamiliar_with_procedure": False,
        "accompany": False,
        "decided_on": OPENED,
        "decided_by": uuid4(),
    }
    values.update(overrides)
    return AccompanimentDecision(**values)  # type: ignore[arg-type]


def an_order(**overrides: object) -> ProtectionOrder:
    values: dict[str, object] = {
        "order_id": uuid4(),
        "kind": OrderKind.ADMINISTRATIVE,
        "measures": (ProtectionMeasure.NO_APPROACH,),
        "detail": SEALED,
        "authority": "Ministerio Público",
        "issued_on": OPENED,
        "expires_on": OPENED + timedelta(days=60),
        "extensions": [],
    }
    values.update(overrides)
    return ProtectionOrder(**values)  # type: ignore[arg-type]


def test_closure_is_requested_by_assigned_staff_and_approved_by_another_person() -> None:
    case, lawyer = assigned_case()
    with pytest.raises(DomainError, match="asignado"):
        case.request_closure(uuid4(), OPENED, SEALED)
    case.request_closure(lawyer, OPENED, SEALED)
    with pytest.raises(DomainError, match="distinta"):
        case.approve_closure(lawyer, OPENED)
    coordinator = uuid4()
    case.approve_closure(coordinator, OPENED + timedelta(days=1))
    assert case.status is CaseStatus.CLOSED
    assert replayed(case).status is CaseStatus.CLOSED


def test_a_closed_case_accepts_nothing_until_reopened_with_a_reason() -> None:
    case, lawyer = assigned_case()
    case.request_closure(lawyer, OPENED, SEALED)
    case.approve_closure(uuid4(), OPENED)
    with pytest.raises(DomainError, match="cerrado"):
        case.give_legal_advice(uuid4(), LegalMatter.FAMILY, SEALED, OPENED, lawyer)
    with pytest.raises(DomainError, match="cerrado"):
        case.request_closure(lawyer, OPENED, SEALED)
    case.reopen(uuid4(), OPENED + timedelta(days=3), SEALED)
    assert case.status is CaseStatus.REOPENED
    case.enter_follow_up(lawyer, OPENED + timedelta(days=4))
    assert [change.status for change in replayed(case).services.history] == [
        CaseStatus.CLOSED,
        CaseStatus.REOPENED,
        CaseStatus.FOLLOW_UP,
    ]


def test_only_a_closed_case_is_reopened_and_only_a_request_is_approved() -> None:
    case, _ = assigned_case()
    with pytest.raises(DomainError, match="cerrado"):
        case.reopen(uuid4(), OPENED, SEALED)
    with pytest.raises(DomainError, match="No hay solicitud"):
        case.approve_closure(uuid4(), OPENED)
    with pytest.raises(DomainError, match="No hay solicitud"):
        case.decline_closure(uuid4(), OPENED)


def test_accompaniment_before_the_fiscalia_needs_a_criterion_and_a_favourable_decision() -> None:
    case, lawyer = assigned_case()
    legal = Accompaniment(uuid4(), Area.LEGAL, "Fiscalía", SEALED, OPENED, lawyer)
    with pytest.raises(DomainError, match="decisión"):
        case.record_accompaniment(legal)
    with pytest.raises(DomainError, match="criterios"):
        case.decide_accompaniment(decision(accompany=True))
    with pytest.raises(InvalidField, match="término"):
        case.decide_accompaniment(decision(deadline=OPENED - timedelta(days=1), accompany=True))
    case.decide_accompaniment(decision(deadline=OPENED + timedelta(days=3), accompany=True))
    assert case.services.accompaniment_decisions[0].criteria_met == 1
    case.record_accompaniment(legal)
    with pytest.raises(InvalidField, match="Área"):
        case.record_accompaniment(
            Accompaniment(uuid4(), Area.PSYCHOLOGICAL, "x", SEALED, OPENED, lawyer)
        )
    assert replayed(case).services.accompaniments[0].authority == "Fiscalía"


def test_misconduct_report_moves_forward_until_closed() -> None:
    case, lawyer = assigned_case()
    report_id = uuid4()
    case.report_misconduct(
        MisconductReport(
            report_id, "Fiscalía", MisconductConduct.DELAY, SEALED, SEALED, OPENED, lawyer
        )
    )
    with pytest.raises(InvalidField, match="Estado"):
        case.update_misconduct_report(report_id, ReportStatus.FILED, OPENED, lawyer)
    case.update_misconduct_report(report_id, ReportStatus.CLOSED, OPENED, lawyer)
    with pytest.raises(DomainError, match="cerrado"):
        case.update_misconduct_report(report_id, ReportStatus.IN_PROCESS, OPENED, lawyer)
    with pytest.raises(DomainError, match="no existe"):
        case.update_misconduct_report(uuid4(), ReportStatus.CLOSED, OPENED, lawyer)
    assert replayed(case).services.misconduct_reports[report_id].status is ReportStatus.CLOSED


def test_psychology_sessions_until_the_process_is_closed() -> None:
    case = open_case()
    psychologist = uuid4()
    with pytest.raises(DomainError, match="No hay sesiones"):
        case.close_psychology_process(OPENED, psychologist)

    def session(held_on: date, next_session: date | None = None) -> PsychologySession:
        return PsychologySession(
            uuid4(), held_on, SessionModality.ONLINE, SEALED, next_session, psychologist
        )

    with pytest.raises(InvalidField, match="Próxima sesión"):
        case.hold_psychology_session(session(OPENED, OPENED))
    with pytest.raises(InvalidField, match="apertura"):
        case.hold_psychology_session(session(OPENED - timedelta(days=1)))
    case.hold_psychology_session(session(OPENED, OPENED + timedelta(days=7)))
    with pytest.raises(InvalidField, match="última sesión"):
        case.close_psychology_process(OPENED - timedelta(days=1), psychologist)
    case.close_psychology_process(OPENED + timedelta(days=7), psychologist)
    with pytest.raises(DomainError, match="cerrado"):
        case.hold_psychology_session(session(OPENED + timedelta(days=8)))
    assert replayed(case).services.psychology_closed_on == OPENED + timedelta(days=7)


def test_a_follow_up_is_settled_once_done_with_outcome_or_missed_after_its_date() -> None:
    case = open_case()
    worker = uuid4()
    follow_up_id = uuid4()
    due = OPENED + timedelta(days=10)
    case.schedule_follow_up(follow_up_id, due, Channel.PHONE, worker)
    with pytest.raises(InvalidField, match="Resultado"):
        case.settle_follow_up(follow_up_id, True, due, None, worker)
    with pytest.raises(InvalidField, match="antes de su fecha"):
        case.settle_follow_up(follow_up_id, False, due - timedelta(days=1), None, worker)
    case.settle_follow_up(follow_up_id, False, due, None, worker)
    with pytest.raises(DomainError, match="ya fue registrado"):
        case.settle_follow_up(follow_up_id, True, due, SEALED, worker)
    assert replayed(case).services.follow_ups[follow_up_id].state is FollowUpState.MISSED


def test_protection_order_lasts_sixty_days_and_extends_once_by_thirty() -> None:
    case = open_case()
    lawyer = uuid4()
    with pytest.raises(InvalidField, match="60 días"):
        case.record_protection_order(an_order(expires_on=OPENED + timedelta(days=61)), lawyer)
    with pytest.raises(InvalidField, match="posterior"):
        case.record_protection_order(an_order(expires_on=OPENED), lawyer)
    with pytest.raises(InvalidField, match="Medidas"):
        case.record_protection_order(an_order(measures=()), lawyer)
    order = an_order()
    case.record_protection_order(order, lawyer)
    expiry = OPENED + timedelta(days=60)
    with pytest.raises(InvalidField, match="30 días"):
        case.extend_protection_order(order.order_id, expiry + timedelta(days=31), lawyer)
    case.extend_protection_order(order.order_id, expiry + timedelta(days=30), lawyer)
    with pytest.raises(DomainError, match="una prórroga"):
        case.extend_protection_order(order.order_id, expiry + timedelta(days=31), lawyer)
    rebuilt = replayed(case).services.protection_orders[order.order_id]
    assert rebuilt.expires_on == expiry + timedelta(days=30)
    assert rebuilt.extensions == [expiry]


def test_social_work_and_areas_are_recorded_and_replayed() -> None:
    case = open_case()
    worker = uuid4()
    case.assign_area(Area.SOCIAL_WORK, worker, uuid4())
    with pytest.raises(DomainError, match="ya tiene asignada"):
        case.assign_area(Area.SOCIAL_WORK, worker, uuid4())
    case.record_gestion(Gestion(uuid4(), SEALED, "DIF", GestionOutcome.PENDING, OPENED, worker))
    case.record_social_visit(SocialVisit(uuid4(), VisitKind.HOME, SEALED, OPENED, worker))
    rebuilt = replayed(case).services
    assert rebuilt.areas == {Area.SOCIAL_WORK: worker}
    assert len(rebuilt.gestiones) == 1 and len(rebuilt.social_visits) == 1


def test_categories_parse_by_value_or_label_and_reject_naming_the_field() -> None:
    assert parse_category(SessionModality, "Modalidad", "En línea") is SessionModality.ONLINE
    assert parse_category(Channel, "Medio", "telefono") is Channel.PHONE
    assert VisitKind.PHONE.label != SessionModality.PHONE.label  # equal values, own labels
    with pytest.raises(InvalidField, match=r"^Modalidad: elija una de") as caught:
        parse_category(SessionModality, "Modalidad", "secreto-123")
    assert "secreto-123" not in caught.value.message


def test_sealed_values_are_all_the_domain_holds_of_what_staff_wrote() -> None:
    case, lawyer = assigned_case()
    case.give_legal_advice(uuid4(), LegalMatter.CRIMINAL, Sealed(b"\x02x"), OPENED, lawyer)
    assert isinstance(case.services.legal_advice[0].notes, Sealed)
