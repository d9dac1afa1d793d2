"""The first real call: answer, play a prompt, read one DTMF digit, log it, hang up.

The IVR issue replaces this use case with YAML flows; it stays as the smallest end-to-end
proof that the daemon drives a real call.
"""

from __future__ import annotations

import logging
import time

from callcenter.domain.calls import DtmfReceived, PlaybackFinished
from callcenter.services.call_session import CallSession

log = logging.getLogger(__name__)


def first_call_handler(prompt: str, digit_timeout: float):  # type: ignore[no-untyped-def]
    """Build the handler; ``prompt`` is an Asterisk sound name, played with barge-in."""

    async def handle(session: CallSession) -> None:
        await session.answer()
        playback = await session.play(f"sound:{prompt}")
        playing = True
        deadline = time.monotonic() + digit_timeout
        while (left := deadline - time.monotonic()) > 0:
            event = await session.next_event(timeout=left)
            if isinstance(event, PlaybackFinished) and event.playback_id == playback:
                playing = False
            elif isinstance(event, DtmfReceived):
                if playing:  # barge-in: a digit stops the prompt
                    await session.stop_playback(playback)
                log.info("caller pressed %s", event.digit)
                await session.record_digit(event.digit)
                break
        else:
            log.info("no digit within %.0fs", digit_timeout)
        await session.hangup()

    return handle
