"""Live transcripts: while a queue call runs, each party's audio goes to a recogniser and
the lines said appear on the agent's desk (and on it for a supervisor watching that
desk) within about a second. The final transcript still comes from the recording after
the call; the live one is never stored (it is not redacted) and never replaces it.

Contract:
* :meth:`LiveTranscripts.answered` taps both parties of a call an agent answered (the
  caller's channel and the agent's) when there is room: at most ``max_streams`` parties at
  once. A call beyond that gets no live transcript — shed, logged and counted — and the
  call itself is unaffected (a tap that Asterisk refuses is the same).
* Each tap's audio is fed to the decoder; partial lines replace the previous partial of
  that speaker, final lines stay. A stream the decoder is more than ``lag_seconds``
  behind on is dropped (shed first: the recogniser must never hold up anything).
* :meth:`tap_ended` (the snoop channel went away: the party hung up) and
  :meth:`call_ended` close the call's streams and remove its taps.
* Every state change of a stream is logged with the call's id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from callcenter.logs import call_id_var
from callcenter.services.screen_pop import AgentDesks, DeskMessage

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class LiveResult:
    kind: str  # partial, final, progress, closed
    text: str = ""
    start: float = 0.0
    end: float = 0.0
    error: str = ""


class LiveMedia(Protocol):
    async def tap(self, channel_id: str, on_audio: Callable[[bytes], None]) -> str:
        """Stream what ``channel_id`` says (8 kHz PCM, host order) to ``on_audio``;
        returns the tap's id (TelephonyError when Asterisk refuses)."""
        ...

    async def untap(self, tap_id: str) -> None: ...


class LiveDecoder(Protocol):
    async def open(self, stream: int, model: Path) -> None: ...
    def feed(self, stream: int, pcm: bytes) -> None: ...
    def behind(self, stream: int) -> float: ...
    def close(self, stream: int) -> None: ...


@dataclasses.dataclass(frozen=True)
class LivePolicy:
    model: Path
    max_streams: int = 4
    lag_seconds: float = 3.0


@dataclasses.dataclass
class _Stream:
    id: int
    call_id: str
    queue: str
    agent: str
    speaker: str
    tap: str = ""
    state: str = "starting"  # starting → live → shed | ended


class LiveTranscripts:
    def __init__(
        self,
        media: LiveMedia,
        decoder: LiveDecoder,
        desks: AgentDesks,
        policy: LivePolicy,
        on_shed: Callable[[str], None] | None = None,
    ) -> None:
        self._media, self._decoder, self._desks, self._policy = media, decoder, desks, policy
        self._on_shed = on_shed or (lambda _why: None)
        self._streams: dict[int, _Stream] = {}
        self._ids = itertools.count(1)

    @property
    def active(self) -> int:
        return sum(1 for s in self._streams.values() if s.state in ("starting", "live"))

    async def answered(self, call_id: str, queue: str, agent: str, agent_channel: str) -> None:
        """Tap the caller and the agent of a call ``agent`` took, if there is room."""
        if any(s.call_id == call_id for s in self._streams.values()):
            return  # tapped already (a replayed AgentConnect)
        if self.active + 2 > self._policy.max_streams:
            log.warning(
                "live transcript shed: %d of %d streams busy", self.active, self._policy.max_streams
            )
            self._on_shed("capacity")
            return
        for speaker, channel in (("caller", call_id), ("agent", agent_channel)):
            if channel:
                await self._start(_Stream(next(self._ids), call_id, queue, agent, speaker), channel)

    async def _start(self, stream: _Stream, channel: str) -> None:
        self._streams[stream.id] = stream
        try:
            await self._decoder.open(stream.id, self._policy.model)
            stream.tap = await self._media.tap(channel, lambda pcm: self._audio(stream, pcm))
        except Exception as exc:
            log.warning("live transcript of the %s not started: %s", stream.speaker, exc)
            self._end(stream, "ended")
            return
        if stream.state == "starting":
            self._set(stream, "live")

    def _audio(self, stream: _Stream, pcm: bytes) -> None:
        if stream.state != "live":
            return
        if self._decoder.behind(stream.id) > self._policy.lag_seconds:
            log.warning(
                "live transcript of the %s shed: the recogniser is %.1f s behind",
                stream.speaker,
                self._decoder.behind(stream.id),
            )
            self._on_shed("lag")
            self._end(stream, "shed")
            return
        self._decoder.feed(stream.id, pcm)

    def on_result(self, stream_id: int, result: LiveResult) -> None:
        """What the decoder heard on a stream: partial and final lines go to the desk."""
        stream = self._streams.get(stream_id)
        if stream is None:
            return
        if result.kind == "closed":
            if result.error:
                log.warning("live transcript of the %s stopped: %s", stream.speaker, result.error)
            self._streams.pop(stream_id, None)
            return
        if result.kind not in ("partial", "final") or not result.text:
            return
        line = {
            "speaker": stream.speaker,
            "text": result.text,
            "final": result.kind == "final",
            "start": round(result.start, 2),
            "end": round(result.end, 2),
        }
        message = DeskMessage("transcript", stream.call_id, stream.queue, line=line)
        self._publish(stream.agent, message)

    def _publish(self, agent: str, message: DeskMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._desks.publish(agent, message))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def tap_ended(self, tap_id: str) -> None:
        for stream in [s for s in self._streams.values() if s.tap == tap_id]:
            await self._untap(stream)

    async def call_ended(self, call_id: str) -> None:
        for stream in [s for s in self._streams.values() if s.call_id == call_id]:
            await self._untap(stream)

    async def _untap(self, stream: _Stream) -> None:
        if stream.state in ("starting", "live"):
            self._end(stream, "ended")
        if stream.tap:
            tap, stream.tap = stream.tap, ""
            try:
                await self._media.untap(tap)
            except Exception as exc:
                log.debug("live tap %s already gone: %s", tap, exc)

    def _end(self, stream: _Stream, state: str) -> None:
        self._set(stream, state)
        self._decoder.close(stream.id)

    def _set(self, stream: _Stream, state: str) -> None:
        token = call_id_var.set(stream.call_id)
        try:
            log.info("live stream %d (%s): %s → %s", stream.id, stream.speaker, stream.state, state)
            stream.state = state
        finally:
            call_id_var.reset(token)
