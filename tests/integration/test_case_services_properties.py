"""Property: any invalid input to a service on a case or to a work-plan activity is rejected
with a Spanish message that names the field, and nothing at all is stored (the event store's
last notification id stays)."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import identity
from domain.activities import ActivityKind
from domain.cases import (
    Channel,
    GestionOutcome,
    LegalMatter,
    MisconductConduct,
    OrderKind,
    ProtectionMeasure,
    ServiceEnum,
    SessionModality,
    VisitKind,
)
from domain.errors import InvalidField
from domain.vocabulary import Role
from tests.support.factories import a_client, an_intake, staff
from violeta.dto import NewActivity
from violeta.service import Institute, StaffSession

DATE_SHAPE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")


def not_a_date() -> st.SearchStrategy[str]:
    """Never blank: a blank date means "today" or "none" where it is optional."""
    return st.one_of(
        st.text(min_size=1, max_size=12).filter(
            lambda t: t.strip() != "" and not DATE_SHAPE.fullmatch(t.strip())
        ),
        st.sampled_from(["31/02/2026", "00/01/2026", "15/13/2026", "29/02/2027"]),
    )


def not_past_or_today() -> st.SearchStrategy[str]:
    return st.one_of(not_a_date(), st.sampled_from(["21/11/2026", "01/01/2030"]))


def not_text(max_length: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=" \t", max_size=3),
        st.integers(max_length + 1, max_length + 40).map(lambda n: "a" * n),
        st.text(alphabet="abc ", min_size=1, max_size=8).map(lambda t: f"x{t}\x07{t}"),
    )


def not_one_of(kind: type[ServiceEnum]) -> st.SearchStrategy[str]:
    valid = {m.value for m in kind} | {m.label.casefold() for m in kind}
    return st.text(max_size=20).filter(lambda t: t.strip().casefold() not in valid)


Command = Callable[[str], object]


def commands(
    lawyer: StaffSession, psychologist: StaffSession, social: StaffSession, case_id: UUID
) -> list[tuple[str, Command, st.SearchStrategy[str]]]:
    notes_max = identity.NARRATIVE_MAX

    def decide(deadline: str) -> object:
        lawyer.decide_accompaniment(
            case_id,
            severity=True,
            lacks_resources=False,
            deadline=deadline,
            unfamiliar_with_procedure=False,
            accompany=True,
        )
        return None

    def order(**typed: object) -> Command:
        def run(value: str) -> object:
            values: dict[str, object] = {
                "kind": "administrativa",
                "measures": ("otra",),
                "detail": "Detalle sintético.",
                "authority": "Ministerio Público",
                "issued_on": "",
            }
            values.update(
                {key: (value if spec is None else spec(value)) for key, spec in typed.items()}
            )
            return lawyer.record_protection_order(case_id, **values)  # type: ignore[arg-type]

        return run

    def activity(**typed: object) -> Command:
        def run(value: str) -> object:
            values: dict[str, object] = {
                "held_on": "",
                "kind": "taller",
                "topic": "Autoestima",
                "zone": "110110001",
                "attendance": {"18-29": "4"},
                "partner": "",
            }
            values.update(
                {key: (value if spec is None else spec(value)) for key, spec in typed.items()}
            )
            return lawyer.record_activity(NewActivity(**values))  # type: ignore[arg-type]

        return run

    return [
        (
            "Materia",
            lambda v: lawyer.give_legal_advice(case_id, v, "Notas."),
            not_one_of(LegalMatter),
        ),
        (
            "Notas de la asesoría",
            lambda v: lawyer.give_legal_advice(case_id, "familiar", v),
            not_text(notes_max),
        ),
        (
            "Fecha de la asesoría",
            lambda v: lawyer.give_legal_advice(case_id, "familiar", "Notas.", v),
            not_past_or_today(),
        ),
        ("Vencimiento del término jurídico", decide, not_a_date()),
        (
            "Conducta",
            lambda v: lawyer.report_misconduct(
                case_id, institution="Fiscalía", conduct=v, facts="Hechos.", reported_to="Titular"
            ),
            not_one_of(MisconductConduct),
        ),
        (
            "Hechos",
            lambda v: lawyer.report_misconduct(
                case_id, institution="Fiscalía", conduct="otra", facts=v, reported_to="Titular"
            ),
            not_text(notes_max),
        ),
        (
            "Modalidad",
            lambda v: psychologist.record_psychology_session(case_id, modality=v, notes="Notas."),
            not_one_of(SessionModality),
        ),
        (
            "Próxima sesión",
            lambda v: psychologist.record_psychology_session(
                case_id, modality="presencial", notes="Notas.", next_session=v
            ),
            not_a_date(),
        ),
        (
            "Institución",
            lambda v: social.record_gestion(
                case_id, what="Beca.", institution=v, outcome="favorable"
            ),
            not_text(160),
        ),
        (
            "Resultado",
            lambda v: social.record_gestion(case_id, what="Beca.", institution="DIF", outcome=v),
            not_one_of(GestionOutcome),
        ),
        (
            "Tipo de visita",
            lambda v: social.record_social_visit(case_id, kind=v, notes="Notas."),
            not_one_of(VisitKind),
        ),
        (
            "Fecha programada",
            lambda v: social.schedule_follow_up(case_id, v, "teléfono"),
            not_a_date(),
        ),
        (
            "Medio",
            lambda v: social.schedule_follow_up(case_id, "25/11/2026", v),
            not_one_of(Channel),
        ),
        ("Tipo de orden", order(kind=None), not_one_of(OrderKind)),
        ("Medidas", order(measures=lambda v: (v,)), not_one_of(ProtectionMeasure)),
        ("Detalle de las medidas", order(detail=None), not_text(notes_max)),
        ("Fecha de emisión", order(issued_on=None), not_past_or_today()),
        (
            "Motivo del cierre",
            lambda v: lawyer.request_closure(case_id, v),
            not_text(identity.SHORT_TEXT_MAX),
        ),
        ("Tipo de actividad", activity(kind=None), not_one_of(ActivityKind)),
        ("Tema", activity(topic=None), not_text(identity.SHORT_TEXT_MAX)),
        ("Fecha", activity(held_on=None), not_past_or_today()),
        ("Institución aliada", activity(partner=None), not_text(160).filter(str.strip)),
        (
            "Asistentes de 18-29",
            activity(attendance=lambda v: {"18-29": v}),
            st.text(min_size=1, max_size=8).filter(lambda t: t.strip() and not t.strip().isdigit()),
        ),
    ]


def test_random_invalid_commands_are_rejected_naming_the_field_and_store_nothing(
    institute: Institute, coordinator: StaffSession
) -> None:
    lawyer = staff(institute, coordinator, "abogada", Role.LEGAL)
    psychologist = staff(institute, coordinator, "psicologa", Role.PSYCHOLOGY)
    social = staff(institute, coordinator, "trabajadora", Role.SOCIAL_WORK)
    client_id = coordinator.register_client(a_client())
    case_id = coordinator.open_case(client_id, an_intake()).case_id
    coordinator.assign_area(case_id, "juridica", lawyer.identity.staff_id)
    table = commands(lawyer, psychologist, social, case_id)
    recorder = coordinator._store.recorder

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        field, command, invalid = data.draw(st.sampled_from(table))
        value = data.draw(invalid)
        before = recorder.max_notification_id()
        with pytest.raises(InvalidField) as error:
            command(value)
        assert error.value.field == field
        assert error.value.message.startswith(f"{field}: ")
        assert recorder.max_notification_id() == before

    check()
