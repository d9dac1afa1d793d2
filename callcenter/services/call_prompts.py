"""Prompts on a live call that the intakes (callback, voicemail) share: play and wait for a
digit, or play to the end. Both raise CallGone once the caller hangs up."""

from __future__ import annotations

import time

from callcenter.domain.calls import DtmfReceived, PlaybackFinished
from callcenter.services.call_session import CallSession

SAY_LIMIT = 60.0  # seconds one item may take before we go on anyway


async def ask(session: CallSession, media: list[str], language: str, wait: float) -> str | None:
    """Play ``media`` item by item (a digit cuts it short); the digit pressed, or None
    after ``wait`` seconds of silence once it ended."""
    pending = list(media)
    playback: str | None = await session.play(pending.pop(0), language)
    deadline: float | None = None
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        event = await session.next_event(timeout)
        if event is None:
            return None
        if isinstance(event, DtmfReceived):
            await session.record_digit(event.digit)
            if playback is not None:
                await session.stop_playback(playback)
            return event.digit
        if isinstance(event, PlaybackFinished) and event.playback_id == playback:
            if pending:
                playback = await session.play(pending.pop(0), language)
            else:
                playback, deadline = None, time.monotonic() + wait


async def say(session: CallSession, media: list[str], language: str) -> None:
    """Play ``media`` to its end, item by item (digits do not cut it short)."""
    for item in media:
        playback = await session.play(item, language)
        limit = time.monotonic() + SAY_LIMIT
        while (left := limit - time.monotonic()) > 0:
            event = await session.next_event(left)
            if isinstance(event, PlaybackFinished) and event.playback_id == playback:
                break
