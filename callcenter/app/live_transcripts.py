"""Wiring of live transcripts: app_queue's AgentConnect (an agent answered: tap both
parties) and AgentComplete (the call ended: untap), ARI's end of a snoop channel (a party
hung up), the live recogniser process and the desks the lines go to; what was shed is
counted in /metrics. Off unless ``[transcription] live``. (Composition root.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from callcenter.app import slots
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.live_media import AriLiveMedia
from callcenter.config import Config, ConfigError, transcription_models
from callcenter.domain.queue_events import AgentAnswered, AgentCallEnded
from callcenter.logs import call_id_var
from callcenter.metrics.registry import DaemonMetrics
from callcenter.services.live_transcripts import LivePolicy, LiveTranscripts
from callcenter.services.screen_pop import AgentDesks
from callcenter.transcription.live_recognizer import LiveRecognizer

log = logging.getLogger(__name__)


class LiveTranscriptsWiring:
    def __init__(
        self,
        config: Config,
        ami: AmiClient,
        ari: AriClient,
        desks: AgentDesks,
        metrics: DaemonMetrics,
    ) -> None:
        t = config.transcription
        self.enabled = t.live
        self.shed = 0
        self.service: LiveTranscripts | None = None
        self._recognizer: LiveRecognizer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        if not t.live:
            return
        models = transcription_models(t)
        model = models.get(t.default_language) or next(iter(models.values()), None)
        if model is None:
            raise ConfigError("transcription.live needs a model in transcription.models")
        self._model = model
        self._recognizer = LiveRecognizer(lambda stream, result: self._result(stream, result))
        self.service = LiveTranscripts(
            AriLiveMedia(ari),
            self._recognizer,
            desks,
            LivePolicy(model, t.live_streams, t.live_lag_seconds),
            on_shed=self._shed,
        )
        ari.when_tap_ended(lambda tap: self._spawn("", self.service.tap_ended(tap)))  # type: ignore[union-attr]
        metrics.counter(
            "callcenter_live_transcripts_shed_total",
            "Live transcript streams not started or dropped (no room, or the recogniser "
            "fell behind): the call went on without them.",
            lambda: float(self.shed),
        )

    def _shed(self, _why: str) -> None:
        self.shed += 1

    def _result(self, stream: int, result: Any) -> None:
        if self.service is not None:
            self.service.on_result(stream, result)

    def _spawn(self, call_id: str, work: Coroutine[Any, Any, None]) -> None:
        token = call_id_var.set(call_id or "-")
        try:
            task = asyncio.create_task(work)
        finally:
            call_id_var.reset(token)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def agent_answered(self, event: AgentAnswered, _received: float) -> None:
        assert self.service is not None
        work = self.service.answered(event.call_id, event.queue, event.agent, event.agent_channel)
        self._spawn(event.call_id, work)

    def agent_call_ended(self, event: AgentCallEnded, _received: float) -> None:
        assert self.service is not None
        self._spawn(event.call_id, self.service.call_ended(event.call_id))

    def tasks(self) -> list[asyncio.Task[None]]:
        if self._recognizer is None:
            return []
        return [asyncio.create_task(self._recognizer.preload(self._model), name="live-preload")]

    async def close(self) -> None:
        if self._recognizer is not None:
            await self._recognizer.aclose()


def _plug(parts: Parts, plug: Plug) -> None:
    live = LiveTranscriptsWiring(
        parts[slots.CONFIG],
        parts[slots.AMI],
        parts[slots.ARI],
        parts[slots.AGENTS].desks,
        parts[slots.METRICS],
    )
    if live.service is not None:
        plug.on_ami(AgentAnswered, live.agent_answered)
        plug.on_ami(AgentCallEnded, live.agent_call_ended)
    plug.run(live.tasks)
    plug.on_close(live.close)


FEATURE = Feature("live_transcripts", needs=(slots.AGENTS, slots.METRICS), provides=(), build=_plug)
