"""Tag spikes as data: a tag's last hour against its own history for that hour of the
week — a usual Monday morning is no spike, a burst is, a handful never is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.topics import HOUR, WEEK, SpikePolicy, hourly, poisson_threshold, spikes

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # a Monday, 11:00


def at(hours_ago: float, n: int, tag: str = "billing") -> list[tuple[str, datetime]]:
    when = NOW - timedelta(hours=hours_ago)
    return [(tag, when - timedelta(seconds=i + 1)) for i in range(n)]


def test_the_poisson_threshold_rises_with_the_expectation() -> None:
    assert [poisson_threshold(x, 0.001) for x in (0.2, 1, 5, 10)] == [4, 6, 14, 22]


def test_a_usual_hour_is_no_spike_and_a_burst_is() -> None:
    history = [u for week in range(1, 5) for u in at(week * 168, 10)]  # 10 every Monday 10-11
    assert spikes([*history, *at(0, 12)], NOW) == []  # 12 against an expected ~7.5
    [spike] = spikes([*history, *at(0, 40)], NOW)
    assert (spike.tag, spike.count) == ("billing", 40)
    assert spike.expected > 5


def test_a_handful_is_never_a_spike_and_history_elsewhere_counts_a_little() -> None:
    assert spikes(at(0, 4, "outage"), NOW) == []  # under min_count
    assert [s.tag for s in spikes(at(0, 5, "outage"), NOW)] == ["outage"]
    busy_elsewhere = [u for day in range(1, 28) for u in at(day * 24 + 5, 30, "outage")]
    assert spikes([*busy_elsewhere, *at(0, 5, "outage")], NOW, SpikePolicy(blend=1.0)) == []


def test_the_same_hour_of_week_is_the_hour_just_ended_weeks_ago() -> None:
    inside = NOW - HOUR - WEEK + timedelta(minutes=30)
    outside = NOW - WEEK - timedelta(minutes=90)  # the hour before that, a week ago
    quiet = spikes([("x", outside)] * 20 + at(0, 8, "x"), NOW, SpikePolicy(blend=0))
    loud = spikes([("x", inside)] * 20 + at(0, 8, "x"), NOW, SpikePolicy(blend=0))
    assert [s.tag for s in quiet] == ["x"]
    assert loud == []


def test_counts_per_hour() -> None:
    since = NOW - 3 * HOUR
    uses = [("a", since + timedelta(minutes=5)), ("a", since + 2 * HOUR), ("b", since - HOUR)]
    assert hourly(uses, since) == {"a": [1, 0, 1]}
