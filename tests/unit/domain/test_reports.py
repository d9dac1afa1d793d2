from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.domain.reports import (
    Interval,
    ReportError,
    Tally,
    Targets,
    bucket_start,
    check_range,
    csv_cell,
    figures,
    tally,
)

T = Targets(threshold=20, target=80, short_abandon=5)


def test_a_mornings_figures_follow_their_definitions() -> None:
    legs = [
        ("answered", 5.0, 100.0, 20.0, ""),
        ("answered", 30.0, 200.0, 0.0, "transfer"),
        ("abandoned", 2.0, 0.0, 0.0, ""),  # short: apart, out of every rate
        ("abandoned", 60.0, 0.0, 0.0, ""),
        ("timeout", 90.0, 0.0, 0.0, ""),  # overflowed: against the service level
        ("waiting", 10.0, 0.0, 0.0, ""),  # still waiting: not offered yet
    ]
    f = figures(tally(legs, T), T)
    assert (f.offered, f.answered, f.abandoned, f.short_abandoned, f.overflowed) == (5, 2, 1, 1, 1)
    assert f.transferred == 1
    assert f.service_level == pytest.approx(1 / 4)
    assert f.abandonment_rate == pytest.approx(1 / 4)
    assert f.average_speed_of_answer == pytest.approx(17.5)
    assert f.longest_wait == 90.0
    assert f.average_handle_time == pytest.approx(160.0)
    assert f.target_met is False


def test_tallies_merge_as_their_legs_would() -> None:
    a = [("answered", 5.0, 10.0, 0.0, ""), ("abandoned", 40.0, 0.0, 0.0, "")]
    b = [("answered", 25.0, 20.0, 5.0, "")]
    assert tally(a, T) + tally(b, T) == tally(a + b, T)
    assert (Tally() + tally(b, T)).longest_wait == 25.0


def test_nothing_offered_gives_no_rates() -> None:
    f = figures(Tally(), T)
    assert (f.service_level, f.abandonment_rate, f.average_speed_of_answer) == (None, None, None)
    assert f.target_met is None


@pytest.mark.parametrize(
    ("interval", "slot", "expected"),
    [
        (Interval.QUARTER, 37, (date(2026, 12, 2), 37)),
        (Interval.HOUR, 37, (date(2026, 12, 2), 36)),
        (Interval.DAY, 37, (date(2026, 12, 2), 0)),
        (Interval.WEEK, 37, (date(2026, 11, 30), 0)),  # the Monday
        (Interval.MONTH, 37, (date(2026, 12, 1), 0)),
    ],
)
def test_a_quarter_hour_belongs_to_its_interval(
    interval: Interval, slot: int, expected: tuple[date, int]
) -> None:
    assert bucket_start(date(2026, 12, 2), slot, interval) == expected


def test_a_range_is_refused_reversed_or_too_long_naming_to() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(ReportError, match="not after") as reversed_:
        check_range(start, start - timedelta(days=1), Interval.DAY)
    assert reversed_.value.field == "to"
    with pytest.raises(ReportError, match="at most 7 days of 15m") as too_long:
        check_range(start, start + timedelta(days=8), Interval.QUARTER)
    assert too_long.value.field == "to"
    check_range(start, start + timedelta(days=31), Interval.HOUR)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+7 916", "'+7 916"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-4.5", "-4.5"),  # a number stays a number
        ("+79161234567", "+79161234567"),
        ("support", "support"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_quoted(value: object, cell: str) -> None:
    assert csv_cell(value) == cell
