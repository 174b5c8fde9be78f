"""The anomaly rules as a pure function over the trail: windows, thresholds, one alert per
burst, the sweep position, office hours in Mexico City."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.alerts import AlertRule
from violeta.alerts import _Access, detect
from violeta.settings import AlertThresholds

START = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # Monday 10:00 in Mexico City
OPEN = AlertThresholds()


def access(
    seq: int,
    minutes: float,
    *,
    staff: str = "s1",
    women: tuple[str, ...] = (),
    outcome: str = "concedido",
    action: str = "ver",
    role: str = "recepcion",
    exceptional: bool = False,
    weekday: int = 0,
    minute: int = 600,
) -> _Access:
    return _Access(
        seq=seq,
        access_id=f"a{seq}",
        at=START + timedelta(minutes=minutes),
        staff_id=staff,
        role=role,
        action=action,
        outcome=outcome,
        exceptional=exceptional,
        local_day="2026-11-16",
        weekday=weekday,
        minute=minute,
        women=set(women),
    )


def rules(flags: list[object]) -> list[AlertRule]:
    return [flag.rule for flag in flags]  # type: ignore[attr-defined]


def test_a_burst_is_more_than_the_threshold_of_distinct_women_inside_the_window() -> None:
    thresholds = OPEN.model_copy(update={"many_women": 3, "many_women_minutes": 10})
    same_woman_again = [access(i, i, women=("w1",)) for i in range(1, 10)]
    assert detect(same_woman_again, 0, set(), thresholds) == []
    spread = [access(i, i * 4, women=(f"w{i}",)) for i in range(1, 8)]  # 3 per 10 minutes
    assert detect(spread, 0, set(), thresholds) == []
    burst = [access(i, i, women=(f"w{i}",)) for i in range(1, 9)]
    [flag] = detect(burst, 0, set(), thresholds)
    assert flag.rule is AlertRule.MANY_WOMEN
    assert flag.women == 4
    assert flag.key == "s1:a4"


def test_a_woman_read_again_counts_once_and_leaves_the_window_with_her_last_read() -> None:
    thresholds = OPEN.model_copy(update={"many_women": 3, "many_women_minutes": 10})
    # w1 read twice, then three others: never more than three distinct in any window.
    reads = [
        access(1, 0, women=("w1",)),
        access(2, 5, women=("w1", "w2")),
        access(3, 12, women=("w3",)),  # w1's first read left, her second is still in
        access(4, 16, women=("w4",)),  # w1 and w2 left with the second read
        access(5, 17, women=("w5",)),
    ]
    assert detect(reads, 0, set(), thresholds) == []
    [flag] = detect([*reads, access(6, 18, women=("w6",))], 0, set(), thresholds)
    assert (flag.key, flag.women) == ("s1:a6", 4)


def test_a_long_burst_raises_again_only_after_a_whole_window() -> None:
    thresholds = OPEN.model_copy(update={"many_women": 3, "many_women_minutes": 10})
    burst = [access(i, i, women=(f"w{i}",)) for i in range(1, 30)]
    flags = detect(burst, 0, set(), thresholds)
    assert [f.key for f in flags] == ["s1:a4", "s1:a14", "s1:a24"]


def test_denied_reads_do_not_count_towards_a_burst_but_towards_denials() -> None:
    thresholds = OPEN.model_copy(update={"many_women": 1, "denials": 3, "denials_minutes": 60})
    denied = [access(i, i * 10, women=(f"w{i}",), outcome="denegado") for i in range(1, 4)]
    assert rules(detect(denied, 0, set(), thresholds)) == [AlertRule.REPEATED_DENIALS]
    spread = [access(i, i * 40, outcome="denegado") for i in range(1, 4)]  # 3 in 80 minutes
    assert detect(spread, 0, set(), thresholds) == []


def test_accesses_before_the_sweep_position_are_context_only() -> None:
    thresholds = OPEN.model_copy(update={"many_women": 3})
    burst = [access(i, i, women=(f"w{i}",)) for i in range(1, 6)]
    # Swept through a4 already: the crossing at a4 was raised then, a5 is the same burst.
    assert detect(burst, 4, set(), thresholds) == []
    glass = [access(1, 0, exceptional=True), access(2, 1, exceptional=True)]
    assert [f.key for f in detect(glass, 1, set(), OPEN)] == ["a2"]


def test_out_of_hours_groups_a_person_and_day() -> None:
    late = [access(1, 0, minute=19 * 60), access(2, 1, minute=19 * 60 + 5, women=("w1",))]
    early = [access(3, 2, minute=7 * 60 + 59, staff="s2")]
    saturday = [access(4, 3, weekday=5, staff="s3")]
    on_time = [access(5, 4, minute=8 * 60), access(6, 5, minute=17 * 60 + 59, staff="s4")]
    flags = detect(late + early + saturday + on_time, 0, set(), OPEN)
    assert sorted((f.key, len(f.accesses)) for f in flags) == [
        ("s1:2026-11-16", 2),
        ("s2:2026-11-16", 1),
        ("s3:2026-11-16", 1),
    ]


def test_unassigned_reads_count_only_for_roles_that_work_by_assignment() -> None:
    reads = [
        access(1, 0, role="juridica"),
        access(2, 1, role="coordinacion", staff="s2"),
        access(3, 2, role="juridica"),
    ]
    flags = detect(reads, 0, {"a1", "a2"}, OPEN)
    assert [(f.rule, f.staff_id, len(f.accesses)) for f in flags] == [
        (AlertRule.NOT_ASSIGNED, "s1", 1)
    ]


def test_unassigned_reads_of_one_woman_on_one_day_are_one_alert_whose_key_does_not_name_her() -> (
    None
):
    # Browsing a case she does not attend reads its sections one by one.
    sections = [access(i, i, role="juridica", women=("w1",)) for i in range(1, 6)]
    another = access(6, 7, role="juridica", women=("w2",))
    flags = detect([*sections, another], 0, {f"a{i}" for i in range(1, 7)}, OPEN)
    assert sorted(len(f.accesses) for f in flags) == [1, 5]
    assert {f.rule for f in flags} == {AlertRule.NOT_ASSIGNED}
    assert len({f.key for f in flags}) == 2
    assert not any("w1" in f.key or "w2" in f.key for f in flags)


def test_a_burst_within_a_window_of_her_last_alert_raises_nothing_after_it_raises_again() -> None:
    """The sweep tells ``detect`` when her last alert of a rule was (alerts_view) instead of
    replaying the burst that raised it."""
    thresholds = OPEN.model_copy(update={"many_women": 3, "many_women_minutes": 10})
    burst = [access(i, i, women=(f"w{i}",)) for i in range(1, 6)]
    last = {(AlertRule.MANY_WOMEN, "s1"): START - timedelta(minutes=2)}
    assert detect(burst, 0, set(), thresholds, last) == []  # a4, a5: within 10 minutes of it
    later = {(AlertRule.MANY_WOMEN, "s1"): START - timedelta(minutes=20)}
    assert [f.key for f in detect(burst, 0, set(), thresholds, later)] == ["s1:a4"]
    someone_else = {(AlertRule.MANY_WOMEN, "s2"): START}
    assert [f.key for f in detect(burst, 0, set(), thresholds, someone_else)] == ["s1:a4"]
