"""A long-lived session holds a bounded number of scanned notifications, whatever it writes."""

from __future__ import annotations

from domain.access import AccessRecord, Ids
from domain.vocabulary import Section
from tests.support.factories import a_client, an_intake
from violeta.following import UNPROJECTED_LIMIT
from violeta.service import StaffSession

WRITTEN = 5000
BATCH = 500


def test_a_session_that_writes_5000_events_holds_no_more_than_its_bound(
    coordinator: StaffSession,
) -> None:
    client_id = coordinator.register_client(a_client())
    staff_id = coordinator.identity.staff_id
    for _ in range(WRITTEN // BATCH):
        coordinator._store.save(
            *(
                AccessRecord(
                    staff_id=staff_id,
                    role="coordinacion",
                    action="ver",
                    section=Section.IDENTIFICATION.value,
                    client_ids=Ids([client_id]),
                    case_ids=Ids(),
                    purpose="prueba de memoria",
                    outcome="concedido",
                    exceptional=False,
                    justification="",
                )
                for _ in range(BATCH)
            )
        )
    held = []
    # Opening a case scans (it must see whether she changed) without reading the views.
    for _ in range(WRITTEN // 1000 + 2):
        coordinator.open_case(client_id, an_intake())
        held.append(len(coordinator._follower.unprojected))

    assert max(held) < UNPROJECTED_LIMIT < WRITTEN
    assert coordinator._follower.seen_up_to >= WRITTEN  # it did scan everything it wrote
    coordinator.refresh()
    logged = coordinator._views.query(
        "SELECT COUNT(*) AS n FROM access_log WHERE purpose = ?", ("prueba de memoria",)
    )
    assert logged[0]["n"] == WRITTEN  # nothing it let go of was lost to the views
