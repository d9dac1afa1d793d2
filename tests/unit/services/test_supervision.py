from __future__ import annotations

import pytest

from callcenter.services.supervision import SpyMode, Supervision, SupervisionError


class Dialer:
    def __init__(self) -> None:
        self.rung: list[tuple[str, str, str]] = []

    async def ring_into(self, phone: str, context: str, exten: str, caller_name: str) -> None:
        self.rung.append((phone, context, exten))


async def test_the_supervisor_phone_dials_the_same_feature_code_as_by_hand() -> None:
    dialer = Dialer()
    supervision = Supervision(dialer, frozenset({"1090"}))
    assert await supervision.join("1001", SpyMode.WHISPER, "1090", "sue") == "*2231001"
    await supervision.join("1001", SpyMode.LISTEN, "1090", "sue")
    await supervision.join("1001", SpyMode.BARGE, "1090", "sue")
    assert [r[2] for r in dialer.rung] == ["*2231001", "*2221001", "*2241001"]
    assert {r[1] for r in dialer.rung} == {"agents"}


async def test_only_supervisor_phones_are_rung() -> None:
    supervision = Supervision(Dialer(), frozenset({"1090"}))
    with pytest.raises(SupervisionError, match="phone: '1001'"):
        await supervision.join("1002", SpyMode.LISTEN, "1001", "sue")
    with pytest.raises(SupervisionError, match="agent: '1090'"):
        await supervision.join("1090", SpyMode.LISTEN, "1090", "sue")
