"""The importer against hostile spreadsheets (Hypothesis): control characters, terminal
escapes, bidi marks, huge cells, invalid bytes, SQL. Either the file is refused with a Spanish
message and nothing is stored, or each row is imported whole or refused whole; the report
never carries a control character, and the store is never touched by a refused row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidField
from tests.support.factories import initialized
from violeta.importing import ImportReport
from violeta.service import StaffSession
from violeta.settings import Settings

HOSTILE = st.sampled_from(
    [
        "\x1b]0;PWNED\x07",
        "\x1b[2J\x1b[H",
        "\u202eanigiro\u202c",
        "\u2066aislado\u2069",
        "\x00",
        "\x9b31m",
        "'; DROP TABLE stored_events; --",
        '" OR 1=1 --',
        "\r\n",
        "é" * 50_000,
        "x" * 140_000,
    ]
)
CELL = st.one_of(
    st.text(max_size=40), HOSTILE, st.builds(lambda a, b: a + b, st.text(max_size=10), HOSTILE)
)
RAW_TAIL = st.binary(max_size=200)
COLUMNS = ["nombre", "fecha_nacimiento", "zona", "relato", "motivo", "tipos", "riesgo", "notas"]


def _stored(session: StaffSession) -> int:
    return session._store.recorder.max_notification_id() or 0


def _sheet(rows: list[list[str]], header: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _outcome(session: StaffSession, path: Path) -> ImportReport | InvalidField:
    try:
        return session.import_csv(path)
    except InvalidField as refused:
        return refused


def test_hostile_spreadsheets_are_refused_cleanly(data_dir: Path, tmp_path: Path) -> None:
    with initialized(Settings(data=data_dir)) as (_, coordinator):
        _fuzz(coordinator, tmp_path / "hoja.csv")


def _fuzz(coordinator: StaffSession, path: Path) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        header_extra=st.lists(CELL, max_size=2),
        rows=st.lists(st.lists(CELL, min_size=3, max_size=8), max_size=4),
        tail=RAW_TAIL,
    )
    def check(header_extra: list[str], rows: list[list[str]], tail: bytes) -> None:
        header = COLUMNS[:3] + header_extra
        path.write_bytes(_sheet(rows, header).encode("utf-8") + tail)
        before = _stored(coordinator)
        report = _outcome(coordinator, path)
        if isinstance(report, InvalidField):
            assert report.field == "Archivo"
            assert report.problem.isprintable()
            assert _stored(coordinator) == before
            return
        for line in report.lines():
            assert line.isprintable(), repr(line)
        # Every row accounted for: imported (with its access event) or refused.
        assert report.clients + len(report.errors) <= report.rows
        if report.clients == 0:
            # Only the closing import event.
            assert _stored(coordinator) == before + 1

    check()
