"""Live transcripts' rules with fakes of its ports: both parties tapped, lines to the
agent's desk (a partial replaced, a final kept), shed first when there is no room or the
recogniser falls behind, taps removed when a party hangs up or the call ends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from callcenter.services.live_transcripts import (
    LivePolicy,
    LiveResult,
    LiveTranscripts,
)
from callcenter.services.ports import TelephonyError
from callcenter.services.screen_pop import DeskMessage


class Media:
    def __init__(self, refuse: str = "") -> None:
        self.taps: dict[str, Callable[[bytes], None]] = {}
        self.removed: list[str] = []
        self.refuse = refuse

    async def tap(self, channel_id: str, on_audio: Callable[[bytes], None]) -> str:
        if channel_id == self.refuse:
            raise TelephonyError(f"channels.snoopChannel({channel_id}): 404")
        self.taps[f"snoop-{channel_id}"] = on_audio
        return f"snoop-{channel_id}"

    async def untap(self, tap_id: str) -> None:
        self.removed.append(tap_id)


class Decoder:
    def __init__(self) -> None:
        self.fed: dict[int, int] = {}
        self.closed: list[int] = []
        self.lag = 0.0

    async def open(self, stream: int, model: Path) -> None:
        self.fed[stream] = 0

    def feed(self, stream: int, pcm: bytes) -> None:
        self.fed[stream] += len(pcm)

    def behind(self, stream: int) -> float:
        return self.lag

    def close(self, stream: int) -> None:
        self.closed.append(stream)


class Desks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, DeskMessage]] = []

    async def publish(self, agent: str, message: DeskMessage) -> int:
        self.sent.append((agent, message))
        return 1


def live(media: Media, decoder: Decoder, desks: Desks, streams: int = 4) -> LiveTranscripts:
    return LiveTranscripts(media, decoder, desks, LivePolicy(Path("/m"), streams, 3.0))


async def test_both_parties_are_heard_and_their_lines_reach_the_agents_desk() -> None:
    media, decoder, desks = Media(), Decoder(), Desks()
    service = live(media, decoder, desks)
    await service.answered("1.1", "support", "1001", "1.2")
    assert sorted(media.taps) == ["snoop-1.1", "snoop-1.2"]
    media.taps["snoop-1.1"](b"\0\0" * 160)
    media.taps["snoop-1.2"](b"\0\0" * 80)
    assert decoder.fed == {1: 320, 2: 160}
    service.on_result(1, LiveResult("partial", "my parcel"))
    service.on_result(1, LiveResult("final", "my parcel is late", 0.4, 1.9))
    service.on_result(2, LiveResult("progress"))
    await asyncio.sleep(0)
    lines = [(agent, m.kind, m.call_id, dict(m.line or {})) for agent, m in desks.sent]
    assert lines == [
        (
            "1001",
            "transcript",
            "1.1",
            {"speaker": "caller", "text": "my parcel", "final": False, "start": 0.0, "end": 0.0},
        ),
        (
            "1001",
            "transcript",
            "1.1",
            {
                "speaker": "caller",
                "text": "my parcel is late",
                "final": True,
                "start": 0.4,
                "end": 1.9,
            },
        ),
    ]
    await service.answered("1.1", "support", "1001", "1.2")  # replayed: tapped once
    assert len(media.taps) == 2


async def test_no_room_or_a_recogniser_behind_sheds_live_first() -> None:
    media, decoder, desks = Media(), Decoder(), Desks()
    shed: list[str] = []
    service = LiveTranscripts(media, decoder, desks, LivePolicy(Path("/m"), 2, 3.0), shed.append)
    await service.answered("1.1", "support", "1001", "1.2")
    await service.answered("2.1", "support", "1002", "2.2")  # both slots are taken
    assert shed == ["capacity"]
    assert "snoop-2.1" not in media.taps
    decoder.lag = 5.0
    media.taps["snoop-1.1"](b"\0\0" * 160)
    assert shed == ["capacity", "lag"]
    assert decoder.closed == [1]
    media.taps["snoop-1.1"](b"\0\0" * 160)  # dropped: nothing more is fed
    assert decoder.fed[1] == 0
    assert service.active == 1


async def test_a_party_hanging_up_or_the_call_ending_removes_the_taps() -> None:
    media, decoder, desks = Media(refuse="1.2"), Decoder(), Desks()
    service = live(media, decoder, desks)
    await service.answered("1.1", "support", "1001", "1.2")  # the agent's tap refused
    assert list(media.taps) == ["snoop-1.1"]
    assert decoder.closed == [2]
    await service.tap_ended("snoop-1.1")
    assert media.removed == ["snoop-1.1"]
    assert decoder.closed == [2, 1]
    service.on_result(1, LiveResult("closed"))
    service.on_result(2, LiveResult("closed", error="model gone"))
    assert service.active == 0
    await service.answered("3.1", "support", "1001", "3.2")
    await service.call_ended("3.1")
    assert media.removed == ["snoop-1.1", "snoop-3.1", "snoop-3.2"]
