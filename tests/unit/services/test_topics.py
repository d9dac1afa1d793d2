"""The topics service over a store of our own: the alerts' look (rule tag_spike, subject
the tag) and the daily trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.services.topics import Topics
from tests.support.fakes import SettableClock

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


class Uses:
    def __init__(self, uses: list[tuple[str, datetime]]) -> None:
        self._uses = uses

    async def uses(
        self, since: datetime, until: datetime, queue: str = "", channel: str = ""
    ) -> list[tuple[str, datetime]]:
        return [u for u in self._uses if since < u[1] <= until]

    async def tickets(
        self, tag: str, since: datetime, limit: int = 50
    ) -> list[tuple[int, str, datetime]]:
        return []


async def test_a_spike_is_a_breach_for_the_targets_alerts() -> None:
    burst = [("outage", NOW - timedelta(minutes=m)) for m in range(1, 8)]
    quiet = [("billing", NOW - timedelta(minutes=5))]
    topics = Topics(Uses([*burst, *quiet]), SettableClock(NOW))
    assert await topics.breaches() == {("tag_spike", "outage"): (7.0, 5.0)}


async def test_the_trend_by_day() -> None:
    since = NOW.replace(hour=0) - timedelta(days=1)
    uses = [("a", since + timedelta(hours=2)), ("a", since + timedelta(hours=30))]
    topics = Topics(Uses(uses), SettableClock(NOW))
    assert await topics.trend(since, NOW, daily=True) == {"a": [1, 1]}
