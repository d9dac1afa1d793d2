"""The calibration of promises over a period (the promises page, the API, the command line):
per queue and hour, what was told against what it took; the alerts of queues drifting
from the targets (:mod:`callcenter.domain.promise_calibration`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from callcenter.domain.business_hours import Calendar
from callcenter.domain.promise_calibration import CalibrationAlert, CalibrationCell, calibration
from callcenter.domain.promises import Promise


class MadePromises(Protocol):
    async def promise_counts(self, since: datetime, until: datetime) -> list[Promise]: ...


@dataclasses.dataclass(frozen=True)
class Calibration:
    since: datetime
    until: datetime
    hours: list[CalibrationCell]
    queues: list[CalibrationCell]
    alerts: list[CalibrationAlert]


class PromiseCalibration:
    def __init__(self, store: MadePromises, calendar_of: Callable[[str], Calendar]) -> None:
        self._store = store
        self._calendar_of = calendar_of

    async def calibration(self, since: datetime, until: datetime) -> Calibration:
        made = await self._store.promise_counts(since, until)
        hours, queues, alerts = calibration(made, self._calendar_of)
        return Calibration(since, until, hours, queues, alerts)
