"""Releases: closed months only, frozen until the next scheduled one, audited with the last."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import texts
from projections.catalogue import TOTAL
from projections.disclosure import primary
from projections.releases import (
    ReleaseRefused,
    ReleaseStore,
    information_loss,
    last_closed_month,
    protection,
    publish_due,
)
from projections.statistics import Month, SQLiteReader, release_body, releases
from projections.views import SCHEMA
from tests.support.release_views import write_case_counts

ZONES = [("110110001", "Cortazar"), ("110110054", "Tierra Fría"), ("110110022", "El Huizache")]


def _cases() -> dict[tuple[str, str], int]:
    table = {}
    for month in range(1, 13):
        table[(f"2024-{month:02d}", "110110001")] = 8 + month % 5
        table[(f"2024-{month:02d}", "110110054")] = 1 + month % 3
    table[("2024-03", "110110022")] = 5
    return table


def _publish(path: Path, day: date) -> object:
    return publish_due(SQLiteReader(path), ReleaseStore(path=path), day)


def _cell(path: Path, number: int, table: str, **dims: str) -> dict[str, object]:
    body = release_body(SQLiteReader(path), number)
    assert body is not None
    for cell in body["tablas"][table]["celdas"]:
        if all(cell["dimensiones"][d] == v for d, v in dims.items()):
            return dict(cell)
    raise AssertionError(dims)


@pytest.mark.parametrize(
    ("today", "lag", "closed"),
    [
        (date(2025, 1, 16), 15, "2024-12"),
        (date(2025, 1, 15), 15, "2024-11"),
        (date(2025, 3, 1), 0, "2025-02"),
        (date(2025, 3, 1), 31, "2024-12"),
    ],
)
def test_a_month_enters_only_after_it_closed_and_the_lag_passed(
    today: date, lag: int, closed: str
) -> None:
    assert last_closed_month(today, lag) == Month.parse(closed)


def test_a_negative_lag_is_refused_in_spanish() -> None:
    with pytest.raises(ValueError, match="no puede ser negativo"):
        last_closed_month(date(2025, 1, 1), -1)


def test_the_current_month_is_never_published(tmp_path: Path) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _cases()
    cases[("2025-01", "110110001")] = 40
    write_case_counts(path, cases, ZONES)
    release = _publish(path, date(2025, 1, 20))
    assert release is not None
    body = release_body(SQLiteReader(path), 1)
    assert body is not None
    assert body["periodo"] == {"desde": "2024-01", "hasta": "2024-12"}
    months = {c["dimensiones"]["mes"] for c in body["tablas"]["expedientes/por_mes"]["celdas"]}
    assert "2025-01" not in months


def test_the_release_carries_full_margins_that_add_up(tmp_path: Path) -> None:
    path = tmp_path / "vistas.sqlite"
    write_case_counts(path, _cases(), ZONES)
    _publish(path, date(2025, 1, 20))
    grand = _cell(path, 1, "expedientes/por_mes", anio="*", mes="*")
    assert grand["valor"] == sum(_cases().values())
    year = _cell(path, 1, "expedientes/por_zona_y_anio", zona="*", anio="2024")
    assert year["valor"] == grand["valor"]
    cortazar = _cell(path, 1, "expedientes/por_zona_y_anio", zona="110110001", anio="*")
    assert cortazar["valor"] == sum(n for (_, z), n in _cases().items() if z == "110110001")
    # The small zone's year total has 24 cases: published; its months are not in this table.
    small = _cell(path, 1, "expedientes/por_zona_y_anio", zona="110110054", anio="2024")
    assert small["valor"] == 24


def test_a_release_is_computed_once_and_served_identically_until_the_next(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    write_case_counts(path, _cases(), ZONES)
    assert _publish(path, date(2025, 1, 20)) is not None
    first = release_body(SQLiteReader(path), 1)
    for day in (date(2025, 1, 25), date(2025, 2, 15)):
        assert _publish(path, day) is None
    assert release_body(SQLiteReader(path), 1) == first
    assert len(releases(SQLiteReader(path))) == 1


def test_a_release_that_fails_its_audit_is_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _cases()
    cases[("2024-03", "110110022")] = 2
    write_case_counts(path, cases, ZONES)
    # A protection that only hides the small cells: the audit must catch it.
    monkeypatch.setattr(
        protection,
        "protect",
        lambda problem, k, hidden=None: primary(problem.values, k),
    )
    with pytest.raises(ReleaseRefused, match="auditoría"):
        _publish(path, date(2025, 1, 20))
    assert releases(SQLiteReader(path)) == ()


def test_the_information_loss_is_printed_per_source(tmp_path: Path) -> None:
    path = tmp_path / "vistas.sqlite"
    write_case_counts(path, _cases(), ZONES)
    release = _publish(path, date(2025, 1, 20))
    assert release is not None
    lines = information_loss(release)  # type: ignore[arg-type]
    assert any(line.startswith("expedientes: ") and "auditoría aprobada" in line for line in lines)


def test_consent_withdrawal_and_a_new_case_in_a_small_zone_reach_only_the_next_release(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _cases()
    write_case_counts(path, cases, ZONES)
    assert _publish(path, date(2025, 1, 20)) is not None
    published = _cell(path, 1, "expedientes/por_zona_y_anio", zona="110110022", anio="2024")
    assert published["valor"] == 5
    first = release_body(SQLiteReader(path), 1)

    # The attack of the issue: one woman of El Huizache withdraws her consent (5 → 4), and a
    # new case is opened in Tierra Fría; someone polls the API every day.
    cases[("2024-03", "110110022")] = 4
    cases[("2025-01", "110110054")] = 1
    write_case_counts(path, cases, ZONES)
    for day in range(21, 32):
        assert _publish(path, date(2025, 1, day)) is None
    for day in range(1, 16):
        assert _publish(path, date(2025, 2, day)) is None
    assert release_body(SQLiteReader(path), 1) == first

    # The next scheduled release carries both changes, protected together with the first.
    second = _publish(path, date(2025, 2, 16))
    assert second is not None
    body = release_body(SQLiteReader(path), 2)
    assert body is not None
    now = _cell(path, 2, "expedientes/por_zona_y_anio", zona="110110022", anio="2024")
    assert now["valor"] is None
    assert now["marca"] == "<5"
    report = body["perdida_de_informacion"]["expedientes"]
    assert report["auditoria"]["aprobada"] is True
    assert report["auditoria"]["auditorias_conjuntas"] >= 1
    # Nothing suppressed in the first release is published in the second.
    for table, content in first["tablas"].items():
        for cell in content["celdas"]:
            if cell.get("marca") is not None:
                again = _cell(path, 2, table, **cell["dimensiones"])
                assert again["valor"] is None


def test_the_api_body_holds_no_true_value_of_a_suppressed_cell(tmp_path: Path) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _cases()
    write_case_counts(path, cases, ZONES)
    _publish(path, date(2025, 1, 20))
    body = release_body(SQLiteReader(path), 1)
    text = json.dumps(body)
    assert "valor_real" not in text
    for content in body["tablas"].values():  # type: ignore[union-attr]
        for cell in content["celdas"]:
            if cell.get("marca"):
                assert cell["valor"] is None


small_counts = st.dictionaries(
    st.tuples(st.sampled_from([f"2024-{m:02d}" for m in range(1, 7)]), st.sampled_from(ZONES)).map(
        lambda pair: (pair[0], pair[1][0])
    ),
    st.integers(0, 12),
    min_size=1,
    max_size=18,
)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(small_counts, st.integers(3, 6))
def test_every_release_of_a_random_store_is_protected_audited_and_adds_up(
    tmp_path_factory: pytest.TempPathFactory, cases: dict[tuple[str, str], int], k: int
) -> None:
    path = tmp_path_factory.mktemp("random") / "vistas.sqlite"
    write_case_counts(path, cases, ZONES)
    release = publish_due(SQLiteReader(path), ReleaseStore(path=path), date(2024, 8, 1), k=k)
    assert release is not None
    body = release.body  # type: ignore[attr-defined]
    for content in body["tablas"].values():
        if not content["protegida"]:
            continue
        for cell in content["celdas"]:
            assert cell["valor"] is None or cell["valor"] == 0 or cell["valor"] >= k
    assert all(
        report["auditoria"]["aprobada"] for report in body["perdida_de_informacion"].values()
    )
    # A cell shown by two tables (a year total, the grand total) reads the same in both.
    shown: dict[tuple[str, tuple[str, ...]], tuple[object, object]] = {}
    for content in body["tablas"].values():
        for cell in content["celdas"]:
            key = (content["fuente"], tuple(cell["clave"]))
            seen = (cell.get("valor"), cell.get("marca"))
            assert shown.setdefault(key, seen) == seen
    grand = next(
        c
        for c in body["tablas"]["expedientes/por_mes"]["celdas"]
        if c["dimensiones"] == {"anio": "*", "mes": "*"}
    )
    total = sum(n for (month, _), n in cases.items() if month <= "2024-06")
    assert grand["valor"] in (None, total)


# readside's count table of cases by violence type (projections/stats_tables.py).
VIOLENCE_DDL = (
    "CREATE TABLE IF NOT EXISTS stats_cases_violence (month TEXT NOT NULL, zone TEXT NOT NULL, "
    "violence_type TEXT NOT NULL, cases INTEGER NOT NULL, "
    "PRIMARY KEY (month, zone, violence_type))"
)


def test_several_types_per_case_are_published_with_their_note_and_bound_the_cases(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vistas.sqlite"
    cases = _cases()
    write_case_counts(path, cases, ZONES)
    connection = sqlite3.connect(path)
    connection.execute(VIOLENCE_DDL)
    # Every case is psychological; some are also physical (one case, several types).
    rows = []
    for (month, zone), n in cases.items():
        rows.append((month, zone, "psicologica", n))
        if n > 2:
            rows.append((month, zone, "fisica", n // 3))
    connection.executemany("INSERT INTO stats_cases_violence VALUES (?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()

    release = _publish(path, date(2025, 1, 20))
    assert release is not None
    body = release.body  # type: ignore[attr-defined]
    table = body["tablas"]["expedientes/por_tipo_de_violencia_y_anio"]
    assert table["varios_por_expediente"] is True
    assert any("no suman el total" in note for note in table["notas"])
    total = next(c for c in table["celdas"] if c["dimensiones"] == {"violencia": "*", "anio": "*"})
    assert total["etiquetas"]["violencia"] == "Total de menciones"
    psychological = next(
        c
        for c in table["celdas"]
        if c["dimensiones"] == {"violencia": "psicologica", "anio": "2024"}
    )
    assert psychological["valor"] == sum(cases.values())
    report = body["perdida_de_informacion"]["expedientes"]
    assert report["fuentes"][0] == "expedientes"
    assert "expedientes_violencia" in report["fuentes"]
    assert report["auditoria"]["desigualdades"] > 0
    assert report["auditoria"]["aprobada"] is True
    for cell in table["celdas"]:
        assert cell["valor"] is None or cell["valor"] == 0 or cell["valor"] >= 5


def test_rebuilding_the_views_keeps_every_release_as_published(tmp_path: Path) -> None:
    from projections.storage import SQLiteViewStore

    path = tmp_path / "vistas.sqlite"
    write_case_counts(path, _cases(), ZONES)
    _publish(path, date(2025, 1, 20))
    before = release_body(SQLiteReader(path), 1)
    views = SQLiteViewStore(path, SCHEMA)
    views.reset()  # what «violeta rebuild» does before replaying the events
    views.close()
    assert release_body(SQLiteReader(path), 1) == before
    # The next release starts from the rebuilt (here: empty) counts, numbered after it.
    store = ReleaseStore(path=path)
    latest = store.latest()
    assert latest is not None
    assert latest.number == 1


# Cases per zone over 34 months in the 2,000-case demo (violeta demo --cases 2000).
DEMO_ZONES = {
    "110110001": 1354,
    "110110999": 285,
    "110110054": 66,
    "110110022": 52,
    "110110006": 38,
    "110110003": 31,
    "110110031": 30,
    "110110017": 27,
    "110110026": 20,
    "110110045": 15,
}


def test_a_demo_sized_institute_publishes_its_month_zone_and_grand_totals(tmp_path: Path) -> None:
    """The issue's information-loss goal: on 2,000 cases over three years, at least 90 % of
    month totals, every zone's total of a year and the grand total are published."""
    import random

    rng = random.Random(2026)
    months = [f"{year}-{month:02d}" for year in (2024, 2025, 2026) for month in range(1, 13)]
    cases: dict[tuple[str, str], int] = {}
    for zone, total in DEMO_ZONES.items():
        for _ in range(total):
            key = (rng.choice(months[:34]), zone)
            cases[key] = cases.get(key, 0) + 1
    path = tmp_path / "vistas.sqlite"
    write_case_counts(path, cases, ZONES)
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT OR REPLACE INTO zones_view VALUES (?, ?, 'R', 500)",
        [(zone, f"Zona {zone[-3:]}") for zone in DEMO_ZONES],
    )
    connection.commit()
    connection.close()

    release = _publish(path, date(2026, 11, 16))
    assert release is not None
    body = release.body  # type: ignore[attr-defined]
    by_month = body["tablas"]["expedientes/por_mes"]["celdas"]
    month_cells = [c for c in by_month if TOTAL not in c["dimensiones"].values()]
    published = [c for c in month_cells if c["valor"] is not None]
    assert len(published) >= 0.9 * len(month_cells)
    by_zone = body["tablas"]["expedientes/por_zona_y_anio"]["celdas"]
    for cell in by_zone:
        if cell["dimensiones"]["anio"] == TOTAL or cell["dimensiones"]["zona"] == TOTAL:
            assert cell["valor"] is not None, cell["dimensiones"]
    grand = next(c for c in by_month if set(c["dimensiones"].values()) == {TOTAL})
    assert grand["valor"] == sum(DEMO_ZONES.values())
    print(*information_loss(release), sep="\n")  # type: ignore[arg-type]


def test_the_methodology_says_which_earlier_releases_the_audit_holds() -> None:
    rule = texts.audit_rule(5)
    # The previous release and, for each cell it hid, the last one that published it; and a
    # cell hidden once may be published again (it was said to stay hidden forever).
    assert "la última que la publicó" in rule
    assert "tras la cual una celda" in rule  # and those after which a cell's part is small
    assert "puede publicarse de nuevo" in rule
    assert "sigue suprimida" not in rule
    assert "zonas prioritarias" in rule and "«confidencial»" in rule
