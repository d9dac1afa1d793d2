"""The alerts' look with another feature's breaches (promises drifting): raised once,
cleared when gone, and a failing source never stops the look at the others."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.alerts import Breaches
from callcenter.domain.reports import Targets
from callcenter.services.alerts import Alerts

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


async def test_another_features_breaches_are_raised_and_cleared_once() -> None:
    told: list[tuple[str, Mapping[str, Any]]] = []

    async def announce(kind: str, data: Mapping[str, Any]) -> None:
        told.append((kind, data))

    async def nothing() -> list[tuple[str, int, float]]:
        return []

    async def today() -> dict[str, Any]:
        return {}

    drift: Breaches = {("promise_median_left", "support"): (80.0, 25.0)}

    async def promises() -> Breaches:
        return dict(drift)

    async def broken() -> Breaches:
        raise RuntimeError("database is locked")

    alerts = Alerts(nothing, today, lambda: [], lambda _q: Targets(), {}, announce, Clock())
    alerts.watch(broken)
    alerts.watch(promises)
    raised, _ = await alerts.check()
    assert [(a.rule, a.subject, a.value, a.limit) for a in raised] == [
        ("promise_median_left", "support", 80.0, 25.0)
    ]
    assert (await alerts.check()) == ([], [])  # still breached: not raised again
    drift.clear()
    _, cleared = await alerts.check()
    assert [a.rule for a in cleared] == ["promise_median_left"]
    assert [kind for kind, _ in told] == ["alert.raised", "alert.cleared"]
