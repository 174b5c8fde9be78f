"""Whoever opened a case today reads back its entrevista inicial without a reason (issue 12:
recepción had to break the glass on what she had just typed). Anyone else, any other day or
any other section still goes through the section's rule (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.vocabulary import Role, Section
from tests.support.factories import a_client, an_intake, staff
from violeta.service import Institute, JustificationRequired, StaffSession

REASON = "Seguimiento sintético de su propia entrevista"


def reads_of(session: StaffSession, reader: StaffSession) -> list[tuple[str, bool]]:
    session.refresh()
    rows = session._views.query(
        "SELECT section, exceptional FROM access_log WHERE staff_id = ? AND action = 'ver' "
        "ORDER BY at",
        (str(reader.identity.staff_id),),
    )
    return [(row["section"], bool(row["exceptional"])) for row in rows]


def test_recepcion_reads_the_intake_she_opened_today_and_nothing_more(
    institute: Institute, coordinator: StaffSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    reception = staff(institute, coordinator, "recepcion", Role.RECEPTION)
    colleague = staff(institute, coordinator, "recepcion2", Role.RECEPTION)
    case = reception.open_case(reception.register_client(a_client()), an_intake())

    detail = reception.case_detail(case.case_id, Section.INTAKE)

    assert detail.narrative == "Relato sintético de prueba."
    assert detail.opened_by_reader_today and not detail.exceptional_access
    assert reads_of(coordinator, reception) == [(Section.INTAKE.value, False)]
    # Another receptionist, and another section of hers, still need a reason.
    with pytest.raises(JustificationRequired):
        colleague.case_detail(case.case_id, Section.INTAKE)
    with pytest.raises(JustificationRequired):
        reception.case_detail(case.case_id, Section.LEGAL)
    assert not colleague.case_detail(case.case_id, Section.INTAKE, REASON).opened_by_reader_today
    # The next day it is a case like any other.
    tomorrow = institute.today() + timedelta(days=1)
    monkeypatch.setattr(institute, "today", lambda: tomorrow)
    with pytest.raises(JustificationRequired):
        reception.case_detail(case.case_id, Section.INTAKE)
    again = reception.case_detail(case.case_id, Section.INTAKE, REASON)
    assert again.exceptional_access and not again.opened_by_reader_today
    assert reads_of(coordinator, reception)[-1] == (Section.INTAKE.value, True)
