"""A case section as staff see it: its notes and its structured records, in one audited read.

The records come from every area (legal advice, psychological sessions, gestiones,
follow-ups, protection orders, referrals; opened by violeta/section_views.py) and the read is
violeta/queries/sections.py ``case_detail``. Each
record becomes a titled entry with Spanish labelled details; values that are empty are left
out, so a screen shows only what was recorded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain import identity
from violeta.dto import (
    AccompanimentView,
    FollowUpView,
    LegalSectionView,
    ProtectionOrderView,
    PsychologySectionView,
    RecordEntry,
    ReferralView,
    SocialWorkSectionView,
)


def legal_entries(view: LegalSectionView) -> tuple[RecordEntry, ...]:
    return (
        *(
            _entry(
                f"Asesoría jurídica · {advice.matter}",
                advice.given_on,
                advice.given_by,
                ("Notas", advice.notes),
            )
            for advice in view.advice
        ),
        *(
            _entry(
                "Decisión de acompañamiento ante la Fiscalía: "
                + ("se acompaña" if decision.accompany else "no se acompaña"),
                decision.decided_on,
                decision.decided_by,
                ("Gravedad", _yes_no(decision.severity)),
                ("Carece de recursos económicos", _yes_no(decision.lacks_resources)),
                ("Plazo legal inminente", _date(decision.deadline) or "No"),
                ("Desconoce el procedimiento", _yes_no(decision.unfamiliar_with_procedure)),
            )
            for decision in view.decisions
        ),
        *accompaniment_entries(view.accompaniments),
        *(
            _entry(
                f"Reporte de actuación · {report.institution}",
                report.reported_on,
                "",
                ("Conducta", report.conduct),
                ("Hechos", report.facts),
                ("Reportado a", report.reported_to),
                ("Estado", report.status),
            )
            for report in view.misconduct_reports
        ),
    )


def psychology_entries(view: PsychologySectionView) -> tuple[RecordEntry, ...]:
    sessions = (
        _entry(
            f"Sesión {session.modality.lower()}",
            session.held_on,
            session.held_by,
            ("Notas", session.notes),
            ("Próxima sesión", _date(session.next_session)),
        )
        for session in view.sessions
    )
    closed = (
        (_entry("Proceso psicológico concluido", view.closed_on, ""),)
        if view.closed_on is not None
        else ()
    )
    return (*sessions, *closed)


def social_work_entries(view: SocialWorkSectionView) -> tuple[RecordEntry, ...]:
    return (
        *(
            _entry(
                f"Gestión · {item.institution}",
                item.done_on,
                item.done_by,
                ("Gestión", item.what),
                ("Resultado", item.outcome),
            )
            for item in view.gestiones
        ),
        *(
            _entry(
                f"Visita {item.kind.lower()}",
                item.visited_on,
                item.visited_by,
                ("Notas", item.notes),
            )
            for item in view.visits
        ),
        *accompaniment_entries(view.accompaniments),
    )


def accompaniment_entries(items: Iterable[AccompanimentView]) -> tuple[RecordEntry, ...]:
    return tuple(
        _entry(
            f"Acompañamiento · {item.authority}",
            item.performed_on,
            item.performed_by,
            ("Notas", item.notes),
        )
        for item in items
    )


def follow_up_entries(views: Iterable[FollowUpView]) -> tuple[RecordEntry, ...]:
    return tuple(
        _entry(
            f"Seguimiento programado · {item.channel} · {item.state}",
            item.due_on,
            "",
            ("Resultado registrado el", _date(item.settled_on)),
            ("Resultado", item.outcome),
        )
        for item in views
    )


def protection_order_entries(views: Iterable[ProtectionOrderView]) -> tuple[RecordEntry, ...]:
    return tuple(
        _entry(
            f"Orden de protección {order.kind.lower()}",
            order.issued_on,
            "",
            ("Autoridad que la emitió", order.authority),
            ("Medidas", ", ".join(order.measures)),
            ("Detalle", order.detail),
            ("Vence", _date(order.expires_on) + (" (prorrogada)" if order.extended else "")),
        )
        for order in views
    )


def referral_entries(views: Iterable[ReferralView]) -> tuple[RecordEntry, ...]:
    return tuple(
        _entry(
            f"Canalización · {referral.institution}",
            referral.made_on,
            referral.made_by,
            ("Motivo", referral.reason),
            ("Con datos personales", _yes_no(referral.with_personal_data)),
            ("Sin consentimiento; autorizó coordinación", referral.consent_override_reason),
            ("Resultado", referral.outcome),
            ("Fecha del resultado", _date(referral.outcome_on)),
            ("Nota del resultado", referral.outcome_note),
        )
        for referral in views
    )


def _entry(title: str, on: date | None, by: str, *details: tuple[str, str]) -> RecordEntry:
    return RecordEntry(
        title=title,
        on=on,
        by=by,
        details=tuple((label, value) for label, value in details if value),
    )


def _date(value: date | None) -> str:
    return identity.format_date(value) if value is not None else ""


def _yes_no(value: bool) -> str:
    return "Sí" if value else "No"
