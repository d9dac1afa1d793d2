"""A flow's lookup carried out: the endpoint asked through the :class:`Lookups` port,
bounded by the node's timeout, every failure turned into the engine's ``LookupDone`` with
its reason (the flow then takes its ``on_failure``: the caller always hears something).

Contract: :func:`look_up` never raises for the endpoint's sake — an unknown endpoint, a
refusal, an error status, a redirect, a timeout, an oversized or non-JSON answer all come
back as ``LookupDone(error=…)``; the time it took is logged with the outcome."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from callcenter.flows.session import Lookup, LookupDone

log = logging.getLogger(__name__)


class LookupFailed(Exception):
    """The endpoint gave no usable answer; the message says why (shown in the IVR path)."""


class Lookups(Protocol):
    def limit(self, endpoint: str) -> float | None:
        """The endpoint's longest wait in seconds; None when it is not configured."""
        ...

    async def fetch(self, endpoint: str, params: Mapping[str, str]) -> Mapping[str, object]:
        """The endpoint's JSON object for ``params``; raises :class:`LookupFailed`."""
        ...


async def look_up(lookups: Lookups | None, command: Lookup, now: datetime) -> LookupDone:
    limit = lookups.limit(command.endpoint) if lookups is not None else None
    if lookups is None or limit is None:
        return LookupDone(now, error=f"endpoint {command.endpoint!r} is not configured")
    seconds = min(command.seconds, limit) if command.seconds else limit
    started = time.monotonic()
    try:
        async with asyncio.timeout(seconds):
            answer = await lookups.fetch(command.endpoint, command.params)
    except TimeoutError:
        done = LookupDone(now, error=f"no answer within {seconds:g}s")
    except LookupFailed as exc:
        done = LookupDone(now, error=str(exc))
    else:
        done = LookupDone(now, answer=answer)
    log.info(
        "lookup %s: %s in %.0f ms",
        command.endpoint,
        done.error or "answered",
        (time.monotonic() - started) * 1000,
    )
    return done
