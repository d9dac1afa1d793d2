"""The trunks' service: polls and events feed the board; a poll that fails makes every
registration unknown (and the health degraded); each change is logged once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from callcenter.domain.trunks import RegistrationSeen, TrunkLine
from callcenter.services.trunks import Trunks

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


class Asterisk:
    def __init__(self) -> None:
        self.answer: list[RegistrationSeen] | Exception = []

    async def registrations(self) -> list[RegistrationSeen]:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def test_a_poll_then_an_event_then_a_lost_link(caplog: pytest.LogCaptureFixture) -> None:
    asterisk, emitted = Asterisk(), []
    trunks = Trunks(
        [TrunkLine("carrier", "sip.example.net", True, "sip:u@sip.example.net")],
        asterisk,
        Clock(),
        lambda kind, data: emitted.append((kind, dict(data))),
    )
    asterisk.answer = [RegistrationSeen("sip:u@sip.example.net", "registered", "carrier")]
    await trunks.refresh()
    assert await trunks.healthy()
    with caplog.at_level(logging.WARNING):
        trunks.registry(RegistrationSeen("sip:u@sip.example.net", "rejected"))
        trunks.registry(RegistrationSeen("sip:u@sip.example.net", "rejected"))
    rejected = [r for r in caplog.records if "rejected at sip.example.net" in r.message]
    assert len(rejected) == 1
    asterisk.answer = ConnectionError("AMI down")
    await trunks.refresh()
    assert trunks.states()[0].status == "unknown"
    assert not await trunks.healthy()
    assert [d["status"] for _, d in emitted] == ["registered", "rejected", "unknown"]
